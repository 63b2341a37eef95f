"""Sizing by simulation-based optimization: the cheapest plan (workers, doors, vans, block space ... any
scenario fields) whose KPIs meet their targets at a stated confidence over replications.

A plan file names a scenario, the decision variables (a scenario field each, with bounds, a step and a cost per
unit), constraints on KPIs (`service.on_time_delivery_rate >= 0.95` at 95% confidence), and one objective (the
plan's cost, plus a KPI's mean if named) or several (a Pareto front). The search is Optuna's (TPE with the
constraints; NSGA-II for several objectives), then a local polish: from the cheapest plan whose means meet the
targets, one step down in each variable while that still meets on its means and is cheaper. Every candidate is
simulated with common random numbers (replication r has the same seed for every candidate) and gets more
replications only while one of its constraints is undecided (its one-sided interval straddles the target), up to
`replications.max`; a candidate still undecided then does not meet the constraint. `method: grid` evaluates every
point the same way (to check the search).

The search's verdicts are screening, not the recommendation: its candidates share the same few replications
(common random numbers: shared luck), the cheapest "met" plan is picked among many (the winner's curse), and
replications are added until a verdict (optional stopping), so a plan the search calls met often is not. The
recommendation is therefore **confirmed on fresh replications** (`confirm`), in two stages per candidate, the
candidates the search does not show missing a target (its favourable one-sided bound not beyond it) taken
cheapest first (the search's own "met" breaks ties: a cheap plan near its target, which a few shared
replications cannot call met, is tried before dearer ones).
A *pilot* of `confirm.pilot` replications of a seed of its own sizes the test: a candidate whose pilot shows it
missing a target (the pilot's one-sided 80% bound beyond it) is passed over; otherwise the test size n is the one
at which the test would clear the target with about 80% power if the true margin were the pilot's cautious margin
(its one-sided 95% lower bound; with no margin left, the most), from `confirm.min_replications` to
`max_replications`, or a fixed `confirm.replications`. The *test* runs replications 0..n-1 of another seed the
search never used (`confirm.seed`; `best_scenario.yaml` replays them), with looks at n/16, n/8, n/4, n/2 and n
(`looks`): a candidate is confirmed at a look when, for every constraint, the one-sided Student-t bound is on the
right side of the target, at level 1 - 5% x (1 - confidence) / K at each interim look and 1 - (the rest) at n;
at an interim look it stops as "not confirmed" (futility) when a one-sided 90% bound shows a target missed. At
most `confirm.candidates` (K) candidates are tested; the first confirmed is recommended.

Its error rate: the test's data are independent of how the candidate was chosen and of its size n (chosen from
the search and the pilot only); its looks spend at most (1 - confidence) / K in all (Bonferroni over the looks),
and the futility stops can only turn a "met" into "not confirmed" (non-binding), so a candidate that truly
misses a constraint passes that constraint's test with probability at most (1 - confidence) / K; at most K are
tested, so the recommended plan truly misses with probability at most 1 - confidence (Bonferroni over the
candidates; an intersection-union test over the constraints needs no correction). This is a two-stage
(Stein-type) variant of the feasibility checks of Batur and Kim (2010, "Finding feasible systems in the presence
of constraints on multiple performance measures"), with group-sequential looks (a Haybittle-Peto-like split of
the error, made exact by Bonferroni) and non-binding futility stops; the normal approximation of the t test is
its assumption.
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

from logistics.analysis.stats import mean_bound, normal_quantile

__all__ = [
    "Candidate",
    "Check",
    "Confirmation",
    "PlanResult",
    "PlanSpec",
    "check_variables",
    "confirm",
    "confirm_constraint",
    "confirmation_order",
    "futile",
    "looks",
    "meets_on_mean",
    "not_clearly_missing",
    "plan_capacity",
    "test_size",
]


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


class Confirmation(_Model):
    """Fresh replications that decide the recommendation (see the module's docstring): a pilot per candidate
    sizes the test, the test runs on replications of another seed."""

    pilot: int = Field(default=20, ge=3, le=1000, description="Pilot replications per candidate (sizing only).")
    replications: int | None = Field(
        default=None,
        ge=5,
        le=100_000,
        description="Test replications per candidate; default: sized from the pilot for about 80% power.",
    )
    min_replications: int = Field(default=10, ge=5, description="Fewest test replications when sized.")
    max_replications: int = Field(default=1000, ge=5, description="Most test replications when sized.")
    candidates: int = Field(default=3, ge=1, le=50, description="Most candidates tested (the Bonferroni K).")
    pilots: int = Field(default=10, ge=1, le=200, description="Most candidates piloted.")
    seed: int | None = Field(
        default=None, ge=0, description="Root seed of the test runs (default: derived from the plan's seed)."
    )

    @model_validator(mode="after")
    def _sizes(self) -> Confirmation:
        if self.max_replications < self.min_replications:
            raise ValueError("max_replications is below min_replications")
        return self


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
    confirm: Confirmation = Field(default_factory=Confirmation)

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

    @property
    def confirm_seed(self) -> int:
        """The root seed of the confirmation runs: `confirm.seed`, or one derived from `seed` that the search's
        replications (children of `seed`) never share."""
        if self.confirm.seed is not None:
            return self.confirm.seed
        return int(np.random.SeedSequence(self.seed, spawn_key=(0xC0F1,)).generate_state(1, np.uint32)[0])

    @property
    def pilot_seed(self) -> int:
        """The root seed of the pilot runs: neither the search's nor the test's."""
        return int(np.random.SeedSequence(self.confirm_seed, spawn_key=(0x9170,)).generate_state(1, np.uint32)[0])

    def overrides_of(self, values: dict[str, float]) -> tuple[str, ...]:
        """The scenario overrides that apply a plan's values."""
        return tuple(f"{v.field}={int(values[v.name]) if v.integer else values[v.name]}" for v in self.variables)


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


@dataclass
class Check:
    """A candidate piloted and, unless its pilot missed a target, tested on the confirmation replications: the
    pilot's and the test's KPIs, and per constraint the one-sided bound the verdict uses (at `level`) and the
    verdict (met or not confirmed). A candidate passed over after its pilot has no test (`tested` False); a test
    that stopped at an interim look (see `looks`) has fewer replications than `planned`."""

    candidate: Candidate
    kpis: list[dict[str, float]]
    levels: list[float]
    bounds: list[float]
    verdicts: list[str]
    pilot: list[dict[str, float]] = field(default_factory=list)  # the pilot runs that sized the test
    planned: int = 0  # the test size the pilot chose (more than len(kpis) when it stopped at an interim look)

    @property
    def stopped(self) -> bool:
        """Whether the test stopped at an interim look (confirmed early, or for futility)."""
        return self.tested and len(self.kpis) < self.planned

    @property
    def tested(self) -> bool:
        return bool(self.kpis)

    @property
    def confirmed(self) -> bool:
        return self.tested and all(v == "met" for v in self.verdicts)

    def kpi(self, name: str) -> np.ndarray:
        return np.array([k.get(name, math.nan) for k in self.kpis], dtype=float)


@dataclass(frozen=True)
class PlanResult:
    """A search and its confirmation. `best` is the recommendation: the first candidate confirmed on fresh
    replications (None when none was); `search_best` the cheapest the search's own verdicts call feasible."""

    spec: PlanSpec
    candidates: list[Candidate]
    best: Candidate | None
    wall_s: float
    runs: int
    search_best: Candidate | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def confirmation(self) -> Check | None:
        """The check of the recommended plan."""
        return next((c for c in self.checks if c.confirmed), None)

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


def verdict(constraint: Constraint, values: np.ndarray) -> str:
    """met (the bound on the right side), missed (even the other bound on the wrong side) or undecided."""
    if not np.isfinite(values).all() or len(values) < 2:
        return "missed"
    if constraint.at_least is not None:
        if mean_bound(values, constraint.confidence, lower=True) >= constraint.at_least:
            return "met"
        return "missed" if mean_bound(values, constraint.confidence, lower=False) < constraint.at_least else "undecided"
    assert constraint.at_most is not None
    if mean_bound(values, constraint.confidence, lower=False) <= constraint.at_most:
        return "met"
    return "missed" if mean_bound(values, constraint.confidence, lower=True) > constraint.at_most else "undecided"


def confirm_constraint(
    constraint: Constraint, values: np.ndarray, candidates: int, share: float = 1.0
) -> tuple[float, float, str]:
    """The confirmation test of one constraint on fresh replications: (level, one-sided bound, verdict). The
    bound is at level 1 - share x (1 - confidence) / candidates (`share`: the part of the candidate's error
    budget this look spends); met when it is on the right side of the target."""
    level = 1.0 - share * (1.0 - constraint.confidence) / candidates
    if not np.isfinite(values).all() or len(values) < 2:
        return level, math.nan, "not confirmed"
    if constraint.at_least is not None:
        bound = mean_bound(values, level, lower=True)
        return level, bound, "met" if bound >= constraint.at_least else "not confirmed"
    assert constraint.at_most is not None
    bound = mean_bound(values, level, lower=False)
    return level, bound, "met" if bound <= constraint.at_most else "not confirmed"


def confirmation_order(spec: PlanSpec, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates to confirm, in order: those the search does not show missing a target
    (`not_clearly_missing`), cheapest (by objective) first; at equal objective, those the search called feasible
    first."""

    # cost first: a cheap plan near its target (the search's few shared replications cannot call it met, and may
    # put its mean a little over) is tried before dearer plans the search called met; the pilot passes over those
    # that miss
    return sorted(
        (c for c in candidates if not_clearly_missing(spec, c)), key=lambda c: (c.objectives, not c.feasible, c.order)
    )


def not_clearly_missing(spec: PlanSpec, candidate: Candidate) -> bool:
    """Whether the search's replications leave a candidate possibly meeting every target: for each constraint
    the one-sided bound on the favourable side (at the constraint's confidence) is not beyond the target (with a
    single replication: its value). A plan near its target, whose few shared replications put its mean a little
    on the wrong side, stays a candidate; the pilot and the test decide."""
    for constraint in spec.constraints:
        values = candidate.kpi(constraint.kpi)
        if not len(values) or not np.isfinite(values).all():
            return False
        lower = constraint.at_most is not None
        best = mean_bound(values, constraint.confidence, lower=lower) if len(values) >= 2 else float(values[0])
        if constraint.at_least is not None and best < constraint.at_least:
            return False
        if constraint.at_most is not None and best > constraint.at_most:
            return False
    return True


def meets_on_mean(spec: PlanSpec, candidate: Candidate) -> bool:
    """Whether a candidate's search means meet every target (the polish steps down while they do)."""
    for constraint in spec.constraints:
        values = candidate.kpi(constraint.kpi)
        mean = float(np.nanmean(values)) if len(values) and np.isfinite(values).any() else math.nan
        if not np.isfinite(mean):
            return False
        if constraint.at_least is not None and mean < constraint.at_least:
            return False
        if constraint.at_most is not None and mean > constraint.at_most:
            return False
    return True


POWER_Z = 0.8416
"""The normal quantile added to the test's t quantile when a test is sized from its pilot (about 80% power
when the true margin is the pilot's cautious margin)."""

PILOT_MISS_Z = 0.8416
"""A candidate is passed over when its pilot's one-sided bound at this normal quantile (80%) is beyond a target:
the pilot shows it missing, not just a pilot that came out on the wrong side by chance."""

CAUTION_Z = 1.6449
"""The test is sized for the pilot's cautious margin: its mean's margin less this many standard errors (a
one-sided 95% lower bound), so a lucky pilot does not size a test too small to pass."""

FUTILITY_Z = 1.2816
"""A test stops for futility at an interim look when its one-sided bound at this normal quantile (90%) shows a
target missed (non-binding: it can only turn "met" into "not confirmed")."""

INTERIM_SHARE = 0.05
"""The share of a candidate's error budget (1 - confidence) / K spent at each interim look (at n/16, n/8, n/4 and
n/2 of the test size n: at most 20%); the final look at n spends the rest. A candidate passes at an interim look
when every constraint's bound at that look's level clears its target (Bonferroni over the looks)."""


def looks(n: int) -> list[int]:
    """The test's look sizes for a test of n replications: n/16, n/8, n/4, n/2 (at least 5, below n) and n."""
    interim = {max(5, math.ceil(n / d)) for d in (16, 8, 4, 2)}
    return sorted({k for k in interim if k < n} | {n})


def _margin(constraint: Constraint, mean: float) -> float:
    """How far a mean is on the right side of the constraint's target (negative: the wrong side)."""
    if constraint.at_least is not None:
        return mean - constraint.at_least
    assert constraint.at_most is not None
    return constraint.at_most - mean


def test_size(spec: PlanSpec, pilot: list[dict[str, float]]) -> int | None:
    """The test replications for a candidate from its pilot: None when the pilot shows a target missed (its
    one-sided 80% bound beyond the target: not worth a test); else `confirm.replications`, or the n at which the
    test's bound would clear every target with about 80% power if the true margin were the pilot's cautious
    margin (its one-sided 95% lower bound; none left: `max_replications`), within
    [min_replications, max_replications]."""
    c = spec.confirm
    need = c.min_replications
    for constraint in spec.constraints:
        values = np.array([k.get(constraint.kpi, math.nan) for k in pilot], dtype=float)
        if not np.isfinite(values).all() or len(values) < 2:
            return None
        sd = float(values.std(ddof=1))
        error = sd / math.sqrt(len(values))
        margin = _margin(constraint, float(values.mean()))
        if margin + PILOT_MISS_Z * error < 0 or (sd == 0 and margin < 0):
            return None
        if sd == 0:
            continue
        cautious = margin - CAUTION_Z * error
        if cautious <= 0:
            need = c.max_replications
            continue
        level = 1.0 - (1.0 - constraint.confidence) / c.candidates
        z = normal_quantile(level) + POWER_Z
        need = max(need, math.ceil((z * sd / cautious) ** 2))
    if c.replications is not None:
        return c.replications
    return min(need, c.max_replications)


def futile(spec: PlanSpec, kpis: list[dict[str, float]]) -> bool:
    """Whether a test's replications so far show a target missed (one-sided 90% bound beyond it)."""
    for constraint in spec.constraints:
        values = np.array([k.get(constraint.kpi, math.nan) for k in kpis], dtype=float)
        if not np.isfinite(values).all():
            return True
        if len(values) < 2:
            continue
        error = float(values.std(ddof=1)) / math.sqrt(len(values))
        if _margin(constraint, float(values.mean())) + FUTILITY_Z * error < 0:
            return True
    return False


def confirm(
    spec: PlanSpec, candidates: list[Candidate], run: Runner, on_check: Callable[[Check], None] | None = None
) -> list[Check]:
    """Pilot the candidates of `confirmation_order` one by one (`confirm.pilot` replications of
    `spec.pilot_seed`), and test those whose pilot does not show a target missed on `test_size` replications of
    `spec.confirm_seed` (0..n-1, with the interim looks of `looks`), at most `confirm.candidates` tests, until one
    is confirmed; every check made, in order. The pilot only sizes the test: the test's data are fresh, so its
    error rate holds."""
    checks: list[Check] = []
    c = spec.confirm
    for candidate in confirmation_order(spec, candidates)[: c.pilots]:
        if sum(check.tested for check in checks) >= c.candidates:
            break
        overrides = spec.overrides_of(candidate.values)
        pilot = run([(overrides, r, spec.pilot_seed) for r in range(c.pilot)])
        n = test_size(spec, pilot)
        if n is None:  # the pilot shows a target missed: passed over, no test (kept, with its runs)
            skipped = Check(candidate, [], [], [math.nan] * len(spec.constraints), [], pilot)
            skipped.verdicts = ["pilot misses"] * len(spec.constraints)
            checks.append(skipped)
            if on_check is not None:
                on_check(skipped)
            continue
        check = Check(candidate, [], [], [], [], pilot, planned=n)
        sizes = looks(n)
        for size in sizes:
            check.kpis += run([(overrides, r, spec.confirm_seed) for r in range(len(check.kpis), size)])
            final = size == n
            share = 1.0 - INTERIM_SHARE * (len(sizes) - 1) if final else INTERIM_SHARE
            tests = [
                confirm_constraint(constraint, check.kpi(constraint.kpi), c.candidates, share)
                for constraint in spec.constraints
            ]
            if final or all(t[2] == "met" for t in tests) or futile(spec, check.kpis):
                check.levels = [t[0] for t in tests]
                check.bounds = [t[1] for t in tests]
                check.verdicts = [t[2] for t in tests]
                break
        checks.append(check)
        if on_check is not None:
            on_check(check)
        if check.confirmed:
            break
    return checks


def check_variables(spec: PlanSpec, source: str) -> None:
    """Every variable's lowest and highest value must give a valid scenario (a negative worker count, a
    fraction for a whole-number field): refused here, naming the variable, not by a run half-way."""
    from logistics.core.errors import ScenarioError, ScenarioIssue
    from logistics.scenario.builtin import load_named

    issues = []
    for k, v in enumerate(spec.variables):
        for end in ("low", "high"):
            value = getattr(v, end)
            text = f"{v.field}={int(value) if v.integer else value}"
            try:
                load_named(spec.scenario, [*spec.overrides, text])
            except ScenarioError as exc:
                reasons = "; ".join(i.message for i in exc.issues[:2])
                issues.append(
                    ScenarioIssue(("variables", k, end), f"{text} is refused by the scenario: {reasons}", source)
                )
    if issues:
        raise ScenarioError(issues)


Runner = Callable[[Sequence[tuple[tuple[str, ...], int, int]]], list[dict[str, float]]]


def _runner(
    spec: PlanSpec, executor: str, workers: int | None, address: str | None = None
) -> tuple[Runner, Callable[[], None]]:
    """A function simulating (overrides, replication) pairs and returning each run's KPIs (through the
    executor layer, `logistics.experiments.pool`), and its closer."""
    from logistics.experiments.pool import WorkerLost, map_in_order, open_pool
    from logistics.experiments.runner import run_task
    from logistics.experiments.spec import RunTask

    def task(overrides: tuple[str, ...], replication: int, seed: int) -> RunTask:
        resolved = (*spec.overrides, *overrides, f"run.seed={seed}")
        return RunTask(spec.scenario, (), "plan", replication, resolved, seed)

    def unpack(record: dict) -> dict[str, float]:
        if "error" in record:
            raise RuntimeError(f"a run failed: {record['error']}")
        return {k: v for k, v, _ in record["kpis"]}

    pool = open_pool(executor, workers, address)

    def run(jobs: Sequence[tuple[tuple[str, ...], int, int]]) -> list[dict[str, float]]:
        records = map_in_order(pool, run_task, [task(*job) for job in jobs])
        return [unpack({"error": str(r)} if isinstance(r, WorkerLost) else r) for r in records]

    return run, pool.close


def evaluate(spec: PlanSpec, values: dict[str, float], run: Runner) -> tuple[Candidate, int]:
    """Simulate a candidate with replications 0.. until every constraint is decided (or the maximum); its
    verdicts and objectives. Returns it and the number of runs."""
    overrides = spec.overrides_of(values)
    candidate = Candidate(dict(values))
    candidate.kpis = run([(overrides, r, spec.seed) for r in range(spec.replications.min)])
    while True:
        candidate.verdicts = [verdict(c, candidate.kpi(c.kpi)) for c in spec.constraints]
        if "undecided" not in candidate.verdicts or len(candidate.kpis) >= spec.replications.max:
            break
        candidate.kpis += run([(overrides, len(candidate.kpis), spec.seed)])
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
    on_check: Callable[[Check], None] | None = None,
) -> PlanResult:
    """Search for the best plan of `spec` and confirm it on fresh replications (see the module's docstring);
    every candidate and every check is kept. Executors:
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
        candidates = sorted(seen.values(), key=lambda c: c.order)
        checks = confirm(spec, candidates, run, on_check) if len(spec.objectives) == 1 else []
    finally:
        close()
    runs += sum(len(c.kpis) + len(c.pilot) for c in checks)
    feasible = [c for c in candidates if c.feasible]
    search_best = min(feasible, key=lambda c: (c.objectives, c.order)) if feasible else None
    # a front is not one recommendation: its points carry the search's verdicts
    confirmed = next((c.candidate for c in checks if c.confirmed), None)
    best = search_best if len(spec.objectives) > 1 else confirmed
    return PlanResult(spec, candidates, best, time.perf_counter() - started, runs, search_best, checks)


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
    """From the cheapest plan whose search means meet the targets, try one step down (cheaper) in each variable
    while the budget lasts and the step still meets on its means: the plans near the boundary, where the
    cheapest feasible plan lies, are the ones the confirmation needs to see (it decides which truly meet)."""

    def count() -> int:
        return len(seen)

    improved = True
    while improved and count() < spec.search.trials:
        promising = [c for c in seen.values() if meets_on_mean(spec, c)]
        if not promising:
            return
        best = min(promising, key=lambda c: (c.objectives, not c.feasible, c.order))
        improved = False
        for v in spec.variables:
            lower = best.values[v.name] - v.step
            if lower < v.low - 1e-9 or count() >= spec.search.trials:
                continue
            candidate = get({**best.values, v.name: lower}, "polish")
            if meets_on_mean(spec, candidate) and candidate.objectives < best.objectives:
                improved = True
                break
