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
    pauses = sorted(breaks)
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
    # by the hour they leave in, never slower than the plan assumed (`departure_factors`). A driver's breaks pause
    # the travel they fall in and push a service (or loading) they would overlap.
    depart = serve_around(vtype.shift_start_s + delay, load_s, pauses)
    t = depart + load_s
    traffic = bool(problem.traffic_by_hour)
    prev = depot
    visits = []
    load = [0.0] * len(problem.dimensions)
    distance = 0.0
    on_board = trip_load(problem, stop_indices, 0)
    for n, (s, loc, window, service) in enumerate(legs):
        leg = problem.leg_s(vtype, prev, loc, t) if traffic else dur[prev, loc]
        arrive = travel_through(t, leg, pauses)
        distance += dist[prev, loc]
        a = window[0] if window is not None else -math.inf
        start = serve_around(max(arrive, a), service, pauses)
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
    back = problem.leg_s(vtype, prev, end_depot, t) if traffic else dur[prev, end_depot]
    end = travel_through(t, back, pauses)
    return _closed(vtype, vehicle, visits, depart, end, distance, load, tuple(pauses))


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
