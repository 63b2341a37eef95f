"""KPIs of the cross-border network's lanes and checkpoints (rows of kpi, value, unit); the order KPIs of
every mode are in `order_kpis`.

- by lane: departures (and cancelled), shipments, mean fill rate, rolled shipments, cost per chargeable kg,
  unused block space; disruptions over all lanes (departures cancelled by a closure, delayed);
- by checkpoint: clearance time, inspection rate and parcels checked by credit tier, outcomes, lab tests;
- by warehouse stocked over a route (a 1210 flow's bonded warehouse, a 9810 flow's overseas one): containers
  shipped, received, inspected, rolled to a later departure, units left for a later order, lead time;
- emissions (`emission_kpis`, kg CO2e, ISO 14083 / GLEC: tonne-km x the mode's factor, `core.emissions`):
  - `emissions.co2e_kg`: every departure's emissions (the goods it carried x the lane's km x its factor) plus
    every parcel's last mile (a routed parcel: the km it rode on vans; a zone parcel: its zone's km), counted
    when the vehicle leaves, so goods still on their way at the end of the run are counted;
  - by lane (`emissions.lane.<id>.*`: tonne-km, kg CO2e) and by flow (`emissions.flow.<id>.*`: the emissions of
    its orders' lanes and last mile and of its stock consignments, per order delivered: that total over the
    orders delivered in the run);
  - what is not measured: `emissions.lanes_without_distance` (lanes that ran with no `distance_km`) and
    `emissions.parcels_without_distance` (parcels dispatched in a zone with no `distance_km`, not routed);
  - `emissions.ttw_only.<mode>` = 1 for each mode whose factor has no well-to-tank part (its figure is
    tank-to-wheel only).
  Nothing is reported for a run where no lane has a distance and no last mile was measured.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from logistics.analysis.order_kpis import summarize
from logistics.sim.checkpoint import OUTCOMES
from logistics.sim.result import RunResult

__all__ = ["emission_kpis", "flow_kpis"]

Rows = list[tuple[str, float, str]]


def flow_kpis(result: RunResult) -> pd.DataFrame:
    """KPI rows of the lanes and checkpoints of one run (empty if the scenario has none)."""
    rows: Rows = []
    if not len(result.flow_orders) and not len(result.departures) and not len(result.clearances):
        return pd.DataFrame(rows, columns=["kpi", "value", "unit"])
    departures = result.departures
    if len(departures):
        cancelled = departures["cancelled"].to_numpy(dtype=bool)
        rows.append(("disruption.departures_cancelled", int(cancelled.sum()), "departures"))
        delayed = (departures["delay_h"].to_numpy() > 0) & ~cancelled
        rows.append(("disruption.departures_delayed", int(delayed.sum()), "departures"))
    _inbound_kpis(result, rows)
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
    if "flows.allocation_time_cap_hits" in result.counts:
        rows.append(("linehaul.time_cap_hits", result.counts["flows.allocation_time_cap_hits"], "solves"))
    return pd.DataFrame(rows, columns=["kpi", "value", "unit"])


def _inbound_kpis(result: RunResult, rows: Rows) -> None:
    """Per warehouse stocked over its flow's route: its containers from order to receipt."""
    cons = result.consignments
    for flow, part in cons.groupby("flow", sort=False) if len(cons) else ():
        name = f"inbound.{flow}"
        rows.append((f"{name}.containers", len(part), "containers"))
        received = part["received_h"].to_numpy()
        rows.append((f"{name}.received", int((~np.isnan(received)).sum()), "containers"))
        rows.append((f"{name}.inspected", int(part["inspected"].sum()), "containers"))
        rows.append((f"{name}.not_released", int(part["outcome"].isin(OUTCOMES[2:]).sum()), "containers"))
        rows.append((f"{name}.rolled", int((part["rolls"] > 0).sum()), "containers"))
        rows.append((f"{name}.rolled_units", result.counts.get(f"flows.rolled_units.{flow}", 0), "units"))
        skipped = result.counts.get(f"flows.departures_skipped.{flow}", 0)
        rows.append((f"{name}.departures_skipped", skipped, "departures"))
        summarize(
            rows,
            f"{name}.lead_time_h",
            received[~np.isnan(received)] - part["ordered_h"].to_numpy()[~np.isnan(received)],
            "h",
        )


def emission_kpis(result: RunResult, handled: int) -> Rows:
    """The emission KPI rows of one run (`handled`: the per-order denominator of the cost KPIs)."""
    rows: Rows = []
    orders = [f for f in (result.orders, result.flow_orders) if len(f) and "last_mile_co2e_kg" in f]
    dep = result.departures
    measured = len(dep) and "co2e_kg" in dep and dep["tonne_km"].notna().any()
    last_mile = sum(float(f["last_mile_co2e_kg"].sum()) for f in orders)
    if not measured and last_mile == 0.0:
        return rows
    lanes = float(np.nansum(dep["co2e_kg"].to_numpy())) if len(dep) and "co2e_kg" in dep else 0.0
    rows.append(("emissions.co2e_kg", lanes + last_mile, "kg CO2e"))
    rows.append(("emissions.lanes.co2e_kg", lanes, "kg CO2e"))
    rows.append(("emissions.last_mile.co2e_kg", last_mile, "kg CO2e"))
    rows.append(("emissions.co2e_kg_per_order_handled", (lanes + last_mile) / max(1, handled), "kg CO2e/order"))
    if len(dep) and "co2e_kg" in dep:
        ran = dep[~dep["cancelled"].to_numpy(dtype=bool) & (dep["shipments"].to_numpy() > 0)]
        no_km = ran.groupby("lane", sort=False)["tonne_km"].apply(lambda s: bool(s.isna().all()))
        rows.append(("emissions.lanes_without_distance", int(no_km.sum()), "lanes"))
        for lane, part in ran.groupby("lane", sort=False):
            if part["tonne_km"].isna().all():
                continue
            rows.append((f"emissions.lane.{lane}.tonne_km", float(part["tonne_km"].sum()), "t*km"))
            rows.append((f"emissions.lane.{lane}.co2e_kg", float(part["co2e_kg"].sum()), "kg CO2e"))
    unmeasured = 0
    by_flow: dict[str, list[float]] = {}
    for f in orders:
        by_zone = f["dispatched_h"].notna().to_numpy() & ~f["routed"].to_numpy(dtype=bool)
        unmeasured += int((by_zone & (f["last_mile_co2e_kg"].to_numpy() == 0)).sum())
        delivered = f["status"].astype(str).eq("delivered")
        for flow, part in f.groupby(f["flow"].astype(str), sort=False):
            entry = by_flow.setdefault(flow, [0.0, 0.0])
            entry[0] += float(part["co2e_kg"].sum())
            entry[1] += float(delivered[part.index].sum())
    cons = result.consignments
    if len(cons) and "co2e_kg" in cons:
        for flow, part in cons.groupby(cons["flow"].astype(str), sort=False):
            by_flow.setdefault(flow, [0.0, 0.0])[0] += float(part["co2e_kg"].sum())
    rows.append(("emissions.parcels_without_distance", unmeasured, "parcels"))
    for flow, (co2e, delivered_n) in by_flow.items():
        rows.append((f"emissions.flow.{flow}.co2e_kg", co2e, "kg CO2e"))
        rows.append(
            (f"emissions.flow.{flow}.co2e_kg_per_delivered_order", co2e / delivered_n if delivered_n else np.nan,
             "kg CO2e/order")
        )  # fmt: skip
    for mode in result.emissions_ttw_only:
        rows.append((f"emissions.ttw_only.{mode}", 1, "flag"))
    return rows
