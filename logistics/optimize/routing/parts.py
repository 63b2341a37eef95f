"""The parts of a routing problem: places, stops, pickup-and-delivery pairs, drivers' breaks, vehicle types,
and the great-circle distance between latitudes and longitudes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["EARTH_RADIUS_M", "INF", "MAX_VALUE", "Break", "Location", "Pair", "Stop", "VehicleType", "great_circle_m"]

INF = math.inf


MAX_VALUE = 1e9
"""Largest magnitude of any number in a problem (metres, seconds, demand, capacity, cost): the backends work in
64-bit integers after scaling, and sums of a route's values must not overflow them."""


EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), for great-circle distances."""


def great_circle_m(lat_lon_deg: np.ndarray) -> np.ndarray:
    """Great-circle distances (metres, haversine) between every pair of (latitude, longitude) rows (degrees)."""
    rad = np.radians(lat_lon_deg)
    lat, lon = rad[:, 0], rad[:, 1]
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@dataclass(frozen=True)
class Location:
    """A place: x/y metres, or latitude/longitude degrees (great-circle distances); coordinates may be omitted
    when the problem gives a distance matrix."""

    id: str
    x: float | None = None
    y: float | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Stop:
    """A visit to make: `demand` delivered (loaded at the depot, or at the pair's pickup when the stop is the
    delivery of a `Pair`), `pickup` collected (carried to the end depot, e.g. a customer's return, or to the
    pair's delivery), per capacity dimension; service time; an optional time window; the `skills` a vehicle
    must have to serve it (a cold-chain or customs-sealed van).

    An optional stop (`required=False`) may be left out at a cost of `penalty` (objective units): the stop's
    priority when not everything fits."""

    id: str
    location: str
    demand: tuple[float, ...] = ()
    service_s: float = 0.0
    window_s: tuple[float, float] | None = None
    required: bool = True
    penalty: float = 0.0
    pickup: tuple[float, ...] = ()
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    """A pickup-and-delivery pair: what is collected at stop `pickup` (its `pickup` amounts) is carried on the
    same vehicle to stop `delivery` (whose `demand` is the same amounts), visited after it."""

    pickup: str
    delivery: str


@dataclass(frozen=True)
class Break:
    """A driver's break: it starts within `window_s` (on the problem's clock) and lasts `duration_s`. While a
    route runs through it the vehicle stands still (travel and waiting pause; never during a service); a route
    over before the break or starting after it does not need it."""

    window_s: tuple[float, float]
    duration_s: float


@dataclass(frozen=True)
class VehicleType:
    """`count` identical vehicles: capacities per dimension, costs, shift, depots, maximum route duration and
    distance, the skills they have (a stop needing a skill is served only by vehicles having it), and their own
    speed if they drive at another than the problem's (a bike, a truck): travel time = distance / speed.
    Its drivers take `breaks` (each in its window, for its duration).
    With `reload_depots`, a vehicle may make several trips: it comes back to one of them, unloads what it
    picked up, loads the next trip's deliveries (`RoutingProblem.depot_load_s`) and leaves again."""

    id: str
    count: int
    capacity: tuple[float, ...]
    start_depot: str
    end_depot: str | None = None  # None: back to the start depot
    fixed_cost: float = 0.0
    cost_per_km: float = 0.0
    cost_per_h: float = 0.0
    shift_start_s: float = 0.0
    shift_end_s: float = INF
    max_duration_s: float = INF
    max_distance_m: float = INF
    skills: tuple[str, ...] = ()
    speed_m_per_s: float | None = None  # None: the problem's travel times; else distance / this speed
    reload_depots: tuple[str, ...] = ()  # depots where a vehicle may reload between trips (multi-trip)
    max_reloads: int | None = None  # None: as many as needed (with reload_depots)
    breaks: tuple[Break, ...] = ()

    @property
    def end(self) -> str:
        """The depot the vehicles return to."""
        return self.end_depot if self.end_depot is not None else self.start_depot
