"""How the built-in order history `builtin:bonded_import_peak_orders` was made (run once, seeded): the orders
`bonded_import_peak` draws in its replication 0, written as a planner's order file would be, one row per order
line: order_id, time, sku, quantity, customer, zone, value (the line's goods value, CNY).

    python examples/make_order_history.py [OUT.parquet]      # default: the package's built-in data file

The same columns as CSV or Excel (.xlsx) work too (`demand.history.file`, with `columns` mapping other names).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from logistics.core.random import RandomStreams, replication_seed
from logistics.scenario import load_builtin
from logistics.sim.order_draws import BONDED_STREAMS, draw_orders

OUT = Path(__file__).resolve().parents[1] / "logistics" / "scenario" / "builtin" / "data"


def history_of(name: str = "bonded_import_peak", replication: int = 0) -> pd.DataFrame:
    """The order lines a built-in scenario's first flow draws in one replication, as a history table."""
    scenario = load_builtin(name)
    flow = scenario.flows[0]
    draws = draw_orders(scenario, flow, RandomStreams(replication_seed(scenario.run.seed, replication)), BONDED_STREAMS)
    book = draws.book
    order_of_line = np.repeat(np.arange(len(book)), book.n_lines)
    created = pd.Timestamp(scenario.run.start) + pd.to_timedelta(book.created_h[order_of_line], unit="h")
    zones = np.array([z.id for z in flow.last_mile.zones])
    return pd.DataFrame(
        {
            "order_id": [f"O{k + 1:07d}" for k in order_of_line],
            "time": created.floor("s"),  # whole seconds, never past the end
            "sku": np.asarray(draws.skus.ids)[book.line_sku],
            "quantity": book.line_units,
            "customer": [f"C{c:06d}" for c in book.customer[order_of_line]],
            "zone": zones[draws.zone[order_of_line]],
            "value": np.round(book.line_value_cny(draws.skus), 2),
        }
    )


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT / "bonded_import_peak_orders.parquet"
    table = history_of()
    table.to_parquet(out, index=False, compression="zstd")
    print(f"wrote {out}: {table['order_id'].nunique():,} orders, {len(table):,} lines, {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
