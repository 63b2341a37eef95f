"""The simulation job: a scenario (a built-in name, a scenario object or YAML text) with overrides, a seed and
replications, run to its KPI summary and run files; a stop between progress ticks keeps the finished
replications."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.optimize.common import InvalidProblemError
from logistics.service.job import Caps, JobKind, Outcome, StopRequested, known_fields

__all__ = ["SIMULATION"]


def _scenario(body: dict, caps: Caps, build: bool = False) -> tuple[Any, list[str]]:
    """The job's scenario, validated; its estimated memory within the server's limit. The model is built
    (`build`) only in the worker: a large build would hold up the server (a failure there fails the job with
    the same message `validate` gives)."""
    from logistics.scenario import builtin_names
    from logistics.scenario.builtin import load_builtin
    from logistics.scenario.loader import apply_overrides, parse_scenario, validate_data
    from logistics.sim.policy_choices import check_policies
    from logistics.sim.size import check_buildable, estimate_size

    known_fields(body, {"scenario", "scenario_yaml", "overrides", "replications", "seed"})
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

    def fits(scenario: Any) -> None:
        check_policies(scenario)
        size = estimate_size(scenario)
        if size.memory_b > caps.simulation_memory_b:
            raise InvalidProblemError(
                "scenario",
                f"estimated {size.memory_b / 1e9:.1f} GB ({size}), over this server's limit of "
                f"{caps.simulation_memory_b / 1e9:.1f} GB",
            )
        if build:
            check_buildable(scenario, force=True)

    checks = (fits,)
    given = [k for k in ("scenario", "scenario_yaml") if body.get(k) is not None]
    if len(given) != 1:
        raise InvalidProblemError(
            "scenario", "give one of scenario (a built-in name or a scenario object) or scenario_yaml"
        )
    value = body[given[0]]
    if given[0] == "scenario_yaml":
        if not isinstance(value, str):
            raise InvalidProblemError("scenario_yaml", "must be YAML text")
        scenario = parse_scenario(value, source="scenario_yaml", overrides=overrides, checks=checks, files=False)
    elif isinstance(value, str):
        if value not in builtin_names():
            raise InvalidProblemError(
                "scenario", f"unknown built-in scenario {value!r} (known: {', '.join(builtin_names())})"
            )
        scenario = load_builtin(value, overrides, checks)
    elif isinstance(value, dict):
        data, sources = apply_overrides(value, overrides)
        scenario = validate_data(data, source="scenario", override_sources=sources, checks=checks, files=False)
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
    from logistics.core.control import own_progress, stop_requested
    from logistics.experiments import run_replications, write_outputs

    scenario, _ = _scenario(body, caps, build=True)
    reps, end_h = scenario.run.replications, scenario.run.end_h
    results: list = []
    last = [-1.0]
    deadline = time.monotonic() + caps.max_simulation_s
    timed_out = [False]

    stopped = False
    with own_progress() as report_progress:  # a dispatch optimizer's own fractions stay out of the job's progress

        def progress(r: int, now_h: float, _end: float) -> None:
            if stop_requested():
                raise StopRequested
            if time.monotonic() > deadline:
                timed_out[0] = True
                raise StopRequested
            fraction = (r * end_h + now_h) / (reps * end_h)
            if fraction - last[0] >= 0.01:
                last[0] = fraction
                report_progress(fraction=fraction, replications_finished=r)

        try:
            run_replications(scenario, progress=progress, on_result=results.append)
        except StopRequested:
            stopped = not timed_out[0]
    note = (
        f"stopped at this server's simulation time limit ({caps.max_simulation_s:g} s): {len(results)} of {reps} "
        "replications finished; the result and files cover those"
        if timed_out[0]
        else None
    )
    if timed_out[0] and not results:
        from logistics.core.errors import LogisticsError

        raise LogisticsError(
            f"no replication finished within this server's simulation time limit ({caps.max_simulation_s:g} s): "
            "shorten the horizon or ask for a higher limit"
        )
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
    return Outcome(result, files, stopped=stopped, note=note)


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


# stopped, it ends at its next progress tick and writes the finished replications' files (the report's plots
# take a few seconds): it may take this long before its worker is ended
SIMULATION = JobKind(
    "simulation", _simulation_check, _simulation_run, _simulation_schema, lambda body, caps: caps.max_simulation_s, 60.0
)
