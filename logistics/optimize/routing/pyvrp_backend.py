"""PyVRP backend. Every constraint of `RoutingProblem` maps onto PyVRP: multi-dimensional capacities with
deliveries and pickups, pickup-and-delivery pairs (shipments), windows, service times, several depots, vehicle
types with fixed, per-distance and per-duration costs, shifts, maximum durations and distances, skills (a
routing profile per skill set), speeds per type (profiles too), several trips per vehicle (reload depots, the
loading time as the depots' service time), optional stops (as prizes). PyVRP works on integers, so
distances, times and costs are scaled as in the OR-Tools backend."""

from __future__ import annotations

import math
import time

import numpy as np

from logistics.core.control import has_stop_flag, report_progress, stop_requested
from logistics.optimize.routing.backend import BackendSolution
from logistics.optimize.routing.problem import InvalidProblemError, RoutingProblem
from logistics.optimize.routing.result import SolveParams
from logistics.optimize.routing.timing import reload_marker

INT_MAX = np.iinfo(np.int64).max


def _require_pyvrp():
    try:
        import pyvrp
    except ImportError:
        raise InvalidProblemError(
            "params.backend",
            "the pyvrp backend needs PyVRP: pip install 'logistics[pyvrp]' (or pip install pyvrp)",
        ) from None
    return pyvrp


def solve_with_pyvrp(
    problem: RoutingProblem,
    candidates: list[int],
    params: SolveParams,
    initial: list[tuple[int, int, list[int]]] | None = None,
) -> BackendSolution:
    """Solve `problem` over the stops `candidates` with PyVRP's iterated local search, from the `initial`
    routes if given (a warm start)."""
    pyvrp = _require_pyvrp()
    if problem.has_breaks:
        raise InvalidProblemError(
            "params.backend",
            "the pyvrp backend cannot plan drivers' breaks (vehicle_types[].breaks): use ortools or auto",
        )
    from pyvrp.stop import MaxIterations, MultipleCriteria, NoImprovement, StoppingCriterion

    started = time.perf_counter()
    cost_mode = problem.objective == "cost"
    dist_scale = 1.0 if cost_mode else 100.0
    time_scale = 1.0 if cost_mode else 100.0
    cost_scale = 100_000.0 if cost_mode else 1.0
    depot_ids = list(problem.depots)
    stops = [problem.stops[i] for i in candidates]
    node_loc = [problem.location_index(d) for d in depot_ids] + [problem.location_index(s.location) for s in stops]
    idx = np.asarray(node_loc)
    dist = np.round(problem.distances[np.ix_(idx, idx)] * dist_scale).astype(np.int64)
    # the planning times: under a traffic profile, each leg at the slowest hour it can leave in (as OR-Tools
    # plans, `RoutingProblem.departure_factors`), so that every arrival timed with the profile is no later
    # than planned
    factors = problem.departure_factors()[idx][:, None]
    dur = np.ceil(problem.durations[np.ix_(idx, idx)] * factors * time_scale - 1e-6).astype(np.int64)
    earliest = min(
        [
            0.0,
            *(t.shift_start_s for t in problem.vehicle_types),
            *(s.window_s[0] for s in stops if s.window_s),
        ]
    )

    def clock(seconds: float, up: bool) -> int:
        if not math.isfinite(seconds):
            return INT_MAX
        v = (seconds - earliest) * time_scale
        return int(math.ceil(v - 1e-6) if up else math.floor(v + 1e-6))

    k = len(problem.dimensions)
    scales = []
    for d in range(k):
        values = np.array(
            [problem.demand(s)[d] for s in stops]
            + [t.capacity[d] for t in problem.vehicle_types if math.isfinite(t.capacity[d])]
        )
        scales.append(1 if np.allclose(values, np.round(values)) else 1000)
    locations = [pyvrp.Location(float(i), 0.0) for i in range(len(node_loc))]
    load_time = math.ceil(problem.depot_load_s * time_scale - 1e-6)  # before each trip (PyVRP: depot service)
    depots = [pyvrp.Depot(n, service_duration=load_time) for n in range(len(depot_ids))]
    max_arc = int(dist.max()) if dist.size else 1
    vehicle_price = (len(stops) + 2) * max(1, max_arc) * 10 if problem.minimise_vehicles else 0

    index_of = {s.id: n for n, s in enumerate(stops)}
    paired = [(index_of[pr.pickup], index_of[pr.delivery]) for pr in problem.pairs if pr.pickup in index_of]
    in_pair = {n for pair in paired for n in pair}
    single = [n for n in range(len(stops)) if n not in in_pair]
    big = (len(stops) + 2) * max(1, max_arc) * 100 + vehicle_price * sum(t.count for t in problem.vehicle_types)

    def amounts(values: tuple[float, ...]) -> list[int]:
        return [math.ceil(values[d] * scales[d] - 1e-9) for d in range(k)]

    def window(s) -> tuple[int, int]:
        a, b = s.window_s if s.window_s is not None else (earliest, math.inf)
        return min(clock(a, True), clock(b, False)), clock(b, False)

    def prize_of(required: bool, penalty: float, optional_all: bool) -> tuple[int, bool]:
        unit = cost_scale if cost_mode else dist_scale
        if required and not optional_all:
            return 0, True
        return (big if required else round(penalty * unit)), False

    def clients(optional_all: bool) -> list:
        out = []
        for n in single:
            s = stops[n]
            prize, required = prize_of(s.required, s.penalty, optional_all)
            early, late = window(s)
            out.append(
                pyvrp.Client(
                    len(depot_ids) + n,
                    delivery=amounts(problem.demand(s)),
                    pickup=amounts(problem.pickup(s)),
                    service_duration=math.ceil(s.service_s * time_scale - 1e-6),
                    tw_early=early,
                    tw_late=late,
                    prize=prize,
                    required=required,
                    name=s.id,
                )
            )
        return out

    def shipments(optional_all: bool) -> list:
        out = []
        for first, then in paired:
            p, d = stops[first], stops[then]
            prize, required = prize_of(p.required, p.penalty + d.penalty, optional_all)
            (p_early, p_late), (d_early, d_late) = window(p), window(d)
            out.append(
                pyvrp.Shipment(
                    len(depot_ids) + first,
                    len(depot_ids) + then,
                    pickup_tw_early=p_early,
                    pickup_tw_late=p_late,
                    pickup_service_duration=math.ceil(p.service_s * time_scale - 1e-6),
                    delivery_tw_early=d_early,
                    delivery_tw_late=d_late,
                    delivery_service_duration=math.ceil(d.service_s * time_scale - 1e-6),
                    amount=amounts(problem.pickup(p)),
                    prize=prize,
                    required=required,
                    name=f"{p.id}->{d.id}",
                )
            )
        return out

    # Profiles: one per (skills, speed) of the fleet's types. Skills: every arc into a stop needing a skill the
    # type lacks is longer than any route may be (the vehicle types' maximum distance), so that a plan using
    # one is infeasible, whatever the costs. Speed: the type's own travel times.
    skills_used = any(s.skills for s in stops)
    forbid = int(dist.max() if dist.size else 1) * (len(node_loc) + 2) + 1

    def profile_key(t) -> tuple[tuple[str, ...], float | None]:
        return (tuple(sorted(t.skills)) if skills_used else (), t.speed_m_per_s)

    profiles: dict[tuple[tuple[str, ...], float | None], int] = {}
    distance_matrices, duration_matrices = [], []
    for t in problem.vehicle_types:
        key = profile_key(t)
        if not t.count or key in profiles:
            continue
        profiles[key] = len(profiles)
        matrix = dist
        if skills_used:
            blocked = [len(depot_ids) + n for n, s in enumerate(stops) if not set(s.skills) <= set(key[0])]
            matrix = dist.copy()
            matrix[:, blocked] = forbid
            np.fill_diagonal(matrix, 0)
        distance_matrices.append(matrix)
        own = dur if t.speed_m_per_s is None else problem.durations_for(t)[np.ix_(idx, idx)]
        duration_matrices.append(own if own is dur else np.ceil(own * time_scale - 1e-6).astype(np.int64))

    vehicle_types = []
    for t in problem.vehicle_types:
        if t.count == 0:
            continue
        caps = [
            math.floor(t.capacity[d] * scales[d] + 1e-9) if math.isfinite(t.capacity[d]) else INT_MAX // 4
            for d in range(k)
        ]
        fixed = round(t.fixed_cost * cost_scale) if cost_mode else 0
        max_distance = (
            INT_MAX if not math.isfinite(t.max_distance_m) else math.floor(t.max_distance_m * dist_scale + 1e-6)
        )
        if skills_used:
            max_distance = min(max_distance, forbid - 1)
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=t.count,
                capacity=caps,
                start_depot=depot_ids.index(t.start_depot),
                end_depot=depot_ids.index(t.end),
                fixed_cost=fixed + vehicle_price,
                tw_early=clock(t.shift_start_s, True),
                tw_late=clock(t.shift_end_s, False),
                shift_duration=INT_MAX
                if not math.isfinite(t.max_duration_s)
                else math.floor(t.max_duration_s * time_scale + 1e-6),
                unit_distance_cost=round(t.cost_per_km / 1000.0 / dist_scale * cost_scale) if cost_mode else 1,
                unit_duration_cost=round(t.cost_per_h / 3600.0 / time_scale * cost_scale) if cost_mode else 0,
                max_distance=max_distance,
                reload_depots=[depot_ids.index(d) for d in t.reload_depots],
                max_reloads=(2**64 - 1 if t.max_reloads is None else t.max_reloads) if t.reload_depots else 0,
                profile=profiles[profile_key(t)],
                name=t.id,
            )
        )
    type_of = [i for i, t in enumerate(problem.vehicle_types) if t.count > 0]

    # The penalty per unit of excess load (or time warp) must be able to outweigh any detour: PyVRP's default
    # ceiling (1e5) is below one arc of a city-scale problem in centimetres, and the search then settles on an
    # overloaded plan and reports it infeasible.
    worst_arc = max(
        [
            (vt.unit_distance_cost * int(dist.max()) if dist.size else 0)
            + (vt.unit_duration_cost * max(int(m.max()) for m in duration_matrices) if dur.size else 0)
            for vt in vehicle_types
        ]
        or [0]
    )

    # ... and outweigh the prize of any optional stop (else carrying one more over capacity pays)
    def solve_params(optional_all: bool):
        worst_prize = max([prize_of(s.required, s.penalty, optional_all)[0] for s in stops] or [0])
        ceiling = max(100_000.0, 2.0 * worst_arc, 2.0 * worst_prize)
        if skills_used:  # forbidden arcs are very long: keep excess distance x penalty inside 64-bit integers
            ceiling = min(ceiling, max(100_000.0, 2.0**61 / max(1, forbid * (len(node_loc) + 2))))
        return pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=ceiling))

    # A search that stops improving ends early (a 2-stop problem does not sit out its time limit): this many
    # iterations without a better solution, more than a large instance runs in its limit.
    stalled = NoImprovement(1_000 + 100 * len(stops))

    def warm(data):
        """The initial routes as a PyVRP solution (None if there are none or PyVRP rejects them)."""
        if not initial:
            return None
        position = {i: n for n, i in enumerate(candidates)}
        single_at = {n: c for c, n in enumerate(single)}
        pair_at = {
            n: (e, kind) for e, pair in enumerate(paired) for n, kind in zip(pair, ("PICKUP", "DELIVERY"), strict=True)
        }
        type_at = {k: x for x, k in enumerate(type_of)}
        kind = pyvrp.ActivityType
        routes = []
        used: dict[int, int] = {}
        for k, _, seq in initial:
            if k not in type_at or used.get(k, 0) >= problem.vehicle_types[k].count:
                continue
            activities = []
            for i in seq:
                if i < 0:
                    activities.append(pyvrp.Activity(kind.DEPOT, depot_ids.index(problem.depots[-i - 1])))
                elif i in position and position[i] in single_at:
                    activities.append(pyvrp.Activity(kind.CLIENT, single_at[position[i]]))
                elif i in position:
                    e, step = pair_at[position[i]]
                    activities.append(pyvrp.Activity(getattr(kind, step), e))
            if activities:
                used[k] = used.get(k, 0) + 1
                routes.append(pyvrp.Route(data, activities, type_at[k]))
        try:
            return pyvrp.Solution(data, routes) if routes else None
        except (ValueError, IndexError, RuntimeError):
            return None

    warm_used = "none"

    def solve(optional_all: bool, seconds: float):
        nonlocal warm_used
        deadline = _Deadline(time.perf_counter() + max(0.05, seconds))  # the data and first population count too
        data = pyvrp.ProblemData(
            locations,
            clients(optional_all),
            depots,
            vehicle_types,
            distance_matrices,
            duration_matrices,
            shipments=shipments(optional_all),
        )
        criteria: list[StoppingCriterion] = [deadline, stalled]
        if has_stop_flag():  # a service job: stop when cancelled (the best plan stands) and report the best cost
            criteria.append(_Controlled(cost_scale if cost_mode else dist_scale))
        if params.solution_limit is not None:
            criteria.append(MaxIterations(params.solution_limit * 100))
        start = warm(data)
        if initial:
            warm_used = "used" if start is not None else "rejected"
        return pyvrp.solve(
            data, MultipleCriteria(criteria), seed=params.seed, collect_stats=False, display=params.log,
            params=solve_params(optional_all), initial_solution=start,
        )  # fmt: skip

    # The time limit is wall-clock from `started`: the search, and a fallback search if the first finds no
    # feasible plan, fit in what is left after building.
    budget = params.time_limit_s - (time.perf_counter() - started)
    build_s = time.perf_counter() - started
    result = solve(False, budget - min(0.5, 0.1 * budget))  # the rest is for a fallback search
    fallback = False
    if not result.best.is_feasible():
        # Some required stops cannot all be served together: let PyVRP skip some, at a very high price.
        fallback = True
        stalled = NoImprovement(1_000 + 100 * len(stops))
        result = solve(True, params.time_limit_s - (time.perf_counter() - started))
    best = result.best
    stats = {
        "build_s": build_s,
        "iterations": result.num_iterations,
        "search_s": result.runtime,
        "pyvrp_feasible": best.is_feasible(),
        "fallback_optional": fallback,
        "warm_start": warm_used,
    }
    if not best.is_feasible():
        return BackendSolution([], list(candidates), False, False, stats)
    routes = []
    used: dict[int, int] = {}
    served: set[int] = set()
    for route in best.routes():
        type_index = type_of[route.vehicle_type()]
        seq = []
        activities = list(route)
        for position, a in enumerate(activities):
            if a.is_depot():
                if 0 < position < len(activities) - 1:  # a reload between two trips
                    seq.append(reload_marker(problem.depots.index(depot_ids[a.idx])))
            elif a.is_client():
                seq.append(candidates[single[a.idx]])
            elif a.is_pickup():
                seq.append(candidates[paired[a.idx][0]])
            elif a.is_delivery():
                seq.append(candidates[paired[a.idx][1]])
        while seq and seq[-1] < 0:  # an empty last trip
            seq.pop()
        if seq:
            routes.append((type_index, used.get(type_index, 0), seq))
            used[type_index] = used.get(type_index, 0) + 1
            served.update(seq)
    dropped = [i for i in candidates if i not in served]
    return BackendSolution(routes, dropped, True, False, stats)


class _Deadline:
    """A PyVRP stopping criterion on the wall clock: stop once `at` (time.perf_counter) has passed. PyVRP's own
    MaxRuntime counts from its first call, after the problem data and the initial population are built (seconds
    at thousands of stops), so a search under it overran the limit by that much."""

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self, best_cost: float) -> bool:
        return time.perf_counter() > self.at


class _Controlled:
    """A PyVRP stopping criterion for a service job: reports the best cost so far (at most every 0.2 s, in
    objective units: the solver's integers divided by `unit`) and stops the search once a stop is requested."""

    def __init__(self, unit: float) -> None:
        self.unit = unit
        self.last = 0.0

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if now - self.last >= 0.2 and math.isfinite(best_cost):
            self.last = now
            report_progress(best_objective=float(best_cost) / self.unit)
        return stop_requested()
