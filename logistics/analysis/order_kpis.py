"""Order KPIs, one implementation for every customs mode: the totals over all orders (`orders.*`,
`lead_time.*`, `service.on_time_delivery_rate`) and the same KPIs per mode (`mode.<mode>.*`).

Per mode: orders created, delivered, still in the system and ended by reason (one set of end reasons for every
mode); lead time end to end and per stage (summaries with one quantile set); on-time delivery against the zone
promise with the censoring rule of `analysis.promise` (the rate over resolved orders; on time, late, failed and
not-yet-due counts beside it); late parcels (delivered late, or their promise expired undelivered); cost per
parcel of each cost column the mode's orders carry, over the orders handled (created, less those refused over
the limits: `orders.handled`); tax. The totals pool the orders of every mode (a stage shared by several modes,
such as `pick`, pools their orders). Lead times and on-time rates cover the orders created after the warm-up
(not refused); counts and costs cover the whole run.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from logistics.analysis.promise import OUTCOMES, PromiseCounts, promise_counts, promised
from logistics.scenario.modes import CUSTOMS_MODES, MODES
from logistics.sim.monitor import END_REASONS
from logistics.sim.result import RunResult

__all__ = ["LEAD_TIME_STAGES", "QUANTILES", "mode_parts", "order_kpis", "stage_durations", "stage_lead_times"]

Rows = list[tuple[str, float, str]]

QUANTILES = (("p50", 0.50), ("p90", 0.90), ("p95", 0.95), ("p99", 0.99))
"""The quantiles of every duration summary (lead times, clearance times, waits)."""

# warehouse (1210, 9810) stage name -> (from timestamp, to timestamp)
LEAD_TIME_STAGES: dict[str, tuple[str, str]] = {
    "documents": ("created_h", "documents_h"),
    "stock": ("created_h", "stock_h"),
    "release": ("created_h", "released_h"),
    "pick": ("released_h", "pick_end_h"),
    "pack": ("pick_end_h", "pack_end_h"),
    "second_line_checkpoint": ("pack_end_h", "cleared_h"),
    "outbound": ("cleared_h", "dispatched_h"),
    "last_mile": ("dispatched_h", "delivered_h"),
    "order_to_dispatch": ("created_h", "dispatched_h"),
    "end_to_end": ("created_h", "delivered_h"),
}

COST_COLUMNS = ("transport", "clearance", "last_mile", "packaging", "inspection")
"""Per-order cost columns (`<name>_cny`) reported per parcel where a mode's orders carry them."""


def summarize(rows: Rows, name: str, values: np.ndarray, unit: str) -> None:
    """Mean and the QUANTILES of `values` as rows `<name>.mean`, `<name>.p50`... (NaN when empty)."""
    rows.append((f"{name}.mean", float(values.mean()) if len(values) else np.nan, unit))
    for label, q in QUANTILES:
        rows.append((f"{name}.{label}", float(np.quantile(values, q)) if len(values) else np.nan, unit))


def _between(orders: pd.DataFrame, a: str, b: str, end_h: float) -> np.ndarray:
    t0 = orders[a].to_numpy(dtype=float)
    t1 = orders[b].to_numpy(dtype=float)
    done = ~np.isnan(t0) & (t1 <= end_h)
    return t1[done] - t0[done]


def stage_lead_times(orders: pd.DataFrame, end_h: float, declared: bool = True) -> dict[str, np.ndarray]:
    """Hours spent in each warehouse stage by the orders that completed it by `end_h` (orders not declared one
    by one, 9810's, have no documents or second-line stage)."""
    skip = () if declared else ("documents", "second_line_checkpoint")
    return {stage: _between(orders, a, b, end_h) for stage, (a, b) in LEAD_TIME_STAGES.items() if stage not in skip}


def stage_durations(orders: pd.DataFrame, end_h: float) -> dict[str, np.ndarray]:
    """Hours each flow order spent in each stage of its flow (the stages in `orders.attrs['stages']`, by
    flow), for the orders that finished the stage by `end_h`; stages shared by several flows are pooled. With
    `order_to_dispatch` and `end_to_end` as for the bonded import."""
    out: dict[str, list[np.ndarray]] = {}
    stages: dict[str, list[str]] = orders.attrs.get("stages", {})
    for flow, labels in stages.items():
        part = orders[orders["flow"] == flow]
        previous = part["created_h"].to_numpy()
        for label in labels:
            column = part[f"done:{label}"].to_numpy() if label != "last_mile" else part["delivered_h"].to_numpy()
            done = ~np.isnan(previous) & (column <= end_h)
            out.setdefault(label, []).append(column[done] - previous[done])
            previous = column
    pooled = {label: np.concatenate(parts) for label, parts in out.items()}
    pooled["order_to_dispatch"] = _between(orders, "created_h", "dispatched_h", end_h)
    pooled["end_to_end"] = _between(orders, "created_h", "delivered_h", end_h)
    return pooled


def mode_parts(result: RunResult) -> Iterator[tuple[str, pd.DataFrame, dict[str, np.ndarray]]]:
    """(mode, its orders, hours per stage of its orders created after the warm-up) for each mode of the run,
    in the order of the modes table: the orders served from a warehouse (1210, 9810) by their warehouse stages,
    the others by their flows' steps."""
    parts: list[tuple[str, pd.DataFrame, dict[str, np.ndarray]]] = []
    orders = result.orders
    if len(orders):
        for mode, part in orders.groupby("mode", sort=False):
            steady = part[part["created_h"] >= result.warmup_h]
            declared = bool(CUSTOMS_MODES[str(mode)].warehouse_roles)
            parts.append((str(mode), part, stage_lead_times(steady, result.end_h, declared)))
    flows = result.flow_orders
    if len(flows):
        for mode, part in flows.groupby("mode", observed=True, sort=True):
            part.attrs = flows.attrs
            steady = part[part["created_h"] >= result.warmup_h]
            steady.attrs = flows.attrs
            parts.append((str(mode), part, stage_durations(steady, result.end_h)))
    yield from sorted(parts, key=lambda p: MODES.index(p[0]))


def order_kpis(result: RunResult) -> tuple[pd.DataFrame, int]:
    """The order KPI rows (totals first, then per mode) and the orders handled (created, not refused over
    the limits): the denominator of every cost per order."""
    rows: Rows = []
    per_mode: Rows = []
    counts: dict[str, float] = {}
    pooled: dict[str, list[np.ndarray]] = {}
    deliveries: list[PromiseCounts] = []
    handled = 0
    for mode, orders, stages in mode_parts(result):
        m = f"mode.{mode}"
        status = orders["status"].value_counts()
        reasons = orders["end_reason"].value_counts()
        found = {"created": len(orders), **{s: int(status.get(s, 0)) for s in ("delivered", "in_system", "ended")}}
        found.update({f"ended.{r}": int(reasons.get(r, 0)) for r in END_REASONS[1:]})
        for key, found_n in found.items():
            per_mode.append((f"{m}.orders.{key}", found_n, "orders"))
            counts[key] = counts.get(key, 0) + found_n
        for stage, hours in stages.items():
            summarize(per_mode, f"{m}.lead_time.{stage}_h", hours, "h")
            pooled.setdefault(stage, []).append(hours)
        delivery = promise_counts(promised(orders, result.warmup_h), "delivered_h", "delivery_promise_h", result.end_h)
        deliveries.append(delivery)
        per_mode.append((f"{m}.service.on_time_delivery_rate", delivery.rate, "share"))
        per_mode.extend(delivery.rows(f"{m}.service.delivery"))
        per_mode.append((f"{m}.late_parcels", delivery.late, "orders"))
        mode_handled = max(1, len(orders) - found["ended.over_limit"])
        handled += len(orders) - found["ended.over_limit"]
        for cost in COST_COLUMNS:
            if f"{cost}_cny" in orders:
                per_order = float(orders[f"{cost}_cny"].sum()) / mode_handled
                per_mode.append((f"{m}.cost_per_parcel.{cost}_cny", per_order, "CNY/order handled"))
        if "transport_cny" in orders:
            carried = orders[orders["transport_cny"] > 0]
            kg = float(carried["weight_kg"].sum())
            per_kg = float(carried["transport_cny"].sum()) / kg if kg else np.nan
            per_mode.append((f"{m}.cost_per_kg.transport_cny", per_kg, "CNY/kg"))
        per_mode.append((f"{m}.orders.handled", len(orders) - found["ended.over_limit"], "orders"))
        per_mode.append((f"{m}.weight_kg", float(orders["weight_kg"].sum()), "kg"))
        per_mode.append((f"{m}.tax_cny", float(orders["tax_cny"].sum()), "CNY"))
        if "rolls" in orders:
            per_mode.append((f"{m}.rolled_parcels", int((orders["rolls"] > 0).sum()), "orders"))
            per_mode.append((f"{m}.roll_events", int(orders["rolls"].sum()), "rolls"))
    if not counts:
        return pd.DataFrame(rows, columns=["kpi", "value", "unit"]), 0
    for key, value in counts.items():
        rows.append((f"orders.{key}", value, "orders"))
    for stage, parts in pooled.items():
        summarize(rows, f"lead_time.{stage}_h", np.concatenate(parts), "h")
    total = PromiseCounts(*(sum(getattr(p, name) for p in deliveries) for name in OUTCOMES))
    rows.append(("orders.handled", handled, "orders"))
    rows.append(("service.on_time_delivery_rate", total.rate, "share"))
    rows.extend(total.rows("service.delivery"))
    return pd.DataFrame(rows + per_mode, columns=["kpi", "value", "unit"]), handled
