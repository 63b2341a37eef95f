"""Construction heuristics for the routing problem, as backends of `solve_routing` (the dispatch baselines a
planner compares an optimizer against):

- `nearest_neighbour`: each vehicle in turn leaves the depot and goes to the nearest stop it can still serve
  (capacity, time window, back at the depot within its shift and maximum duration), until none is left;
- `fixed_zone`: the stops are split into as many angular sectors around the depot as there are vehicles
  (a fixed delivery-area plan), and each vehicle serves its sector by nearest neighbour; what a sector's vehicle
  cannot take is left out, as a zone plan would.

Both are deterministic and fast (O(stops^2) per vehicle); results go through the same route builder and
checker as the optimizers'.
"""

from __future__ import annotations

import math

import numpy as np

from logistics.optimize.problem import RoutingProblem, VehicleType
from logistics.optimize.result import SolveParams

__all__ = ["solve_fixed_zone", "solve_nearest_neighbour"]


def _vehicles(problem: RoutingProblem) -> list[tuple[int, int, VehicleType]]:
    return [(k, v, t) for k, t in enumerate(problem.vehicle_types) for v in range(t.count)]


def _tour(problem: RoutingProblem, vtype: VehicleType, pool: list[int]) -> list[int]:
    """Nearest feasible stop after nearest feasible stop, from the depot; removes the chosen from `pool`."""
    dur = problem.durations
    depot = problem.location_index(vtype.start_depot)
    end = problem.location_index(vtype.end)
    t = vtype.shift_start_s
    start_t = t
    here = depot
    load = np.zeros(len(problem.dimensions))
    cap = np.asarray(vtype.capacity, dtype=float)
    route: list[int] = []
    while pool:
        best, best_d = -1, math.inf
        for i in pool:
            s = problem.stops[i]
            loc = problem.location_index(s.location)
            if np.any(load + np.asarray(problem.demand(s), dtype=float) > cap + 1e-9):
                continue
            arrive = t + dur[here, loc]
            a, b = s.window_s if s.window_s is not None else (-math.inf, math.inf)
            begin = max(arrive, a)
            if begin > b:
                continue
            back = begin + s.service_s + dur[loc, end]
            if back > vtype.shift_end_s or back - start_t > vtype.max_duration_s:
                continue
            d = begin - t  # time to reach and be able to start: waiting counts as distance here
            if d < best_d:
                best, best_d = i, d
        if best < 0:
            break
        s = problem.stops[best]
        loc = problem.location_index(s.location)
        a = s.window_s[0] if s.window_s is not None else -math.inf
        t = max(t + dur[here, loc], a) + s.service_s
        load += np.asarray(problem.demand(s), dtype=float)
        here = loc
        route.append(best)
        pool.remove(best)
    return route


def solve_nearest_neighbour(problem: RoutingProblem, candidates: list[int], params: SolveParams):  # type: ignore[no-untyped-def]
    """Vehicles one after another, each by nearest neighbour over the stops still open."""
    from logistics.optimize.routing import BackendSolution

    pool = list(candidates)
    routes = []
    for k, v, vtype in _vehicles(problem):
        if not pool:
            break
        stops = _tour(problem, vtype, pool)
        if stops:
            routes.append((k, v, stops))
    return BackendSolution(routes, pool, True, False, {"heuristic": "nearest_neighbour"})


def solve_fixed_zone(problem: RoutingProblem, candidates: list[int], params: SolveParams):  # type: ignore[no-untyped-def]
    """Angular sectors around the (first) depot, one per vehicle, with about as many stops each; nearest
    neighbour inside a sector."""
    from logistics.optimize.routing import BackendSolution

    vehicles = _vehicles(problem)
    if not vehicles or not candidates:
        return BackendSolution([], list(candidates), True, False, {"heuristic": "fixed_zone"})
    depot = problem.locations[problem.location_index(problem.depots[0])]
    angles = []
    for i in candidates:
        loc = problem.locations[problem.location_index(problem.stops[i].location)]
        dx = (loc.x or 0.0) - (depot.x or 0.0)
        dy = (loc.y or 0.0) - (depot.y or 0.0)
        angles.append(math.atan2(dy, dx))
    order = [candidates[j] for j in np.argsort(angles, kind="stable")]
    sectors = np.array_split(np.array(order, dtype=np.int64), len(vehicles))
    routes, dropped = [], []
    for (k, v, vtype), sector in zip(vehicles, sectors, strict=True):
        pool = sector.tolist()
        stops = _tour(problem, vtype, pool)
        if stops:
            routes.append((k, v, stops))
        dropped += pool
    return BackendSolution(routes, dropped, True, False, {"heuristic": "fixed_zone"})
