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
from dataclasses import MISSING, dataclass, fields
from typing import Any

import numpy as np

from logistics.core.control import on_stop
from logistics.optimize.common import Check, InvalidProblemError, Status

__all__ = [
    "Departure",
    "ShipmentClass",
    "SpaceParams",
    "SpacePlan",
    "SpaceProblem",
    "check_space",
    "solve_space",
    "space_plan_to_json",
    "space_problem_from_json",
]


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


@dataclass(frozen=True)
class SpaceParams:
    """How to solve: SCIP's wall-clock `time_limit_s`; with `node_limit` the search (one thread) stops after
    that many branch-and-bound nodes or at a 0.1% gap, so the same problem gets the same plan on every run and
    `time_limit_s` is only a safety cap (`SpacePlan.capped` says when it stopped the search)."""

    time_limit_s: float = 2.0
    node_limit: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.time_limit_s) and 0 < self.time_limit_s <= 7 * 86400):
            raise InvalidProblemError("params.time_limit_s", f"must be > 0 and at most a week, got {self.time_limit_s}")
        if self.node_limit is not None and (isinstance(self.node_limit, bool) or self.node_limit < 1):
            raise InvalidProblemError("params.node_limit", f"must be >= 1, got {self.node_limit}")


def solve_space(problem: SpaceProblem, params: SpaceParams | None = None) -> SpacePlan:
    """The cheapest allocation within the limit (status TIME_LIMIT and an empty plan if none was found); see
    `SpaceParams`."""
    from ortools.linear_solver import pywraplp

    params = params or SpaceParams()
    time_limit_s, node_limit = params.time_limit_s, params.node_limit
    started = time.perf_counter()
    deps, classes, now_h = problem.departures, problem.classes, problem.now_h
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        raise RuntimeError("OR-Tools was built without SCIP, which the line-haul allocation needs")
    solver.SetTimeLimit(int(time_limit_s * 1000))
    solver.SetNumThreads(1)
    if node_limit is not None:
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
    with on_stop(solver.InterruptSolve):  # a cancelled service job
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


def check_space(problem: SpaceProblem, plan: SpacePlan, tolerance: float = 1e-6) -> Check:
    """Every rule of an allocation recomputed from the problem: each class fully allocated (departures plus
    later), no negative counts, nothing on the first departure for a class that missed its cut-off or on a
    departure whose booking has closed, each departure's weight and volume within its capacity less what is
    expected before its cut-off, and the reported objective."""
    v: list[str] = []
    deps, classes = problem.departures, problem.classes
    if plan.status == Status.TIME_LIMIT:
        return Check(())
    if plan.counts.shape != (len(classes), len(deps)) or plan.later.shape != (len(classes),):
        return Check((f"plan shape {plan.counts.shape} / {plan.later.shape}, expected ({len(classes)}, {len(deps)})",))
    if (plan.counts < 0).any() or (plan.later < 0).any():
        v.append("negative counts in the plan")
    for c, cls in enumerate(classes):
        total = int(plan.counts[c].sum() + plan.later[c])
        if total != cls.count:
            v.append(f"class {c}: {total} allocated, it has {cls.count}")
        for d, dep in enumerate(deps):
            if plan.counts[c, d] == 0:
                continue
            if d == 0 and not cls.first_ok:
                v.append(f"class {c}: {plan.counts[c, d]} on the first departure, which it missed the cut-off of")
            if d > 0 and dep.time_h - dep.cutoff_h < problem.now_h - 1e-9:
                v.append(f"class {c}: {plan.counts[c, d]} on departure {d}, whose booking closed")
    for d, dep in enumerate(deps):
        kg = float(sum(plan.counts[c, d] * cls.weight_kg for c, cls in enumerate(classes)))
        m3 = float(sum(plan.counts[c, d] * cls.volume_m3 for c, cls in enumerate(classes)))
        room_kg = max(0.0, dep.capacity_kg - (dep.expected_kg if d > 0 else 0.0))
        room_m3 = max(0.0, dep.capacity_m3 - (dep.expected_m3 if d > 0 else 0.0))
        if kg > room_kg + tolerance * max(1.0, room_kg):
            v.append(f"departure {d} ({dep.lane}): {kg:.3f} kg, over the {room_kg:.3f} kg of room")
        if m3 > room_m3 + tolerance * max(1.0, room_m3):
            v.append(f"departure {d} ({dep.lane}): {m3:.3f} m3, over the {room_m3:.3f} m3 of room")
    return Check(tuple(v))


def space_problem_from_json(text: str | bytes) -> SpaceProblem:
    """A line-haul allocation problem from JSON: {"now_h", "departures": [{lane, time_h, arrival_h, cutoff_h,
    capacity_kg, capacity_m3, block_kg, per_kg_cny, per_parcel_cny, volumetric_m3_per_kg, expected_kg?,
    expected_m3?}], "classes": [{count, weight_kg, volume_m3, chargeable_kg, due_h (null: none), first_ok}],
    "late_penalty_cny_per_h", "horizon_h"}; errors name the field."""
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidProblemError("json", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidProblemError("json", "expected an object with now_h, departures and classes")
    parts: dict[str, tuple] = {}
    for key, cls in (("departures", Departure), ("classes", ShipmentClass)):
        listed = data.get(key)
        if not isinstance(listed, list):
            raise InvalidProblemError(key, f"must be a list, got {type(listed).__name__}")
        items = []
        for i, item in enumerate(listed):
            items.append(_record(cls, item, f"{key}[{i}]"))
        parts[key] = tuple(items)
    settings = {k: v for k, v in data.items() if k not in parts}
    unknown = set(settings) - {"now_h", "late_penalty_cny_per_h", "horizon_h"}
    if unknown:
        raise InvalidProblemError(sorted(unknown)[0], "unknown field (known: now_h, late_penalty_cny_per_h, horizon_h)")
    for key in ("now_h", "late_penalty_cny_per_h", "horizon_h"):
        _finite(key, settings.get(key))
    return SpaceProblem(departures=parts["departures"], classes=parts["classes"], **settings)


def _finite(field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or abs(value) > 1e12:
        raise InvalidProblemError(field, f"must be a finite number (within +-1e12), got {value!r}")


def _record(cls: type, item: object, where: str) -> Any:
    """One departure or class from its JSON object: every field typed, none missing or unknown."""
    if not isinstance(item, dict):
        raise InvalidProblemError(where, f"must be an object, got {type(item).__name__}")
    known = {f.name: f for f in fields(cls)}
    for name in item:
        if name not in known:
            raise InvalidProblemError(f"{where}.{name}", f"unknown field (known: {', '.join(known)})")
    values = {}
    for name, f in known.items():
        if name not in item:
            if f.default is MISSING:
                raise InvalidProblemError(f"{where}.{name}", "is required")
            continue
        value = item[name]
        if f.type in ("str",):
            if not isinstance(value, str) or not value:
                raise InvalidProblemError(f"{where}.{name}", f"must be a non-empty string, got {value!r}")
        elif f.type == "bool":
            if not isinstance(value, bool):
                raise InvalidProblemError(f"{where}.{name}", f"must be true or false, got {value!r}")
        elif f.type == "int":
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 1_000_000_000:
                raise InvalidProblemError(f"{where}.{name}", f"must be a whole number (within +-1e9), got {value!r}")
        elif name == "due_h" and value is None:
            value = math.inf
        else:
            _finite(f"{where}.{name}", value)
        values[name] = value
    return cls(**values)


def space_plan_to_json(plan: SpacePlan) -> str:
    """The plan as JSON: status, counts[class][departure], later[class], objective (CNY; null if none)."""
    import json

    return json.dumps(
        {
            "status": plan.status.value,
            "counts": plan.counts.tolist(),
            "later": plan.later.tolist(),
            "objective": plan.objective if math.isfinite(plan.objective) else None,
            "runtime_s": plan.runtime_s,
            "capped": plan.capped,
        },
        indent=2,
    )
