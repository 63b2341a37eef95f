"""An independent check of a routing result against its problem: every constraint and every total is
recomputed here from the problem data in double precision, without using any solver or result-building code."""

from __future__ import annotations

import math
from dataclasses import dataclass

from logistics.optimize.common import Check
from logistics.optimize.routing.problem import EARTH_RADIUS_M, RoutingProblem, Stop, VehicleType
from logistics.optimize.routing.result import Route, RoutingResult

__all__ = ["RoutingCheck", "check_routing"]

EPS = 1e-6


@dataclass(frozen=True)
class RoutingCheck(Check):
    """`feasible`: the routes break no constraint and totals match; `complete`: every required stop is
    served. `distance_m` and `cost` are the checker's own totals."""

    feasible: bool
    complete: bool
    distance_m: float
    cost: float
    vehicles_used: int

    @property
    def ok(self) -> bool:
        """Feasible and complete."""
        return self.feasible and self.complete


def _xy_distance(problem: RoutingProblem, i: int, j: int) -> float:
    """The distance from location i to j, recomputed here from the problem's own data (not its matrices):
    the given matrix, or the straight line (x/y metres, or great circle on the Earth's sphere) x circuity."""
    if problem.distance_m is not None:
        return float(problem.distance_m[i][j])
    a, b = problem.locations[i], problem.locations[j]
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        # spherical law of cosines via the angle between the two unit vectors (another formula than the
        # problem's haversine, so that a slip in one shows)
        p, q = math.radians(a.lat), math.radians(b.lat)
        dl = math.radians(b.lon - a.lon)
        u = (math.cos(p), 0.0, math.sin(p))
        v = (math.cos(q) * math.cos(dl), math.cos(q) * math.sin(dl), math.sin(q))
        cross = math.hypot(u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])
        dot = u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
        return EARTH_RADIUS_M * math.atan2(cross, dot) * problem.circuity
    return math.hypot(float(a.x) - float(b.x), float(a.y) - float(b.y)) * problem.circuity  # type: ignore[arg-type]


def _travel_s(problem: RoutingProblem, i: int, j: int, speed_m_per_s: float | None, leave_s: float = 0.0) -> float:
    """Travel time from i to j of a vehicle with its own speed (None: the problem's durations or speed),
    leaving at `leave_s` (under a traffic profile, times the factor of the hour it leaves in)."""
    if speed_m_per_s is not None:
        nominal = _xy_distance(problem, i, j) / speed_m_per_s
    elif problem.duration_s is not None:
        nominal = float(problem.duration_s[i][j])
    else:
        nominal = _xy_distance(problem, i, j) / problem.speed_m_per_s
    if problem.traffic_by_hour:
        hour_of_day = (problem.hour_at_zero + leave_s / 3600.0) % 24.0
        nominal *= problem.traffic_by_hour[min(23, int(hour_of_day))]
    return nominal


def _check_breaks(v: list[str], name: str, t: VehicleType, route: Route, tolerance: float) -> list[tuple[float, float]]:
    """The driver's reported breaks, matched in time order to the type's: each starts within its window and
    lasts its duration, and none overlaps a reported service. Returns them as (start, end), sorted."""
    taken = sorted(route.breaks)
    wanted = sorted(t.breaks, key=lambda b: b.window_s)
    if len(taken) != len(wanted):
        v.append(f"{name}: takes {len(taken)} breaks, its drivers take {len(wanted)}")
    for (b0, b1), brk in zip(taken, wanted, strict=False):
        lo, hi = brk.window_s
        if not lo - tolerance <= b0 <= hi + tolerance:
            v.append(f"{name}: a break starts at {b0:.3f} s, outside its window [{lo}, {hi}]")
        if abs((b1 - b0) - brk.duration_s) > tolerance * max(1.0, brk.duration_s):
            v.append(f"{name}: a break lasts {b1 - b0:.3f} s, not {brk.duration_s}")
        for visit in route.visits:
            if visit.start_s < b1 - tolerance and b0 + tolerance < visit.departure_s:
                v.append(f"{name}: the break at {b0:.3f} s falls during the service at {visit.stop}")
    return taken


def _driven(clock: float, travel: float, pauses: list[tuple[float, float]]) -> float:
    """Arrival after `travel` s of driving from `clock`, standing still through each pause met."""
    for b0, b1 in pauses:
        if b1 <= clock:
            continue
        if clock + travel <= b0:
            break
        travel -= max(0.0, b0 - clock)
        clock = b1
    return clock + travel


def _not_during(clock: float, service: float, pauses: list[tuple[float, float]]) -> float:
    """The first start >= `clock` of an activity of `service` s overlapping no pause."""
    for b0, b1 in pauses:
        if clock < b1 and (b0 < clock + service or b0 <= clock):
            clock = b1
    return clock


def _depot_load_within(
    v: list[str],
    name: str,
    t: VehicleType,
    dimensions: tuple[str, ...],
    load: list[float],
    trip_no: int,
    tolerance: float,
) -> None:
    """A violation for each dimension loaded over capacity when trip `trip_no` leaves its depot."""
    for k, (amount, cap) in enumerate(zip(load, t.capacity, strict=True)):
        if amount > cap + tolerance:
            v.append(
                f"{name}: leaves the depot with {amount} {dimensions[k]} on trip {trip_no + 1}, over the capacity {cap}"
            )


def check_routing(problem: RoutingProblem, result: RoutingResult, tolerance: float = 1e-6) -> RoutingCheck:
    """Check `result` against `problem`; returns every violation found (never raises on a bad result)."""
    v: list[str] = []
    loc = {loc.id: i for i, loc in enumerate(problem.locations)}
    stops = {s.id: s for s in problem.stops}
    types = {t.id: t for t in problem.vehicle_types}
    seen: dict[str, int] = {}
    used_per_type: dict[str, set[int]] = {}
    total_distance = 0.0
    total_cost = 0.0
    deliveries_of_pairs = {pair.delivery for pair in problem.pairs}  # loaded at their pickups, not the depot
    for r_no, route in enumerate(result.routes):
        name = f"route {r_no} ({route.vehicle_type} #{route.vehicle})"
        t = types.get(route.vehicle_type)
        if t is None:
            v.append(f"{name}: unknown vehicle type")
            continue
        if not route.visits:
            v.append(f"{name}: empty route reported")
        vehicles = used_per_type.setdefault(t.id, set())
        if route.vehicle in vehicles or not 0 <= route.vehicle < t.count:
            v.append(f"{name}: vehicle number repeated or beyond the {t.count} available")
        vehicles.add(route.vehicle)
        trips, trip_loads = _trips(v, name, t, route, stops, problem, deliveries_of_pairs)
        _pairs_on_route(v, name, problem, trips)
        trip_no = 0
        load = list(trip_loads[0])

        _depot_load_within(v, name, t, problem.dimensions, load, trip_no, tolerance)
        here = loc[t.start_depot]
        pauses = _check_breaks(v, name, t, route, tolerance) if t.breaks else []
        depart = _departure(v, name, t, route, problem, pauses, tolerance)
        clock = depart + problem.depot_load_s
        distance = 0.0
        waited = 0.0
        slack = math.inf
        for visit in route.visits:
            if visit.reload:
                if visit.stop not in loc:
                    v.append(f"{name}: reloads at unknown depot {visit.stop!r}")
                    continue
                there = loc[visit.stop]
                distance += _xy_distance(problem, here, there)
                clock = _reloaded_at(problem, t, here, there, clock, pauses)
                here = there
                trip_no += 1
                load = list(trip_loads[trip_no])
                _depot_load_within(v, name, t, problem.dimensions, load, trip_no, tolerance)
                continue
            found = stops.get(visit.stop)
            if found is None:
                v.append(f"{name}: unknown stop {visit.stop!r}")
                continue
            s = found
            seen[s.id] = seen.get(s.id, 0) + 1
            there = loc[s.location]
            distance += _xy_distance(problem, here, there)
            arrive = _driven(clock, _travel_s(problem, here, there, t.speed_m_per_s, clock), pauses)
            a, b = s.window_s if s.window_s is not None else (-math.inf, math.inf)
            begin = _not_during(max(arrive, a), s.service_s, pauses)
            waited += begin - arrive
            if begin > b + tolerance:
                v.append(f"{name}: stop {s.id} served at {begin:.3f} s, after its window closes at {b}")
            slack = min(slack, waited + (b - begin))
            for k, d in enumerate(s.demand or ()):
                load[k] -= d
            for k, d in enumerate(s.pickup or ()):
                load[k] += d
            for k, (amount, cap) in enumerate(zip(load, t.capacity, strict=True)):
                if amount > cap + tolerance:
                    v.append(
                        f"{name}: leaves stop {s.id} with {amount} {problem.dimensions[k]}, over the capacity {cap}"
                    )
            clock = begin + s.service_s
            here = there
        end_loc = loc[t.end]
        distance += _xy_distance(problem, here, end_loc)
        back = _driven(clock, _travel_s(problem, here, end_loc, t.speed_m_per_s, clock), pauses)
        if back > t.shift_end_s + tolerance:
            v.append(f"{name}: back at the depot at {back:.3f} s, after the shift ends at {t.shift_end_s}")
        slack = min(slack, waited + (t.shift_end_s - back))
        shifted = t.breaks or problem.traffic_by_hour
        duration = back - depart if shifted else back - t.shift_start_s - max(0.0, min(slack, waited))
        _route_limits(v, name, t, route, duration, distance, tolerance)
        total_distance += distance
        total_cost += t.fixed_cost + t.cost_per_km * distance / 1000.0 + t.cost_per_h * duration / 3600.0
    penalties, complete = _every_stop_once(v, problem, result, seen, stops)
    total_cost += penalties
    if abs(total_distance - result.distance_m) > tolerance * max(1.0, total_distance):
        v.append(f"reported total distance {result.distance_m} but it is {total_distance}")
    if abs(total_cost - result.cost) > max(tolerance, 1e-9 * abs(total_cost)) * max(1.0, abs(total_cost)):
        v.append(f"reported cost {result.cost} but it is {total_cost}")
    return RoutingCheck(
        feasible=not v,
        complete=complete,
        violations=tuple(v),
        distance_m=total_distance,
        cost=total_cost,
        vehicles_used=len(result.routes),
    )


def _departure(
    v: list[str], name: str, t: VehicleType, route: Route, problem: RoutingProblem, pauses: list, tolerance: float
) -> float:
    """When the route leaves its depot: at the shift's start, or, with breaks or traffic (on the route's own
    clock), at its reported start (not before the shift) and not while loading would fall in a break."""
    if not (t.breaks or problem.traffic_by_hour):
        return t.shift_start_s
    if route.start_s < t.shift_start_s - tolerance:
        v.append(f"{name}: starts at {route.start_s}, before the shift starts at {t.shift_start_s}")
    return _not_during(max(t.shift_start_s, route.start_s), problem.depot_load_s, pauses)


def _reloaded_at(problem: RoutingProblem, t: VehicleType, here: int, there: int, clock: float, pauses: list) -> float:
    """The clock once the van has driven to a reload depot and loaded there (not during a break)."""
    arrive = _driven(clock, _travel_s(problem, here, there, t.speed_m_per_s, clock), pauses)
    return _not_during(arrive, problem.depot_load_s, pauses) + problem.depot_load_s


def _route_limits(
    v: list[str], name: str, t: VehicleType, route: Route, duration: float, distance: float, tolerance: float
) -> None:
    """The route within its vehicle's maximum duration and distance, and its reported distance right."""
    if duration > t.max_duration_s + tolerance:
        v.append(f"{name}: lasts {duration:.3f} s, over the maximum {t.max_duration_s}")
    if distance > t.max_distance_m + tolerance * max(1.0, distance):
        v.append(f"{name}: drives {distance:.3f} m, over the maximum {t.max_distance_m}")
    if abs(distance - route.distance_m) > tolerance * max(1.0, distance):
        v.append(f"{name}: reported distance {route.distance_m} but it is {distance}")


def _trips(
    v: list[str],
    name: str,
    t: VehicleType,
    route: Route,
    stops: dict[str, Stop],
    problem: RoutingProblem,
    deliveries_of_pairs: set[str],
) -> tuple[list[list[str]], list[list[float]]]:
    """A route's trips (split at its reloads, each at an allowed reload depot, no more reloads than allowed),
    the load each trip leaves its depot with, and the skills its stops need."""
    # Trips: split at reloads. On board when a trip leaves its depot: every delivery of the trip that is
    # not a pair's (a pair's is loaded at its pickup); then each stop unloads its demand and loads its pickup.
    trips: list[list[str]] = [[]]
    reloads = 0
    for visit in route.visits:
        if visit.reload:
            reloads += 1
            trips.append([])
            if visit.stop not in t.reload_depots:
                v.append(f"{name}: reloads at {visit.stop}, not one of its reload depots {list(t.reload_depots)}")
        else:
            trips[-1].append(visit.stop)
    allowed = (math.inf if t.max_reloads is None else t.max_reloads) if t.reload_depots else 0
    if reloads > allowed:
        v.append(f"{name}: reloads {reloads} times, over the {allowed} allowed")
    trip_loads = []
    for trip in trips:
        routed = [stops[x] for x in trip if x in stops]
        trip_loads.append(
            [
                sum(float(s.demand[k]) for s in routed if s.demand and s.id not in deliveries_of_pairs)
                for k in range(len(problem.dimensions))
            ]
        )
        for s in routed:
            missing_skills = [x for x in s.skills if x not in t.skills]
            if missing_skills:
                v.append(f"{name}: stop {s.id} needs the skill {', '.join(missing_skills)}, which {t.id} lacks")
    return trips, trip_loads


def _pairs_on_route(v: list[str], name: str, problem: RoutingProblem, trips: list[list[str]]) -> None:
    """Each pickup-and-delivery pair on one trip of one vehicle, the pickup first."""
    where_in_trip = {x: (n, m) for n, trip in enumerate(trips) for m, x in enumerate(trip)}
    for pair in problem.pairs:
        here_p, here_d = pair.pickup in where_in_trip, pair.delivery in where_in_trip
        if here_p and here_d and where_in_trip[pair.pickup][0] != where_in_trip[pair.delivery][0]:
            v.append(f"{name}: picks up {pair.pickup} and delivers {pair.delivery} on different trips")
        elif here_p and here_d and where_in_trip[pair.pickup] > where_in_trip[pair.delivery]:
            v.append(f"{name}: delivers {pair.delivery} before picking up its pair {pair.pickup}")
        elif here_p != here_d:
            v.append(
                f"{name}: serves {pair.pickup if here_p else pair.delivery} but not its pair "
                f"{pair.delivery if here_p else pair.pickup} (a pair is served by one vehicle)"
            )


def _every_stop_once(
    v: list[str], problem: RoutingProblem, result: RoutingResult, seen: dict[str, int], stops: dict[str, Stop]
) -> tuple[float, bool]:
    """Every stop routed once or reported unassigned (never both, never an unknown one): the penalties of the
    optional stops left out, and whether every required stop is served."""
    for stop_id, count in seen.items():
        if count > 1:
            v.append(f"stop {stop_id} is visited {count} times")
    unassigned = [u.stop for u in result.unassigned]
    for stop_id in unassigned:
        if stop_id in seen:
            v.append(f"stop {stop_id} is both routed and reported unassigned")
        if stop_id not in stops:
            v.append(f"unassigned stop {stop_id!r} does not exist")
    missing = [s.id for s in problem.stops if s.id not in seen and s.id not in unassigned]
    if missing:
        v.append(f"{len(missing)} stops are neither routed nor reported unassigned: {', '.join(missing[:5])}")
    penalties = sum(stops[s].penalty for s in unassigned if s in stops and not stops[s].required)
    complete = not any(stops[s].required for s in unassigned if s in stops) and not missing
    return penalties, complete
