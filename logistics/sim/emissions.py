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
) -> np.ndarray:
    """kg CO2e of each order's last mile: a routed parcel, its tonnes x the km it rode on vans; any other
    dispatched parcel, its tonnes x its zone's `distance_km` (0 where the zone has none); not yet dispatched, 0.
    Counted when the parcel leaves (a parcel still on its way at the end of the run is counted)."""
    zone_km = np.array([z.distance_km or 0.0 for z in zones])[zone] if len(zones) else np.zeros(len(zone))
    km = np.where(dispatched, zone_km, 0.0)
    if depot is not None:
        km = np.where(depot.routed, depot.parcel_km, km)
    return weight_kg / 1000.0 * km * factor.wtw_kg_per_tkm
