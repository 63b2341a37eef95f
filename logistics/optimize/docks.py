"""Dock appointments: trucks -> dock door and start slot on a time grid, with CP-SAT.

Each truck has an expected arrival slot, a desired latest finish (`due_slot`), a handling duration in slots
(from its load), a priority weight and a door type; each door has a type. A door handles one truck at a time,
and `buffer_slots` are kept free after each appointment to absorb late arrivals and no-shows. The objective is
the weighted waiting (start - arrival) plus weighted lateness (finish beyond due), plus a penalty for every
truck left without an appointment (so a plan always comes back).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

from logistics.core.control import on_stop
from logistics.optimize.common import Check, InvalidProblemError, Status

__all__ = [
    "DockDoor",
    "DockParams",
    "DockPlan",
    "DockProblem",
    "Truck",
    "check_docks",
    "dock_plan_to_json",
    "dock_problem_from_json",
    "solve_docks",
]


@dataclass(frozen=True)
class Truck:
    """A truck to (un)load: slots on the problem's grid."""

    id: str
    arrival_slot: int
    duration_slots: int
    due_slot: int | None = None  # latest desired end; None: end of the horizon
    priority: float = 1.0
    door_type: str = "standard"


@dataclass(frozen=True)
class DockDoor:
    """A dock door of a type (standard, cold, bonded ...)."""

    id: str
    door_type: str = "standard"


@dataclass(frozen=True)
class DockProblem:
    """Trucks and doors on a grid of `horizon_slots` slots of `slot_min` minutes."""

    trucks: tuple[Truck, ...]
    doors: tuple[DockDoor, ...]
    horizon_slots: int = 96
    slot_min: float = 15.0
    buffer_slots: int = 0
    lateness_weight: float = 2.0
    unscheduled_penalty: float = 10_000.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "trucks", tuple(self.trucks))
        object.__setattr__(self, "doors", tuple(self.doors))
        bad = InvalidProblemError
        _whole("horizon_slots", self.horizon_slots, 1, MAX_HORIZON_SLOTS)
        _number("slot_min", self.slot_min, 1e-3, 24 * 60.0)
        _whole("buffer_slots", self.buffer_slots, 0, self.horizon_slots)
        _number("lateness_weight", self.lateness_weight, 0.0, 1e6)
        _number("unscheduled_penalty", self.unscheduled_penalty, 0.0, 1e9)
        if not self.doors:
            raise bad("doors", "at least one door is needed")
        ids: set[str] = set()
        for i, d in enumerate(self.doors):
            if not isinstance(d.id, str) or not isinstance(d.door_type, str):
                raise bad(f"doors[{i}]", "id and door_type must be text")
            if d.id in ids:
                raise bad(f"doors[{i}].id", f"door id {d.id!r} is used twice")
            ids.add(d.id)
        ids = set()
        for i, t in enumerate(self.trucks):
            where = f"trucks[{i}]"
            if not isinstance(t.id, str) or not isinstance(t.door_type, str):
                raise bad(where, "id and door_type must be text")
            _whole(f"{where}.arrival_slot", t.arrival_slot, 0, self.horizon_slots - 1)
            _whole(f"{where}.duration_slots", t.duration_slots, 1, self.horizon_slots)
            if t.due_slot is not None:
                _whole(f"{where}.due_slot", t.due_slot, 0, 10 * self.horizon_slots)
            _number(f"{where}.priority", t.priority, 0.0, 1e6)
            if t.id in ids:
                raise bad(f"{where}.id", f"truck id {t.id!r} is used twice")
            ids.add(t.id)
            if not 0 <= t.arrival_slot < self.horizon_slots:
                raise bad(f"{where}.arrival_slot", f"must be in [0, {self.horizon_slots}), got {t.arrival_slot}")
            if t.duration_slots < 1:
                raise bad(f"{where}.duration_slots", f"must be >= 1, got {t.duration_slots}")
            if t.due_slot is not None and t.due_slot < t.arrival_slot + t.duration_slots:
                raise bad(
                    f"{where}.due_slot",
                    f"{t.due_slot} is before the earliest possible end {t.arrival_slot + t.duration_slots}",
                )
            if not t.priority >= 0:
                raise bad(f"{where}.priority", f"must be >= 0, got {t.priority}")
        starts = [max(0, self.horizon_slots - t.duration_slots - t.arrival_slot + 1) for t in self.trucks]
        variables = sum(starts)
        # each start variable sits in the door-capacity sum of every slot its truck occupies
        terms = sum(n * (t.duration_slots + self.buffer_slots) for n, t in zip(starts, self.trucks, strict=True))
        if variables > MAX_VARIABLES or terms > MAX_TERMS:
            raise bad(
                "horizon_slots",
                f"the model would need {variables:,} start variables and {terms:,} capacity terms (more than "
                f"{MAX_VARIABLES:,} and {MAX_TERMS:,}); use fewer or longer slots, shorter stays or split the horizon",
            )


MAX_HORIZON_SLOTS = 20_000
"""Longest grid (slots): two weeks of one-minute slots, or about seven months of 15-minute slots."""
MAX_VARIABLES = 2_000_000
"""Most start variables (a truck times a slot it may start in) a CP-SAT model is built with."""
MAX_TERMS = 20_000_000
"""Most terms in the door-capacity constraints (start variables times the slots each occupies)."""


def _whole(field: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidProblemError(field, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidProblemError(field, f"must be in [{low}, {high}], got {value}")


def _number(field: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidProblemError(field, f"must be a finite number, got {value!r}")
    if not low <= value <= high:
        raise InvalidProblemError(field, f"must be in [{low:g}, {high:g}], got {value}")


@dataclass(frozen=True)
class Appointment:
    """A truck's door and start slot."""

    truck: str
    door: str
    start_slot: int
    end_slot: int
    waiting_slots: int
    late_slots: int


@dataclass(frozen=True)
class DockPlan:
    """The schedule, the trucks without an appointment (with the reason), KPIs and solver facts."""

    status: Status
    appointments: tuple[Appointment, ...]
    unscheduled: tuple[tuple[str, str], ...]
    objective: float
    best_bound: float
    gap: float
    mean_waiting_min: float
    door_utilisation: float
    runtime_s: float
    stats: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DockParams:
    """How to solve: CP-SAT's wall-clock `time_limit_s`, its `workers` and `seed`. With `workers=1` and
    `deterministic_time` (CP-SAT's work measure, roughly seconds) the search stops on work done, not on the
    clock, so the same problem gets the same plan on every run; `time_limit_s` is then a cap."""

    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0
    deterministic_time: float | None = None

    def __post_init__(self) -> None:
        _number("params.time_limit_s", self.time_limit_s, 1e-3, 7 * 86400)
        _whole("params.workers", self.workers, 1, 64)
        if self.deterministic_time is not None:
            _number("params.deterministic_time", self.deterministic_time, 1e-3, 7 * 86400)


def solve_docks(problem: DockProblem, params: DockParams | None = None) -> DockPlan:
    """Optimal (or best within the limit, with its proven gap) door-and-slot plan (see `DockParams`).

    Doors of one type are interchangeable, so the model only decides start slots under a capacity per door
    type and slot (at most that many trucks, buffers included, at once); the doors are then given
    by colouring the intervals in start order, which always succeeds for intervals on a line. This removes the
    door symmetry that makes a truck-by-door model slow to prove anything."""
    from ortools.sat.python import cp_model  # here: CP-SAT (and the pandas it imports) only for a dock solve

    params = params or DockParams()
    started = time.perf_counter()
    m = cp_model.CpModel()
    h = problem.horizon_slots
    buf = problem.buffer_slots
    scale = 100  # objective in hundredths
    capacity: dict[str, int] = {}
    for d in problem.doors:
        capacity[d.door_type] = capacity.get(d.door_type, 0) + 1
    # Time-indexed model: x[k, s] = truck k starts at slot s. Its LP relaxation bounds the weighted waiting
    # tightly, which is what lets CP-SAT prove optimality (an interval model found good plans but no bound).
    x: dict[int, dict[int, cp_model.IntVar]] = {}
    placed: dict[int, cp_model.IntVar] = {}
    load: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    terms = []
    unscheduled: list[tuple[str, str]] = []
    for k, t in enumerate(problem.trucks):
        latest = h - t.duration_slots
        if t.door_type not in capacity or latest < t.arrival_slot:
            reason = (
                f"no door of type {t.door_type!r}"
                if t.door_type not in capacity
                else "arrives too late to finish within the horizon"
            )
            unscheduled.append((t.id, reason))
            continue
        due = t.due_slot if t.due_slot is not None else h
        x[k] = {}
        for start in range(t.arrival_slot, latest + 1):
            var = m.new_bool_var(f"x_{k}_{start}")
            x[k][start] = var
            for tau in range(start, min(h, start + t.duration_slots + buf)):
                load.setdefault((t.door_type, tau), []).append(var)
            cost = t.priority * (
                (start - t.arrival_slot) + problem.lateness_weight * max(0, start + t.duration_slots - due)
            )
            if cost:
                terms.append(round(cost * scale) * var)
        placed[k] = m.new_bool_var(f"placed_{k}")
        m.add(sum(x[k].values()) == placed[k])
        terms.append(round(problem.unscheduled_penalty * scale) * (1 - placed[k]))
    for (door_type, _), vars_ in load.items():
        if len(vars_) > capacity[door_type]:
            m.add(sum(vars_) <= capacity[door_type])
    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.time_limit_s
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    if params.deterministic_time is not None:
        solver.parameters.max_deterministic_time = params.deterministic_time
    with on_stop(solver.stop_search):  # a cancelled service job: CP-SAT stops, its best plan stands
        code = solver.solve(m)
    runtime = time.perf_counter() - started
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _no_plan(problem, m, solver, code, runtime)
    # Doors: colour each type's intervals in start order, each to a door free by then.
    chosen = sorted(
        (next(start for start, var in x[k].items() if solver.value(var)), k) for k in x if solver.value(placed[k])
    )
    appointments = _doors_by_start(problem, chosen)
    for k in x:
        if not solver.value(placed[k]):
            unscheduled.append((problem.trucks[k].id, "no door time left: leaving it out is cheaper than fitting it"))
    objective = solver.objective_value / scale
    bound = solver.best_objective_bound / scale
    gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
    busy = sum(a.end_slot - a.start_slot for a in appointments)
    status = Status.OPTIMAL if code == cp_model.OPTIMAL else Status.FEASIBLE
    if unscheduled:
        status = Status.INFEASIBLE
    return DockPlan(
        status=status,
        appointments=tuple(appointments),
        unscheduled=tuple(unscheduled),
        objective=objective,
        best_bound=bound,
        gap=gap,
        mean_waiting_min=(
            sum(a.waiting_slots for a in appointments) / len(appointments) * problem.slot_min if appointments else 0.0
        ),
        door_utilisation=busy / (len(problem.doors) * h),
        runtime_s=runtime,
        stats={"cp_sat": solver.status_name(code), "branches": solver.num_branches, "conflicts": solver.num_conflicts},
    )


def _no_plan(problem: DockProblem, m: Any, solver: Any, code: Any, runtime: float) -> DockPlan:
    """The answer when CP-SAT has no plan: invalid model (what to lower), infeasible, or out of time; every
    truck unscheduled with that reason."""
    from ortools.sat.python import cp_model

    status, why = {
        cp_model.MODEL_INVALID: (
            Status.INVALID,
            "the model is invalid (CP-SAT: "
            + " ".join(m.validate().split())[:60]
            + "...): lower priority, lateness_weight or unscheduled_penalty",
        ),
        cp_model.INFEASIBLE: (Status.INFEASIBLE, "no plan exists"),
    }.get(code, (Status.TIME_LIMIT, "no plan found within the time limit"))
    nan = float("nan")
    return DockPlan(
        status,
        (),
        tuple((t.id, why) for t in problem.trucks),
        nan,
        nan,
        nan,
        nan,
        nan,
        runtime,
        {"cp_sat": solver.status_name(code)},
    )


def _doors_by_start(problem: DockProblem, chosen: list[tuple[int, int]]) -> list[Appointment]:
    """Doors for the chosen (start slot, truck) pairs: each type's intervals coloured in start order, each to a
    door of its type free by then (always possible for intervals on a line within the type's capacity)."""
    h, buf = problem.horizon_slots, problem.buffer_slots
    free_at = {d.id: 0 for d in problem.doors}
    appointments = []
    for s, k in chosen:
        t = problem.trucks[k]
        door = next(d.id for d in problem.doors if d.door_type == t.door_type and free_at[d.id] <= s)
        free_at[door] = s + t.duration_slots + buf
        due = t.due_slot if t.due_slot is not None else h
        appointments.append(
            Appointment(t.id, door, s, s + t.duration_slots, s - t.arrival_slot, max(0, s + t.duration_slots - due))
        )
    return appointments


def check_docks(problem: DockProblem, plan: DockPlan) -> Check:
    """Every violated rule of a plan (`ok`: the plan is valid), recomputed from the problem alone."""
    v: list[str] = []
    trucks = {t.id: t for t in problem.trucks}
    doors = {d.id: d for d in problem.doors}
    seen: set[str] = set()
    per_door: dict[str, list[tuple[int, int, str]]] = {}
    for a in plan.appointments:
        t, d = trucks.get(a.truck), doors.get(a.door)
        if t is None or d is None:
            v.append(f"{a.truck}@{a.door}: unknown truck or door")
            continue
        if a.truck in seen:
            v.append(f"truck {a.truck} has two appointments")
        seen.add(a.truck)
        if d.door_type != t.door_type:
            v.append(f"truck {a.truck} needs a {t.door_type} door, got {d.id} ({d.door_type})")
        if a.start_slot < t.arrival_slot:
            v.append(f"truck {a.truck} starts at {a.start_slot}, before it arrives at {t.arrival_slot}")
        if a.end_slot != a.start_slot + t.duration_slots or a.end_slot > problem.horizon_slots:
            v.append(f"truck {a.truck}: wrong end slot or past the horizon")
        per_door.setdefault(a.door, []).append((a.start_slot, a.end_slot + problem.buffer_slots, a.truck))
    for door, items in per_door.items():
        items.sort()
        for (_, e1, t1), (s2, _, t2) in itertools.pairwise(items):
            if s2 < min(e1, problem.horizon_slots):
                v.append(f"door {door}: {t1} (with buffer until {e1}) overlaps {t2} starting at {s2}")
    missing = set(trucks) - seen - {u for u, _ in plan.unscheduled}
    if missing:
        v.append(f"trucks neither scheduled nor reported: {sorted(missing)[:5]}")
    return Check(tuple(v))


def dock_problem_from_json(text: str) -> DockProblem:
    """A dock problem from JSON: {"trucks": [{"id", "arrival_slot", "duration_slots", "due_slot"?, "priority"?,
    "door_type"?}], "doors": [{"id", "door_type"?}], "horizon_slots"?, "slot_min"?, "buffer_slots"?,
    "lateness_weight"?, "unscheduled_penalty"?}; errors name the field."""
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidProblemError("json", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidProblemError("json", "expected an object with trucks and doors")
    settings = {k: v for k, v in data.items() if k not in ("trucks", "doors")}
    parts: dict[str, tuple[Any, ...]] = {}
    for key, cls in (("trucks", Truck), ("doors", DockDoor)):
        items = []
        listed = data.get(key, [])
        if not isinstance(listed, list):
            raise InvalidProblemError(key, f"must be a list, got {type(listed).__name__}")
        for i, item in enumerate(listed):
            if not isinstance(item, dict):
                raise InvalidProblemError(f"{key}[{i}]", f"must be an object, got {type(item).__name__}")
            try:
                items.append(cls(**item))
            except TypeError as exc:
                raise InvalidProblemError(f"{key}[{i}]", str(exc).split(".__init__() ")[-1]) from None
        parts[key] = tuple(items)
    try:
        return DockProblem(parts["trucks"], parts["doors"], **settings)
    except TypeError as exc:
        raise InvalidProblemError("problem", str(exc).split(".__init__() ")[-1]) from None


def dock_plan_to_json(plan: DockPlan) -> str:
    """The plan as JSON (status, appointments, unscheduled trucks with reasons, KPIs)."""
    import json
    import math
    from dataclasses import asdict

    data = asdict(plan)
    data["status"] = plan.status.value
    data["unscheduled"] = [{"truck": t, "reason": r} for t, r in plan.unscheduled]
    for key in ("objective", "best_bound", "gap", "mean_waiting_min", "door_utilisation"):
        if isinstance(data[key], float) and not math.isfinite(data[key]):
            data[key] = None
    return json.dumps(data, indent=2)
