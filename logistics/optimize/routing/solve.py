"""`solve_routing`: the one entry point; picks a backend by name, leaves out stops no vehicle can serve
(with the reason), and builds a checked-shape result from the backend's stop sequences."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from logistics.optimize.routing.backend import BackendSolution, Initial, RoutingBackend
from logistics.optimize.routing.problem import InvalidProblemError, RoutingProblem, VehicleType
from logistics.optimize.routing.result import RoutingResult, SolveParams, Status, Unassigned
from logistics.optimize.routing.timing import build_route, reload_marker

__all__ = [
    "BACKENDS",
    "BackendSolution",
    "PlanLike",
    "RoutingBackend",
    "build_result",
    "initial_routes",
    "servable_stops",
    "solve_routing",
]


def _ortools(
    problem: RoutingProblem, candidates: list[int], params: SolveParams, initial: Initial = None
) -> BackendSolution:
    from logistics.optimize.routing.ortools_backend import solve_with_ortools

    return solve_with_ortools(problem, candidates, params, initial)


def _pyvrp(
    problem: RoutingProblem, candidates: list[int], params: SolveParams, initial: Initial = None
) -> BackendSolution:
    from logistics.optimize.routing.pyvrp_backend import solve_with_pyvrp

    return solve_with_pyvrp(problem, candidates, params, initial)


def _nearest_neighbour(
    problem: RoutingProblem, candidates: list[int], params: SolveParams, initial: Initial = None
) -> BackendSolution:
    from logistics.optimize.routing.greedy import solve_nearest_neighbour

    return solve_nearest_neighbour(problem, candidates, params)


def _fixed_zone(
    problem: RoutingProblem, candidates: list[int], params: SolveParams, initial: Initial = None
) -> BackendSolution:
    from logistics.optimize.routing.greedy import solve_fixed_zone

    return solve_fixed_zone(problem, candidates, params)


BACKENDS: dict[str, RoutingBackend] = {
    "ortools": _ortools,
    "pyvrp": _pyvrp,
    "nearest_neighbour": _nearest_neighbour,  # construction baselines (logistics.optimize.routing.greedy)
    "fixed_zone": _fixed_zone,
}


def _trip_reason(problem: RoutingProblem, t: VehicleType, visit: list[int]) -> str | None:
    """Why a vehicle of type `t` cannot make a trip serving exactly the stops `visit` (positions in
    `problem.stops`, in order) alone; None if it can."""
    dur, dist = problem.durations_for(t), problem.distances
    stops = [problem.stops[i] for i in visit]
    lacking = sorted({x for s in stops for x in s.skills} - set(t.skills))
    if lacking:
        return f"{t.id}: lacks the skill {', '.join(lacking)}"
    on_board = [sum(x) for x in zip(*(problem.depot_load(s) for s in stops), strict=True)]
    peak = list(on_board)
    for s in stops:
        on_board = [b - d + p for b, d, p in zip(on_board, problem.demand(s), problem.pickup(s), strict=True)]
        peak = [max(a, b) for a, b in zip(peak, on_board, strict=True)]
    over = [
        f"{problem.dimensions[k]} {d:g} > {c:g}" for k, (d, c) in enumerate(zip(peak, t.capacity, strict=True)) if d > c
    ]
    if over:
        return f"{t.id}: load over capacity ({', '.join(over)})"
    here = problem.location_index(t.start_depot)
    end = problem.location_index(t.end)
    clock = t.shift_start_s + problem.depot_load_s
    travelled = problem.depot_load_s
    driven = 0.0
    for s in stops:
        where = problem.location_index(s.location)
        arrive = clock + dur[here, where]
        travelled += dur[here, where] + s.service_s
        driven += dist[here, where]
        a, b = s.window_s if s.window_s is not None else (-math.inf, math.inf)
        begin = max(arrive, a)
        if begin > b:
            return f"{t.id}: window of {s.id} closes at {b:g} s, earliest arrival is {arrive:g} s"
        clock = begin + s.service_s
        here = where
    back = clock + dur[here, end]
    travelled += dur[here, end]
    driven += dist[here, end]
    if back > t.shift_end_s:
        return f"{t.id}: cannot be back at the depot before the shift ends ({back:g} > {t.shift_end_s:g} s)"
    if travelled > t.max_duration_s:
        return f"{t.id}: the trip takes {travelled:g} s, over the maximum {t.max_duration_s:g} s"
    if driven > t.max_distance_m:
        return f"{t.id}: the trip is {driven:g} m, over the maximum {t.max_distance_m:g} m"
    return None


def servable_stops(problem: RoutingProblem) -> tuple[list[int], list[Unassigned]]:
    """Stops some vehicle type could serve alone (skills, capacity, window, shift, duration, distance; a
    pair's two stops together, pickup first), and the others with the reason none can."""
    index = {s.id: i for i, s in enumerate(problem.stops)}
    ok: list[int] = []
    out: list[Unassigned] = []
    for i, s in enumerate(problem.stops):
        pair = problem.pair_of.get(s.id)
        trip = [i] if pair is None else [index[pair.pickup], index[pair.delivery]]
        reasons = []
        for t in problem.vehicle_types:
            if t.count == 0:
                continue
            reason = _trip_reason(problem, t, trip)
            if reason is None:
                break
            reasons.append(reason)
        else:
            what = (
                "no vehicle can serve it"
                if pair is None
                else f"no vehicle can serve its pair {pair.pickup} -> {pair.delivery}"
            )
            out.append(Unassigned(s.id, f"{what}: " + "; ".join(reasons)))
            continue
        ok.append(i)
    return ok, out


PlanLike = RoutingResult | Sequence[tuple[str, int, Sequence[str]]]
"""A plan: a result (of this problem or an earlier version of it), or (vehicle type id, vehicle, stop ids)."""


def initial_routes(problem: RoutingProblem, plan: PlanLike) -> list[tuple[int, int, list[int]]]:
    """A plan in the backends' index form, kept to what still fits `problem`: stops it no longer has (served,
    cancelled) are left out, and a route on a vehicle the fleet no longer has moves to a free vehicle of its
    type (left out only when none is free), so a plan of an earlier wave warm-starts the next."""
    types = {t.id: k for k, t in enumerate(problem.vehicle_types)}
    stops = {s.id: i for i, s in enumerate(problem.stops)}
    if isinstance(plan, RoutingResult):
        sequences = [(r.vehicle_type, r.vehicle, [(v.stop, v.reload) for v in r.visits]) for r in plan.routes]
    else:
        sequences = [(t, n, [(x, False) for x in ids]) for t, n, ids in plan]
    out: list[tuple[int, int, list[int]]] = []
    taken: set[tuple[int, int]] = set()
    seen: set[int] = set()
    # a route on a vehicle number the fleet no longer has (a smaller fleet, or one capped to the stops) moves to
    # the type's lowest free number: its stops still need serving, and the search should start from it
    wanted = {(types.get(t), n) for t, n, _ in sequences}
    for type_id, vehicle, visits in sequences:
        k = types.get(type_id)
        if k is None:
            continue
        if not 0 <= vehicle < problem.vehicle_types[k].count or (k, vehicle) in taken:
            free = [n for n in range(problem.vehicle_types[k].count) if (k, n) not in taken and (k, n) not in wanted]
            if not free:
                continue
            vehicle = free[0]
        seq: list[int] = []
        for stop_id, reload in visits:
            if reload:
                if problem.vehicle_types[k].reload_depots and stop_id in problem.depots and seq and seq[-1] >= 0:
                    seq.append(reload_marker(problem.depots.index(stop_id)))
            elif stop_id in stops and stops[stop_id] not in seen:
                seq.append(stops[stop_id])
                seen.add(stops[stop_id])
        while seq and seq[-1] < 0:
            seq.pop()
        if seq:
            taken.add((k, vehicle))
            out.append((k, vehicle, seq))
    return out


def solve_routing(
    problem: RoutingProblem, params: SolveParams | None = None, initial: PlanLike | None = None
) -> RoutingResult:
    """Solve `problem` with the backend named in `params`: "ortools", "pyvrp" or "auto" (both at once on
    two cores, the better result wins), from the `initial` plan if given (a warm start: the search begins
    from it; what no longer fits is left out, see `initial_routes`). Never raises for an infeasible problem:
    stops that cannot be served come back in `unassigned` with a reason. Raises `InvalidProblemError` for bad
    parameters."""
    params = params or SolveParams()
    started = time.perf_counter()
    if params.backend == "auto":
        return _solve_auto(problem, params, started, initial)
    backend = BACKENDS.get(params.backend)
    if backend is None:
        raise InvalidProblemError(
            "params.backend", f"unknown backend {params.backend!r} (known: auto, {', '.join(BACKENDS)})"
        )
    if params.backend == "ortools" and problem.has_breaks and problem.has_reloads:
        return _breaks_without_reloads(problem, params, started, initial)
    candidates, unservable = servable_stops(problem)
    search = _capped_fleet(problem, len(candidates))
    within = _within(params, started, 0.98)  # the rest of the limit: building the result
    start = None
    if initial is not None:
        usable = set(candidates)
        start = [(k, n, [i for i in seq if i < 0 or i in usable]) for k, n, seq in initial_routes(search, initial)]
        start = [(k, n, seq) for k, n, seq in start if any(i >= 0 for i in seq)]
    solution = backend(search, candidates, within, start) if candidates else BackendSolution([], [], True, True, {})
    result = build_result(problem, params.backend, solution, unservable, time.perf_counter() - started)
    return gated(problem, result)


def gated(problem: RoutingProblem, result: RoutingResult) -> RoutingResult:
    """The final gate: a plan called optimal or feasible is checked independently (`check_routing`, timing
    every route with the traffic profile); one the checker rejects is returned as infeasible with the checker's
    violations in `stats["check"]`, never as feasible."""
    from dataclasses import replace

    from logistics.optimize.routing.checker import check_routing

    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        return result
    report = check_routing(problem, result)
    if report.ok:
        return result
    check = {"ok": False, "violations": list(report.violations[:20]), "count": len(report.violations)}
    return replace(result, status=Status.INFEASIBLE, stats={**result.stats, "check": check})


def _breaks_without_reloads(
    problem: RoutingProblem, params: SolveParams, started: float, initial: PlanLike | None
) -> RoutingResult:
    """Breaks and reload depots together: no backend plans both, so OR-Tools plans the breaks with one trip per
    vehicle (a reload is allowed, never required, so such a plan is a plan of the problem). Required stops
    that would need a second trip stay unassigned, saying so; the problem is refused only then, in effect."""
    from dataclasses import replace

    single = replace(
        problem,
        vehicle_types=tuple(replace(t, reload_depots=()) for t in problem.vehicle_types),
        distance_m=problem.distances,
        duration_s=problem.durations,
    )
    result = solve_routing(single, replace(_within(params, started, 0.98), backend="ortools"), initial)
    reason = (
        "not served in one trip per vehicle: it would need a reload (reload_depots) and the drivers' breaks in "
        "one plan, which no backend plans"
    )
    unassigned = tuple(
        Unassigned(u.stop, reason) if u.reason.startswith("no feasible place") else u for u in result.unassigned
    )
    notes = {**result.stats, "reloads": "planned without reloads: no backend plans breaks and reloads together"}
    out = replace(result, unassigned=unassigned, runtime_s=time.perf_counter() - started, stats=notes)
    return gated(problem, out)


def _within(params: SolveParams, started: float, share: float) -> SolveParams:
    """`params` with the time limit cut to what is left of `share` of it since `started`: the limit is a
    wall-clock limit on the whole call, checks, set-up and the result included."""
    from dataclasses import replace

    left = params.time_limit_s * share - (time.perf_counter() - started)
    return replace(params, time_limit_s=max(0.05, left))


def _capped_fleet(problem: RoutingProblem, stops: int) -> RoutingProblem:
    """The problem with no vehicle type counting more vehicles than there are stops to serve: a fleet of
    100,000 vans for ten stops searches as ten (the backends build one vehicle per unit of count)."""
    from dataclasses import replace

    if all(t.count <= max(1, stops) for t in problem.vehicle_types):
        return problem
    fleet = tuple(replace(t, count=min(t.count, max(1, stops))) for t in problem.vehicle_types)
    return replace(problem, vehicle_types=fleet, distance_m=problem.distances, duration_s=problem.durations)


AUTO_ONE_ARM_STOPS = 200
"""From this many stops `auto` runs PyVRP alone (unless only OR-Tools can express the problem): OR-Tools' plan
was 5.8% longer at 200 stops and 12.6% at 400 (generated problems, 30 s each, benchmarks/RESULTS.md), 80% at
2,000, and at 5,000 it may find none; a second arm that never wins only takes a core, which on a loaded
machine left the default behind PyVRP alone."""


REDUCTION_SHARES = (0.4, 0.75)
"""With `minimise_vehicles`, `auto` searches with the whole fleet for the first share of the limit, tries one
vehicle fewer (`_confined`, route elimination) until the second, and spends the rest improving the best plan
within the vehicles it uses: neither arm, given the whole limit, finds the 9-van plans of Li & Lim's lc103 and
lc109 (benchmarks/RESULTS.md), while a search confined to 9 vans from the 10-van plan does."""


def _solve_auto(
    problem: RoutingProblem, params: SolveParams, started: float, initial: PlanLike | None = None
) -> RoutingResult:
    """PyVRP in a child process and OR-Tools here, at the same time and each with the whole time limit
    (two cores), so `auto` costs the wall time of one; the better result wins.
    With `minimise_vehicles`, the limit is cut in three (`REDUCTION_SHARES`): the search, a search for a plan
    with one vehicle fewer (which wins only if it serves every stop), and an improvement of the best plan."""
    from dataclasses import replace

    from logistics.optimize.routing.ortools_backend import unsupported

    alone = "ortools" if problem.has_breaks else "pyvrp" if unsupported(problem) else None
    if alone is None and len(problem.stops) >= AUTO_ONE_ARM_STOPS:
        alone = "pyvrp"  # large: OR-Tools lags far behind (benchmarks/RESULTS.md, routing_scale) and may not
        # even find a first plan in time; the whole limit and the machine go to PyVRP
    # one backend when only one can express the problem (breaks: OR-Tools; several trips: PyVRP)
    arms = [alone] if alone is not None else ["pyvrp", "ortools"]
    if not problem.minimise_vehicles:
        results = _run_arms(problem, params, started, 1.0, initial, arms)
        best = min(results, key=lambda r: ranking(problem, r))
        stats = {r.backend: {"status": r.status.value, "objective": r.objective} for r in results}
        runtime_s = time.perf_counter() - started
        return replace(best, backend=f"auto:{best.backend}", runtime_s=runtime_s, stats=dict(best.stats, auto=stats))
    first, second = REDUCTION_SHARES
    results = _run_arms(problem, params, started, first, initial, arms)
    best = min(results, key=lambda r: ranking(problem, r))
    notes: dict[str, object] = {}
    fewer = _confined(problem, best, one_fewer=True)
    if fewer is not None:
        smaller, start = fewer
        tried = [gated(problem, r) for r in _run_arms(smaller, params, started, second, start, arms)]
        results += tried
        reduced = min(tried, key=lambda r: ranking(problem, r))
        found = reduced.status in (Status.OPTIMAL, Status.FEASIBLE) and not reduced.unassigned
        notes["fewer_vehicles"] = {
            "from": best.vehicles_used,
            "tried": best.vehicles_used - 1,
            "found": found,
            **{r.backend: {"status": r.status.value, "unassigned": len(r.unassigned)} for r in tried},
        }
        if found and ranking(problem, reduced) < ranking(problem, best):
            best = reduced
    # the rest of the limit: both arms from the best plan, within the vehicles it uses (the whole fleet if it
    # leaves stops out)
    polish = _confined(problem, best, one_fewer=False)
    if polish is not None:
        within, start = polish
        results += [gated(problem, r) for r in _run_arms(within, params, started, 1.0, start, arms)]
        best = min([best, *results], key=lambda r: ranking(problem, r))
    stats = {f"{r.backend}#{n}": {"status": r.status.value, "objective": r.objective} for n, r in enumerate(results)}
    return replace(
        best,
        backend=f"auto:{best.backend}",
        runtime_s=time.perf_counter() - started,
        stats=dict(best.stats, auto=stats, **notes),
    )


def _run_arms(
    problem: RoutingProblem,
    params: SolveParams,
    started: float,
    share: float,
    initial: PlanLike | None,
    arms: list[str],
) -> list[RoutingResult]:
    """Each backend in `arms` on `problem` until `share` of the limit (since `started`) is spent: one here,
    PyVRP in a forked child when there are two (two cores, so the pair costs the wall time of one)."""
    from dataclasses import replace

    from logistics.core.process import Forked

    end = 0.97 * share
    if len(arms) == 1:
        result = solve_routing(problem, replace(_within(params, started, end + 0.01), backend=arms[0]), initial)
        return [result]
    # each within what is left (the child's start and the hand-back included); the child has its problem
    # from the fork before the OR-Tools search here takes the interpreter lock
    other = Forked(solve_routing, problem, replace(_within(params, started, end), backend="pyvrp"), initial)
    try:
        here = solve_routing(problem, replace(_within(params, started, end), backend="ortools"), initial)
    except BaseException:
        other.cancel()
        raise
    # PyVRP checks its clock between iterations only: a child that overruns its share by more than a second
    # (one long local search) is killed and OR-Tools's plan stands
    grace = max(1.0, 0.1 * params.time_limit_s * share)
    try:
        left = params.time_limit_s * share - (time.perf_counter() - started)
        return [here, other.result(timeout_s=max(0.0, left) + grace)]
    except TimeoutError:
        return [replace(here, stats=dict(here.stats, pyvrp_arm="killed after its share of the limit"))]


def _confined(
    problem: RoutingProblem, plan: RoutingResult, one_fewer: bool
) -> tuple[RoutingProblem, list[tuple[str, int, list[str]]]] | None:
    """The problem confined to the vehicles `plan` uses of each type, and `plan` as the search's start; with
    `one_fewer`, one vehicle less of the type of the plan's shortest route and that route left out of the start
    (its stops left for the search to place): the route-elimination step of fleet minimisation. A plan that
    leaves stops out is continued on the whole fleet; None when there is no plan to start from, or (with
    `one_fewer`) it is not a full checked plan or uses one vehicle."""
    from collections import Counter
    from dataclasses import replace

    if not plan.routes:
        return None
    full = plan.status in (Status.OPTIMAL, Status.FEASIBLE) and not plan.unassigned
    if one_fewer and (not full or plan.vehicles_used < 2):
        return None
    shortest = min(plan.routes, key=lambda r: (sum(not v.reload for v in r.visits), r.distance_m))
    used = Counter(r.vehicle_type for r in plan.routes)
    if one_fewer:
        used[shortest.vehicle_type] -= 1
    smaller = problem
    if full:
        fleet = tuple(replace(t, count=min(t.count, used[t.id])) for t in problem.vehicle_types)
        smaller = replace(problem, vehicle_types=fleet, distance_m=problem.distances, duration_s=problem.durations)
    numbers: Counter[str] = Counter()
    start = []
    for r in plan.routes:
        if one_fewer and r is shortest:
            continue
        start.append((r.vehicle_type, numbers[r.vehicle_type], [v.stop for v in r.visits if not v.reload]))
        numbers[r.vehicle_type] += 1
    return smaller, start


def ranking(problem: RoutingProblem, result: RoutingResult) -> tuple[int, int, int, float]:
    """How `auto` orders its arms' plans, as the problem ranks plans: a checked plan first, then fewer stops
    left out, then (with `minimise_vehicles`) fewer vehicles, then the objective."""
    rank = {Status.OPTIMAL: 0, Status.FEASIBLE: 0, Status.INFEASIBLE: 1, Status.TIME_LIMIT: 2}
    vehicles = result.vehicles_used if problem.minimise_vehicles else 0
    return rank.get(result.status, 3), len(result.unassigned), vehicles, result.objective


def build_result(
    problem: RoutingProblem,
    backend: str,
    sol: BackendSolution,
    unservable: list[Unassigned],
    runtime_s: float,
) -> RoutingResult:
    """The result of a backend's stop sequences: each route timed by the route builder, stops left out with
    their reason (those no vehicle can serve first), totals and the status."""
    routes = []
    for n, (type_index, vehicle, stop_indices) in enumerate(sol.routes):
        if stop_indices:
            start_s, breaks = sol.breaks.get(n, (None, ()))
            vtype = problem.vehicle_types[type_index]
            routes.append(build_route(problem, vtype, vehicle, stop_indices, start_s, breaks))
    unassigned = list(unservable)
    for i in sol.dropped:
        s = problem.stops[i]
        if s.required:
            reason = "no feasible place found for it in any route within the search limit"
        else:
            reason = f"optional: serving it would cost more than its penalty ({s.penalty:g})"
        unassigned.append(Unassigned(s.id, reason))
    distance = float(sum(r.distance_m for r in routes))
    stops = {s.id: s for s in problem.stops}
    penalties = sum(stops[u.stop].penalty for u in unassigned if not stops[u.stop].required)
    cost = float(sum(r.cost for r in routes) + penalties)
    objective = distance + penalties if problem.objective == "distance" else cost
    if not sol.found:
        status = Status.TIME_LIMIT
    elif any(stops[u.stop].required for u in unassigned):
        status = Status.INFEASIBLE
    else:
        status = Status.OPTIMAL if sol.optimal else Status.FEASIBLE
    return RoutingResult(
        status=status,
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        objective=objective,
        distance_m=distance,
        cost=cost,
        vehicles_used=len(routes),
        runtime_s=runtime_s,
        backend=backend,
        stats=sol.stats,
    )
