"""The kinds of job the service runs, by name: each reads its request body with the library's own parser (so a
bad body gets the same words as the CLI, naming the field), runs the library's solver or simulation in a
worker, and answers with the library's JSON of the result and the independent checker's verdict.

Bodies (JSON):
- routing:    {"problem": <routing problem JSON>, "params": {"time_limit_s", "backend", "seed", "solution_limit"}}
- slotting:   {"layout": <layout JSON: a "generate" section, or zones and geometry>, "slots_csv": "<CSV text>"
              (with zones), "skus_csv": "<CSV text>", "params": {"method", "seed"}}
- docks:      {"problem": <dock problem JSON>, "params": {"time_limit_s", "workers", "seed", "deterministic_time"}}
- linehaul:   {"problem": <line-haul allocation JSON>, "params": {"time_limit_s", "node_limit"}}
- simulation: {"scenario": "<built-in name>" | {<scenario>}, or "scenario_yaml": "<YAML text>";
              "overrides": ["path=value", ...], "replications": n, "seed": n}
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logistics.core.errors import LogisticsError, ScenarioError, ScenarioIssue
from logistics.optimize.common import InvalidProblemError

__all__ = ["KINDS", "JobKind", "Outcome", "StopRequested", "error_items"]


class StopRequested(Exception):
    """Raised inside a job that checks for a stop between its own steps (the simulation)."""


@dataclass(frozen=True)
class Outcome:
    """What a job hands back: its result (JSON-ready) and files (name -> bytes; the simulation's run files)."""

    result: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    stopped: bool = False  # a stop was requested and the job ended early with what it had


@dataclass(frozen=True)
class JobKind:
    """A job kind: `check(body, cap)` validates a body (raising the library's errors) and returns the notes
    of the limits it applied; `run(body, cap)` does the work in a worker; `schema()` is the body's JSON Schema."""

    name: str
    check: Callable[[dict, Caps], list[str]]
    run: Callable[[dict, Caps], Outcome]
    schema: Callable[[], dict[str, Any]]
    time_limit_s: Callable[[dict, Caps], float]  # for progress and for the worker's safety limit


@dataclass(frozen=True)
class Caps:
    """The server's limits a job runs under."""

    max_time_limit_s: float
    max_replications: int


def error_items(exc: LogisticsError) -> list[dict[str, Any]]:
    """A library error as 422 `detail` items: where (`loc`) and what (`msg`), in the CLI's words."""
    if isinstance(exc, ScenarioError):
        return [{"loc": [str(p) for p in issue.path], "msg": str(issue), "type": "value_error"} for issue in exc.issues]
    if isinstance(exc, InvalidProblemError):
        return [{"loc": exc.field.split("."), "msg": str(exc), "type": "value_error"}]
    return [{"loc": [], "msg": str(exc), "type": "value_error"}]


def _object(body: dict, key: str, required: bool = True) -> dict | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise InvalidProblemError(key, f"must be a JSON object, got {type(value).__name__}")
    return value


def _known(body: dict, keys: set[str], where: str = "") -> None:
    for key in body:
        if key not in keys:
            raise InvalidProblemError(f"{where}{key}", f"unknown field (known: {', '.join(sorted(keys))})")


def _capped(params: dict, caps: Caps, default: float) -> tuple[dict, list[str]]:
    """`params` with `time_limit_s` cut to the server's cap (and a note saying so)."""
    limit = params.get("time_limit_s", default)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit) or limit <= 0:
        raise InvalidProblemError("params.time_limit_s", f"must be a number > 0, got {limit!r}")
    if limit > caps.max_time_limit_s:
        note = f"params.time_limit_s {limit:g} cut to the server's limit of {caps.max_time_limit_s:g} s"
        return {**params, "time_limit_s": caps.max_time_limit_s}, [note]
    return {**params, "time_limit_s": limit}, []


def _params(cls: type, params: dict) -> Any:
    """A library params dataclass from a JSON object; unknown fields named."""
    from dataclasses import fields

    known = {f.name for f in fields(cls)} - {"log"}
    _known(params, known, "params.")
    return cls(**params)


# routing ---------------------------------------------------------------------------------------------------


def _routing_parts(body: dict, caps: Caps) -> tuple[Any, Any, list[str]]:
    from logistics.optimize import SolveParams
    from logistics.optimize.routing.jsonio import problem_from_json

    _known(body, {"problem", "params"})
    problem = problem_from_json(json.dumps(_object(body, "problem")))
    raw, notes = _capped(_object(body, "params", required=False) or {}, caps, SolveParams.time_limit_s)
    if raw.get("workers", 1) != 1:
        raise InvalidProblemError("params.workers", "the service runs one search process per job: leave it at 1")
    return problem, _params(SolveParams, raw), notes


def _routing_run(body: dict, caps: Caps) -> Outcome:
    from logistics.core.control import stop_requested
    from logistics.optimize import check_routing, solve_routing
    from logistics.optimize.routing.jsonio import result_to_json

    problem, params, _ = _routing_parts(body, caps)
    result = solve_routing(problem, params)
    check = check_routing(problem, result)
    return Outcome(
        {"solution": json.loads(result_to_json(result, indent=None)), "check": _check_json(check)},
        stopped=stop_requested(),
    )


def _check_json(check: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"ok": check.ok, "violations": list(check.violations)}
    for name in ("feasible", "distance_m", "cost"):
        if hasattr(check, name):
            value = getattr(check, name)
            out[name] = value if not isinstance(value, float) or math.isfinite(value) else None
    return out


def _routing_schema() -> dict[str, Any]:
    from logistics.optimize.routing.jsonio import routing_problem_schema

    return _body_schema(routing_problem_schema(), _params_schema("logistics.optimize", "SolveParams"))


def _params_schema(module: str, name: str) -> dict[str, Any]:
    import importlib

    from pydantic import TypeAdapter

    cls = getattr(importlib.import_module(module), name)
    schema = TypeAdapter(cls).json_schema()
    schema.get("properties", {}).pop("log", None)
    return schema


def _body_schema(problem: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    problem = {k: v for k, v in problem.items() if k != "$schema"}
    return {
        "type": "object",
        "required": ["problem"],
        "properties": {"problem": problem, "params": params},
        "additionalProperties": False,
    }


# docks and line-haul ---------------------------------------------------------------------------------------


def _docks_parts(body: dict, caps: Caps) -> tuple[Any, Any, list[str]]:
    from logistics.optimize.docks import DockParams, dock_problem_from_json

    _known(body, {"problem", "params"})
    problem = dock_problem_from_json(json.dumps(_object(body, "problem")))
    raw, notes = _capped(_object(body, "params", required=False) or {}, caps, DockParams.time_limit_s)
    return problem, _params(DockParams, raw), notes


def _docks_run(body: dict, caps: Caps) -> Outcome:
    from logistics.core.control import stop_requested
    from logistics.optimize.docks import check_docks, dock_plan_to_json, solve_docks

    problem, params, _ = _docks_parts(body, caps)
    plan = solve_docks(problem, params)
    return Outcome(
        {"plan": json.loads(dock_plan_to_json(plan)), "check": _check_json(check_docks(problem, plan))},
        stopped=stop_requested(),
    )


def _docks_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    from logistics.optimize.docks import DockProblem

    return _body_schema(
        TypeAdapter(DockProblem).json_schema(), _params_schema("logistics.optimize.docks", "DockParams")
    )


def _linehaul_parts(body: dict, caps: Caps) -> tuple[Any, Any, list[str]]:
    from logistics.optimize.linehaul import SpaceParams, space_problem_from_json

    _known(body, {"problem", "params"})
    problem = space_problem_from_json(json.dumps(_object(body, "problem")))
    raw, notes = _capped(_object(body, "params", required=False) or {}, caps, SpaceParams.time_limit_s)
    return problem, _params(SpaceParams, raw), notes


def _linehaul_run(body: dict, caps: Caps) -> Outcome:
    from logistics.core.control import stop_requested
    from logistics.optimize.linehaul import check_space, solve_space, space_plan_to_json

    problem, params, _ = _linehaul_parts(body, caps)
    plan = solve_space(problem, params)
    return Outcome(
        {"plan": json.loads(space_plan_to_json(plan)), "check": _check_json(check_space(problem, plan))},
        stopped=stop_requested(),
    )


def _linehaul_schema() -> dict[str, Any]:
    from pydantic import TypeAdapter

    from logistics.optimize.linehaul import SpaceProblem

    return _body_schema(
        TypeAdapter(SpaceProblem).json_schema(), _params_schema("logistics.optimize.linehaul", "SpaceParams")
    )


# slotting --------------------------------------------------------------------------------------------------


def _slotting_parts(body: dict, caps: Caps) -> tuple[Any, Any, list[str]]:
    from logistics.optimize.slotting import SlottingParams, SlottingProblem, read_skus_csv
    from logistics.optimize.slotting.files import layout_from_data
    from logistics.optimize.textio import CsvText

    _known(body, {"layout", "slots_csv", "skus_csv", "params"})
    layout_data = _object(body, "layout")
    assert layout_data is not None
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
    params = _object(body, "params", required=False) or {}
    return SlottingProblem(layout, read_skus_csv(texts["skus_csv"])), _params(SlottingParams, params), []


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
            "params": _params_schema("logistics.optimize.slotting", "SlottingParams"),
        },
        "additionalProperties": False,
    }


# simulation ------------------------------------------------------------------------------------------------


def _scenario(body: dict, caps: Caps) -> tuple[Any, list[str]]:
    from logistics.scenario import builtin_names
    from logistics.scenario.builtin import load_builtin
    from logistics.scenario.loader import apply_overrides, parse_scenario, validate_data
    from logistics.sim.size import check_buildable

    _known(body, {"scenario", "scenario_yaml", "overrides", "replications", "seed"})
    overrides = body.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise InvalidProblemError("overrides", 'must be a list of "path=value" strings')
    notes: list[str] = []
    for key in ("replications", "seed"):
        value = body.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < (1 if key == "replications" else 0)
        ):
            raise InvalidProblemError(
                key, f"must be a whole number >= {1 if key == 'replications' else 0}, got {value!r}"
            )
    if body.get("seed") is not None:
        overrides = [*overrides, f"run.seed={body['seed']}"]
    if body.get("replications") is not None:
        overrides = [*overrides, f"run.replications={body['replications']}"]
    checks = (lambda s: check_buildable(s, False),)
    given = [k for k in ("scenario", "scenario_yaml") if body.get(k) is not None]
    if len(given) != 1:
        raise InvalidProblemError(
            "scenario", "give one of scenario (a built-in name or a scenario object) or scenario_yaml"
        )
    value = body[given[0]]
    if given[0] == "scenario_yaml":
        if not isinstance(value, str):
            raise InvalidProblemError("scenario_yaml", "must be YAML text")
        scenario = parse_scenario(value, source="scenario_yaml", overrides=overrides, checks=checks)
    elif isinstance(value, str):
        if value not in builtin_names():
            raise InvalidProblemError(
                "scenario", f"unknown built-in scenario {value!r} (known: {', '.join(builtin_names())})"
            )
        scenario = load_builtin(value, overrides, checks)
    elif isinstance(value, dict):
        data, sources = apply_overrides(value, overrides)
        scenario = validate_data(data, source="scenario", override_sources=sources, checks=checks)
    else:
        raise InvalidProblemError(
            "scenario", f"must be a built-in name or a scenario object, got {type(value).__name__}"
        )
    if scenario.run.replications > caps.max_replications:
        raise ScenarioError(
            [
                ScenarioIssue(
                    ("run", "replications"),
                    f"at most {caps.max_replications} on this server, got {scenario.run.replications}",
                    source="scenario",
                )
            ]
        )
    return scenario, notes


def _simulation_check(body: dict, caps: Caps) -> list[str]:
    return _scenario(body, caps)[1]


def _simulation_run(body: dict, caps: Caps) -> Outcome:
    from logistics.analysis.kpis import kpi_table
    from logistics.analysis.report import summary_table
    from logistics.core.control import report_progress, stop_requested
    from logistics.experiments import run_replications, write_outputs

    scenario, _ = _scenario(body, caps)
    reps, end_h = scenario.run.replications, scenario.run.end_h
    results: list = []
    last = [-1.0]

    def progress(r: int, now_h: float, _end: float) -> None:
        if stop_requested():
            raise StopRequested
        fraction = (r * end_h + now_h) / (reps * end_h)
        if fraction - last[0] >= 0.01:
            last[0] = fraction
            report_progress(fraction=fraction)

    stopped = False
    try:
        run_replications(scenario, progress=progress, on_result=results.append)
    except StopRequested:
        stopped = True
    result: dict[str, Any] = {
        "scenario": scenario.name,
        "seed": scenario.run.seed,
        "replications": scenario.run.replications,
        "replications_finished": len(results),
        "kpis": [],
    }
    files: dict[str, bytes] = {}
    if results:
        summary = summary_table(kpi_table(results))
        result["kpis"] = json.loads(summary.to_json(orient="records"))
        with tempfile.TemporaryDirectory() as folder:
            written = write_outputs(results, Path(folder))
            for path in written.values():
                files[path.name] = path.read_bytes()
    return Outcome(result, files, stopped=stopped)


def _simulation_schema() -> dict[str, Any]:
    from logistics.scenario.schema import scenario_json_schema

    scenario = {k: v for k, v in scenario_json_schema().items() if k != "$schema"}
    return {
        "type": "object",
        "properties": {
            "scenario": {"anyOf": [{"type": "string", "description": "a built-in scenario name"}, scenario]},
            "scenario_yaml": {"type": "string", "description": "a scenario file's text"},
            "overrides": {"type": "array", "items": {"type": "string"}, "description": "path.to.field=value"},
            "replications": {"type": "integer", "minimum": 1},
            "seed": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    }


def _solver_kind(name: str, parts: Callable, run: Callable, schema: Callable, default_limit_s: float) -> JobKind:
    def limit(body: dict, caps: Caps) -> float:
        raw = body.get("params")
        params = raw if isinstance(raw, dict) else {}
        value = params.get("time_limit_s", default_limit_s)
        return min(float(value), caps.max_time_limit_s) if isinstance(value, int | float) else default_limit_s

    return JobKind(name, lambda body, caps: parts(body, caps)[2], run, schema, limit)


KINDS: dict[str, JobKind] = {
    "routing": _solver_kind("routing", _routing_parts, _routing_run, _routing_schema, 10.0),
    "slotting": _solver_kind("slotting", _slotting_parts, _slotting_run, _slotting_schema, 60.0),
    "docks": _solver_kind("docks", _docks_parts, _docks_run, _docks_schema, 30.0),
    "linehaul": _solver_kind("linehaul", _linehaul_parts, _linehaul_run, _linehaul_schema, 2.0),
    "simulation": JobKind(
        "simulation", _simulation_check, _simulation_run, _simulation_schema, lambda body, caps: math.inf
    ),
}
