"""On-time KPIs before and after censoring at the end of the run, on every built-in scenario (issue 27).

Each built-in runs through `logistics run` (full horizon, one replication); from its `orders.parquet` the old rule
(every order undelivered at the end counted late) is recomputed beside the KPI the run now reports (on time over
resolved orders; not yet due counted apart).

    python benchmarks/censoring.py [NAME ...]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from logistics.cli import app
from logistics.scenario import builtin_names
from logistics.scenario.builtin import load_named

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    names = sys.argv[1:] or builtin_names()
    rows = []
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / name
            result = CliRunner().invoke(app, ["run", name, "--out", str(out), "-q", "--replications", "1"])
            if result.exit_code != 0:
                raise SystemExit(f"{name}: {result.output}")
            kpis = pd.read_csv(out / "kpis.csv").set_index("kpi")["value"]
            orders = pd.read_parquet(out / "orders.parquet")
        run = load_named(name, ["run.replications=1"]).run
        live = orders[(orders["created_h"] >= run.warmup_h) & (orders["end_reason"].astype(str) != "over_limit")]
        delivered_in = live["delivered_h"].where(live["delivered_h"] <= run.end_h) - live["created_h"]
        old = float((delivered_in <= live["delivery_promise_h"]).mean())
        rows.append(
            {
                "scenario": name,
                "orders": len(live),
                "old_rate (open = late)": old,
                "on_time_delivery_rate": float(kpis["service.on_time_delivery_rate"]),
                "on_time": int(kpis["service.delivery.on_time"]),
                "late": int(kpis["service.delivery.late"]),
                "failed": int(kpis["service.delivery.failed"]),
                "not_yet_due": int(kpis["service.delivery.not_yet_due"]),
            }
        )
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    OUT.mkdir(exist_ok=True)
    (OUT / "censoring.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"written {OUT / 'censoring.json'}")


if __name__ == "__main__":
    main()
