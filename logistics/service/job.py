"""What a service job is: its kind (check the body, run it, its schema), the outcome it hands back, the
server's limits it runs under, and the helpers that read a body with the library's error words."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from logistics.core.errors import LogisticsError, ScenarioError
from logistics.optimize.common import InvalidProblemError

__all__ = [
    "Caps",
    "JobKind",
    "Outcome",
    "StopRequested",
    "capped_params",
    "check_count",
    "error_items",
    "json_object",
    "known_fields",
    "params_of",
]


class StopRequested(Exception):
    """Raised inside a job that checks for a stop between its own steps (the simulation)."""


@dataclass(frozen=True)
class Outcome:
    """What a job hands back: its result (JSON-ready) and files (name -> bytes; the simulation's run files)."""

    result: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    stopped: bool = False  # a stop was requested and the job ended early with what it had
    note: str | None = None  # what the job's status should say about how it ended (e.g. its time limit reached)


@dataclass(frozen=True)
class JobKind:
    """A job kind: `check(body, cap)` validates a body (raising the library's errors) and returns the notes
    of the limits it applied; `run(body, cap)` does the work in a worker; `schema()` is the body's JSON Schema."""

    name: str
    check: Callable[[dict, Caps], list[str]]
    run: Callable[[dict, Caps], Outcome]
    schema: Callable[[], dict[str, Any]]
    time_limit_s: Callable[[dict, Caps], float]  # for progress and for the worker's safety limit
    stop_grace_s: float = 1.0  # after a stop request, how long it may take to end before its worker is ended


@dataclass(frozen=True)
class Caps:
    """The server's limits a job runs under."""

    max_time_limit_s: float
    max_replications: int
    max_locations: int = 6_000  # routing: locations (the matrices grow with its square)
    max_items: int = 200_000  # slots, SKUs, trucks x doors, departures x classes
    simulation_memory_b: float = float("inf")  # a scenario's estimated memory
    max_simulation_s: float = 1800.0  # a simulation's wall time: it ends with the replications finished by then


def check_count(field: str, count: int, limit: int) -> None:
    """Refuse a body whose size would overwhelm the server before it is parsed (422 naming the field)."""
    if count > limit:
        raise InvalidProblemError(field, f"{count:,} is over this server's limit of {limit:,}")


def error_items(exc: LogisticsError) -> list[dict[str, Any]]:
    """A library error as 422 `detail` items: where (`loc`) and what (`msg`), in the CLI's words."""
    if isinstance(exc, ScenarioError):
        return [{"loc": [str(p) for p in issue.path], "msg": str(issue), "type": "value_error"} for issue in exc.issues]
    if isinstance(exc, InvalidProblemError):
        return [{"loc": exc.field.split("."), "msg": str(exc), "type": "value_error"}]
    return [{"loc": [], "msg": str(exc), "type": "value_error"}]


def json_object(body: dict, key: str, required: bool = True) -> dict | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise InvalidProblemError(key, f"must be a JSON object, got {type(value).__name__}")
    return value


def known_fields(body: dict, keys: set[str], where: str = "") -> None:
    for key in body:
        if key not in keys:
            raise InvalidProblemError(f"{where}{key}", f"unknown field (known: {', '.join(sorted(keys))})")


def capped_params(params: dict, caps: Caps, default: float) -> tuple[dict, list[str]]:
    """`params` with `time_limit_s` cut to the server's cap (and a note saying so)."""
    limit = params.get("time_limit_s", default)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit) or limit <= 0:
        raise InvalidProblemError("params.time_limit_s", f"must be a number > 0, got {limit!r}")
    if limit > caps.max_time_limit_s:
        note = f"params.time_limit_s {limit:g} cut to the server's limit of {caps.max_time_limit_s:g} s"
        return {**params, "time_limit_s": caps.max_time_limit_s}, [note]
    return {**params, "time_limit_s": limit}, []


def params_of(cls: type, params: dict) -> Any:
    """A library params dataclass from a JSON object; unknown fields named."""
    from dataclasses import fields

    known = {f.name for f in fields(cls)} - {"log"}
    known_fields(params, known, "params.")
    return cls(**params)
