"""Both cores for PyVRP on a large problem, where OR-Tools never wins (`auto` from `AUTO_ONE_ARM_STOPS` stops).

Two stages, each on two cores (one search here, one in a forked child):

1. **Two searches** of the whole problem with different seeds until `FIRST_SHARE` of the limit; the better plan
   goes on.
2. **Decomposition**: that plan's routes are cut into two halves by their direction from their depot (the
   routes sorted by the angle of their stops' centre, cut where the stops are balanced, starting at the widest
   gap between neighbouring routes), and each half is a problem of its own (its stops, its routes' vehicles and
   half the unused ones) that PyVRP improves from its routes until the limit. A half whose search does not do
   better keeps its routes, so the joined plan is never worse than the plan of stage 1. Large problems are far
   from converged in their time limit, and a half gets twice the search per stop (the route-based
   decomposition of large-scale hybrid genetic search).

Without coordinates for every location (a problem given by its matrices alone) stage 2 is two more searches
of the whole problem from the best plan, with new seeds."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from logistics.core.process import Forked
from logistics.optimize.common import Status

if TYPE_CHECKING:
    from logistics.optimize.routing.problem import RoutingProblem
    from logistics.optimize.routing.result import Route, RoutingResult, SolveParams

__all__ = ["FIRST_SHARE", "solve_on_two_cores", "split_plan"]

FIRST_SHARE = 0.45
"""The share of the limit the two whole-problem searches get; the halves get the rest."""

Plan = list[tuple[str, int, list[str]]]


def solve_on_two_cores(problem: RoutingProblem, params: SolveParams, started: float) -> RoutingResult:
    """PyVRP on both cores: two seeds on the whole problem, then the best plan's two halves improved side by
    side (see the module). The result is checked by the final gate like any other."""
    from logistics.optimize.routing.plans import evaluate_plan
    from logistics.optimize.routing.solve import gated, ranking

    first = _pair(problem, problem, params, started, FIRST_SHARE, None, None, seeds=(params.seed, params.seed + 1))
    best = min(first, key=lambda r: ranking(problem, r))
    notes: dict[str, object] = {"first": [r.objective for r in first]}
    full = best.status in (Status.OPTIMAL, Status.FEASIBLE) and not best.unassigned
    halves = split_plan(problem, best) if full else None
    if halves is None:
        again = _pair(problem, problem, params, started, 1.0, best, best, seeds=(params.seed + 2, params.seed + 3))
        winner = min([best, *again], key=lambda r: ranking(problem, r))
        notes["second"] = "whole problem again (no coordinates to split by, or no full plan to split)"
        return _finish(winner, started, notes)
    (part_a, start_a), (part_b, start_b) = halves
    a, b = _pair(part_a, part_b, params, started, 1.0, start_a, start_b, seeds=(params.seed + 2, params.seed + 3))
    joined: Plan = []
    kept = []
    for part, start, result in ((part_a, start_a, a), (part_b, start_b, b)):
        improved = (
            result.status in (Status.OPTIMAL, Status.FEASIBLE)
            and not result.unassigned
            and result.objective < _objective(part, start)
        )
        kept.append(improved)
        joined += _as_plan(result) if improved else start
    notes["halves"] = {"stops": [len(part_a.stops), len(part_b.stops)], "improved": kept}
    if not any(kept):
        return _finish(best, started, notes)
    merged = gated(problem, replace(evaluate_plan(problem, _numbered(joined)), backend="pyvrp"))
    winner = min([best, merged], key=lambda r: ranking(problem, r))
    return _finish(winner, started, notes)


def split_plan(
    problem: RoutingProblem, plan: RoutingResult
) -> tuple[tuple[RoutingProblem, Plan], tuple[RoutingProblem, Plan]] | None:
    """The plan's routes in two halves by direction from their start depot, each as (its problem, its routes);
    None when a location has no coordinates, a route reloads, or there are fewer than two routes."""
    xy = _coordinates(problem)
    if xy is None or len(plan.routes) < 2 or any(v.reload for r in plan.routes for v in r.visits):
        return None
    stop_at = {s.id: s for s in problem.stops}
    angles = []
    for r in plan.routes:
        depot = xy[problem.location_index(_start_depot(problem, r))]
        centre = np.mean([xy[problem.location_index(stop_at[v.stop].location)] for v in r.visits], axis=0)
        angles.append(math.atan2(centre[1] - depot[1], centre[0] - depot[0]))
    order = sorted(range(len(plan.routes)), key=lambda i: angles[i])
    gaps = [(angles[order[(k + 1) % len(order)]] - angles[order[k]]) % (2 * math.pi) for k in range(len(order))]
    widest = max(range(len(order)), key=lambda k: gaps[k])
    order = order[widest + 1 :] + order[: widest + 1]  # start after the widest gap: the halves are two arcs
    sizes = [len(plan.routes[i].visits) for i in order]
    total, running, cut = sum(sizes), 0, 1
    for k, size in enumerate(sizes[:-1]):
        running += size
        cut = k + 1
        if running >= total / 2:
            break
    groups = [[plan.routes[i] for i in order[:cut]], [plan.routes[i] for i in order[cut:]]]
    used = Counter(r.vehicle_type for r in plan.routes)
    spare = {t.id: t.count - used[t.id] for t in problem.vehicle_types}
    halves = []
    for n, routes in enumerate(groups):
        mine = Counter(r.vehicle_type for r in routes)
        fleet = tuple(
            replace(t, count=mine[t.id] + (spare[t.id] + (1 - n)) // 2) for t in problem.vehicle_types
        )  # the unused vehicles shared out, the odd one to the first half
        ids = {v.stop for r in routes for v in r.visits}
        part = replace(
            problem,
            stops=tuple(s for s in problem.stops if s.id in ids),
            pairs=tuple(p for p in problem.pairs if p.pickup in ids),
            vehicle_types=fleet,
            distance_m=problem.distances,
            duration_s=problem.durations,
        )
        numbers: Counter[str] = Counter()
        start: Plan = []
        for r in routes:
            start.append((r.vehicle_type, numbers[r.vehicle_type], [v.stop for v in r.visits]))
            numbers[r.vehicle_type] += 1
        halves.append((part, start))
    return halves[0], halves[1]


def _pair(
    here: RoutingProblem,
    there: RoutingProblem,
    params: SolveParams,
    started: float,
    share: float,
    start_here: object,
    start_there: object,
    seeds: tuple[int, int],
) -> list[RoutingResult]:
    """PyVRP on `here` in this process and on `there` in a forked child at once, until `share` of the limit:
    both results (the child's left out when it overruns by more than its grace, and killed)."""
    from logistics.optimize.routing.solve import _within, solve_routing

    end = 0.97 * share
    theirs = replace(_within(params, started, end), backend="pyvrp", seed=seeds[1])
    other = Forked(solve_routing, there, theirs, start_there)
    try:
        mine = solve_routing(here, replace(_within(params, started, end), backend="pyvrp", seed=seeds[0]), start_here)  # type: ignore[arg-type]
    except BaseException:
        other.cancel()
        raise
    grace = max(1.0, 0.1 * params.time_limit_s * share)
    left = params.time_limit_s * share - (time.perf_counter() - started)
    try:
        return [mine, other.result(timeout_s=max(0.0, left) + grace)]
    except TimeoutError:
        return [mine]


def _objective(problem: RoutingProblem, plan: Plan) -> float:
    """The objective of a plan of `problem` (its routes timed and costed as a result)."""
    from logistics.optimize.routing.plans import evaluate_plan

    return evaluate_plan(problem, plan).objective


def _as_plan(result: RoutingResult) -> Plan:
    return [(r.vehicle_type, r.vehicle, [v.stop for v in r.visits if not v.reload]) for r in result.routes]


def _numbered(plan: Plan) -> Plan:
    """The routes renumbered per vehicle type from 0 (the halves numbered theirs each from 0)."""
    numbers: Counter[str] = Counter()
    out: Plan = []
    for type_id, _, stops in plan:
        out.append((type_id, numbers[type_id], stops))
        numbers[type_id] += 1
    return out


def _start_depot(problem: RoutingProblem, route: Route) -> str:
    return next(t.start_depot for t in problem.vehicle_types if t.id == route.vehicle_type)


def _coordinates(problem: RoutingProblem) -> np.ndarray | None:
    """x/y of every location (lon/lat in degrees for geographic ones: directions only), or None."""
    points = []
    for loc in problem.locations:
        if loc.x is not None and loc.y is not None:
            points.append((loc.x, loc.y))
        elif loc.lat is not None and loc.lon is not None:
            points.append((loc.lon * math.cos(math.radians(loc.lat)), loc.lat))
        else:
            return None
    return np.asarray(points, dtype=float)


def _finish(result: RoutingResult, started: float, notes: dict[str, object]) -> RoutingResult:
    return replace(result, runtime_s=time.perf_counter() - started, stats=dict(result.stats, two_cores=notes))
