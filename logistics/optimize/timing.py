"""Timing, load and cost of a route given its stop sequence (used to build results from any backend)."""

from __future__ import annotations

import math

from logistics.optimize.problem import RoutingProblem, VehicleType
from logistics.optimize.result import Route, Visit


def build_route(problem: RoutingProblem, vtype: VehicleType, vehicle: int, stop_indices: list[int]) -> Route:
    """The route of vehicle `vehicle` of `vtype` visiting `stop_indices` (positions in `problem.stops`),
    leaving the depot as late as possible without waiting longer than needed."""
    dist, dur = problem.distances, problem.durations_for(vtype)
    depot = problem.location_index(vtype.start_depot)
    end_depot = problem.location_index(vtype.end)
    stops = [problem.stops[i] for i in stop_indices]
    locs = [problem.location_index(s.location) for s in stops]
    # Earliest schedule from the shift start.
    t = vtype.shift_start_s
    prev = depot
    arrivals, starts = [], []
    waiting_total = 0.0
    slack = math.inf  # how much later the depot departure could be without breaking a window
    for s, loc in zip(stops, locs, strict=True):
        arrive = t + dur[prev, loc]
        a, b = s.window_s if s.window_s is not None else (-math.inf, math.inf)
        start = max(arrive, a)
        waiting_total += start - arrive
        slack = min(slack, waiting_total + (b - start))
        arrivals.append(arrive)
        starts.append(start)
        t = start + s.service_s
        prev = loc
    back = t + dur[prev, end_depot]
    slack = min(slack, waiting_total + (vtype.shift_end_s - back))
    delay = max(0.0, min(slack, waiting_total))
    # Shift the schedule by `delay`: each wait absorbs what it can.
    depart = vtype.shift_start_s + delay
    t = depart
    prev = depot
    visits = []
    load = [0.0] * len(problem.dimensions)
    on_board = [sum(x) for x in zip(*(problem.depot_load(s) for s in stops), strict=True)] if stops else []
    distance = 0.0
    for s, loc in zip(stops, locs, strict=True):
        arrive = t + dur[prev, loc]
        distance += dist[prev, loc]
        a = s.window_s[0] if s.window_s is not None else -math.inf
        start = max(arrive, a)
        for k, (d, p) in enumerate(zip(problem.demand(s), problem.pickup(s), strict=True)):
            load[k] += d
            on_board[k] += p - d
        t = start + s.service_s
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
