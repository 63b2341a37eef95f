"""Each order's last-mile emissions at the end of a run (its lanes' are added as it rides them, `lanes.py`)."""

from __future__ import annotations

import numpy as np

from logistics.core.emissions import EmissionFactor
from logistics.scenario.lastmile import Zone
from logistics.sim.dispatch import Depot

__all__ = ["last_mile_co2e_kg"]


def last_mile_co2e_kg(
    weight_kg: np.ndarray,
    zone: np.ndarray,
    zones: list[Zone],
    dispatched: np.ndarray,
    depot: Depot | None,
    factor: EmissionFactor,
    truck: EmissionFactor | None = None,
) -> np.ndarray:
    """kg CO2e of each order's last mile: a routed parcel, its tonnes x the km it rode on vans; any other
    dispatched parcel, its tonnes x its zone's `distance_km` (0 where the zone has none) at the last-mile
    `factor`, plus its tonnes x the zone's `linehaul_km` at the `truck` factor (a carrier's trunk haul); not yet
    dispatched, 0. Counted when the parcel leaves (a parcel still on its way at the end of the run is counted)."""
    zone_km = np.array([z.distance_km or 0.0 for z in zones])[zone] if len(zones) else np.zeros(len(zone))
    trunk_km = np.array([z.linehaul_km for z in zones])[zone] if len(zones) else np.zeros(len(zone))
    km = np.where(dispatched, zone_km, 0.0)
    trunk = np.where(dispatched, trunk_km, 0.0)
    if depot is not None:
        km = np.where(depot.routed, depot.parcel_km, km)
        trunk = np.where(depot.routed, 0.0, trunk)
    kg = weight_kg / 1000.0 * km * factor.wtw_kg_per_tkm
    if truck is not None:
        kg = kg + weight_kg / 1000.0 * trunk * truck.wtw_kg_per_tkm
    return kg
