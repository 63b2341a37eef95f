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

__all__ = ["Break", "InvalidProblemError", "Location", "Pair", "RoutingProblem", "Stop", "VehicleType"]

INF = math.inf


MAX_VALUE = 1e9
"""Largest magnitude of any number in a problem (metres, seconds, demand, capacity, cost): the backends work in
64-bit integers after scaling, and sums of a route's values must not overflow them."""


def _finite(value: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_VALUE
    )


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


def _check_skills(where: str, skills: tuple[str, ...]) -> None:
    if isinstance(skills, str) or not all(isinstance(x, str) and x for x in skills):
        raise InvalidProblemError(where, f"must be a list of non-empty names, got {skills!r}")


def _check_lat_lon(i: int, loc: Location) -> None:
    """A location given by latitude and longitude: both, finite, within their ranges, and no x/y beside them."""
    for name, value, limit in (("lat", loc.lat, 90.0), ("lon", loc.lon, 180.0)):
        if value is None or not _finite(value) or abs(value) > limit:
            raise InvalidProblemError(
                f"locations[{i}].{name}",
                f"location {loc.id!r} needs a {'latitude' if name == 'lat' else 'longitude'} within ±{limit:g} "
                f"degrees, got {value} (every location is given by lat/lon when the first one is)",
            )
    if loc.x is not None or loc.y is not None:
        raise InvalidProblemError(f"locations[{i}]", f"location {loc.id!r} gives both x/y and lat/lon: give one")


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
    vans. The solvers plan with the slowest hour's times (`durations_for`), so every arrival under the profile
    is no later than planned and the plan stays feasible; the routes are timed, and checked, with the profile.
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
    _by_speed: dict[tuple[float | None, float], np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for attr in ("locations", "depots", "stops", "vehicle_types", "dimensions", "pairs", "traffic_by_hour"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        self._validate()
        pair_of = {stop_id: pair for pair in self.pairs for stop_id in (pair.pickup, pair.delivery)}
        object.__setattr__(self, "_pair_of", pair_of)
        object.__setattr__(self, "_by_speed", {})
        dist, dur = self._matrices()
        object.__setattr__(self, "_dist", dist)
        object.__setattr__(self, "_dur", dur)

    # --- validation --------------------------------------------------------------------------
    def _validate(self) -> None:
        bad = InvalidProblemError
        if not self.locations:
            raise bad("locations", "at least one location is needed")
        index: dict[str, int] = {}
        for i, loc in enumerate(self.locations):
            if loc.id in index:
                raise bad(f"locations[{i}].id", f"location id {loc.id!r} is used twice")
            index[loc.id] = i
        object.__setattr__(self, "_loc_index", index)
        if not (_finite(self.circuity) and 1.0 <= self.circuity <= 10.0):
            raise bad("circuity", f"must be between 1 and 10 (road distance / straight line), got {self.circuity}")
        if self.distance_m is None:
            geographic = self.locations[0].lat is not None or self.locations[0].lon is not None
            for i, loc in enumerate(self.locations):
                if geographic:
                    _check_lat_lon(i, loc)
                elif loc.x is None or loc.y is None or not (_finite(loc.x) and _finite(loc.y)):
                    raise bad(
                        f"locations[{i}]",
                        f"location {loc.id!r} needs finite x and y coordinates within ±{MAX_VALUE:g} m "
                        f"(got x={loc.x}, y={loc.y}) when no distance matrix is given"
                        + (" (or give every location lat and lon)" if loc.lat is not None else ""),
                    )
        n = len(self.locations)
        for name in ("distance_m", "duration_s"):
            matrix = getattr(self, name)
            if matrix is None:
                continue
            try:
                m = np.asarray(matrix, dtype=float)
            except (ValueError, TypeError):
                raise bad(name, "must be a square matrix of numbers (rows of equal length)") from None
            if m.shape != (n, n):
                raise bad(name, f"must be {n} x {n} (one row and column per location), got shape {m.shape}")
            if not np.isfinite(m).all():
                raise bad(name, "contains NaN or infinite values")
            if (np.abs(m) > MAX_VALUE).any():
                r, c = np.argwhere(np.abs(m) > MAX_VALUE)[0]
                raise bad(name, f"value {m[r, c]:g} at [{r}][{c}] is beyond {MAX_VALUE:g}")
            if (np.diag(m) != 0).any():
                r = int(np.flatnonzero(np.diag(m) != 0)[0])
                raise bad(name, f"must be 0 on the diagonal (from a place to itself), got {m[r, r]} at [{r}][{r}]")
            if (m < 0).any():
                r, c = np.argwhere(m < 0)[0]
                raise bad(name, f"negative value {m[r, c]} at [{r}][{c}]")
        if self.traffic_by_hour:
            if len(self.traffic_by_hour) != 24:
                raise bad("traffic_by_hour", f"must have 24 factors (one per hour), got {len(self.traffic_by_hour)}")
            for h, f in enumerate(self.traffic_by_hour):
                if not (_finite(f) and 0 < f <= 100):
                    raise bad(f"traffic_by_hour[{h}]", f"must be a factor > 0 and at most 100, got {f}")
        if not (_finite(self.hour_at_zero) and 0 <= self.hour_at_zero < 24):
            raise bad("hour_at_zero", f"must be a clock hour in [0, 24), got {self.hour_at_zero}")
        if not (_finite(self.depot_load_s) and self.depot_load_s >= 0):
            raise bad("depot_load_s", f"must be a number >= 0 and at most 1e9, got {self.depot_load_s}")
        if not (_finite(self.speed_m_per_s) and self.speed_m_per_s > 0):
            raise bad("speed_m_per_s", f"must be a positive number, got {self.speed_m_per_s}")
        if self.objective not in ("distance", "cost"):
            raise bad("objective", f"must be 'distance' or 'cost', got {self.objective!r}")
        if not self.depots:
            raise bad("depots", "at least one depot is needed")
        for i, depot in enumerate(self.depots):
            if depot not in index:
                raise bad(f"depots[{i}]", f"unknown location {depot!r}")
        k = len(self.dimensions)
        if len(set(self.dimensions)) != k:
            raise bad("dimensions", "dimension names must be unique")
        stop_ids: set[str] = set()
        for i, s in enumerate(self.stops):
            where = f"stops[{i}]"
            if s.id in stop_ids:
                raise bad(f"{where}.id", f"stop id {s.id!r} is used twice")
            stop_ids.add(s.id)
            if s.location not in index:
                raise bad(f"{where}.location", f"unknown location {s.location!r}")
            if s.location in self.depots:
                raise bad(f"{where}.location", f"{s.location!r} is a depot; a stop needs its own location")
            if len(s.demand) not in (0, k):
                raise bad(
                    f"{where}.demand",
                    f"has {len(s.demand)} values but there are {k} dimensions ({', '.join(self.dimensions)})",
                )
            for j, d in enumerate(s.demand):
                if not _finite(d) or d < 0:
                    raise bad(f"{where}.demand[{j}]", f"must be a number >= 0 and at most 1e9, got {d}")
            if not _finite(s.service_s) or s.service_s < 0:
                raise bad(f"{where}.service_s", f"must be a number >= 0 and at most 1e9, got {s.service_s}")
            if s.window_s is not None:
                if len(s.window_s) != 2:
                    raise bad(f"{where}.window_s", "must be [start, end]")
                a, b = s.window_s
                if not (_finite(a) and _finite(b)):
                    raise bad(f"{where}.window_s", f"must be finite numbers, got {s.window_s}")
                if b < a:
                    raise bad(f"{where}.window_s", f"ends ({b}) before it starts ({a})")
            if not _finite(s.penalty) or s.penalty < 0:
                raise bad(f"{where}.penalty", f"must be a number >= 0 and at most 1e9, got {s.penalty}")
            if len(s.pickup) not in (0, k):
                raise bad(
                    f"{where}.pickup",
                    f"has {len(s.pickup)} values but there are {k} dimensions ({', '.join(self.dimensions)})",
                )
            for j, d in enumerate(s.pickup):
                if not _finite(d) or d < 0:
                    raise bad(f"{where}.pickup[{j}]", f"must be a number >= 0 and at most 1e9, got {d}")
            _check_skills(f"{where}.skills", s.skills)
        if not self.vehicle_types:
            raise bad("vehicle_types", "at least one vehicle type is needed")
        type_ids: set[str] = set()
        for i, t in enumerate(self.vehicle_types):
            where = f"vehicle_types[{i}]"
            if t.id in type_ids:
                raise bad(f"{where}.id", f"vehicle type id {t.id!r} is used twice")
            type_ids.add(t.id)
            if not isinstance(t.count, int) or isinstance(t.count, bool) or t.count < 0:
                raise bad(f"{where}.count", f"must be a whole number >= 0, got {t.count!r}")
            if t.count > 100_000:
                raise bad(f"{where}.count", f"at most 100,000 vehicles of a type, got {t.count}")
            if len(t.capacity) != k:
                raise bad(f"{where}.capacity", f"has {len(t.capacity)} values but there are {k} dimensions")
            for j, c in enumerate(t.capacity):
                if not (isinstance(c, int | float) and c >= 0) or math.isnan(c) or (math.isfinite(c) and c > MAX_VALUE):
                    raise bad(
                        f"{where}.capacity[{j}]", f"must be >= 0 and at most {MAX_VALUE:g} (or infinite), got {c}"
                    )
            for depot_field in ("start_depot", "end_depot"):
                depot = getattr(t, depot_field)
                if depot is not None and depot not in self.depots:
                    raise bad(
                        f"{where}.{depot_field}",
                        f"unknown depot {depot!r} (depots: {', '.join(self.depots)})",
                    )
            for cost in ("fixed_cost", "cost_per_km", "cost_per_h"):
                v = getattr(t, cost)
                if not _finite(v) or v < 0:
                    raise bad(f"{where}.{cost}", f"must be a number >= 0 and at most 1e9, got {v}")
            if not _finite(t.shift_start_s):
                raise bad(f"{where}.shift_start_s", f"must be finite, got {t.shift_start_s}")
            if (
                math.isnan(t.shift_end_s)
                or t.shift_end_s < t.shift_start_s
                or (math.isfinite(t.shift_end_s) and t.shift_end_s > MAX_VALUE)
            ):
                raise bad(
                    f"{where}.shift_end_s",
                    f"must be at or after shift_start_s ({t.shift_start_s}) and at most {MAX_VALUE:g} (or null), "
                    f"got {t.shift_end_s}",
                )
            if (
                math.isnan(t.max_duration_s)
                or t.max_duration_s <= 0
                or (math.isfinite(t.max_duration_s) and t.max_duration_s > MAX_VALUE)
            ):
                raise bad(
                    f"{where}.max_duration_s",
                    f"must be > 0 and at most {MAX_VALUE:g} (or null), got {t.max_duration_s}",
                )
            if (
                math.isnan(t.max_distance_m)
                or t.max_distance_m <= 0
                or (math.isfinite(t.max_distance_m) and t.max_distance_m > MAX_VALUE)
            ):
                raise bad(
                    f"{where}.max_distance_m",
                    f"must be > 0 and at most {MAX_VALUE:g} (or null), got {t.max_distance_m}",
                )
            _check_skills(f"{where}.skills", t.skills)
            if t.speed_m_per_s is not None and not (_finite(t.speed_m_per_s) and t.speed_m_per_s > 0):
                raise bad(f"{where}.speed_m_per_s", f"must be a positive number or null, got {t.speed_m_per_s}")
            if isinstance(t.reload_depots, str):
                raise bad(f"{where}.reload_depots", f"must be a list of depots, got {t.reload_depots!r}")
            for j, depot in enumerate(t.reload_depots):
                if depot not in self.depots:
                    raise bad(
                        f"{where}.reload_depots[{j}]", f"unknown depot {depot!r} (depots: {', '.join(self.depots)})"
                    )
            if isinstance(t.breaks, Break) or not all(isinstance(b, Break) for b in t.breaks):
                raise bad(f"{where}.breaks", f"must be a list of Break(window_s, duration_s), got {t.breaks!r}")
            for j, brk in enumerate(t.breaks):
                a, b = brk.window_s if len(brk.window_s) == 2 else (math.nan, math.nan)
                if not (_finite(a) and _finite(b) and a <= b):
                    raise bad(f"{where}.breaks[{j}].window_s", f"must be [earliest, latest] start, got {brk.window_s}")
                if not (_finite(brk.duration_s) and brk.duration_s >= 0):
                    raise bad(f"{where}.breaks[{j}].duration_s", f"must be a number >= 0, got {brk.duration_s}")
            if t.max_reloads is not None and (
                isinstance(t.max_reloads, bool) or not isinstance(t.max_reloads, int) or t.max_reloads < 0
            ):
                raise bad(f"{where}.max_reloads", f"must be a whole number >= 0 or null, got {t.max_reloads!r}")
        if sum(t.count for t in self.vehicle_types) == 0:
            raise bad("vehicle_types", "the fleet has no vehicles (every count is 0)")
        self._validate_pairs()

    def _validate_pairs(self) -> None:
        """Each pair: two different existing stops, each in one pair at most, the delivery's demand equal to
        the pickup's amounts, nothing else loaded or unloaded at either, both required or both optional."""
        bad = InvalidProblemError
        by_id = {s.id: s for s in self.stops}
        paired: set[str] = set()
        for i, pair in enumerate(self.pairs):
            where = f"pairs[{i}]"
            if not isinstance(pair, Pair):
                raise bad(where, f"must be a Pair(pickup, delivery), got {pair!r}")
            if pair.pickup == pair.delivery:
                raise bad(f"{where}.delivery", f"the pickup and the delivery are the same stop {pair.pickup!r}")
            for role in ("pickup", "delivery"):
                stop_id = getattr(pair, role)
                if stop_id not in by_id:
                    raise bad(f"{where}.{role}", f"unknown stop {stop_id!r}")
                if stop_id in paired:
                    raise bad(f"{where}.{role}", f"stop {stop_id!r} is already in another pair")
                paired.add(stop_id)
            if pair.pickup == pair.delivery:
                raise bad(f"{where}.delivery", f"the pickup and the delivery are the same stop {pair.pickup!r}")
            p, d = by_id[pair.pickup], by_id[pair.delivery]
            zero = (0.0,) * len(self.dimensions)
            if any(p.demand):
                raise bad(f"{where}.pickup", f"stop {p.id!r} is a pair's pickup: it must have no demand of its own")
            if any(d.pickup):
                raise bad(f"{where}.delivery", f"stop {d.id!r} is a pair's delivery: it must pick nothing up")
            amount = p.pickup or zero
            if tuple(map(float, amount)) != tuple(map(float, d.demand or zero)):
                raise bad(
                    f"{where}.delivery",
                    f"stop {d.id!r} must deliver what {p.id!r} picks up ({list(amount)}), got {list(d.demand or zero)}",
                )
            if p.required != d.required:
                raise bad(f"{where}", f"stops {p.id!r} and {d.id!r} must be both required or both optional")

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
        the type's own speed; times the slowest hour's factor under a traffic profile."""
        slowest = max(self.traffic_by_hour) if self.traffic_by_hour else 1.0
        if vtype.speed_m_per_s is None and slowest == 1.0:
            return self._dur
        key = (vtype.speed_m_per_s, slowest)
        matrix = self._by_speed.get(key)
        if matrix is None:
            base = self._dur if vtype.speed_m_per_s is None else self._dist / vtype.speed_m_per_s
            matrix = base * slowest
            matrix.setflags(write=False)
            self._by_speed[key] = matrix
        return matrix

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
