"""Timing, load and cost of a route given its stop sequence (used to build results from any backend)."""

from __future__ import annotations

import math

from logistics.optimize.problem import RoutingProblem, VehicleType
from logistics.optimize.result import Route, Visit

__all__ = ["build_route", "reload_marker"]


def reload_marker(depot_index: int) -> int:
    """The entry of a stop sequence that means "back to depot `problem.depots[depot_index]` to reload"."""
    return -(depot_index + 1)


def build_route(problem: RoutingProblem, vtype: VehicleType, vehicle: int, stop_indices: list[int]) -> Route:
    """The route of vehicle `vehicle` of `vtype` visiting `stop_indices` (positions in `problem.stops`; a
    `reload_marker` is a reload at a depot between two trips), leaving the depot as late as possible without
    waiting longer than needed. Loading at a depot (before each trip) takes `problem.depot_load_s`."""
    dist, dur = problem.distances, problem.durations_for(vtype)
    load_s = problem.depot_load_s
    depot = problem.location_index(vtype.start_depot)
    end_depot = problem.location_index(vtype.end)
    # (stop or None for a reload, location, window, service)
    legs = []
    for i in stop_indices:
        if i < 0:
            legs.append((None, problem.location_index(problem.depots[-i - 1]), None, load_s))
        else:
            s = problem.stops[i]
            legs.append((s, problem.location_index(s.location), s.window_s, s.service_s))
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
    delay = max(0.0, min(slack, waiting_total))
    # Shift the schedule by `delay`: each wait absorbs what it can.
    depart = vtype.shift_start_s + delay
    t = depart + load_s
    prev = depot
    visits = []
    k = len(problem.dimensions)
    load = [0.0] * k
    distance = 0.0

    def trip_load(first: int) -> list[float]:
        """What leaves the depot for the trip starting at leg `first`: its stops' deliveries from the depot."""
        total = [0.0] * k
        for stop, *_ in legs[first:]:
            if stop is None:
                break
            total = [x + y for x, y in zip(total, problem.depot_load(stop), strict=True)]
        return total

    on_board = trip_load(0)
    for n, (s, loc, window, service) in enumerate(legs):
        arrive = t + dur[prev, loc]
        distance += dist[prev, loc]
        a = window[0] if window is not None else -math.inf
        start = max(arrive, a)
        t = start + service
        if s is None:  # a reload: unload, load the next trip
            on_board = trip_load(n + 1)
            depot_id = problem.locations[loc].id
            visits.append(Visit(depot_id, float(arrive), float(start), float(t), tuple(load), tuple(on_board), True))
        else:
            for d, (out, got) in enumerate(zip(problem.demand(s), problem.pickup(s), strict=True)):
                load[d] += out
                on_board[d] += got - out
            visits.append(Visit(s.id, float(arrive), float(start), float(t), tuple(load), tuple(on_board)))
        prev = loc
    distance += dist[prev, end_depot]
    end = t + dur[prev, end_depot]
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
    )
