"""PyVRP backend. Every constraint of `RoutingProblem` maps onto PyVRP: multi-dimensional capacities with
deliveries and pickups, pickup-and-delivery pairs (shipments), windows, service times, several depots, vehicle
types with fixed, per-distance and per-duration costs, shifts, maximum durations and distances, skills (a
routing profile per skill set), speeds per type (profiles too), several trips per vehicle (reload depots, the
loading time as the depots' service time), optional stops (as prizes). PyVRP works on integers, so
distances, times and costs are scaled as in the OR-Tools backend.

The adapter runs in named stages: `_IndexMap` numbers the problem as PyVRP does, `_build` turns the problem into
PyVRP's integers (`_Model`), `_Model.data` and `_Model.warm_start` make the input of one search, `_search` runs
it, and `_decode` maps PyVRP's best solution back onto the problem's stops and vehicles."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from logistics.core.control import has_stop_flag, report_progress, stop_requested
from logistics.optimize.routing.backend import BackendSolution, Initial
from logistics.optimize.routing.problem import InvalidProblemError, RoutingProblem
from logistics.optimize.routing.result import SolveParams
from logistics.optimize.routing.timing import reload_marker

INT_MAX = np.iinfo(np.int64).max


def solve_with_pyvrp(
    problem: RoutingProblem,
    candidates: list[int],
    params: SolveParams,
    initial: Initial = None,
) -> BackendSolution:
    """Solve `problem` over the stops `candidates` with PyVRP's iterated local search, from the `initial`
    routes if given (a warm start)."""
    import pyvrp

    if problem.has_breaks:
        raise InvalidProblemError(
            "params.backend",
            "the pyvrp backend cannot plan drivers' breaks (vehicle_types[].breaks): use ortools or auto",
        )
    started = time.perf_counter()
    model = _build(pyvrp, problem, candidates)
    build_s = time.perf_counter() - started
    # The time limit is wall-clock from `started`: the search, and a fallback search if the first finds no
    # feasible plan, fit in what is left after building.
    budget = params.time_limit_s - build_s
    result, warm_used = _search(model, params, False, budget - min(0.5, 0.1 * budget), initial)
    fallback = False
    if not result.best.is_feasible():
        # Some required stops cannot all be served together: let PyVRP skip some, at a very high price.
        fallback = True
        result, warm_used = _search(model, params, True, params.time_limit_s - (time.perf_counter() - started), initial)
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
    routes, dropped = _decode(model.index, best)
    return BackendSolution(routes, dropped, True, False, stats)


@dataclass(frozen=True)
class _IndexMap:
    """PyVRP's numbering of the problem: depots first (in `problem.depots` order), then the candidate stops; the
    stops outside any pickup-and-delivery pair become PyVRP clients (`single`), the pairs shipments (`paired`,
    positions in `stops`); only vehicle types with vehicles are passed (`type_of`: PyVRP's type -> ours)."""

    problem: RoutingProblem
    candidates: list[int]
    depot_ids: list[str]
    stops: list[Any]
    single: list[int]
    paired: list[tuple[int, int]]
    type_of: list[int]
    node_locations: np.ndarray
    """The problem's location index of each PyVRP node."""

    @classmethod
    def of(cls, problem: RoutingProblem, candidates: list[int]) -> _IndexMap:
        """The numbering of `problem` restricted to `candidates`."""
        stops = [problem.stops[i] for i in candidates]
        index_of = {s.id: n for n, s in enumerate(stops)}
        paired = [(index_of[pr.pickup], index_of[pr.delivery]) for pr in problem.pairs if pr.pickup in index_of]
        in_pair = {n for pair in paired for n in pair}
        return cls(
            problem=problem,
            candidates=list(candidates),
            depot_ids=list(problem.depots),
            stops=stops,
            single=[n for n in range(len(stops)) if n not in in_pair],
            paired=paired,
            type_of=[i for i, t in enumerate(problem.vehicle_types) if t.count > 0],
            node_locations=np.asarray(
                [problem.location_index(d) for d in problem.depots]
                + [problem.location_index(s.location) for s in stops]
            ),
        )


@dataclass
class _Model:
    """The problem in PyVRP's integers: scaled matrices per routing profile, depots, vehicle types, and the
    scales and rules that turn a stop into a client or shipment (`clients`, `shipments`)."""

    pyvrp: Any
    index: _IndexMap
    cost_mode: bool
    dist_scale: float
    time_scale: float
    cost_scale: float
    earliest: float
    cargo_scales: list[int]
    dist: np.ndarray
    locations: list[Any]
    depots: list[Any]
    distance_matrices: list[np.ndarray] = field(default_factory=list)
    duration_matrices: list[np.ndarray] = field(default_factory=list)
    vehicle_types: list[Any] = field(default_factory=list)
    skills_used: bool = False
    forbid: int = 0
    big: int = 0
    profiles: dict[tuple[tuple[str, ...], float | None], int] = field(default_factory=dict)
    """The routing profile of each (skills, speed) of the fleet's types."""

    def clock(self, seconds: float, up: bool) -> int:
        """A time of day in PyVRP's units from the earliest time in the problem, rounded up or down."""
        if not math.isfinite(seconds):
            return INT_MAX
        v = (seconds - self.earliest) * self.time_scale
        return int(math.ceil(v - 1e-6) if up else math.floor(v + 1e-6))

    def duration(self, seconds: float) -> int:
        """A duration in PyVRP's units, rounded up."""
        return math.ceil(seconds * self.time_scale - 1e-6)

    def amounts(self, values: tuple[float, ...]) -> list[int]:
        """Quantities per dimension in PyVRP's integers (rounded up: never under-reported)."""
        return [math.ceil(values[d] * self.cargo_scales[d] - 1e-9) for d in range(len(self.cargo_scales))]

    def window(self, stop: Any) -> tuple[int, int]:
        """A stop's window in PyVRP's units (open: from the earliest time on)."""
        a, b = stop.window_s if stop.window_s is not None else (self.earliest, math.inf)
        return min(self.clock(a, True), self.clock(b, False)), self.clock(b, False)

    def prize_of(self, required: bool, penalty: float, optional_all: bool) -> tuple[int, bool]:
        """(prize, required) of a stop: a required stop made optional carries a prize above any plan's cost."""
        unit = self.cost_scale if self.cost_mode else self.dist_scale
        if required and not optional_all:
            return 0, True
        return (self.big if required else round(penalty * unit)), False

    def clients(self, optional_all: bool) -> list[Any]:
        """The single stops as PyVRP clients."""
        pyvrp, ix, out = self.pyvrp, self.index, []
        for n in ix.single:
            s = ix.stops[n]
            prize, required = self.prize_of(s.required, s.penalty, optional_all)
            early, late = self.window(s)
            out.append(
                pyvrp.Client(
                    len(ix.depot_ids) + n,
                    delivery=self.amounts(ix.problem.demand(s)),
                    pickup=self.amounts(ix.problem.pickup(s)),
                    service_duration=self.duration(s.service_s),
                    tw_early=early,
                    tw_late=late,
                    prize=prize,
                    required=required,
                    name=s.id,
                )
            )
        return out

    def shipments(self, optional_all: bool) -> list[Any]:
        """The pickup-and-delivery pairs as PyVRP shipments."""
        pyvrp, ix, out = self.pyvrp, self.index, []
        for first, then in ix.paired:
            p, d = ix.stops[first], ix.stops[then]
            prize, required = self.prize_of(p.required, p.penalty + d.penalty, optional_all)
            (p_early, p_late), (d_early, d_late) = self.window(p), self.window(d)
            out.append(
                pyvrp.Shipment(
                    len(ix.depot_ids) + first,
                    len(ix.depot_ids) + then,
                    pickup_tw_early=p_early,
                    pickup_tw_late=p_late,
                    pickup_service_duration=self.duration(p.service_s),
                    delivery_tw_early=d_early,
                    delivery_tw_late=d_late,
                    delivery_service_duration=self.duration(d.service_s),
                    amount=self.amounts(ix.problem.pickup(p)),
                    prize=prize,
                    required=required,
                    name=f"{p.id}->{d.id}",
                )
            )
        return out

    def data(self, optional_all: bool) -> Any:
        """PyVRP's problem data (every required stop optional at a very high prize if `optional_all`)."""
        return self.pyvrp.ProblemData(
            self.locations,
            self.clients(optional_all),
            self.depots,
            self.vehicle_types,
            self.distance_matrices,
            self.duration_matrices,
            shipments=self.shipments(optional_all),
        )

    def solve_params(self, optional_all: bool) -> Any:
        """PyVRP's parameters: the penalty per unit of excess load (or time warp) must be able to outweigh any
        detour (PyVRP's default ceiling, 1e5, is below one arc of a city-scale problem in centimetres, and the
        search then settles on an overloaded plan and reports it infeasible) and the prize of any optional stop
        (else carrying one more over capacity pays)."""
        dist, durations = self.dist, self.duration_matrices
        worst_arc = max(
            [
                (vt.unit_distance_cost * int(dist.max()) if dist.size else 0)
                + (vt.unit_duration_cost * max(int(m.max()) for m in durations) if dist.size else 0)
                for vt in self.vehicle_types
            ]
            or [0]
        )
        stops = self.index.stops
        worst_prize = max([self.prize_of(s.required, s.penalty, optional_all)[0] for s in stops] or [0])
        ceiling = max(100_000.0, 2.0 * worst_arc, 2.0 * worst_prize)
        if self.skills_used:  # forbidden arcs are very long: keep excess distance x penalty inside 64-bit integers
            ceiling = min(ceiling, max(100_000.0, 2.0**61 / max(1, self.forbid * (len(self.locations) + 2))))
        return self.pyvrp.SolveParams(penalty=self.pyvrp.PenaltyParams(max_penalty=ceiling))

    def warm_start(self, data: Any, initial: Initial) -> Any:
        """The `initial` routes as a PyVRP solution (None if there are none or PyVRP rejects them)."""
        if not initial:
            return None
        pyvrp, ix = self.pyvrp, self.index
        position = {i: n for n, i in enumerate(ix.candidates)}
        single_at = {n: c for c, n in enumerate(ix.single)}
        pair_at = {
            n: (e, kind)
            for e, pair in enumerate(ix.paired)
            for n, kind in zip(pair, ("PICKUP", "DELIVERY"), strict=True)
        }
        type_at = {k: x for x, k in enumerate(ix.type_of)}
        kind = pyvrp.ActivityType
        routes = []
        used: dict[int, int] = {}
        for k, _, seq in initial:
            if k not in type_at or used.get(k, 0) >= ix.problem.vehicle_types[k].count:
                continue
            activities = []
            for i in seq:
                if i < 0:
                    activities.append(pyvrp.Activity(kind.DEPOT, ix.depot_ids.index(ix.problem.depots[-i - 1])))
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


def _build(pyvrp: Any, problem: RoutingProblem, candidates: list[int]) -> _Model:
    """`problem` over `candidates` in PyVRP's integers: distances and times scaled to integers (centimetres and
    centiseconds, or unscaled with costs x 1e5 under a cost objective), cargo scaled where not whole."""
    ix = _IndexMap.of(problem, candidates)
    cost_mode = problem.objective == "cost"
    dist_scale = 1.0 if cost_mode else 100.0
    idx = ix.node_locations
    earliest = min(
        [0.0, *(t.shift_start_s for t in problem.vehicle_types), *(s.window_s[0] for s in ix.stops if s.window_s)]
    )
    cargo_scales = []
    for d in range(len(problem.dimensions)):
        values = np.array(
            [problem.demand(s)[d] for s in ix.stops]
            + [t.capacity[d] for t in problem.vehicle_types if math.isfinite(t.capacity[d])]
        )
        cargo_scales.append(1 if np.allclose(values, np.round(values)) else 1000)
    dist = np.round(problem.distances[np.ix_(idx, idx)] * dist_scale).astype(np.int64)
    model = _Model(
        pyvrp=pyvrp,
        index=ix,
        cost_mode=cost_mode,
        dist_scale=dist_scale,
        time_scale=1.0 if cost_mode else 100.0,
        cost_scale=100_000.0 if cost_mode else 1.0,
        earliest=earliest,
        cargo_scales=cargo_scales,
        dist=dist,
        locations=[pyvrp.Location(float(i), 0.0) for i in range(len(idx))],
        depots=[],
    )
    load_time = model.duration(problem.depot_load_s)  # before each trip (PyVRP: depot service)
    model.depots = [pyvrp.Depot(n, service_duration=load_time) for n in range(len(ix.depot_ids))]
    _add_profiles(model)
    _add_vehicle_types(model)
    return model


def _add_profiles(model: _Model) -> None:
    """One routing profile per (skills, speed) of the fleet's types. Skills: every arc into a stop needing a skill
    the type lacks is longer than any route may be (the vehicle types' maximum distance), so that a plan using
    one is infeasible, whatever the costs. Speed: the type's own travel times. Times under a traffic profile:
    each leg at the slowest hour it can leave in (as OR-Tools plans, `RoutingProblem.departure_factors`), so
    that every arrival timed with the profile is no later than planned."""
    ix, dist = model.index, model.dist
    problem, idx = ix.problem, ix.node_locations
    factors = problem.departure_factors()[idx][:, None]
    dur = np.ceil(problem.durations[np.ix_(idx, idx)] * factors * model.time_scale - 1e-6).astype(np.int64)
    model.skills_used = any(s.skills for s in ix.stops)
    model.forbid = int(dist.max() if dist.size else 1) * (len(idx) + 2) + 1
    profiles = model.profiles
    for t in problem.vehicle_types:
        key = _profile_key(model, t)
        if not t.count or key in profiles:
            continue
        profiles[key] = len(profiles)
        matrix = dist
        if model.skills_used:
            lacking = [len(ix.depot_ids) + n for n, s in enumerate(ix.stops) if not set(s.skills) <= set(key[0])]
            matrix = dist.copy()
            matrix[:, lacking] = model.forbid
            np.fill_diagonal(matrix, 0)
        model.distance_matrices.append(matrix)
        own = dur if t.speed_m_per_s is None else problem.durations_for(t)[np.ix_(idx, idx)]
        model.duration_matrices.append(own if own is dur else np.ceil(own * model.time_scale - 1e-6).astype(np.int64))


def _profile_key(model: _Model, vehicle_type: Any) -> tuple[tuple[str, ...], float | None]:
    """What sets a vehicle type's routing profile apart: its skills (where stops need any) and its speed."""
    return (tuple(sorted(vehicle_type.skills)) if model.skills_used else (), vehicle_type.speed_m_per_s)


def _add_vehicle_types(model: _Model) -> None:
    """The fleet's types with vehicles as PyVRP vehicle types (under `minimise_vehicles`, each vehicle is priced
    above any distance it could save; `big`, a required stop's prize when all are made optional, above that)."""
    pyvrp, ix, dist = model.pyvrp, model.index, model.dist
    problem = ix.problem
    max_arc = int(dist.max()) if dist.size else 1
    vehicle_price = (len(ix.stops) + 2) * max(1, max_arc) * 10 if problem.minimise_vehicles else 0
    model.big = (len(ix.stops) + 2) * max(1, max_arc) * 100 + vehicle_price * sum(
        t.count for t in problem.vehicle_types
    )
    cost_mode, scale = model.cost_mode, model.cost_scale
    for t in problem.vehicle_types:
        if t.count == 0:
            continue
        caps = [
            math.floor(t.capacity[d] * model.cargo_scales[d] + 1e-9) if math.isfinite(t.capacity[d]) else INT_MAX // 4
            for d in range(len(model.cargo_scales))
        ]
        max_distance = (
            INT_MAX if not math.isfinite(t.max_distance_m) else math.floor(t.max_distance_m * model.dist_scale + 1e-6)
        )
        if model.skills_used:
            max_distance = min(max_distance, model.forbid - 1)
        model.vehicle_types.append(
            pyvrp.VehicleType(
                num_available=t.count,
                capacity=caps,
                start_depot=ix.depot_ids.index(t.start_depot),
                end_depot=ix.depot_ids.index(t.end),
                fixed_cost=(round(t.fixed_cost * scale) if cost_mode else 0) + vehicle_price,
                tw_early=model.clock(t.shift_start_s, True),
                tw_late=model.clock(t.shift_end_s, False),
                shift_duration=INT_MAX
                if not math.isfinite(t.max_duration_s)
                else math.floor(t.max_duration_s * model.time_scale + 1e-6),
                unit_distance_cost=round(t.cost_per_km / 1000.0 / model.dist_scale * scale) if cost_mode else 1,
                unit_duration_cost=round(t.cost_per_h / 3600.0 / model.time_scale * scale) if cost_mode else 0,
                max_distance=max_distance,
                reload_depots=[ix.depot_ids.index(d) for d in t.reload_depots],
                max_reloads=(2**64 - 1 if t.max_reloads is None else t.max_reloads) if t.reload_depots else 0,
                profile=model.profiles[_profile_key(model, t)],
                name=t.id,
            )
        )


def _search(model: _Model, params: SolveParams, optional_all: bool, seconds: float, initial: Initial) -> Any:
    """One PyVRP search of at most `seconds` wall-clock (building the data included), from `initial` if PyVRP
    accepts it: (PyVRP's result, "none" / "used" / "rejected" for the warm start)."""
    from pyvrp.stop import MaxIterations, MultipleCriteria, NoImprovement, StoppingCriterion

    pyvrp = model.pyvrp
    deadline = _Deadline(time.perf_counter() + max(0.05, seconds))  # the data and first population count too
    data = model.data(optional_all)
    # A search that stops improving ends early (a 2-stop problem does not sit out its time limit): this many
    # iterations without a better solution, more than a large instance runs in its limit.
    criteria: list[StoppingCriterion] = [deadline, NoImprovement(1_000 + 100 * len(model.index.stops))]
    if has_stop_flag():  # a service job: stop when cancelled (the best plan stands) and report the best cost
        criteria.append(_Controlled(model.cost_scale if model.cost_mode else model.dist_scale))
    if params.solution_limit is not None:
        criteria.append(MaxIterations(params.solution_limit * 100))
    start = model.warm_start(data, initial)
    warm_used = "none" if not initial else ("used" if start is not None else "rejected")
    result = pyvrp.solve(
        data,
        MultipleCriteria(criteria),
        seed=params.seed,
        collect_stats=False,
        display=params.log,
        params=model.solve_params(optional_all),
        initial_solution=start,
    )
    return result, warm_used


def _decode(ix: _IndexMap, best: Any) -> tuple[list[tuple[int, int, list[int]]], list[int]]:
    """PyVRP's solution as (type index, vehicle number, stop positions and reload markers) per used vehicle, and
    the candidates it left out."""
    routes = []
    used: dict[int, int] = {}
    served: set[int] = set()
    for route in best.routes():
        type_index = ix.type_of[route.vehicle_type()]
        seq = []
        activities = list(route)
        for position, a in enumerate(activities):
            if a.is_depot():
                if 0 < position < len(activities) - 1:  # a reload between two trips
                    seq.append(reload_marker(ix.problem.depots.index(ix.depot_ids[a.idx])))
            elif a.is_client():
                seq.append(ix.candidates[ix.single[a.idx]])
            elif a.is_pickup():
                seq.append(ix.candidates[ix.paired[a.idx][0]])
            elif a.is_delivery():
                seq.append(ix.candidates[ix.paired[a.idx][1]])
        while seq and seq[-1] < 0:  # an empty last trip
            seq.pop()
        if seq:
            routes.append((type_index, used.get(type_index, 0), seq))
            used[type_index] = used.get(type_index, 0) + 1
            served.update(seq)
    return routes, [i for i in ix.candidates if i not in served]


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
