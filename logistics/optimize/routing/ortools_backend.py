"""OR-Tools routing backend (every constraint of `RoutingProblem`: capacities with deliveries and pickups,
pickup-and-delivery pairs, skills as allowed vehicles, windows, shifts, maximum duration and distance, optional
stops), built the fast way: every transit (distance, time, per-type cost, demand) is
registered as a matrix or vector (no Python callback is called during search), every stop is a disjunction
(so a solution always comes back), a cheapest-insertion start that copes with tight windows, and guided
local search until the limit."""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from logistics.core.control import has_stop_flag, on_stop, report_progress
from logistics.optimize.routing.backend import BackendSolution
from logistics.optimize.routing.ortools_model import add_loads_and_limits, add_time
from logistics.optimize.routing.problem import RoutingProblem
from logistics.optimize.routing.result import SolveParams

FSS = routing_enums_pb2.FirstSolutionStrategy
STATUS_NAMES = {
    0: "ROUTING_NOT_SOLVED",
    1: "ROUTING_SUCCESS",
    2: "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
    3: "ROUTING_FAIL",
    4: "ROUTING_FAIL_TIMEOUT",
    5: "ROUTING_INVALID",
    6: "ROUTING_INFEASIBLE",
    7: "ROUTING_OPTIMAL",
}
BRANCHES_PER_SOLUTION = 1_000
BRANCHES_PER_STOP = 20_000  # the time-limited search of a small problem ends after this many branches per stop
"""Work limit of the reproducible mode when the search stalls: search branches allowed per solution asked for.
Measured: a search that keeps finding solutions uses 5 to 60 branches per solution (Solomon R101, RC201,
C201, CVRPLIB X-n101 to X-n200, last_mile_city waves); a stalled one about a million a second."""


# First solutions for a portfolio, best first (measured on Solomon with windows, CVRPLIB X without).
PORTFOLIO_WINDOWS = ("PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "SAVINGS")
PORTFOLIO_PLAIN = ("PATH_CHEAPEST_ARC", "SAVINGS", "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")


def solve_with_ortools(
    problem: RoutingProblem,
    candidates: list[int],
    params: SolveParams,
    initial: list[tuple[int, int, list[int]]] | None = None,
) -> BackendSolution:
    """Solve `problem` over the stops `candidates` with OR-Tools (a portfolio when `params.workers` > 1),
    from the `initial` routes if given (a warm start)."""
    if params.workers > 1 and params.first_solution.lower() == "auto" and not initial:
        return _portfolio(problem, candidates, params)
    return _solve_one(problem, candidates, params, initial)


def _portfolio(problem: RoutingProblem, candidates: list[int], params: SolveParams) -> BackendSolution:
    """Guided local search from different first solutions in parallel processes; the lowest objective wins.
    (Measured: the best start differs from instance to instance, and GLS rarely escapes a poor one.)"""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import replace

    strategies = (PORTFOLIO_WINDOWS if problem.has_windows else PORTFOLIO_PLAIN)[: params.workers]
    with ProcessPoolExecutor(max_workers=len(strategies), mp_context=mp.get_context("fork")) as pool:
        futures = [
            pool.submit(_solve_one, problem, candidates, replace(params, workers=1, first_solution=name))
            for name in strategies
        ]
        results = [f.result() for f in futures]
    best = min(results, key=lambda r: (not r.found, r.stats.get("objective_internal", math.inf)))
    stats = dict(best.stats, portfolio={r.stats["first_solution"]: r.stats.get("objective_internal") for r in results})
    return BackendSolution(best.routes, best.dropped, best.found, best.optimal, stats, best.breaks)


UNSUPPORTED = {"reload_depots": "several trips per vehicle (vehicle_types[].reload_depots)"}


def unsupported(problem: RoutingProblem) -> list[str]:
    """The constraints of `problem` this backend cannot express."""
    return [UNSUPPORTED["reload_depots"]] if problem.has_reloads else []


def _solve_one(
    problem: RoutingProblem,
    candidates: list[int],
    params: SolveParams,
    initial: list[tuple[int, int, list[int]]] | None = None,
) -> BackendSolution:
    """One OR-Tools search (from the `initial` routes if given and OR-Tools accepts them as a solution)."""
    missing = unsupported(problem)
    if missing:
        from logistics.optimize.routing.problem import InvalidProblemError

        raise InvalidProblemError(
            "params.backend", f"the ortools backend cannot plan {', '.join(missing)}: use pyvrp or auto"
        )
    build_started = time.perf_counter()
    # Only depots some vehicle starts or ends at: OR-Tools would treat any other node as a stop to visit.
    used = {d for t in problem.vehicle_types if t.count for d in (t.start_depot, t.end)}
    depot_ids = [d for d in problem.depots if d in used]
    node_loc = [problem.location_index(d) for d in depot_ids] + [
        problem.location_index(problem.stops[i].location) for i in candidates
    ]
    n_depots = len(depot_ids)
    n_nodes = len(node_loc)
    stops = [problem.stops[i] for i in candidates]

    # Vehicles: one per unit of each type's count.
    vehicles: list[tuple[int, int]] = [(k, j) for k, t in enumerate(problem.vehicle_types) for j in range(t.count)]
    starts = [depot_ids.index(problem.vehicle_types[k].start_depot) for k, _ in vehicles]
    ends = [depot_ids.index(problem.vehicle_types[k].end) for k, _ in vehicles]
    manager = pywrapcp.RoutingIndexManager(n_nodes, len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    cost_mode = problem.objective == "cost"
    time_scale = 1.0 if cost_mode else 100.0  # integer time units per second
    dist_scale = 100.0  # integer distance units per metre (distance objective)
    cost_scale = 10_000.0  # integer cost units per currency unit (cost objective)

    idx = np.asarray(node_loc)
    dist = problem.distances[np.ix_(idx, idx)]
    service = np.zeros(n_nodes)
    service[:n_depots] = problem.depot_load_s  # loading before the trip
    service[n_depots:] = [s.service_s for s in stops]
    # Travel + service from each node, rounded up so a schedule OR-Tools accepts is truly feasible; one
    # matrix per vehicle type (the same object for types at the problem's speed).
    by_speed: dict[float | None, np.ndarray] = {}
    time_int = []
    for t in problem.vehicle_types:
        if t.speed_m_per_s not in by_speed:
            travel_t = problem.durations_for(t)[np.ix_(idx, idx)]
            by_speed[t.speed_m_per_s] = np.ceil((travel_t + service[:, None]) * time_scale - 1e-6).astype(np.int64)
        time_int.append(by_speed[t.speed_m_per_s])
    travel = max((problem.durations_for(t)[np.ix_(idx, idx)] for t in problem.vehicle_types), key=lambda m: m.max())

    max_arc = 1
    if cost_mode:
        # Arc cost per vehicle type from its price per km; per-hour cost on the route span (below).
        per_type_callback = {}
        for k, t in enumerate(problem.vehicle_types):
            arc = np.round(dist * (t.cost_per_km / 1000.0) * cost_scale).astype(np.int64)
            max_arc = max(max_arc, int(arc.max()))
            per_type_callback[k] = routing.RegisterTransitMatrix(arc.tolist())
        for v, (k, _) in enumerate(vehicles):
            routing.SetArcCostEvaluatorOfVehicle(per_type_callback[k], v)
    else:
        dist_int = np.round(dist * dist_scale).astype(np.int64)
        max_arc = max(1, int(dist_int.max()))
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(dist_int.tolist()))

    add_loads_and_limits(routing, manager, problem, stops, vehicles, n_depots, dist, dist_scale)

    # Time: windows on stops, shifts on vehicles, maximum duration as a span bound. Left out when nothing
    # depends on time (a plain CVRP searches much faster without it).
    needs_time = (
        problem.has_windows
        or bool(problem.pairs)
        or problem.has_breaks
        or any(math.isfinite(t.max_duration_s) for t in problem.vehicle_types)
        or (cost_mode and any(t.cost_per_h > 0 for t in problem.vehicle_types))
    )
    horizon, offset = 0, 0.0
    if cost_mode:
        for v, (k, _) in enumerate(vehicles):
            if problem.vehicle_types[k].fixed_cost:
                routing.SetFixedCostOfVehicle(round(problem.vehicle_types[k].fixed_cost * cost_scale), v)
    if needs_time:
        service_int = [
            math.ceil(service[manager.IndexToNode(index)] * time_scale - 1e-6) for index in range(routing.Size())
        ]
        horizon, offset = add_time(
            routing,
            manager,
            problem,
            stops,
            vehicles,
            travel,
            service,
            time_int,
            n_depots,
            time_scale,
            cost_scale if cost_mode else 0.0,
            service_int,
        )

    # Penalties: optional stops at their penalty, required ones far above any solution's cost.
    unit = cost_scale if cost_mode else dist_scale
    route_bound = (len(stops) + 2 * len(vehicles) + 1) * max_arc
    if cost_mode:
        route_bound += sum(round(problem.vehicle_types[k].fixed_cost * cost_scale) for k, _ in vehicles)
        route_bound += sum(
            round(problem.vehicle_types[k].cost_per_h / 3600 / time_scale * cost_scale) * horizon for k, _ in vehicles
        )
    vehicle_price = 0
    if problem.minimise_vehicles:
        vehicle_price = route_bound + 1
        for v in range(len(vehicles)):
            routing.SetFixedCostOfVehicle(
                vehicle_price
                + (round(problem.vehicle_types[vehicles[v][0]].fixed_cost * cost_scale) if cost_mode else 0),
                v,
            )
    required_penalty = min(2**62 // max(1, len(stops) + 1), 10 * (route_bound + vehicle_price * len(vehicles)) + 1)
    for n, s in enumerate(stops, start=n_depots):
        penalty = required_penalty if s.required else min(required_penalty, round(s.penalty * unit))
        routing.AddDisjunction([manager.NodeToIndex(n)], int(penalty))

    # Pickup-and-delivery pairs: both or neither, on one vehicle, the pickup first.
    if problem.pairs:
        node_of = {problem.stops[i].id: n for n, i in enumerate(candidates, start=n_depots)}
        time_dim = routing.GetDimensionOrDie("time")
        solver = routing.solver()
        for pair in problem.pairs:
            if pair.pickup not in node_of or pair.delivery not in node_of:
                continue  # left out before the search (one of them cannot be served)
            first, then = manager.NodeToIndex(node_of[pair.pickup]), manager.NodeToIndex(node_of[pair.delivery])
            routing.AddPickupAndDelivery(first, then)
            solver.Add(routing.VehicleVar(first) == routing.VehicleVar(then))
            solver.Add(time_dim.CumulVar(first) <= time_dim.CumulVar(then))

    search = pywrapcp.DefaultRoutingSearchParameters()
    strategy = params.first_solution.upper()
    if strategy == "AUTO":
        # pairs: insertion builds pickup and delivery together (the OR-Tools documentation's advice)
        strategy = "PARALLEL_CHEAPEST_INSERTION" if problem.pairs else "PATH_CHEAPEST_ARC"
    try:
        search.first_solution_strategy = getattr(FSS, strategy)
    except AttributeError:
        from logistics.optimize.routing.problem import InvalidProblemError

        raise InvalidProblemError(
            "params.first_solution", f"unknown OR-Tools first-solution strategy {params.first_solution!r}"
        ) from None
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    build_s = time.perf_counter() - build_started
    remaining = max(0.1, params.time_limit_s - build_s)
    search.time_limit.FromMilliseconds(int(remaining * 1000))
    solver = routing.solver()
    # Breaks make each search branch cheap but the tree far bigger (measured: about a million branches per
    # solution on a 2-van, 8-stop problem with one break each): the branch budgets grow accordingly, the
    # stall limit of a time-limited search less (x50: a 2-stop problem with a break ends in about 2 s of a 30 s
    # limit; x1,000 sat it out) than the work limit of the reproducible mode (x1,000, so that it finds plans).
    budget = 1_000 if problem.has_breaks else 1
    stall_budget = 50 if problem.has_breaks else 1
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
        # A deterministic stop for a search that stalls short of the solution count.
        routing.AddSearchMonitor(solver.BranchesLimit(params.solution_limit * BRANCHES_PER_SOLUTION * budget))
    else:
        # A small problem's search is exhausted long before its time limit: stop it after this many branches
        # (about 0.1 s for 2 stops; from about 20 stops on the time limit comes first).
        routing.AddSearchMonitor(solver.BranchesLimit(BRANCHES_PER_STOP * max(1, len(candidates)) * stall_budget))
    search.log_search = params.log
    unit = cost_scale if problem.objective == "cost" else dist_scale  # solver units per objective unit
    stopped = [False]  # set by the watcher of a service job's stop flag; read by the search (cheaply)
    if has_stop_flag():  # a service job: stop when cancelled, keeping the best plan; report each better one
        # (the search holds the interpreter lock: this limit's calls into Python are what let the watcher run)
        routing.AddSearchMonitor(solver.CustomLimit(lambda: stopped[0]))
        routing.AddAtSolutionCallback(lambda: report_progress(best_objective=routing.CostVar().Value() / unit))

    solve_started = time.perf_counter()
    start_from = None
    if initial:
        routing.CloseModelWithParameters(search)
        vehicle_of = {kv: v for v, kv in enumerate(vehicles)}
        node_at = {i: n for n, i in enumerate(candidates, start=n_depots)}
        plan: list[list[int]] = [[] for _ in vehicles]
        for k, j, seq in initial:
            if (k, j) in vehicle_of:
                plan[vehicle_of[(k, j)]] = [manager.NodeToIndex(node_at[i]) for i in seq if i in node_at]
        start_from = routing.ReadAssignmentFromRoutes(plan, True)
    with on_stop(lambda: stopped.__setitem__(0, True)):  # a service job's cancel: the best plan stands
        if start_from is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start_from, search)
        else:
            assignment = routing.SolveWithParameters(search)
    solve_s = time.perf_counter() - solve_started
    status = STATUS_NAMES.get(routing.status(), str(routing.status()))
    stats = {
        "ortools_status": status,
        "build_s": build_s,
        "search_s": solve_s,
        "first_solution": strategy,
        "vehicles_available": len(vehicles),
        "solutions": routing.solver().Solutions(),
        "warm_start": "none" if not initial else ("used" if start_from is not None else "rejected"),
        "branches": routing.solver().Branches(),
    }
    if assignment is None:
        return BackendSolution([], list(candidates), False, False, stats)
    routes: list[tuple[int, int, list[int]]] = []
    served: set[int] = set()
    breaks: dict[int, tuple[float, tuple[tuple[float, float], ...]]] = {}
    taken: dict[int, list[tuple[float, float]]] = {}
    if problem.has_breaks:
        intervals = assignment.IntervalVarContainer()
        for j in range(intervals.Size()):
            element = intervals.Element(j)
            if element.PerformedValue() == 1:
                v = int(element.Var().Name().split()[1])
                begin = element.StartValue() / time_scale - offset
                taken.setdefault(v, []).append((begin, begin + element.DurationValue() / time_scale))
    for v in range(len(vehicles)):
        index = routing.Start(v)
        seq = []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            seq.append(candidates[node - n_depots])
            index = assignment.Value(routing.NextVar(index))
        if seq:
            k, j = vehicles[v]
            if problem.vehicle_types[k].breaks:
                start = assignment.Value(routing.GetDimensionOrDie("time").CumulVar(routing.Start(v)))
                breaks[len(routes)] = (start / time_scale - offset, tuple(sorted(taken.get(v, []))))
            routes.append((k, j, seq))
            served.update(seq)
    dropped = [i for i in candidates if i not in served]
    stats["objective_internal"] = assignment.ObjectiveValue()
    return BackendSolution(routes, dropped, True, status == "ROUTING_OPTIMAL", stats, breaks)
