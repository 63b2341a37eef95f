"""`solve_design`: the network design as a mixed-integer programme (OR-Tools MathOpt with SCIP), by Lagrangian
relaxation for problems too large for it (`lagrangian.py`; `auto` chooses by the number of options), and the
heuristic baselines (single hub, greedy add, greedy drop) that evaluate fixed sets of open sites with the MIP.

Model. Binary y_s opens site s; binary x_o serves a (market, class) by option o (a mode, a site and, for 1210,
an inbound lane); each eligible (market, class) takes exactly one option; x_o <= y_s; a site's orders per day
<= its capacity x y_s; orders delivered within the promise >= the target share of eligible orders. Cost per
year: fixed costs + 365 x orders per day x cost per order + holding of the stock of each (bonded site, class,
lane) pool: cycle stock (linear in the pooled demand) and safety stock z sqrt(L V + D^2 sL^2), where V is the
pooled variance of daily demand and D the pooled mean.

Linearisation of the safety stock (stated in `DesignPlan.stats`): sqrt(L V + D^2 sL^2) <= sqrt(L V) + D sL (the
second term is linear); sqrt(L V) is concave in V and is replaced by its piecewise-linear interpolation on
`segments` pieces with breakpoints V_j = V_max (j/segments)^2 (the increments are filled in order by binary
variables). The interpolation is below the square root by at most sqrt(L V_max) / (4 segments); the first
step is above the exact value. The plan's `cost_cny` is always the exact cost, recomputed by
`evaluate_design`; `model_cost_cny`, `bound_cny` and `gap` are the model's.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import numpy as np

from logistics.optimize.common import InvalidProblemError, Status
from logistics.optimize.design.checker import Assignment, Stock, evaluate_design
from logistics.optimize.design.problem import DAYS_PER_YEAR, DesignProblem, Option

__all__ = ["DESIGN_METHODS", "DesignParams", "DesignPlan", "solve_design", "solve_emission_front", "solve_front"]

DESIGN_METHODS = ("auto", "mip", "lagrangian", "single_hub", "greedy_add", "greedy_drop")
AUTO_MIP_OPTIONS = 20_000
"""`auto` solves a problem with at most this many options (ways to serve a market and class) by the MIP, a
larger one by the Lagrangian relaxation (the MIP's model grows past what SCIP improves in minutes)."""


@dataclass(frozen=True)
class DesignParams:
    """How to solve: `method` ("auto": the MIP up to `AUTO_MIP_OPTIONS` options, the Lagrangian relaxation
    beyond; "mip"; "lagrangian"; or a heuristic baseline), the wall-clock limit, the relative gap at which the
    search may stop, and the pieces of the MIP's safety-stock linearisation."""

    method: str = "auto"
    time_limit_s: float = 60.0
    relative_gap: float = 1e-4
    segments: int = 8

    def __post_init__(self) -> None:
        if self.method not in DESIGN_METHODS:
            raise InvalidProblemError("params.method", f"unknown {self.method!r} (known: {', '.join(DESIGN_METHODS)})")
        if not self.time_limit_s > 0:
            raise InvalidProblemError("params.time_limit_s", f"must be > 0, got {self.time_limit_s}")
        if not 1 <= self.segments <= 64:
            raise InvalidProblemError("params.segments", f"must be 1 to 64, got {self.segments}")


@dataclass(frozen=True)
class DesignPlan:
    """A network design: the open sites, how each eligible (market, class) is served, the stock per pool, the
    exact yearly cost (`cost_cny`, by kind), the share of eligible orders within the promise; the model's own
    objective, best bound and proven gap (MIP); demand left out as ineligible (over the per-order limit) or
    unservable (no site can serve it)."""

    status: Status
    method: str
    open_sites: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    stock: tuple[Stock, ...]
    cost_cny: float
    fixed_cny: float
    flow_cny: float
    holding_cny: float
    service_share: float
    load_orders_per_day: dict[str, float]
    model_cost_cny: float
    bound_cny: float
    gap: float
    ineligible: tuple[tuple[str, str, float], ...]
    unservable: tuple[tuple[str, str, float], ...]
    runtime_s: float
    stats: dict[str, object] = field(default_factory=dict)
    co2e_t_per_year: float = math.nan  # emissions of the design (t CO2e a year), recomputed by the checker


def _left_out(problem: DesignProblem) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    table = problem.option_table
    pairs = np.unique(table.pair)
    served = {
        (problem.markets[m].id, problem.markets[m].demand[e].sku_class)
        for m, e in zip(table.pair_market[pairs].tolist(), table.pair_entry[pairs].tolist(), strict=True)
    }
    ineligible, unservable = [], []
    for m in problem.markets:
        for d in m.demand:
            if d.orders_per_day <= 0:
                continue
            if not problem.eligible(d.sku_class):
                ineligible.append((m.id, d.sku_class, d.orders_per_day))
            elif (m.id, d.sku_class) not in served:
                unservable.append((m.id, d.sku_class, d.orders_per_day))
    return ineligible, unservable


@dataclass
class _Solved:
    status: Status
    chosen: list[Option]
    objective: float
    bound: float
    from_start: bool = False  # the solver found no plan in its limit: the greedy starting plan, unproven


def _mip(problem: DesignProblem, params: DesignParams, limit_s: float, fixed: set[str] | None = None) -> _Solved:
    """Build and solve the model; with `fixed`, exactly those sites are open (the heuristics' evaluation)."""
    from ortools.math_opt.python import mathopt

    began = time.perf_counter()  # the limit covers building the model too
    model = mathopt.Model(name=f"design:{problem.name}")
    options = problem.options
    demand = {(m.id, d.sku_class): d for m in problem.markets for d in m.demand}
    y = {}
    for s in problem.sites:
        lb = None
        if fixed is not None:
            lb = 1.0 if s.id in fixed else 0.0
        var = model.add_binary_variable(name=f"open[{s.id}]")
        if lb is not None:
            model.add_linear_constraint(var == lb)
        y[s.id] = var
    x = [model.add_binary_variable(name=f"x[{o.market},{o.sku_class},{o.mode},{o.site},{o.lane}]") for o in options]
    # rows built coefficient by coefficient (MathOpt's expression path costs ~100 us a row: minutes at 100,000s)
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_site: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        by_pair[(o.market, o.sku_class)].append(i)
        by_site[o.site].append(i)
        row = model.add_linear_constraint(ub=0.0)  # x_o <= y_s
        row.set_coefficient(x[i], 1.0)
        row.set_coefficient(y[o.site], -1.0)
    for idx in by_pair.values():
        row = model.add_linear_constraint(lb=1.0, ub=1.0)  # one option per (market, class)
        for i in idx:
            row.set_coefficient(x[i], 1.0)
    for s in problem.sites:  # load <= capacity x y_s
        row = model.add_linear_constraint(ub=0.0)
        for i in by_site.get(s.id, []):
            o = options[i]
            row.set_coefficient(x[i], demand[(o.market, o.sku_class)].orders_per_day)
        row.set_coefficient(y[s.id], -s.capacity_orders_per_day)
    eligible = sum(
        d.orders_per_day
        for m in problem.markets
        for d in m.demand
        if d.orders_per_day > 0 and problem.eligible(d.sku_class)
    )
    reaching = [i for i, o in enumerate(options) if o.days <= problem.promise_days + 1e-9]
    if not reaching:  # no option reaches a market within the promise
        if problem.service_target * eligible > 0:
            return _Solved(Status.INFEASIBLE, [], math.inf, -math.inf)
    else:
        row = model.add_linear_constraint(lb=problem.service_target * eligible)
        for i in reaching:
            o = options[i]
            row.set_coefficient(x[i], demand[(o.market, o.sku_class)].orders_per_day)
    if problem.max_co2e_t_per_year is not None:  # the emissions cap (t CO2e a year)
        row = model.add_linear_constraint(ub=problem.max_co2e_t_per_year)
        for i, o in enumerate(options):
            per_year = o.co2e_kg_per_order * demand[(o.market, o.sku_class)].orders_per_day * DAYS_PER_YEAR
            row.set_coefficient(x[i], per_year / 1000.0)
    cost = mathopt.fast_sum(s.fixed_cny * y[s.id] for s in problem.sites)
    cost += mathopt.fast_sum(
        o.cny_per_order * demand[(o.market, o.sku_class)].orders_per_day * DAYS_PER_YEAR * x[i]
        for i, o in enumerate(options)
    )
    cost += _stock_cost(model, problem, params, x, demand)
    model.minimize(cost)
    return _solve_model(model, problem, params, limit_s, began, fixed, x, y)


def _stock_cost(model: Any, problem: DesignProblem, params: DesignParams, x: list[Any], demand: dict) -> Any:
    """The model's holding cost of the stock per (bonded site, class, lane): cycle + z (PWL sqrt(L V) + D sL),
    held at the rate of its value; sqrt(L V) by concave pieces with a binary per breakpoint."""
    from ortools.math_opt.python import mathopt

    options = problem.options
    z = problem.safety_z
    cost: Any = 0.0
    pools: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        if o.mode == "1210":
            pools[(o.site, o.sku_class, o.lane)].append(i)
    for (site, k, lane), idx in pools.items():
        per_unit = problem.holding_rate * problem.sku(k).order_value_cny
        first = options[idx[0]]
        lead, lead_sd = first.lead_days, first.lead_sd_days
        mean = mathopt.fast_sum(demand[(options[i].market, k)].orders_per_day * x[i] for i in idx)
        cost += per_unit * (problem.review_days / 2 + z * lead_sd) * mean
        v_max = sum(demand[(options[i].market, k)].sd_per_day ** 2 for i in idx)
        if v_max <= 0 or lead <= 0:
            continue
        n = params.segments
        breaks = [v_max * (j / n) ** 2 for j in range(n + 1)]
        pieces = []
        on = []
        for j in range(n):
            width = breaks[j + 1] - breaks[j]
            pieces.append(model.add_variable(lb=0.0, ub=width, name=f"v[{site},{k},{lane},{j}]"))
            slope = (math.sqrt(lead * breaks[j + 1]) - math.sqrt(lead * breaks[j])) / width
            cost += per_unit * z * slope * pieces[j]
            if j < n - 1:
                on.append(model.add_binary_variable(name=f"full[{site},{k},{lane},{j}]"))
        for j in range(n - 1):  # concave: piece j+1 is used only once piece j is full
            width = breaks[j + 1] - breaks[j]
            model.add_linear_constraint(pieces[j] >= width * on[j])
            model.add_linear_constraint(pieces[j + 1] <= (breaks[j + 2] - breaks[j + 1]) * on[j])
        row = model.add_linear_constraint(lb=0.0, ub=0.0)  # the pieces add up to the pool's variance
        for piece in pieces:
            row.set_coefficient(piece, 1.0)
        for i in idx:
            row.set_coefficient(x[i], -(demand[(options[i].market, k)].sd_per_day ** 2))
    return cost


def _solve_model(
    model: Any,
    problem: DesignProblem,
    params: DesignParams,
    limit_s: float,
    began: float,
    fixed: set[str] | None,
    x: list[Any],
    y: dict[str, Any],
) -> _Solved:
    """Solve the built model with SCIP from a starting plan (the greedy drop, or the fixed sites' greedy
    assignment) and read the chosen options back."""
    from ortools.math_opt.python import mathopt

    options = problem.options
    solve_params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=max(0.1, limit_s - (time.perf_counter() - began))),
        relative_gap_tolerance=params.relative_gap,
        threads=1,
    )
    hint = _greedy_start(problem, fixed) if fixed is not None else _drop_start(problem, 0.25 * limit_s, began)
    model_params = None
    if hint is not None:  # a plan to start from: SCIP completes it (the stock pieces) and improves on it
        values = {x[i]: 1.0 if i in hint else 0.0 for i in range(len(options))}
        used = {options[i].site for i in hint}
        values.update({var: 1.0 if site in used else 0.0 for site, var in y.items()})
        model_params = mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(variable_values=values)])
    # SCIP checks its clock only now and then (more than 100 s late in a large root node): it runs in a forked
    # child that is stopped a grace after its limit, and then the starting plan stands
    from logistics.core.process import Forked

    child = Forked(_run_scip, model, solve_params, model_params, x)
    grace = max(2.0, 0.05 * limit_s)
    try:
        answer = child.result(timeout_s=solve_params.time_limit.total_seconds() + grace)
    except (TimeoutError, RuntimeError):  # overran its limit, or the solver's process died
        answer = _Scip("none", (), math.inf, -math.inf)
    except Exception as exc:  # SCIP refusing the model (numbers it cannot handle): say so, naming the solver's words
        raise InvalidProblemError("design", f"the solver refused the model: {exc}") from None
    if answer.reason == "infeasible":
        return _Solved(Status.INFEASIBLE, [], math.inf, -math.inf)
    if answer.reason == "none":
        if hint is not None:  # out of time with no plan of its own: the feasible starting plan stands, unproven
            return _Solved(Status.FEASIBLE, [options[i] for i in sorted(hint)], math.nan, -math.inf, from_start=True)
        return _Solved(Status.TIME_LIMIT, [], math.inf, -math.inf)
    status = Status.OPTIMAL if answer.reason == "optimal" else Status.FEASIBLE
    return _Solved(status, [options[i] for i in answer.chosen], answer.objective, answer.bound)


@dataclass(frozen=True)
class _Scip:
    """What a SCIP solve answered, as plain data (it comes back from a forked child): "optimal", "feasible",
    "infeasible" or "none" (no plan), the chosen options' positions, the objective and the dual bound."""

    reason: str
    chosen: tuple[int, ...]
    objective: float
    bound: float


def _run_scip(model: Any, solve_params: Any, model_params: Any, x: list[Any]) -> _Scip:
    """Solve the model with SCIP and read the answer back as plain data."""
    from ortools.math_opt.python import mathopt

    result = mathopt.solve(model, mathopt.SolverType.GSCIP, params=solve_params, model_params=model_params)
    reason = result.termination.reason
    if (
        reason not in (mathopt.TerminationReason.OPTIMAL, mathopt.TerminationReason.FEASIBLE)
        or not result.has_primal_feasible_solution()
    ):
        return _Scip(
            "infeasible" if reason == mathopt.TerminationReason.INFEASIBLE else "none", (), math.inf, -math.inf
        )
    values = result.variable_values()
    chosen = tuple(i for i, var in enumerate(x) if values[var] > 0.5)
    optimal = reason == mathopt.TerminationReason.OPTIMAL
    bound = result.termination.objective_bounds.dual_bound
    return _Scip("optimal" if optimal else "feasible", chosen, result.objective_value(), bound)


def _greedy_start(problem: DesignProblem, fixed: set[str] | None) -> set[int] | None:
    """A feasible plan to start the search from, if a greedy finds one: the largest demands first, each to its
    cheapest option (within the promise first) at a site with room left (only `fixed` sites when given); None
    when it leaves something out or misses the service target."""
    demand = {(m.id, d.sku_class): d.orders_per_day for m in problem.markets for d in m.demand}
    room = {s.id: s.capacity_orders_per_day for s in problem.sites if fixed is None or s.id in fixed}
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, o in enumerate(problem.options):
        if o.site in room:
            by_pair[(o.market, o.sku_class)].append(i)
    chosen: set[int] = set()
    within = 0.0
    pairs = {(o.market, o.sku_class) for o in problem.options}
    for pair in sorted(pairs, key=lambda p: -demand[p]):
        ranked = sorted(
            by_pair.get(pair, []),
            key=lambda i: (problem.options[i].days > problem.promise_days, problem.options[i].cny_per_order),
        )
        pick = next((i for i in ranked if room[problem.options[i].site] >= demand[pair]), None)
        if pick is None:
            return None
        chosen.add(pick)
        room[problem.options[pick].site] -= demand[pair]
        within += demand[pair] if problem.options[pick].days <= problem.promise_days + 1e-9 else 0.0
    eligible = sum(demand[p] for p in pairs)
    return chosen if within >= problem.service_target * eligible else None


def _drop_start(problem: DesignProblem, budget_s: float, began: float) -> set[int] | None:
    """A better plan to start the search from than every site's greedy: from every site open, close the site
    whose closing lowers the approximate cost most (fixed costs + the greedy assignment's costs per order; stock
    left out) while one does and `budget_s` (since `began`) lasts. The greedy assignment of the best set found;
    None when the greedy finds no plan even with every site open."""
    fixed_cost = {s.id: s.fixed_cny for s in problem.sites}
    demand = {(m.id, d.sku_class): d.orders_per_day for m in problem.markets for d in m.demand}

    def approx(sites: set[str]) -> tuple[float, set[int] | None]:
        chosen = _greedy_start(problem, sites)
        if chosen is None:
            return math.inf, None
        used = {problem.options[i].site for i in chosen}
        flows = sum(
            problem.options[i].cny_per_order
            * demand[(problem.options[i].market, problem.options[i].sku_class)]
            * DAYS_PER_YEAR
            for i in chosen
        )
        return sum(fixed_cost[x] for x in used) + flows, chosen

    current = {s.id for s in problem.sites}
    best, plan = approx(current)
    if plan is None:
        return None
    current = {problem.options[i].site for i in plan}  # a site the greedy leaves empty is closed already
    while len(current) > 1 and time.perf_counter() - began < budget_s:
        trials = []
        for site in sorted(current):
            if time.perf_counter() - began >= budget_s:
                break
            cost, chosen = approx(current - {site})
            trials.append((cost, site, chosen))
        if not trials:
            break
        cost, site, chosen = min(trials, key=lambda t: t[0])
        if chosen is None or cost >= best:
            break
        best, plan = cost, chosen
        current = {problem.options[i].site for i in chosen}
    return plan


def _plan(problem: DesignProblem, method: str, solved: _Solved, started: float, stats: dict[str, object]) -> DesignPlan:
    ineligible, unservable = _left_out(problem)
    open_sites = {o.site for o in solved.chosen}  # a site that serves nothing is not opened
    assignments = tuple(Assignment(o.market, o.sku_class, o.mode, o.site, o.lane) for o in solved.chosen)
    ev = evaluate_design(problem, open_sites, assignments)
    gap = (
        max(0.0, (solved.objective - solved.bound) / abs(solved.objective))
        if math.isfinite(solved.objective) and math.isfinite(solved.bound) and solved.objective
        else math.inf
    )
    return DesignPlan(
        status=solved.status,
        method=method,
        open_sites=tuple(sorted(open_sites)),
        assignments=assignments,
        stock=ev.stock,
        cost_cny=ev.total_cny if solved.status in (Status.OPTIMAL, Status.FEASIBLE) else math.inf,
        fixed_cny=ev.fixed_cny,
        flow_cny=ev.flow_cny,
        holding_cny=ev.holding_cny,
        service_share=ev.service_share,
        load_orders_per_day=ev.load_orders_per_day,
        model_cost_cny=solved.objective,
        bound_cny=solved.bound,
        gap=gap,
        ineligible=tuple(ineligible),
        unservable=tuple(unservable),
        runtime_s=time.perf_counter() - started,
        stats=stats,
        co2e_t_per_year=ev.co2e_t_per_year if solved.status in (Status.OPTIMAL, Status.FEASIBLE) else math.nan,
    )


def _heuristic(problem: DesignProblem, params: DesignParams, started: float) -> DesignPlan:
    """Sets of open sites chosen by a rule, each evaluated by the model with those sites fixed; the cheapest
    exact cost wins. single_hub: one bonded site (and every overseas site); greedy_add: from every overseas
    site, add the bonded site that lowers the cost most while one does (while none is feasible yet, the
    largest); greedy_drop: from every site, close the one whose closing lowers the cost most while one does."""
    deadline = started + params.time_limit_s
    evaluated: dict[frozenset[str], tuple[float, _Solved]] = {}

    def cost_of(sites: set[str]) -> float:
        key = frozenset(sites)
        if key not in evaluated:
            left = deadline - time.perf_counter()
            if left <= 0:
                return math.inf
            solved = _mip(problem, params, left, fixed=set(sites))
            if solved.status not in (Status.OPTIMAL, Status.FEASIBLE):
                evaluated[key] = (math.inf, solved)
            else:
                assignments = tuple(Assignment(o.market, o.sku_class, o.mode, o.site, o.lane) for o in solved.chosen)
                exact = evaluate_design(problem, {o.site for o in solved.chosen}, assignments).total_cny
                evaluated[key] = (exact, solved)
        return evaluated[key][0]

    bonded = [s.id for s in problem.sites if s.kind == "bonded"]
    overseas = {s.id for s in problem.sites if s.kind == "overseas"}
    if params.method == "single_hub":
        for b in bonded:
            cost_of(overseas | {b})
        if not bonded:
            cost_of(overseas)
    elif params.method == "greedy_add":
        current = set(overseas)
        best = cost_of(current)
        capacity = {s.id: s.capacity_orders_per_day for s in problem.sites}
        while True:
            grow = [(cost_of(current | {b}), -capacity[b], b) for b in bonded if b not in current]
            if not grow:
                break
            cost, _, add = min(grow)
            if math.isfinite(best) and cost >= best:
                break
            best = cost  # while no set so far is feasible, add the site that most lowers the cost, else the largest
            current.add(add)
    else:  # greedy_drop
        current = {s.id for s in problem.sites}
        best = cost_of(current)
        while len(current) > 1:
            trials = [(cost_of(current - {s}), s) for s in sorted(current)]
            if min(trials)[0] >= best:
                break
            best, drop = min(trials)
            current.discard(drop)
    feasible = [(c, s) for c, s in evaluated.values() if math.isfinite(c)]
    stats: dict[str, object] = {"designs_evaluated": len(evaluated)}
    if not feasible:
        return _plan(problem, params.method, _Solved(Status.INFEASIBLE, [], math.inf, -math.inf), started, stats)
    _, solved = min(feasible, key=lambda cs: cs[0])
    heuristic = _Solved(Status.FEASIBLE, solved.chosen, solved.objective, -math.inf)
    return _plan(problem, params.method, heuristic, started, stats)


def solve_design(problem: DesignProblem, params: DesignParams | None = None) -> DesignPlan:
    """Open sites, choose a customs mode and a site per market and SKU class, and size the stock, at the least
    yearly cost meeting capacities, the mode rules and the service target (see the module for the model and its
    linearisation). `method` "mip" solves the model (status optimal or feasible with its proven gap); the
    others are baselines. Demand over the per-order limit or that no site can serve is reported, not planned."""
    params = params or DesignParams()
    started = time.perf_counter()
    if params.method == "auto":
        chosen = "mip" if len(problem.option_table) <= AUTO_MIP_OPTIONS else "lagrangian"
        params = replace(params, method=chosen)
    if params.method == "lagrangian":
        return _lagrangian(problem, params, started)
    if params.method != "mip":
        return _heuristic(problem, params, started)
    solved = _mip(problem, params, params.time_limit_s * 0.98)
    stats: dict[str, object] = {
        "linearisation": f"safety stock: sqrt(L V + D^2 sL^2) <= sqrt(L V) + D sL; sqrt(L V) interpolated on "
        f"{params.segments} pieces (quadratic breakpoints); cost_cny is the exact cost",
        "options": len(problem.options),
    }
    if solved.from_start:
        stats["plan"] = "the greedy starting plan: the solver found no plan of its own within the limit (no gap)"
    return _plan(problem, "mip", solved, started, stats)


def _lagrangian(problem: DesignProblem, params: DesignParams, started: float) -> DesignPlan:
    """The design by Lagrangian relaxation (a proven bound on the exact cost) and local search: for problems
    too large for the MIP (millions of options). The gap is the exact cost of the plan against the bound."""
    from logistics.optimize.design.lagrangian import solve_lagrangian

    limit = params.time_limit_s * 0.98 - (time.perf_counter() - started)
    found = solve_lagrangian(problem, max(0.1, limit), params.relative_gap, time.perf_counter())
    table = problem.option_table
    chosen = [table.option(problem, int(i)) for i in found.chosen]
    if found.infeasible:
        status = Status.INFEASIBLE
    elif not chosen and math.isfinite(found.cost_cny) and found.cost_cny == 0.0:
        status = Status.OPTIMAL  # nothing to serve
    elif not chosen:
        status = Status.TIME_LIMIT
    else:
        status = Status.OPTIMAL if found.optimal else Status.FEASIBLE
    solved = _Solved(status, chosen, found.cost_cny, found.bound_cny)
    stats: dict[str, object] = {
        "bound": "Lagrangian relaxation of the assignment, capacity, service and emission rows; safety stock "
        "bounded below by cos t sqrt(L V) + sin t sL D per pool (exact at the plan's pools); the gap is the "
        "exact cost against that bound",
        "options": len(table),
        "iterations": found.iterations,
        "plans_tried": found.plans_tried,
        "trace": [list(t) for t in found.trace],  # (s, bound, cost) as either improved
    }
    if found.infeasible:
        stats["infeasible"] = found.infeasible
    return _plan(problem, "lagrangian", solved, started, stats)


def solve_front(
    problem: DesignProblem, targets: Sequence[float], params: DesignParams | None = None
) -> dict[float, DesignPlan]:
    """The cost-against-service front: the design solved at each service target (each with `params`' limit), by
    target. A point not proven optimal may lie above the true front (its `gap` says by how much at most)."""
    return {t: solve_design(replace(problem, service_target=t), params) for t in sorted(set(targets))}


def solve_emission_front(
    problem: DesignProblem, points: int = 5, params: DesignParams | None = None
) -> list[tuple[float, DesignPlan]]:
    """The cost-against-CO2e front by the epsilon-constraint method: the least-cost design (no cap), then the
    design at `points - 1` caps on emissions (t CO2e a year) evenly between the least-cost design's emissions
    and the lowest any design could reach (every market and class by its lowest-emission option: capacities
    and the service target may make the lowest caps infeasible, reported as such). Pairs (cap, plan), the first
    with cap inf. Each point is solved with `params`' limit; one not proven optimal may lie above the front."""
    free = solve_design(replace(problem, max_co2e_t_per_year=None), params)
    out: list[tuple[float, DesignPlan]] = [(math.inf, free)]
    if points < 2 or not math.isfinite(free.co2e_t_per_year):
        return out
    demand = {(m.id, d.sku_class): d.orders_per_day for m in problem.markets for d in m.demand}
    lowest: dict[tuple[str, str], float] = {}
    for o in problem.options:
        key = (o.market, o.sku_class)
        lowest[key] = min(lowest.get(key, math.inf), o.co2e_kg_per_order)
    floor_t = sum(v * demand[k] * DAYS_PER_YEAR / 1000.0 for k, v in lowest.items())
    top = free.co2e_t_per_year
    for j in range(1, points):
        cap = top - (top - floor_t) * j / (points - 1)
        out.append((cap, solve_design(replace(problem, max_co2e_t_per_year=cap), params)))
    return out
