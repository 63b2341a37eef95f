"""Construction heuristics for the routing problem, as backends of `solve_routing` (the dispatch baselines a
planner compares an optimizer against):

- `nearest_neighbour`: each vehicle in turn leaves the depot and goes to the nearest stop it can still serve
  (skills, capacity, time window, back at the depot within its shift, maximum duration and distance), until
  none is left;
- `fixed_zone`: the stops are split into as many angular sectors around the depot as there are vehicles
  (a fixed delivery-area plan), and each vehicle serves its sector by nearest neighbour; what a sector's vehicle
  cannot take is left out, as a zone plan would.

Both are deterministic and fast (O(stops^2) per vehicle); results go through the same route builder and
checker as the optimizers'.
"""

from __future__ import annotations

import math

import numpy as np

from logistics.optimize.routing.problem import RoutingProblem, VehicleType
from logistics.optimize.routing.result import SolveParams

__all__ = ["solve_fixed_zone", "solve_nearest_neighbour"]


def _vehicles(problem: RoutingProblem) -> list[tuple[int, int, VehicleType]]:
    return [(k, v, t) for k, t in enumerate(problem.vehicle_types) for v in range(t.count)]


def _tour(problem: RoutingProblem, vtype: VehicleType, pool: list[int]) -> list[int]:
    """Nearest feasible stop after nearest feasible stop, from the depot; removes the chosen from `pool`.
    "Nearest" is the time until service can begin (waiting for a window counts); ties go to the earlier stop
    in `pool`. Vectorised over the pool: one numpy pass per stop placed."""
    dur, dist = problem.durations_for(vtype), problem.distances
    depot = problem.location_index(vtype.start_depot)
    end = problem.location_index(vtype.end)
    start_t = vtype.shift_start_s
    t = start_t + problem.depot_load_s
    here = depot
    cap = np.asarray(vtype.capacity, dtype=float) + 1e-9
    if not pool:
        return []
    stops = [problem.stops[i] for i in pool]
    ids = np.asarray(pool, dtype=np.int64)
    loc = np.array([problem.location_index(s.location) for s in stops], dtype=np.int64)
    demand = np.array([problem.demand(s) for s in stops], dtype=float).reshape(len(stops), -1)
    opens = np.array([s.window_s[0] if s.window_s is not None else -math.inf for s in stops], dtype=float)
    closes = np.array([s.window_s[1] if s.window_s is not None else math.inf for s in stops], dtype=float)
    service = np.array([s.service_s for s in stops], dtype=float)
    back_leg = dur[loc, end]
    back_m = dist[loc, end]
    driven = 0.0
    open_ = np.array([problem.can_serve(vtype, s) for s in stops], dtype=bool)
    load = np.zeros(demand.shape[1])
    route: list[int] = []
    while open_.any():
        fits = open_ & np.all(load + demand <= cap, axis=1)
        begin = np.maximum(t + dur[here, loc], opens)
        back = begin + service + back_leg
        ok = (
            fits
            & (begin <= closes)
            & (back <= vtype.shift_end_s)
            & (back - start_t <= vtype.max_duration_s)
            & (driven + dist[here, loc] + back_m <= vtype.max_distance_m)
        )
        if not ok.any():
            break
        k = int(np.argmin(np.where(ok, begin - t, math.inf)))
        t = float(begin[k] + service[k])
        driven += float(dist[here, loc[k]])
        load += demand[k]
        here = int(loc[k])
        open_[k] = False
        route.append(int(ids[k]))
    chosen = set(route)
    pool[:] = [i for i in pool if i not in chosen]
    return route


def _deliveries_only(problem: RoutingProblem, backend: str) -> None:
    """The construction baselines deliver from the depot only: a problem with pickups is refused by name."""
    if problem.pairs or problem.has_pickups or problem.has_breaks:
        from logistics.optimize.routing.problem import InvalidProblemError

        raise InvalidProblemError(
            "params.backend",
            f"the {backend} baseline handles deliveries from the depot only, not pickups, pickup-and-delivery "
            "pairs or drivers' breaks: use ortools, pyvrp or auto",
        )


def solve_nearest_neighbour(problem: RoutingProblem, candidates: list[int], params: SolveParams):
    """Vehicles one after another, each by nearest neighbour over the stops still open."""
    from logistics.optimize.routing.backend import BackendSolution

    _deliveries_only(problem, "nearest_neighbour")
    pool = list(candidates)
    routes = []
    for k, v, vtype in _vehicles(problem):
        if not pool:
            break
        stops = _tour(problem, vtype, pool)
        if stops:
            routes.append((k, v, stops))
    return BackendSolution(routes, pool, True, False, {"heuristic": "nearest_neighbour"})


def solve_fixed_zone(problem: RoutingProblem, candidates: list[int], params: SolveParams):
    """Angular sectors around the (first) depot, one per vehicle, with about as many stops each; nearest
    neighbour inside a sector."""
    from logistics.optimize.routing.backend import BackendSolution

    _deliveries_only(problem, "fixed_zone")
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
