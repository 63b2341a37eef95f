"""The optimization jobs: routing, dock appointments and line-haul allocation (a problem and params, each
solved and checked by the library), and slotting (a layout and SKU table given as JSON and CSV text)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from logistics.optimize import SolveParams, check_routing, solve_routing
from logistics.optimize.common import InvalidProblemError
from logistics.optimize.design import DesignParams, check_design, design_plan_to_json, read_design, solve_design
from logistics.optimize.design.io import design_problem_schema
from logistics.optimize.docks import (
    DockParams,
    DockProblem,
    check_docks,
    dock_plan_to_json,
    dock_problem_from_json,
    solve_docks,
)
from logistics.optimize.linehaul import (
    SpaceParams,
    SpaceProblem,
    check_space,
    solve_space,
    space_plan_to_json,
    space_problem_from_json,
)
from logistics.optimize.routing.jsonio import problem_from_json, result_to_json, routing_problem_schema
from logistics.optimize.slotting import SlottingParams
from logistics.service.job import (
    Caps,
    JobKind,
    Outcome,
    capped_params,
    check_count,
    json_object,
    known_fields,
    params_of,
)

__all__ = ["DESIGN", "DOCKS", "LINEHAUL", "ROUTING", "SLOTTING"]


# routing, docks and line-haul: a problem and params ------------------------------------------------------


@dataclass(frozen=True)
class _Solver:
    """A solver the library calls `solve(problem, params)` and checks with `check(problem, plan)`: its JSON
    parser, params class, solver, checker and plan writer; `answer` is the result's key."""

    parse: Callable[[str], Any]
    params: type
    solve: Callable[[Any, Any], Any]
    check: Callable[[Any, Any], Any]
    write: Callable[[Any], str]
    problem_schema: Callable[[], dict[str, Any]]
    answer: str = "plan"
    one_process: bool = False  # refuse params.workers > 1 (a job runs in one worker)
    sizes: Callable[[dict, Caps], None] = lambda problem, caps: None  # refuse a problem too large, before parsing

    def parts(self, body: dict, caps: Caps) -> tuple[Any, Any, list[str]]:
        known_fields(body, {"problem", "params"})
        data = json_object(body, "problem")
        assert data is not None
        self.sizes(data, caps)
        problem = self.parse(json.dumps(data))
        default_s = getattr(self.params, "time_limit_s", 10.0)
        raw, notes = capped_params(json_object(body, "params", required=False) or {}, caps, default_s)
        if self.one_process and raw.get("workers", 1) != 1:
            raise InvalidProblemError("params.workers", "the service runs one search process per job: leave it at 1")
        return problem, params_of(self.params, raw), notes

    def run(self, body: dict, caps: Caps) -> Outcome:
        from logistics.core.control import stop_requested

        problem, params, _ = self.parts(body, caps)
        plan = self.solve(problem, params)
        check = self.check(problem, plan)
        written = json.loads(self.write(plan))
        return Outcome({self.answer: written, "check": _check_json(check)}, stopped=stop_requested())

    def schema(self) -> dict[str, Any]:
        from pydantic import TypeAdapter

        params = TypeAdapter(self.params).json_schema()
        params.get("properties", {}).pop("log", None)
        problem = {k: v for k, v in self.problem_schema().items() if k != "$schema"}
        return {
            "type": "object",
            "required": ["problem"],
            "properties": {"problem": problem, "params": params},
            "additionalProperties": False,
        }

    def kind(self, name: str) -> JobKind:
        def limit(body: dict, caps: Caps) -> float:
            raw = body.get("params")
            value = (raw if isinstance(raw, dict) else {}).get("time_limit_s", caps.max_time_limit_s)
            return min(float(value), caps.max_time_limit_s) if isinstance(value, int | float) else caps.max_time_limit_s

        return JobKind(name, lambda body, caps: self.parts(body, caps)[2], self.run, self.schema, limit)


def _check_json(check: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"ok": check.ok, "violations": list(check.violations)}
    for name in ("feasible", "distance_m", "cost"):
        if hasattr(check, name):
            value = getattr(check, name)
            out[name] = value if not isinstance(value, float) or math.isfinite(value) else None
    return out


def _schema_of(cls: type) -> Callable[[], dict[str, Any]]:
    def schema() -> dict[str, Any]:
        from pydantic import TypeAdapter

        return TypeAdapter(cls).json_schema()

    return schema


def _length(data: dict, key: str) -> int:
    value = data.get(key)
    return len(value) if isinstance(value, list) else 0


def _whole(data: dict, key: str, default: int) -> int:
    value = data.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _routing_sizes(problem: dict, caps: Caps) -> None:
    check_count("problem.locations", _length(problem, "locations"), caps.max_locations)
    check_count("problem.stops", _length(problem, "stops"), caps.max_items)


def _dock_sizes(problem: dict, caps: Caps) -> None:
    check_count("problem.doors", _length(problem, "doors"), caps.max_items)
    cells = _length(problem, "trucks") * max(1, _whole(problem, "horizon_slots", 96))
    check_count("problem.trucks x horizon_slots", cells, 10 * caps.max_items)


def _linehaul_sizes(problem: dict, caps: Caps) -> None:
    check_count(
        "problem.departures x classes", _length(problem, "departures") * _length(problem, "classes"), caps.max_items
    )


def _design_sizes(problem: dict, caps: Caps) -> None:
    """The model has up to one variable per demand entry, site and lane: refused before it is built."""
    markets = problem.get("markets")
    entries = (
        sum(len(m["demand"]) for m in markets if isinstance(m, dict) and isinstance(m.get("demand"), dict))
        if (isinstance(markets, list))
        else 0
    )
    ways = _length(problem, "sites") + _length(problem, "lanes")
    check_count("problem.markets[].demand x (sites + lanes)", entries * ways, caps.max_items)


DESIGN_SOLVER = _Solver(
    read_design, DesignParams, solve_design, check_design, design_plan_to_json, design_problem_schema,
    sizes=_design_sizes,
)  # fmt: skip
ROUTING_SOLVER = _Solver(
    problem_from_json, SolveParams, solve_routing, check_routing, lambda plan: result_to_json(plan, indent=None),
    routing_problem_schema, answer="solution", one_process=True, sizes=_routing_sizes,
)  # fmt: skip
DOCKS_SOLVER = _Solver(
    dock_problem_from_json, DockParams, solve_docks, check_docks, dock_plan_to_json, _schema_of(DockProblem),
    sizes=_dock_sizes,
)  # fmt: skip
LINEHAUL_SOLVER = _Solver(
    space_problem_from_json, SpaceParams, solve_space, check_space, space_plan_to_json, _schema_of(SpaceProblem),
    sizes=_linehaul_sizes,
)  # fmt: skip


# slotting --------------------------------------------------------------------------------------------------


def _slotting_sizes(body: dict, layout: dict, caps: Caps) -> None:
    for key in ("slots_csv", "skus_csv"):
        if isinstance(body.get(key), str):
            check_count(f"{key} rows", body[key].count("\n"), caps.max_items)
    generate = layout.get("generate")
    if isinstance(generate, dict) and isinstance(generate.get("bands"), list):
        aisles = sum(_whole(b, "aisles", 0) for b in generate["bands"] if isinstance(b, dict))
        slots = 2 * aisles * max(1, _whole(generate, "bays_per_block", 1)) * max(1, _whole(generate, "blocks", 1))
        check_count("layout.generate slots", slots * max(1, _whole(generate, "levels", 1)), caps.max_items)


def _slotting_parts(body: dict, caps: Caps) -> tuple[Any, Any, list[str]]:
    from logistics.optimize.slotting import SlottingProblem, read_skus_csv
    from logistics.optimize.slotting.files import layout_from_data
    from logistics.optimize.textio import CsvText

    known_fields(body, {"layout", "slots_csv", "skus_csv", "params"})
    layout_data = json_object(body, "layout")
    assert layout_data is not None
    _slotting_sizes(body, layout_data, caps)
    if "slots_csv" in layout_data:
        raise InvalidProblemError(
            "layout.slots_csv", "the service reads no files: give the slot table as slots_csv text"
        )
    texts = {}
    for key in ("slots_csv", "skus_csv"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidProblemError(key, f"must be CSV text, got {type(value).__name__}")
        texts[key] = CsvText(key, value) if value is not None else None
    if texts["skus_csv"] is None:
        raise InvalidProblemError("skus_csv", "is required (CSV text: sku_id, picks, volume_l, weight_kg, ...)")
    layout = layout_from_data(layout_data, "layout", texts["slots_csv"])
    params = json_object(body, "params", required=False) or {}
    return SlottingProblem(layout, read_skus_csv(texts["skus_csv"])), params_of(SlottingParams, params), []


def _slotting_run(body: dict, caps: Caps) -> Outcome:
    from logistics.optimize.slotting import check_slotting, solve_slotting

    problem, params, _ = _slotting_parts(body, caps)
    plan = solve_slotting(problem, params)
    check = check_slotting(problem, plan)
    slots, skus = problem.layout.slots.slot_id, problem.skus.sku_id
    assignments = [{"slot_id": str(slots[j]), "sku_id": str(skus[k])} for j, k in enumerate(plan.sku_of_slot) if k >= 0]
    result = {
        "plan": {
            "method": plan.method,
            "status": str(plan.status),
            "objective_m": plan.objective_m,
            "message": plan.message,
            "unplaced": [str(u) for u in plan.unplaced],
            "assignments": assignments,
        },
        "check": _check_json(check),
    }
    return Outcome(result)


def _slotting_schema() -> dict[str, Any]:
    text = {"type": "string", "description": "CSV text with a header line"}
    return {
        "type": "object",
        "required": ["layout", "skus_csv"],
        "properties": {
            "layout": {"type": "object", "description": "Layout JSON: a 'generate' section, or zones and geometry"},
            "slots_csv": text,
            "skus_csv": text,
            "params": _schema_of(SlottingParams)(),
        },
        "additionalProperties": False,
    }


ROUTING = ROUTING_SOLVER.kind("routing")
DOCKS = DOCKS_SOLVER.kind("docks")
LINEHAUL = LINEHAUL_SOLVER.kind("linehaul")
DESIGN = DESIGN_SOLVER.kind("design")
SLOTTING = JobKind(
    "slotting",
    lambda body, caps: _slotting_parts(body, caps)[2],
    _slotting_run,
    _slotting_schema,
    lambda body, caps: caps.max_time_limit_s,
)
