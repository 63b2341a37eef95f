"""Sizing by simulation-based optimization: the cheapest plan (workers, doors, vans, block space ... any
scenario fields) whose KPIs meet their targets at a stated confidence over replications.

A plan file names a scenario, the decision variables (a scenario field each, with bounds, a step and a cost per
unit), constraints on KPIs (`service.on_time_delivery_rate >= 0.95` at 95% confidence), and one objective (the
plan's cost, plus a KPI's mean if named) or several (a Pareto front). The search is Optuna's (TPE with the
constraints; NSGA-II for several objectives), then a local polish: from the best plan, one step down in each
variable while that stays feasible and cheaper. Every candidate is simulated with common random numbers
(replication r has the same seed for every candidate) and gets more replications only while one of its
constraints is undecided (its one-sided interval straddles the target), up to `replications.max`; a candidate
still undecided then does not meet the constraint. `method: grid` evaluates every point the same way (to check
the search).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Candidate", "PlanResult", "PlanSpec", "plan_capacity"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variable(_Model):
    """A decision: a scenario field (the override path) from `low` to `high` by `step`, costing `cost_cny` a unit."""

    name: str = Field(min_length=1)
    field: str = Field(min_length=1, description="Scenario path, as in --set (flows.0.warehouse.pick.workers.day).")
    low: float
    high: float
    step: float = Field(default=1.0, gt=0)
    cost_cny: float = Field(default=0.0, ge=0, description="Cost of one unit over the plan's horizon.")
    integer: bool = True

    @model_validator(mode="after")
    def _range(self) -> Variable:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        if self.integer and not all(float(v).is_integer() for v in (self.low, self.high, self.step)):
            raise ValueError("an integer variable needs whole low, high and step")
        return self

    @property
    def values(self) -> list[float]:
        count = math.floor((self.high - self.low) / self.step + 1e-9) + 1
        return [self.low + k * self.step for k in range(count)]


class Constraint(_Model):
    """A KPI's mean at least / at most a target, at a one-sided confidence over replications."""

    kpi: str = Field(min_length=1)
    at_least: float | None = None
    at_most: float | None = None
    confidence: float = Field(default=0.95, gt=0.5, lt=1)

    @model_validator(mode="after")
    def _one(self) -> Constraint:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least and at_most")
        return self


class Objective(_Model):
    """What to minimise: the plan's cost (the variables' units x costs) plus a KPI's mean if `kpi` is given
    (or a KPI alone with `plan_cost: false`); `maximise` flips a KPI's sense."""

    kpi: str | None = None
    plan_cost: bool = True
    maximise: bool = False


class Replications(_Model):
    min: int = Field(default=3, ge=2)
    max: int = Field(default=10, ge=2)


class Search(_Model):
    method: Literal["optuna", "grid"] = "optuna"
    trials: int = Field(default=30, ge=1, description="Most candidates simulated (the polish included).")
    seed: int = Field(default=0, ge=0)


class PlanSpec(_Model):
    """A sizing problem (see the module's docstring)."""

    name: str = Field(min_length=1)
    scenario: str = Field(min_length=1, description="A built-in scenario name or a scenario file.")
    overrides: list[str] = Field(default_factory=list)
    variables: list[Variable] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=lambda: [Objective()], min_length=1)
    replications: Replications = Field(default_factory=Replications)
    seed: int = Field(default=0, ge=0)
    search: Search = Field(default_factory=Search)

    @model_validator(mode="after")
    def _names(self) -> PlanSpec:
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise ValueError("variable names must be unique")
        if self.replications.max < self.replications.min:
            raise ValueError("replications.max is below replications.min")
        return self

    @property
    def grid_size(self) -> int:
        return math.prod(len(v.values) for v in self.variables)


@dataclass
class Candidate:
    """One evaluated plan: its values, the KPIs of each replication, and the verdicts."""

    values: dict[str, float]
    kpis: list[dict[str, float]] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)  # per constraint: met, missed (or undecided at max reps)
    objectives: list[float] = field(default_factory=list)
    order: int = 0  # evaluation number (0-based)
    source: str = "search"

    @property
    def feasible(self) -> bool:
        return all(v == "met" for v in self.verdicts)

    def kpi(self, name: str) -> np.ndarray:
        return np.array([k.get(name, math.nan) for k in self.kpis], dtype=float)


@dataclass(frozen=True)
class PlanResult:
    spec: PlanSpec
    candidates: list[Candidate]
    best: Candidate | None
    wall_s: float
    runs: int

    @property
    def evaluations(self) -> int:
        return len(self.candidates)

    def pareto(self) -> list[Candidate]:
        """The feasible candidates no other feasible one beats in every objective."""
        feasible = [c for c in self.candidates if c.feasible]
        return [
            c
            for c in feasible
            if not any(
                all(o <= p for o, p in zip(other.objectives, c.objectives, strict=True))
                and other.objectives != c.objectives
                for other in feasible
            )
        ]


def _bound(values: np.ndarray, confidence: float, lower: bool) -> float:
    """A one-sided confidence bound of the mean (the mean itself when the values do not vary)."""
    from scipy import stats

    values = values[np.isfinite(values)]
    if len(values) < 2:
        return math.nan
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(confidence, len(values) - 1)) * sd / math.sqrt(len(values))
    return float(values.mean()) - half if lower else float(values.mean()) + half


def verdict(constraint: Constraint, values: np.ndarray) -> str:
    """met (the bound on the right side), missed (even the other bound on the wrong side) or undecided."""
    if not np.isfinite(values).all() or len(values) < 2:
        return "missed"
    if constraint.at_least is not None:
        if _bound(values, constraint.confidence, lower=True) >= constraint.at_least:
            return "met"
        return "missed" if _bound(values, constraint.confidence, lower=False) < constraint.at_least else "undecided"
    assert constraint.at_most is not None
    if _bound(values, constraint.confidence, lower=False) <= constraint.at_most:
        return "met"
    return "missed" if _bound(values, constraint.confidence, lower=True) > constraint.at_most else "undecided"


Runner = Callable[[Sequence[tuple[tuple[str, ...], int]]], list[dict[str, float]]]


def _runner(
    spec: PlanSpec, executor: str, workers: int | None, address: str | None = None
) -> tuple[Runner, Callable[[], None]]:
    """A function simulating (overrides, replication) pairs and returning each run's KPIs, and its closer."""
    import os

    from logistics.experiments.runner import run_task
    from logistics.experiments.spec import RunTask

    def task(overrides: tuple[str, ...], replication: int) -> RunTask:
        resolved = (*spec.overrides, *overrides, f"run.seed={spec.seed}")
        return RunTask(spec.scenario, (), "plan", replication, resolved, spec.seed)

    def unpack(record: dict) -> dict[str, float]:
        if "error" in record:
            raise RuntimeError(f"a run failed: {record['error']}")
        return {k: v for k, v, _ in record["kpis"]}

    if executor == "serial" or (workers or os.cpu_count() or 1) == 1:
        return (lambda jobs: [unpack(run_task(task(o, r))) for o, r in jobs]), lambda: None
    if executor == "dask":
        from distributed import Client

        client = (
            Client(address)
            if address is not None
            else Client(n_workers=workers, threads_per_worker=1, dashboard_address=None)
        )
        return (
            lambda jobs: [
                unpack(r) for r in client.gather(client.map(run_task, [task(o, r) for o, r in jobs], pure=False))
            ]
        ), client.close
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1)
    return (lambda jobs: [unpack(r) for r in pool.map(run_task, [task(o, r) for o, r in jobs])]), pool.shutdown


def evaluate(spec: PlanSpec, values: dict[str, float], run: Runner) -> tuple[Candidate, int]:
    """Simulate a candidate with replications 0.. until every constraint is decided (or the maximum); its
    verdicts and objectives. Returns it and the number of runs."""
    overrides = tuple(f"{v.field}={int(values[v.name]) if v.integer else values[v.name]}" for v in spec.variables)
    candidate = Candidate(dict(values))
    candidate.kpis = run([(overrides, r) for r in range(spec.replications.min)])
    while True:
        candidate.verdicts = [verdict(c, candidate.kpi(c.kpi)) for c in spec.constraints]
        if "undecided" not in candidate.verdicts or len(candidate.kpis) >= spec.replications.max:
            break
        candidate.kpis += run([(overrides, len(candidate.kpis))])
    candidate.verdicts = ["missed" if v == "undecided" else v for v in candidate.verdicts]
    cost = sum(values[v.name] * v.cost_cny for v in spec.variables)
    candidate.objectives = []
    for objective in spec.objectives:
        value = cost if objective.plan_cost else 0.0
        if objective.kpi is not None:
            mean = float(np.nanmean(candidate.kpi(objective.kpi)))
            value += -mean if objective.maximise else mean
        candidate.objectives.append(value)
    return candidate, len(candidate.kpis)


def plan_capacity(
    spec: PlanSpec,
    executor: str = "local",
    workers: int | None = None,
    on_candidate: Callable[[Candidate], None] | None = None,
    address: str | None = None,
) -> PlanResult:
    """Search for the best plan of `spec` (see the module's docstring); every candidate is kept. Executors:
    "serial", "local" (a process pool of `workers`) or "dask" (the scheduler at `address`, or a local cluster);
    the runs, and so the result, do not depend on the executor."""
    started = time.perf_counter()
    run, close = _runner(spec, executor, workers, address)
    seen: dict[tuple[float, ...], Candidate] = {}
    runs = 0

    def key(values: dict[str, float]) -> tuple[float, ...]:
        return tuple(values[v.name] for v in spec.variables)

    def get(values: dict[str, float], source: str) -> Candidate:
        nonlocal runs
        if key(values) not in seen:
            candidate, used = evaluate(spec, values, run)
            candidate.order, candidate.source = len(seen), source
            seen[key(values)] = candidate
            runs += used
            if on_candidate is not None:
                on_candidate(candidate)
        return seen[key(values)]

    try:
        if spec.search.method == "grid":
            for point in itertools.product(*(v.values for v in spec.variables)):
                get(dict(zip((v.name for v in spec.variables), point, strict=True)), "grid")
        else:
            _optuna(spec, get, lambda: len(seen))
            if len(spec.objectives) == 1:
                _polish(spec, get, seen)
    finally:
        close()
    candidates = sorted(seen.values(), key=lambda c: c.order)
    feasible = [c for c in candidates if c.feasible]
    best = min(feasible, key=lambda c: (c.objectives, c.order)) if feasible else None
    return PlanResult(spec, candidates, best, time.perf_counter() - started, runs)


def _optuna(spec: PlanSpec, get: Callable[[dict[str, float], str], Candidate], count: Callable[[], int]) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    # Optuna 5 reads constraints set on the trial; older versions take a function of the finished trial
    modern = hasattr(optuna.trial.Trial, "set_constraint")

    def constraints(trial: optuna.trial.FrozenTrial) -> list[float]:
        return list(trial.user_attrs.get("violations", [1.0]))

    options: dict[str, Any] = (
        {"seed": spec.search.seed} if modern else {"seed": spec.search.seed, "constraints_func": constraints}
    )
    several = len(spec.objectives) > 1
    sampler: optuna.samplers.BaseSampler
    if several:
        sampler = optuna.samplers.NSGAIISampler(**options)
    else:
        sampler = optuna.samplers.TPESampler(n_startup_trials=min(10, max(3, spec.search.trials // 3)), **options)
    study = optuna.create_study(directions=["minimize"] * len(spec.objectives), sampler=sampler)
    budget = spec.search.trials - (0 if several else len(spec.variables))  # the polish's share
    asks = 0
    while count() < max(1, budget) and asks < 20 * spec.search.trials and count() < spec.grid_size:
        asks += 1
        trial = study.ask()
        values = {}
        for v in spec.variables:
            if v.integer:
                values[v.name] = float(trial.suggest_int(v.name, int(v.low), int(v.high), step=int(v.step)))
            else:
                values[v.name] = trial.suggest_float(v.name, v.low, v.high, step=v.step)
        candidate = get(values, "search")
        violations = [0.0 if x == "met" else 1.0 for x in candidate.verdicts]
        if modern:
            for k, value in enumerate(violations):
                trial.set_constraint(f"constraint_{k}", value)
        else:
            trial.set_user_attr("violations", violations)
        study.tell(trial, candidate.objectives if several else candidate.objectives[0])


def _polish(
    spec: PlanSpec, get: Callable[[dict[str, float], str], Candidate], seen: dict[tuple[float, ...], Candidate]
) -> None:
    """From the best feasible plan, try one step down (cheaper) in each variable while the budget lasts."""

    def count() -> int:
        return len(seen)

    improved = True
    while improved and count() < spec.search.trials:
        feasible = [c for c in seen.values() if c.feasible]
        if not feasible:
            return
        best = min(feasible, key=lambda c: (c.objectives, c.order))
        improved = False
        for v in spec.variables:
            lower = best.values[v.name] - v.step
            if lower < v.low - 1e-9 or count() >= spec.search.trials:
                continue
            candidate = get({**best.values, v.name: lower}, "polish")
            if candidate.feasible and candidate.objectives < best.objectives:
                improved = True
                break
