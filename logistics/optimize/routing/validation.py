"""Validation of a routing problem: every field checked at construction, the first bad one named."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.routing.parts import MAX_VALUE, Break, Location, Pair, Stop, VehicleType

if TYPE_CHECKING:
    from logistics.optimize.routing.problem import RoutingProblem

__all__ = ["validate_problem"]


def _finite(value: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_VALUE
    )


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


def validate_problem(self: RoutingProblem) -> dict[str, int]:
    """Check every field of `problem` (named `self` here, as in the class it serves); returns the row of each
    location id. Raises `InvalidProblemError` naming the first bad field (the checks below, in this order)."""
    bad = InvalidProblemError
    index = _check_locations(self)
    _check_matrices(self)
    _check_settings(self)
    k = len(self.dimensions)
    if len(set(self.dimensions)) != k:
        raise bad("dimensions", "dimension names must be unique")
    stop_ids: set[str] = set()
    for i, s in enumerate(self.stops):
        _check_stop(self, i, s, index, stop_ids)
    if not self.vehicle_types:
        raise bad("vehicle_types", "at least one vehicle type is needed")
    type_ids: set[str] = set()
    for i, t in enumerate(self.vehicle_types):
        _check_vehicle_type(self, i, t, type_ids)
    if sum(t.count for t in self.vehicle_types) == 0:
        raise bad("vehicle_types", "the fleet has no vehicles (every count is 0)")
    _validate_pairs(self)
    return index


def _check_locations(self: RoutingProblem) -> dict[str, int]:
    """Locations: at least one, ids unique, coordinates (x/y or lat/lon) where no matrix is given; the row of
    each id. Also the circuity."""
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
    return index


def _check_matrices(self: RoutingProblem) -> None:
    """Distance and duration matrices: square, one row per location, finite, within bounds, 0 on the
    diagonal, never negative."""
    bad = InvalidProblemError
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


def _check_settings(self: RoutingProblem) -> None:
    """Traffic factors by hour, the clock, depot loading time, speed, objective and depots."""
    bad = InvalidProblemError
    index = self._loc_index
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
        if depot in self.depots[:i]:
            raise bad(f"depots[{i}]", f"depot {depot!r} is listed twice (depots[{self.depots.index(depot)}])")


def _check_stop(self: RoutingProblem, i: int, s: Stop, index: dict[str, int], stop_ids: set[str]) -> None:
    """One stop: unique id, its own (non-depot) location, amounts per dimension, service, window, penalty,
    skills."""
    bad = InvalidProblemError
    k = len(self.dimensions)
    where = f"stops[{i}]"
    if s.id in stop_ids:
        raise bad(f"{where}.id", f"stop id {s.id!r} is used twice")
    stop_ids.add(s.id)
    if s.location not in index:
        raise bad(f"{where}.location", f"unknown location {s.location!r}")
    if s.location in self.depots:
        raise bad(f"{where}.location", f"{s.location!r} is a depot; a stop needs its own location")
    for amounts in ("demand", "pickup"):  # one value per dimension each, or none
        values = getattr(s, amounts)
        if len(values) not in (0, k):
            raise bad(
                f"{where}.{amounts}",
                f"has {len(values)} values but there are {k} dimensions ({', '.join(self.dimensions)})",
            )
        for j, d in enumerate(values):
            if not _finite(d) or d < 0:
                raise bad(f"{where}.{amounts}[{j}]", f"must be a number >= 0 and at most 1e9, got {d}")
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
    _check_skills(f"{where}.skills", s.skills)


def _check_vehicle_type(self: RoutingProblem, i: int, t: VehicleType, type_ids: set[str]) -> None:
    """One vehicle type: unique id, count, capacity per dimension, depots, costs, shift, limits, skills,
    speed, reloads and breaks."""
    bad = InvalidProblemError
    k = len(self.dimensions)
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
            raise bad(f"{where}.capacity[{j}]", f"must be >= 0 and at most {MAX_VALUE:g} (or infinite), got {c}")
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
    for limit in ("max_duration_s", "max_distance_m"):
        value = getattr(t, limit)
        if math.isnan(value) or value <= 0 or (math.isfinite(value) and value > MAX_VALUE):
            raise bad(f"{where}.{limit}", f"must be > 0 and at most {MAX_VALUE:g} (or null), got {value}")
    _check_skills(f"{where}.skills", t.skills)
    if t.speed_m_per_s is not None and not (_finite(t.speed_m_per_s) and t.speed_m_per_s > 0):
        raise bad(f"{where}.speed_m_per_s", f"must be a positive number or null, got {t.speed_m_per_s}")
    if isinstance(t.reload_depots, str):
        raise bad(f"{where}.reload_depots", f"must be a list of depots, got {t.reload_depots!r}")
    for j, depot in enumerate(t.reload_depots):
        if depot not in self.depots:
            raise bad(f"{where}.reload_depots[{j}]", f"unknown depot {depot!r} (depots: {', '.join(self.depots)})")
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


def _validate_pairs(self: RoutingProblem) -> None:
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
