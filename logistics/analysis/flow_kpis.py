"""KPIs of the cross-border flows by customs mode, lane and checkpoint (rows of kpi, value, unit).

- by mode: orders created, delivered, still in the system and ended by reason; lead time end to end and per
  stage; on-time delivery against the zone promise; cost per parcel and per kg (transport, clearance, last
  mile, packaging); tax collected; parcels rolled to a later departure;
- by lane: departures (and cancelled), shipments, mean fill rate, rolled shipments, cost per chargeable kg,
  unused block space;
- by checkpoint: clearance time, inspection rate and parcels checked by credit tier, outcomes, lab tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from logistics.sim.clearance import OUTCOMES
from logistics.sim.flows import FLOW_END_REASONS
from logistics.sim.result import RunResult

__all__ = ["flow_kpis", "stage_durations"]

Rows = list[tuple[str, float, str]]
QUANTILES = (("p50", 0.50), ("p95", 0.95))


def _summary(rows: Rows, name: str, values: np.ndarray, unit: str) -> None:
    rows.append((f"{name}.mean", float(values.mean()) if len(values) else np.nan, unit))
    for label, q in QUANTILES:
        rows.append((f"{name}.{label}", float(np.quantile(values, q)) if len(values) else np.nan, unit))


def stage_durations(orders: pd.DataFrame, end_h: float) -> dict[str, np.ndarray]:
    """Hours each order spent in each stage of its flow (the stages in `orders.attrs['stages']`, by flow),
    for the orders that finished the stage by `end_h`; stages shared by several flows are pooled."""
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
    return {label: np.concatenate(parts) for label, parts in out.items()}


def flow_kpis(result: RunResult) -> pd.DataFrame:
    """KPI rows of the flows of one run (empty if the scenario has none). Lead times and on-time rates cover
    the orders created after the warm-up; counts and costs cover the whole run."""
    rows: Rows = []
    orders = result.flow_orders
    if not len(orders) and not len(result.departures):
        return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
    end_h = result.end_h
    for mode, part in orders.groupby("mode", observed=True):
        m = f"mode.{mode}"
        rows.append((f"{m}.orders.created", len(part), "orders"))
        status = part["status"].value_counts()
        for s in ("delivered", "in_system", "ended"):
            rows.append((f"{m}.orders.{s}", int(status.get(s, 0)), "orders"))
        reasons = part["end_reason"].value_counts()
        for reason in FLOW_END_REASONS[1:]:
            rows.append((f"{m}.orders.ended.{reason}", int(reasons.get(reason, 0)), "orders"))
        steady = part[part["created_h"] >= result.warmup_h]
        delivered = steady["delivered_h"].to_numpy()
        created = steady["created_h"].to_numpy()
        done = delivered <= end_h
        _summary(rows, f"{m}.lead_time.end_to_end_h", delivered[done] - created[done], "h")
        for stage, values in stage_durations(steady, end_h).items():
            _summary(rows, f"{m}.lead_time.{stage}_h", values, "h")
        live = steady[steady["end_reason"] != "over_limit"]
        in_time = (live["delivered_h"].where(live["delivered_h"] <= end_h) - live["created_h"]) <= live[
            "delivery_promise_h"
        ]
        rows.append((f"{m}.service.on_time_delivery_rate", float(in_time.mean()) if len(live) else np.nan, "share"))
        pending = (live["end_reason"] == "").to_numpy()  # not returned, destroyed or refused
        rows.append((f"{m}.late_parcels", int((~in_time.to_numpy() & pending).sum()), "orders"))
        carried = part[part["transport_cny"] > 0]
        handled = max(1, len(part) - int(reasons.get("over_limit", 0)))
        for cost in ("transport", "clearance", "last_mile", "packaging"):
            rows.append((f"{m}.cost_per_parcel.{cost}_cny", float(part[f"{cost}_cny"].sum()) / handled, "CNY/order"))
        kg = float(carried["weight_kg"].sum())
        rows.append(
            (f"{m}.cost_per_kg.transport_cny", float(carried["transport_cny"].sum()) / kg if kg else np.nan, "CNY/kg")
        )
        rows.append((f"{m}.weight_kg", float(part["weight_kg"].sum()), "kg"))
        rows.append((f"{m}.tax_cny", float(part["tax_cny"].sum()), "CNY"))
        rows.append((f"{m}.rolled_parcels", int((part["rolls"] > 0).sum()), "orders"))
        rows.append((f"{m}.roll_events", int(part["rolls"].sum()), "rolls"))

    departures = result.departures
    for lane, part in departures.groupby("lane", sort=False):
        run = part[~part["cancelled"]]
        name = f"lane.{lane}"
        rows.append((f"{name}.departures", len(run), "departures"))
        rows.append((f"{name}.cancelled", int(part["cancelled"].sum()), "departures"))
        rows.append((f"{name}.shipments", int(run["shipments"].sum()), "shipments"))
        rows.append((f"{name}.fill_rate.mean", float(run["fill_rate"].mean()) if len(run) else np.nan, "share"))
        rows.append((f"{name}.fill_rate.max", float(run["fill_rate"].max()) if len(run) else np.nan, "share"))
        rows.append((f"{name}.rolled", int(part["rolled"].sum()), "shipments"))
        chargeable = float(run["chargeable_kg"].sum())
        cost = float(run["cost_cny"].sum())
        rows.append((f"{name}.cost_cny", cost, "CNY"))
        rows.append((f"{name}.cost_per_chargeable_kg_cny", cost / chargeable if chargeable else np.nan, "CNY/kg"))
        rows.append((f"{name}.block_unused_kg", float(run["block_unused_kg"].sum()), "kg"))

    clear = result.clearances
    for cp, part in clear.groupby("checkpoint", sort=False):
        name = f"checkpoint.{cp}"
        rows.append((f"{name}.cleared", len(part), "items"))
        _summary(rows, f"{name}.clearance_h", part["clearance_h"].to_numpy(), "h")
        rows.append((f"{name}.inspection_rate", float(part["inspected"].mean()), "share"))
        for tier, group in part.groupby("credit_tier", observed=True):
            rows.append((f"{name}.inspection_rate.{tier}", float(group["inspected"].mean()), "share"))
            rows.append((f"{name}.checked.{tier}", len(group), "items"))
            stopped = int((group["outcome"] != "released").sum())
            rows.append((f"{name}.not_released.{tier}", stopped, "items"))  # held, returned or destroyed
        outcomes = part["outcome"].value_counts()
        for outcome in OUTCOMES:
            rows.append((f"{name}.outcome.{outcome}", int(outcomes.get(outcome, 0)), "items"))
        rows.append((f"{name}.lab_tests", int(part["lab"].sum()), "items"))
    if "1210" not in result.modes:  # otherwise the bonded part reports them: the tiers are shared
        rows.append(("customs.trader_demotions", result.counts.get("flows.trader_demotions", 0), "traders"))
    rows.append(("flows.consignments", result.counts.get("flows.consignments", 0), "containers"))
    if "flows.allocation_time_cap_hits" in result.counts:
        rows.append(("linehaul.time_cap_hits", result.counts["flows.allocation_time_cap_hits"], "solves"))
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
