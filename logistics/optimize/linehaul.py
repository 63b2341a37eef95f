"""Line-haul space allocation as a mixed-integer programme (OR-Tools, SCIP; CBC where SCIP is missing).

Classes of shipments (a count, their mean weight, volume and chargeable weight, a due time at the end of the
line-haul, whether they may take the first departure) are allocated to upcoming departures (capacity in kg
and m3 less what is expected to arrive before each cut-off, block space already paid, tariff per chargeable kg
and per parcel, expected arrival) or to "later" (beyond the horizon, at the dearest rate and the lateness it
would have by then), minimising tariff cost plus a penalty per hour late. Pure: data in, plan out.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from logistics.optimize.common import InvalidProblemError, Status

__all__ = ["Departure", "ShipmentClass", "SpacePlan", "SpaceProblem", "allocate_space"]


@dataclass(frozen=True)
class Departure:
    """An upcoming departure of one lane."""

    lane: str
    time_h: float
    arrival_h: float  # expected (mean transit)
    cutoff_h: float  # booking closes this long before the departure
    capacity_kg: float
    capacity_m3: float
    block_kg: float  # already paid: no charge per kg within it
    per_kg_cny: float
    per_parcel_cny: float
    volumetric_m3_per_kg: float
    expected_kg: float = 0.0  # shipments expected to reach the queue before this departure's cut-off
    expected_m3: float = 0.0


@dataclass(frozen=True)
class ShipmentClass:
    """Shipments that are alike for the allocation: how many, their means, when they are due."""

    count: int
    weight_kg: float
    volume_m3: float
    chargeable_kg: float
    due_h: float  # inf: no due time
    first_ok: bool  # may board the first departure (made its cut-off)


@dataclass(frozen=True)
class SpaceProblem:
    """Classes to allocate at `now_h` over `departures` (the first is the one leaving now)."""

    now_h: float
    departures: tuple[Departure, ...]
    classes: tuple[ShipmentClass, ...]
    late_penalty_cny_per_h: float
    horizon_h: float

    def __post_init__(self) -> None:
        if not self.departures:
            raise InvalidProblemError("departures", "at least one departure is needed")
        if self.late_penalty_cny_per_h < 0:
            raise InvalidProblemError("late_penalty_cny_per_h", f"must be >= 0, got {self.late_penalty_cny_per_h}")
        for i, c in enumerate(self.classes):
            if c.count < 0:
                raise InvalidProblemError(f"classes[{i}].count", f"must be >= 0, got {c.count}")


@dataclass(frozen=True)
class SpacePlan:
    """How many of each class go on each departure (`counts[class, departure]`) and how many wait beyond the
    horizon (`later`); the objective in CNY; status and solver time."""

    status: Status
    counts: np.ndarray
    later: np.ndarray
    objective: float
    runtime_s: float
    capped: bool = False  # the wall-clock limit stopped the search (the plan may differ between replays)


def allocate_space(problem: SpaceProblem, time_limit_s: float = 2.0, node_limit: int | None = None) -> SpacePlan:
    """The cheapest allocation within `time_limit_s` (status TIME_LIMIT and an empty plan if none was found).

    With `node_limit` the search (SCIP, one thread) stops after that many branch-and-bound nodes or at a 0.1%
    gap: the same problem then gets the same plan on every run, and `time_limit_s` is only a safety cap
    (`capped` says when it stopped the search)."""
    from ortools.linear_solver import pywraplp

    started = time.perf_counter()
    deps, classes, now_h = problem.departures, problem.classes, problem.now_h
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        raise RuntimeError("OR-Tools was built without SCIP, which the line-haul allocation needs")
    solver.SetTimeLimit(int(time_limit_s * 1000))
    solver.SetNumThreads(1)
    if node_limit is not None:
        if node_limit < 1:
            raise InvalidProblemError("node_limit", f"must be >= 1, got {node_limit}")
        solver.SetSolverSpecificParametersAsString(f"limits/nodes = {int(node_limit)}\nlimits/gap = 0.001\n")
    penalty = problem.late_penalty_cny_per_h
    x: dict[tuple[int, int, int], pywraplp.Variable] = {}  # (class, departure, 0 block / 1 open) -> count
    later_vars = []
    objective = solver.Objective()
    top_rate = max(d.per_kg_cny for d in deps)
    transit = deps[-1].arrival_h - deps[-1].time_h
    for c, cls in enumerate(classes):
        parts = []
        for d, dep in enumerate(deps):
            if (d == 0 and not cls.first_ok) or (d > 0 and dep.time_h - dep.cutoff_h < now_h - 1e-9):
                continue
            late = max(0.0, dep.arrival_h - cls.due_h) if math.isfinite(cls.due_h) else 0.0
            for part, per_kg in ((0, 0.0), (1, dep.per_kg_cny)):
                if part == 0 and dep.block_kg <= 0:
                    continue
                var = solver.IntVar(0, cls.count, f"x{c}_{d}_{part}")
                x[c, d, part] = var
                parts.append(var)
                objective.SetCoefficient(var, per_kg * cls.chargeable_kg + dep.per_parcel_cny + penalty * late)
        later = solver.IntVar(0, cls.count, f"later{c}")
        late_later = max(0.0, now_h + problem.horizon_h + transit - cls.due_h) if math.isfinite(cls.due_h) else 0.0
        objective.SetCoefficient(later, top_rate * cls.chargeable_kg + penalty * late_later + 1e-3)
        later_vars.append(later)
        solver.Add(solver.Sum([*parts, later]) == cls.count)
    for d, dep in enumerate(deps):
        kg, m3, block = [], [], []
        for c, cls in enumerate(classes):
            for part in (0, 1):
                var = x.get((c, d, part))
                if var is None:
                    continue
                kg.append(var * cls.weight_kg)
                m3.append(var * cls.volume_m3)
                if part == 0:
                    block.append(var * cls.weight_kg)
        if kg:  # later departures keep room for what is expected to arrive before their cut-off
            solver.Add(solver.Sum(kg) <= max(0.0, dep.capacity_kg - (dep.expected_kg if d > 0 else 0.0)))
            solver.Add(solver.Sum(m3) <= max(0.0, dep.capacity_m3 - (dep.expected_m3 if d > 0 else 0.0)))
        if block:
            solver.Add(solver.Sum(block) <= dep.block_kg)
    objective.SetMinimization()
    result = solver.Solve()
    capped = time.perf_counter() - started >= 0.98 * time_limit_s
    counts = np.zeros((len(classes), len(deps)), dtype=np.int64)
    later_counts = np.zeros(len(classes), dtype=np.int64)
    if result not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return SpacePlan(Status.TIME_LIMIT, counts, later_counts, math.nan, time.perf_counter() - started, capped)
    for (c, d, _), var in x.items():
        counts[c, d] += round(var.solution_value())
    for c, var in enumerate(later_vars):
        later_counts[c] = round(var.solution_value())
    status = Status.OPTIMAL if result == pywraplp.Solver.OPTIMAL else Status.FEASIBLE
    return SpacePlan(status, counts, later_counts, objective.Value(), time.perf_counter() - started, capped)
