"""Greenhouse-gas KPIs of a run (kg CO2e, ISO 14083 / GLEC: tonne-km x the mode's factor, `core.emissions`).

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

from logistics.sim.result import RunResult

__all__ = ["emission_kpis"]

Rows = list[tuple[str, float, str]]


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
