"""Timing, load and cost of a route given its stop sequence (used to build results from any backend)."""

from __future__ import annotations

import math

from logistics.optimize.routing.problem import RoutingProblem, Stop, VehicleType
from logistics.optimize.routing.result import Route, Visit

__all__ = ["build_route", "reload_marker", "serve_around", "travel_through"]


def reload_marker(depot_index: int) -> int:
    """The entry of a stop sequence that means "back to depot `problem.depots[depot_index]` to reload"."""
    return -(depot_index + 1)


def trip_load(problem: RoutingProblem, stop_indices: list[int], first: int) -> list[float]:
    """What leaves the depot for the trip starting at position `first` of a stop sequence (up to the next
    reload): its stops' deliveries from the depot."""
    total = [0.0] * len(problem.dimensions)
    for i in stop_indices[first:]:
        if i < 0:
            break
        total = [x + y for x, y in zip(total, problem.depot_load(problem.stops[i]), strict=True)]
    return total


def travel_through(t: float, travel: float, breaks: list[tuple[float, float]]) -> float:
    """When a vehicle leaving at `t` arrives after `travel` seconds of driving, standing still during the
    `breaks` ((start, end), sorted) it meets on the way (one it is in when leaving is sat out first)."""
    remaining = travel
    for b0, b1 in breaks:
        if b1 <= t:
            continue
        if b0 <= t:
            t = b1
            continue
        if t + remaining <= b0:
            break
        remaining -= b0 - t
        t = b1
    return t + remaining


def serve_around(t: float, service: float, breaks: list[tuple[float, float]]) -> float:
    """The earliest start >= `t` of a `service` that overlaps none of the `breaks` (sorted)."""
    for b0, b1 in breaks:
        if b1 <= t or (service > 0 and b0 >= t + service) or (service == 0 and b0 > t):
            continue
        t = max(t, b1)
    return t


def build_route(
    problem: RoutingProblem,
    vtype: VehicleType,
    vehicle: int,
    stop_indices: list[int],
    start_s: float | None = None,
    breaks: tuple[tuple[float, float], ...] = (),
) -> Route:
    """The route of vehicle `vehicle` of `vtype` visiting `stop_indices` (positions in `problem.stops`; a
    `reload_marker` is a reload at a depot between two trips), leaving the depot as late as possible without
    waiting longer than needed, or at `start_s` if given. Loading at a depot (before each trip) takes
    `problem.depot_load_s`. With the driver's `breaks` ((start, end) each, placed by the solver), the route
    leaves at `start_s` (the solver's) and every activity is at its earliest around the breaks."""
    if breaks:
        return _route_with_breaks(problem, vtype, vehicle, stop_indices, start_s, sorted(breaks))
    dist, dur = problem.distances, problem.durations_for(vtype)
    load_s = problem.depot_load_s
    depot = problem.location_index(vtype.start_depot)
    end_depot = problem.location_index(vtype.end)
    # (stop or None for a reload, location, window, service)
    legs: list[tuple[Stop | None, int, tuple[float, float] | None, float]] = []
    for i in stop_indices:
        if i < 0:
            legs.append((None, problem.location_index(problem.depots[-i - 1]), None, load_s))
        else:
            here = problem.stops[i]
            legs.append((here, problem.location_index(here.location), here.window_s, here.service_s))
    # Earliest schedule from the shift start.
    t = vtype.shift_start_s + load_s
    prev = depot
    waiting_total = 0.0
    slack = math.inf  # how much later the depot departure could be without breaking a window
    for _, loc, window, service in legs:
        arrive = t + dur[prev, loc]
        a, b = window if window is not None else (-math.inf, math.inf)
        start = max(arrive, a)
        waiting_total += start - arrive
        slack = min(slack, waiting_total + (b - start))
        t = start + service
        prev = loc
    back = t + dur[prev, end_depot]
    slack = min(slack, waiting_total + (vtype.shift_end_s - back))
    delay = max(0.0, min(slack, waiting_total)) if start_s is None else max(0.0, start_s - vtype.shift_start_s)
    # Shift the schedule by `delay`: each wait absorbs what it can. Under a traffic profile the legs are timed
    # by the hour they leave in, never slower than the slowest hour the plan assumed.
    depart = vtype.shift_start_s + delay
    t = depart + load_s
    traffic = bool(problem.traffic_by_hour)
    prev = depot
    visits = []
    k = len(problem.dimensions)
    load = [0.0] * k
    distance = 0.0

    on_board = trip_load(problem, stop_indices, 0)
    for n, (s, loc, window, service) in enumerate(legs):
        arrive = t + (problem.leg_s(vtype, prev, loc, t) if traffic else dur[prev, loc])
        distance += dist[prev, loc]
        a = window[0] if window is not None else -math.inf
        start = max(arrive, a)
        t = start + service
        if s is None:  # a reload: unload, load the next trip
            on_board = trip_load(problem, stop_indices, n + 1)
            depot_id = problem.locations[loc].id
            visits.append(Visit(depot_id, float(arrive), float(start), float(t), tuple(load), tuple(on_board), True))
        else:
            for d, (out, got) in enumerate(zip(problem.demand(s), problem.pickup(s), strict=True)):
                load[d] += out
                on_board[d] += got - out
            visits.append(Visit(s.id, float(arrive), float(start), float(t), tuple(load), tuple(on_board)))
        prev = loc
    distance += dist[prev, end_depot]
    end = t + (problem.leg_s(vtype, prev, end_depot, t) if traffic else dur[prev, end_depot])
    return _closed(vtype, vehicle, visits, depart, end, distance, load)


def _closed(
    vtype: VehicleType,
    vehicle: int,
    visits: list[Visit],
    depart: float,
    end: float,
    distance: float,
    load: list[float],
    breaks: tuple[tuple[float, float], ...] = (),
) -> Route:
    """The route back at its depot: its duration and cost (fixed + per km + per hour of duration)."""
    duration = end - depart
    cost = vtype.fixed_cost + vtype.cost_per_km * distance / 1000.0 + vtype.cost_per_h * duration / 3600.0
    return Route(
        vtype.id,
        vehicle,
        tuple(visits),
        float(depart),
        float(end),
        float(distance),
        float(duration),
        tuple(load),
        float(cost),
        breaks,
    )


def _route_with_breaks(
    problem: RoutingProblem,
    vtype: VehicleType,
    vehicle: int,
    stop_indices: list[int],
    start_s: float | None,
    breaks: list[tuple[float, float]],
) -> Route:
    """`build_route` for a driver with breaks: earliest times from the given start, travel pausing during a
    break, no service (or loading) overlapping one."""
    dist = problem.distances
    load_s = problem.depot_load_s
    k = len(problem.dimensions)

    def leg(i: int, j: int, leave: float) -> float:
        return problem.leg_s(vtype, i, j, leave)

    depart = vtype.shift_start_s if start_s is None else max(vtype.shift_start_s, start_s)
    depart = serve_around(depart, load_s, breaks)
    t = depart + load_s
    prev = problem.location_index(vtype.start_depot)
    load = [0.0] * k
    visits = []
    distance = 0.0
    on_board = trip_load(problem, stop_indices, 0)
    for n, i in enumerate(stop_indices):
        if i < 0:
            loc = problem.location_index(problem.depots[-i - 1])
            arrive = travel_through(t, leg(prev, loc, t), breaks)
            start = serve_around(arrive, load_s, breaks)
            t = start + load_s
            on_board = trip_load(problem, stop_indices, n + 1)
            visits.append(Visit(problem.depots[-i - 1], arrive, start, t, tuple(load), tuple(on_board), True))
        else:
            s = problem.stops[i]
            loc = problem.location_index(s.location)
            arrive = travel_through(t, leg(prev, loc, t), breaks)
            a = s.window_s[0] if s.window_s is not None else -math.inf
            start = serve_around(max(arrive, a), s.service_s, breaks)
            t = start + s.service_s
            for d, (out, got) in enumerate(zip(problem.demand(s), problem.pickup(s), strict=True)):
                load[d] += out
                on_board[d] += got - out
            visits.append(Visit(s.id, float(arrive), float(start), float(t), tuple(load), tuple(on_board)))
        distance += dist[prev, loc]
        prev = loc
    end_depot = problem.location_index(vtype.end)
    distance += dist[prev, end_depot]
    end = travel_through(t, leg(prev, end_depot, t), breaks)
    return _closed(vtype, vehicle, visits, depart, end, distance, load, tuple(breaks))
