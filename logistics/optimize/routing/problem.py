"""Vehicle routing problems: immutable, validated at construction.

Units: distances in metres, times in seconds (absolute, on one clock shared by windows and shifts), costs in
the caller's currency. A benchmark whose data has no units (Solomon) reads 1 unit as 1 m and 1 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.routing.parts import (
    EARTH_RADIUS_M,
    INF,
    MAX_VALUE,
    Break,
    Location,
    Pair,
    Stop,
    VehicleType,
    great_circle_m,
)
from logistics.optimize.routing.validation import validate_problem

__all__ = [
    "EARTH_RADIUS_M",
    "INF",
    "MAX_VALUE",
    "Break",
    "InvalidProblemError",
    "Location",
    "Pair",
    "RoutingProblem",
    "Stop",
    "VehicleType",
    "great_circle_m",
]


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A capacitated VRP with time windows, several depots, a heterogeneous fleet, optional stops, pickups
    (returns to the depot) and pickup-and-delivery `pairs`, skills, and maximum route durations and distances.

    `distance_m`/`duration_s`, if given, are matrices over `locations` (in order; they may be asymmetric).
    Without a distance matrix, distances are Euclidean between x/y coordinates, or great-circle between
    latitudes/longitudes (every location the same kind), times `circuity` (road distance over straight-line
    distance); without a duration matrix, durations are distance / `speed_m_per_s`. `objective` is total
    distance (plus penalties of skipped optional stops) or total cost (fixed + per km + per hour of route
    duration, plus penalties); `minimise_vehicles` puts the number of vehicles used first. `depot_load_s` is
    the time a vehicle spends loading at a depot before each trip (the first, and each reload).

    Time-dependent travel: `traffic_by_hour` (24 factors, or empty) multiplies the travel time of a leg by the
    factor of the clock hour it starts in (time 0 s is `hour_at_zero` o'clock), as the simulation drives its
    vans. The solvers plan each leg with the slowest factor of the hours it can leave in (`departure_factors`:
    a leg from a stop leaves between the opening of its window plus its service and the close plus its service,
    a leg from a depot within the shifts), so every arrival under the profile is no later than planned and the
    plan stays feasible, while a stop whose window lies outside the rush hour is planned at that hour's speed;
    the routes are timed, and checked, with the profile.
    """

    locations: tuple[Location, ...]
    depots: tuple[str, ...]
    stops: tuple[Stop, ...]
    vehicle_types: tuple[VehicleType, ...]
    dimensions: tuple[str, ...] = ("load",)
    distance_m: np.ndarray | None = None
    duration_s: np.ndarray | None = None
    speed_m_per_s: float = 1.0
    objective: Literal["distance", "cost"] = "distance"
    minimise_vehicles: bool = False
    name: str = ""
    circuity: float = 1.0
    pairs: tuple[Pair, ...] = ()
    depot_load_s: float = 0.0
    traffic_by_hour: tuple[float, ...] = ()
    hour_at_zero: float = 0.0
    _dist: np.ndarray = field(init=False, repr=False)
    _dur: np.ndarray = field(init=False, repr=False)
    _loc_index: dict[str, int] = field(init=False, repr=False)
    _pair_of: dict[str, Pair] = field(init=False, repr=False)
    _by_speed: dict[float | None, np.ndarray] = field(init=False, repr=False)
    _factors: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        for attr in ("locations", "depots", "stops", "vehicle_types", "dimensions", "pairs", "traffic_by_hour"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        object.__setattr__(self, "_loc_index", validate_problem(self))
        pair_of = {stop_id: pair for pair in self.pairs for stop_id in (pair.pickup, pair.delivery)}
        object.__setattr__(self, "_pair_of", pair_of)
        object.__setattr__(self, "_by_speed", {})
        dist, dur = self._matrices()
        object.__setattr__(self, "_dist", dist)
        object.__setattr__(self, "_dur", dur)

    def _matrices(self) -> tuple[np.ndarray, np.ndarray]:
        if self.distance_m is not None:
            dist = np.array(self.distance_m, dtype=float)
        elif self.locations[0].lat is not None:
            lat_lon = np.array([[loc.lat, loc.lon] for loc in self.locations], dtype=float)
            dist = great_circle_m(lat_lon) * self.circuity
        else:
            xy = np.array([[loc.x, loc.y] for loc in self.locations], dtype=float)
            dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)) * self.circuity
        dur = np.array(self.duration_s, dtype=float) if self.duration_s is not None else dist / self.speed_m_per_s
        dist.setflags(write=False)
        dur.setflags(write=False)
        return dist, dur

    # --- derived data ------------------------------------------------------------------------
    @property
    def distances(self) -> np.ndarray:
        """Distance matrix over locations (metres, read-only)."""
        return self._dist

    @property
    def durations(self) -> np.ndarray:
        """Travel-time matrix over locations (seconds, read-only)."""
        return self._dur

    def durations_for(self, vtype: VehicleType) -> np.ndarray:
        """Planning travel-time matrix (seconds, read-only) of vehicles of `vtype`: the problem's, or distance /
        the type's own speed; under a traffic profile each row times its `departure_factors`."""
        if vtype.speed_m_per_s is None and not self.traffic_by_hour:
            return self._dur
        matrix = self._by_speed.get(vtype.speed_m_per_s)
        if matrix is None:
            base = self._dur if vtype.speed_m_per_s is None else self._dist / vtype.speed_m_per_s
            matrix = base * self.departure_factors()[:, None] if self.traffic_by_hour else base
            matrix.setflags(write=False)
            self._by_speed[vtype.speed_m_per_s] = matrix
        return matrix

    def departure_factors(self) -> np.ndarray:
        """Per location row, the slowest traffic factor of the clock hours a leg can leave it in (all ones
        without a profile). A leg leaves a stop after its service, which starts within its window: between
        window open + service and window close + service (no window: within the shifts); a leg leaves a depot
        within the shifts (earliest start to latest end over the fleet). A location of several stops takes the
        slowest over them. Planning with these factors is as safe as planning at the slowest hour (a plan
        feasible with them is feasible under the profile: no leg is slower than planned, so no arrival is
        later) and less pessimistic wherever the windows keep a stop out of the rush hour."""
        if self._factors is not None:
            return self._factors
        n = len(self.locations)
        if not self.traffic_by_hour:
            factors = np.ones(n)
        else:
            fleet = [t for t in self.vehicle_types if t.count] or list(self.vehicle_types)
            first = min(t.shift_start_s for t in fleet)
            last = max(t.shift_end_s for t in fleet)
            slowest = max(self.traffic_by_hour)
            factors = np.full(n, -math.inf)
            for depot in self.depots:
                row = self._loc_index[depot]
                factors[row] = max(factors[row], self._slowest_between(first, last))
            for stop in self.stops:
                a, b = stop.window_s if stop.window_s is not None else (-math.inf, math.inf)
                leave_from = max(a, first) + stop.service_s
                leave_by = min(b + stop.service_s, last)
                row = self._loc_index[stop.location]
                factors[row] = max(factors[row], self._slowest_between(leave_from, max(leave_from, leave_by)))
            factors[~np.isfinite(factors)] = slowest  # a location no leg leaves (or no bound): the slowest hour
        factors.setflags(write=False)
        object.__setattr__(self, "_factors", factors)
        return factors

    def _slowest_between(self, from_s: float, to_s: float) -> float:
        """The largest traffic factor of the clock hours a time in [from_s, to_s] falls in."""
        if not (math.isfinite(from_s) and math.isfinite(to_s)) or to_s - from_s >= 24 * 3600:
            return max(self.traffic_by_hour)
        first = math.floor(self.hour_at_zero + from_s / 3600.0)
        last = math.floor(self.hour_at_zero + to_s / 3600.0)
        return max(self.traffic_by_hour[h % 24] for h in range(first, last + 1))

    def leg_s(self, vtype: VehicleType, i: int, j: int, depart_s: float) -> float:
        """Travel time (seconds) of a vehicle of `vtype` from location row i to j leaving at `depart_s`: the
        nominal time times the factor of the clock hour it leaves in (no profile: the nominal time)."""
        base = self._dur[i, j] if vtype.speed_m_per_s is None else self._dist[i, j] / vtype.speed_m_per_s
        if not self.traffic_by_hour:
            return float(base)
        hour = math.floor(self.hour_at_zero + depart_s / 3600.0) % 24
        return float(base * self.traffic_by_hour[hour])

    @property
    def has_breaks(self) -> bool:
        """True if some vehicle type's drivers take breaks."""
        return any(t.breaks for t in self.vehicle_types if t.count)

    @property
    def has_reloads(self) -> bool:
        """True if some vehicle type may make several trips."""
        return any(t.reload_depots and t.max_reloads != 0 for t in self.vehicle_types)

    @property
    def has_type_speeds(self) -> bool:
        """True if some vehicle type drives at its own speed."""
        return any(t.speed_m_per_s is not None for t in self.vehicle_types)

    def location_index(self, location_id: str) -> int:
        """Row of a location in the matrices."""
        return self._loc_index[location_id]

    def demand(self, stop: Stop) -> tuple[float, ...]:
        """A stop's demand with one value per dimension (zeros if it gave none)."""
        return stop.demand if stop.demand else (0.0,) * len(self.dimensions)

    def pickup(self, stop: Stop) -> tuple[float, ...]:
        """A stop's pickup with one value per dimension (zeros if it gave none)."""
        return stop.pickup if stop.pickup else (0.0,) * len(self.dimensions)

    @property
    def pair_of(self) -> dict[str, Pair]:
        """Each paired stop's pair, by stop id (read-only by convention)."""
        return self._pair_of

    def depot_load(self, stop: Stop) -> tuple[float, ...]:
        """What a stop needs loaded at the depot: its demand, unless it is a pair's delivery (zeros)."""
        pair = self._pair_of.get(stop.id)
        if pair is not None and pair.delivery == stop.id:
            return (0.0,) * len(self.dimensions)
        return self.demand(stop)

    @property
    def has_pickups(self) -> bool:
        """True if any stop picks something up (a return or a pair's pickup)."""
        return any(any(s.pickup) for s in self.stops if s.pickup)

    @staticmethod
    def can_serve(vtype: VehicleType, stop: Stop) -> bool:
        """True if vehicles of `vtype` have every skill `stop` needs."""
        return set(stop.skills) <= set(vtype.skills)

    @property
    def has_windows(self) -> bool:
        """True if any stop has a time window or any vehicle a finite shift."""
        return any(s.window_s is not None for s in self.stops) or any(
            math.isfinite(t.shift_end_s) for t in self.vehicle_types
        )
