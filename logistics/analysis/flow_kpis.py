"""KPIs of the cross-border network's lanes and checkpoints (rows of kpi, value, unit); the order KPIs of
every mode are in `order_kpis`.

- by lane: departures (and cancelled), shipments, mean fill rate, rolled shipments, cost per chargeable kg,
  unused block space;
- by checkpoint: clearance time, inspection rate and parcels checked by credit tier, outcomes, lab tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from logistics.analysis.order_kpis import summarize
from logistics.sim.checkpoint import OUTCOMES
from logistics.sim.result import RunResult

__all__ = ["flow_kpis"]

Rows = list[tuple[str, float, str]]


def flow_kpis(result: RunResult) -> pd.DataFrame:
    """KPI rows of the lanes and checkpoints of one run (empty if the scenario has none)."""
    rows: Rows = []
    if not len(result.flow_orders) and not len(result.departures) and not len(result.clearances):
        return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
    departures = result.departures
    for lane, part in departures.groupby("lane", sort=False) if len(departures) else ():
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

    clear = result.clearances  # every checkpoint's visits, the bonded import's first and second line too
    for cp, part in clear.groupby("checkpoint", sort=False) if len(clear) else ():
        name = f"checkpoint.{cp}"
        rows.append((f"{name}.cleared", len(part), "items"))
        summarize(rows, f"{name}.clearance_h", part["clearance_h"].to_numpy(), "h")
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
    if all(m == "1210" for m in result.modes):  # no cross-border flows
        return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
    if "1210" not in result.modes:  # otherwise the bonded part reports them: the tiers are shared
        rows.append(("customs.trader_demotions", result.counts.get("flows.trader_demotions", 0), "traders"))
    rows.append(("flows.consignments", result.counts.get("flows.consignments", 0), "containers"))
    if "flows.allocation_time_cap_hits" in result.counts:
        rows.append(("linehaul.time_cap_hits", result.counts["flows.allocation_time_cap_hits"], "solves"))
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
