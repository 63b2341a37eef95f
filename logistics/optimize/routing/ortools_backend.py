"""OR-Tools routing backend (every constraint of `RoutingProblem`: capacities with deliveries and pickups,
pickup-and-delivery pairs, skills as allowed vehicles, windows, shifts, maximum duration and distance, optional
stops), built the fast way: every transit (distance, time, per-type cost, demand) is
registered as a matrix or vector (no Python callback is called during search), every stop is a disjunction
(so a solution always comes back), a cheapest-insertion start that copes with tight windows, and guided
local search until the limit."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from logistics.core.control import has_stop_flag, on_stop, report_progress
from logistics.optimize.routing.backend import BackendSolution, Initial
from logistics.optimize.routing.ortools_model import add_loads_and_limits, add_time
from logistics.optimize.routing.problem import InvalidProblemError, RoutingProblem
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
    from dataclasses import replace

    from logistics.core.process import Forked

    strategies = (PORTFOLIO_WINDOWS if problem.has_windows else PORTFOLIO_PLAIN)[: params.workers]
    children = [
        Forked(_solve_one, problem, candidates, replace(params, workers=1, first_solution=name)) for name in strategies
    ]
    try:
        results = [child.result() for child in children]
    except BaseException:
        for child in children:
            child.cancel()
        raise
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
    initial: Initial = None,
) -> BackendSolution:
    """One OR-Tools search (from the `initial` routes if given and OR-Tools accepts them as a solution), in
    stages: number the nodes and vehicles (`_IndexMap`), build the model (`_build`), set the search
    (`_search_parameters`), solve, and map the assignment back onto the problem (`_decode`)."""
    missing = unsupported(problem)
    if missing:
        raise InvalidProblemError(
            "params.backend", f"the ortools backend cannot plan {', '.join(missing)}: use pyvrp or auto"
        )
    build_started = time.perf_counter()
    model = _build(problem, _IndexMap.of(problem, candidates))
    search, strategy = _search_parameters(model, params)
    build_s = time.perf_counter() - build_started
    search.time_limit.FromMilliseconds(int(max(0.1, params.time_limit_s - build_s) * 1000))
    _add_limits(model, params)
    solve_started = time.perf_counter()
    routing = model.routing
    start_from = _warm_start(model, search, initial)
    with _stoppable(model):  # a service job's cancel: the best plan stands
        if start_from is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start_from, search)
        else:
            assignment = routing.SolveWithParameters(search)
    status = STATUS_NAMES.get(routing.status(), str(routing.status()))
    stats = {
        "ortools_status": status,
        "build_s": build_s,
        "search_s": time.perf_counter() - solve_started,
        "first_solution": strategy,
        "vehicles_available": len(model.index.vehicles),
        "solutions": routing.solver().Solutions(),
        "warm_start": "none" if not initial else ("used" if start_from is not None else "rejected"),
        "branches": routing.solver().Branches(),
    }
    if assignment is None:
        return BackendSolution([], list(candidates), False, False, stats)
    routes, dropped, breaks = _decode(model, assignment)
    stats["objective_internal"] = assignment.ObjectiveValue()
    return BackendSolution(routes, dropped, True, status == "ROUTING_OPTIMAL", stats, breaks)


@dataclass(frozen=True)
class _IndexMap:
    """OR-Tools' numbering of the problem: nodes are the depots some vehicle starts or ends at (OR-Tools would
    treat any other node as a stop to visit), then the candidate stops; vehicles are one per unit of each
    type's count, as (type index, vehicle number)."""

    candidates: list[int]
    depot_ids: list[str]
    stops: list[Any]
    vehicles: list[tuple[int, int]]
    node_loc: list[int]

    @classmethod
    def of(cls, problem: RoutingProblem, candidates: list[int]) -> _IndexMap:
        """The numbering of `problem` restricted to `candidates`."""
        used = {d for t in problem.vehicle_types if t.count for d in (t.start_depot, t.end)}
        depot_ids = [d for d in problem.depots if d in used]
        stops = [problem.stops[i] for i in candidates]
        return cls(
            candidates=list(candidates),
            depot_ids=depot_ids,
            stops=stops,
            vehicles=[(k, j) for k, t in enumerate(problem.vehicle_types) for j in range(t.count)],
            node_loc=[problem.location_index(d) for d in depot_ids]
            + [problem.location_index(s.location) for s in stops],
        )

    @property
    def n_depots(self) -> int:
        """How many depot nodes come before the stops."""
        return len(self.depot_ids)

    def stop_at(self, node: int) -> int:
        """The problem's stop position of a stop node."""
        return self.candidates[node - self.n_depots]


@dataclass
class _Model:
    """The OR-Tools model of one problem and its integer scales: time units per second, distance units per
    metre (distance objective), cost units per currency unit (cost objective); `offset`, the seconds the time
    dimension is shifted by (`add_time`); `unit`, solver units per objective unit."""

    problem: RoutingProblem
    index: _IndexMap
    manager: Any
    routing: Any
    cost_mode: bool
    time_scale: float
    dist_scale: float = 100.0
    cost_scale: float = 10_000.0
    horizon: int = 0
    offset: float = 0.0
    stopped: list[bool] = field(default_factory=lambda: [False])
    """Set by the watcher of a service job's stop flag; read by the search (cheaply)."""

    @property
    def unit(self) -> float:
        """Solver units per objective unit."""
        return self.cost_scale if self.cost_mode else self.dist_scale


def _build(problem: RoutingProblem, ix: _IndexMap) -> _Model:
    """The routing model: arc costs, loads and limits, time, penalties and pickup-and-delivery pairs."""
    starts = [ix.depot_ids.index(problem.vehicle_types[k].start_depot) for k, _ in ix.vehicles]
    ends = [ix.depot_ids.index(problem.vehicle_types[k].end) for k, _ in ix.vehicles]
    manager = pywrapcp.RoutingIndexManager(len(ix.node_loc), len(ix.vehicles), starts, ends)
    cost_mode = problem.objective == "cost"
    model = _Model(problem, ix, manager, pywrapcp.RoutingModel(manager), cost_mode, 1.0 if cost_mode else 100.0)
    idx = np.asarray(ix.node_loc)
    dist = problem.distances[np.ix_(idx, idx)]
    max_arc = _add_arc_costs(model, dist)
    add_loads_and_limits(model.routing, manager, problem, ix.stops, ix.vehicles, ix.n_depots, dist, model.dist_scale)
    if cost_mode:
        for v, (k, _) in enumerate(ix.vehicles):
            if problem.vehicle_types[k].fixed_cost:
                model.routing.SetFixedCostOfVehicle(round(problem.vehicle_types[k].fixed_cost * model.cost_scale), v)
    _add_time(model)
    _add_penalties(model, max_arc)
    _add_pairs(model)
    return model


def _add_arc_costs(model: _Model, dist: np.ndarray) -> int:
    """Arc costs: distance, or under a cost objective each vehicle type's price per km (its per-hour cost goes
    on the route span, in `add_time`). Returns the longest arc in solver units."""
    routing, problem = model.routing, model.problem
    max_arc = 1
    if model.cost_mode:
        per_type_callback = {}
        for k, t in enumerate(problem.vehicle_types):
            arc = np.round(dist * (t.cost_per_km / 1000.0) * model.cost_scale).astype(np.int64)
            max_arc = max(max_arc, int(arc.max()))
            per_type_callback[k] = routing.RegisterTransitMatrix(arc.tolist())
        for v, (k, _) in enumerate(model.index.vehicles):
            routing.SetArcCostEvaluatorOfVehicle(per_type_callback[k], v)
    else:
        dist_int = np.round(dist * model.dist_scale).astype(np.int64)
        max_arc = max(1, int(dist_int.max()))
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(dist_int.tolist()))
    return max_arc


def _add_time(model: _Model) -> None:
    """Time: windows on stops, shifts on vehicles, maximum duration as a span bound. Left out when nothing
    depends on time (a plain CVRP searches much faster without it). Travel + service from each node is rounded
    up so that a schedule OR-Tools accepts is truly feasible; one matrix per vehicle type (the same object for
    types at the problem's speed)."""
    problem, ix, manager, routing = model.problem, model.index, model.manager, model.routing
    needs_time = (
        problem.has_windows
        or bool(problem.pairs)
        or problem.has_breaks
        or any(math.isfinite(t.max_duration_s) for t in problem.vehicle_types)
        or (model.cost_mode and any(t.cost_per_h > 0 for t in problem.vehicle_types))
    )
    if not needs_time:
        return
    idx = np.asarray(ix.node_loc)
    service = np.zeros(len(ix.node_loc))
    service[: ix.n_depots] = problem.depot_load_s  # loading before the trip
    service[ix.n_depots :] = [s.service_s for s in ix.stops]
    by_speed: dict[float | None, np.ndarray] = {}
    time_int = []
    for t in problem.vehicle_types:
        if t.speed_m_per_s not in by_speed:
            travel_t = problem.durations_for(t)[np.ix_(idx, idx)]
            by_speed[t.speed_m_per_s] = np.ceil((travel_t + service[:, None]) * model.time_scale - 1e-6).astype(
                np.int64
            )
        time_int.append(by_speed[t.speed_m_per_s])
    travel = max((problem.durations_for(t)[np.ix_(idx, idx)] for t in problem.vehicle_types), key=lambda m: m.max())
    service_int = [
        math.ceil(service[manager.IndexToNode(index)] * model.time_scale - 1e-6) for index in range(routing.Size())
    ]
    model.horizon, model.offset = add_time(
        routing,
        manager,
        problem,
        ix.stops,
        ix.vehicles,
        travel,
        service,
        time_int,
        ix.n_depots,
        model.time_scale,
        model.cost_scale if model.cost_mode else 0.0,
        service_int,
    )


def _add_penalties(model: _Model, max_arc: int) -> None:
    """Penalties: optional stops at their penalty, required ones far above any solution's cost; under
    `minimise_vehicles`, each vehicle priced above any route's cost."""
    problem, ix, routing = model.problem, model.index, model.routing
    vehicles, cost_scale = ix.vehicles, model.cost_scale
    route_bound = (len(ix.stops) + 2 * len(vehicles) + 1) * max_arc
    if model.cost_mode:
        route_bound += sum(round(problem.vehicle_types[k].fixed_cost * cost_scale) for k, _ in vehicles)
        route_bound += sum(
            round(problem.vehicle_types[k].cost_per_h / 3600 / model.time_scale * cost_scale) * model.horizon
            for k, _ in vehicles
        )
    vehicle_price = 0
    if problem.minimise_vehicles:
        vehicle_price = route_bound + 1
        for v in range(len(vehicles)):
            fixed = problem.vehicle_types[vehicles[v][0]].fixed_cost
            routing.SetFixedCostOfVehicle(vehicle_price + (round(fixed * cost_scale) if model.cost_mode else 0), v)
    required_penalty = min(2**62 // max(1, len(ix.stops) + 1), 10 * (route_bound + vehicle_price * len(vehicles)) + 1)
    for n, s in enumerate(ix.stops, start=ix.n_depots):
        penalty = required_penalty if s.required else min(required_penalty, round(s.penalty * model.unit))
        routing.AddDisjunction([model.manager.NodeToIndex(n)], int(penalty))


def _add_pairs(model: _Model) -> None:
    """Pickup-and-delivery pairs: both or neither, on one vehicle, the pickup first."""
    problem, routing, manager = model.problem, model.routing, model.manager
    if not problem.pairs:
        return
    node_of = {s.id: n for n, s in enumerate(model.index.stops, start=model.index.n_depots)}
    time_dim = routing.GetDimensionOrDie("time")
    solver = routing.solver()
    for pair in problem.pairs:
        if pair.pickup not in node_of or pair.delivery not in node_of:
            continue  # left out before the search (one of them cannot be served)
        first, then = manager.NodeToIndex(node_of[pair.pickup]), manager.NodeToIndex(node_of[pair.delivery])
        routing.AddPickupAndDelivery(first, then)
        solver.Add(routing.VehicleVar(first) == routing.VehicleVar(then))
        solver.Add(time_dim.CumulVar(first) <= time_dim.CumulVar(then))


def _search_parameters(model: _Model, params: SolveParams) -> tuple[Any, str]:
    """The first-solution strategy (pairs: insertion builds pickup and delivery together, the OR-Tools
    documentation's advice) and guided local search; the time limit is set by the caller."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    strategy = params.first_solution.upper()
    if strategy == "AUTO":
        strategy = "PARALLEL_CHEAPEST_INSERTION" if model.problem.pairs else "PATH_CHEAPEST_ARC"
    try:
        search.first_solution_strategy = getattr(FSS, strategy)
    except AttributeError:
        raise InvalidProblemError(
            "params.first_solution", f"unknown OR-Tools first-solution strategy {params.first_solution!r}"
        ) from None
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    search.log_search = params.log
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
    return search, strategy


def _add_limits(model: _Model, params: SolveParams) -> None:
    """Work limits, and a service job's stop flag and progress reports. Breaks make each search branch cheap but
    the tree far bigger (measured: about a million branches per solution on a 2-van, 8-stop problem with one
    break each): the branch budgets grow accordingly, the stall limit of a time-limited search less (x50: a
    2-stop problem with a break ends in about 2 s of a 30 s limit; x1,000 sat it out) than the work limit of
    the reproducible mode (x1,000, so that it finds plans)."""
    routing, problem = model.routing, model.problem
    solver = routing.solver()
    budget = 1_000 if problem.has_breaks else 1
    stall_budget = 50 if problem.has_breaks else 1
    if params.solution_limit is not None:
        # A deterministic stop for a search that stalls short of the solution count.
        routing.AddSearchMonitor(solver.BranchesLimit(params.solution_limit * BRANCHES_PER_SOLUTION * budget))
    else:
        # A small problem's search is exhausted long before its time limit: stop it after this many branches
        # (about 0.1 s for 2 stops; from about 20 stops on the time limit comes first).
        stall = BRANCHES_PER_STOP * max(1, len(model.index.candidates)) * stall_budget
        routing.AddSearchMonitor(solver.BranchesLimit(stall))
    if has_stop_flag():  # a service job: stop when cancelled, keeping the best plan; report each better one
        # (the search holds the interpreter lock: this limit's calls into Python are what let the watcher run)
        routing.AddSearchMonitor(solver.CustomLimit(lambda: model.stopped[0]))
        routing.AddAtSolutionCallback(lambda: report_progress(best_objective=routing.CostVar().Value() / model.unit))


def _stoppable(model: _Model) -> Any:
    """A context in which a service job's stop request sets the model's stop flag."""
    return on_stop(lambda: model.stopped.__setitem__(0, True))


def _warm_start(model: _Model, search: Any, initial: Initial) -> Any:
    """The `initial` routes as an OR-Tools assignment (None if there are none or OR-Tools rejects them); closes
    the model when there are."""
    if not initial:
        return None
    ix, manager, routing = model.index, model.manager, model.routing
    routing.CloseModelWithParameters(search)
    vehicle_of = {kv: v for v, kv in enumerate(ix.vehicles)}
    node_at = {i: n for n, i in enumerate(ix.candidates, start=ix.n_depots)}
    plan: list[list[int]] = [[] for _ in ix.vehicles]
    for k, j, seq in initial:
        if (k, j) in vehicle_of:
            plan[vehicle_of[(k, j)]] = [manager.NodeToIndex(node_at[i]) for i in seq if i in node_at]
    return routing.ReadAssignmentFromRoutes(plan, True)


def _decode(
    model: _Model, assignment: Any
) -> tuple[list[tuple[int, int, list[int]]], list[int], dict[int, tuple[float, tuple[tuple[float, float], ...]]]]:
    """The assignment as (type index, vehicle number, stop positions) per used vehicle, the candidates left out,
    and per route whose driver takes breaks its start time and the breaks' (start, end) in seconds."""
    problem, ix, manager, routing = model.problem, model.index, model.manager, model.routing
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
                begin = element.StartValue() / model.time_scale - model.offset
                taken.setdefault(v, []).append((begin, begin + element.DurationValue() / model.time_scale))
    for v in range(len(ix.vehicles)):
        seq = []
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            seq.append(ix.stop_at(manager.IndexToNode(index)))
            index = assignment.Value(routing.NextVar(index))
        if seq:
            k, j = ix.vehicles[v]
            if problem.vehicle_types[k].breaks:
                start = assignment.Value(routing.GetDimensionOrDie("time").CumulVar(routing.Start(v)))
                breaks[len(routes)] = (start / model.time_scale - model.offset, tuple(sorted(taken.get(v, []))))
            routes.append((k, j, seq))
            served.update(seq)
    return routes, [i for i in ix.candidates if i not in served], breaks
