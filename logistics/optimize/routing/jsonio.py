"""JSON in and out for callers outside Python. The problem format is documented by its JSON Schema
(`routing_problem_schema()`, or `logistics optimize routes-schema`); numbers use the same units as the
Python types (metres, seconds). Infinite shift ends and durations are written as null.

Problem example:
    {"locations": [{"id": "D", "x": 0, "y": 0}, {"id": "A", "x": 3, "y": 4}],
     "depots": ["D"],
     "dimensions": ["weight_kg"],
     "stops": [{"id": "a1", "location": "A", "demand": [5], "service_s": 60, "window_s": [0, 3600]}],
     "vehicle_types": [{"id": "van", "count": 2, "capacity": [100], "start_depot": "D"}],
     "objective": "distance"}
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from logistics.optimize.common import Status, json_ready
from logistics.optimize.routing.problem import (
    Break,
    InvalidProblemError,
    Location,
    Pair,
    RoutingProblem,
    Stop,
    VehicleType,
)
from logistics.optimize.routing.result import Route, RoutingResult, Unassigned, Visit

__all__ = ["problem_from_json", "problem_to_json", "result_from_json", "result_to_json", "routing_problem_schema"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocationIn(_Model):
    id: str
    x: float | None = Field(default=None, description="Metres (with y); or give lat and lon.")
    y: float | None = None
    lat: float | None = Field(default=None, description="Degrees (with lon): great-circle distances x circuity.")
    lon: float | None = None


class StopIn(_Model):
    id: str
    location: str
    demand: list[float] = Field(default_factory=list, description="One value per dimension.")
    service_s: float = 0.0
    window_s: tuple[float, float] | None = Field(default=None, description="[earliest, latest] service start.")
    required: bool = True
    penalty: float = Field(default=0.0, description="Objective cost of leaving an optional stop out.")
    pickup: list[float] = Field(
        default_factory=list,
        description="Collected here, one value per dimension: carried to the end depot, or to the pair's delivery.",
    )
    skills: list[str] = Field(default_factory=list, description="Skills a vehicle needs to serve this stop.")


class PairIn(_Model):
    pickup: str = Field(description="Stop where the goods are collected.")
    delivery: str = Field(description="Stop they are delivered to, later on the same vehicle.")


class BreakIn(_Model):
    window_s: tuple[float, float] = Field(description="[earliest, latest] start of the break.")
    duration_s: float


class VehicleTypeIn(_Model):
    id: str
    count: int
    capacity: list[float]
    start_depot: str
    end_depot: str | None = None
    fixed_cost: float = 0.0
    cost_per_km: float = 0.0
    cost_per_h: float = 0.0
    shift_start_s: float = 0.0
    shift_end_s: float | None = Field(default=None, description="null: no end.")
    max_duration_s: float | None = Field(default=None, description="null: no maximum.")
    max_distance_m: float | None = Field(default=None, description="Longest route; null: no maximum.")
    skills: list[str] = Field(default_factory=list, description="Skills these vehicles have.")
    speed_m_per_s: float | None = Field(
        default=None, description="Their own speed: travel time = distance / speed; null: the problem's times."
    )
    reload_depots: list[str] = Field(default_factory=list, description="Depots to reload at between trips.")
    max_reloads: int | None = Field(default=None, description="null: as many as needed (with reload_depots).")
    breaks: list[BreakIn] = Field(default_factory=list, description="Drivers' breaks.")


class RoutingProblemIn(_Model):
    """A vehicle routing problem (units: metres, seconds)."""

    name: str = ""
    locations: list[LocationIn]
    depots: list[str]
    stops: list[StopIn]
    vehicle_types: list[VehicleTypeIn]
    dimensions: list[str] = Field(default_factory=lambda: ["load"])
    distance_m: list[list[float]] | None = Field(default=None, description="Matrix over locations, in order.")
    duration_s: list[list[float]] | None = None
    speed_m_per_s: float = 1.0
    objective: Literal["distance", "cost"] = "distance"
    minimise_vehicles: bool = False
    circuity: float = Field(default=1.0, description="Road distance / straight-line distance (no matrix given).")
    pairs: list[PairIn] = Field(default_factory=list, description="Pickup-and-delivery pairs.")
    depot_load_s: float = Field(default=0.0, description="Loading time at a depot before each trip.")
    traffic_by_hour: list[float] = Field(
        default_factory=list, description="24 factors on travel times by the clock hour a leg starts in."
    )
    hour_at_zero: float = Field(default=0.0, description="Clock hour at time 0 s (for traffic_by_hour).")


def routing_problem_schema() -> dict[str, Any]:
    """JSON Schema of the problem format."""
    schema = RoutingProblemIn.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def problem_from_json(text: str | bytes) -> RoutingProblem:
    """Parse and validate a problem; errors are `InvalidProblemError` naming the field."""
    try:
        model = RoutingProblemIn.model_validate_json(text)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "problem"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise InvalidProblemError(where, f"{err['msg']}{more}") from None
    inf = lambda v: math.inf if v is None else v  # noqa: E731
    return RoutingProblem(
        locations=tuple(Location(**loc.model_dump()) for loc in model.locations),
        depots=tuple(model.depots),
        stops=tuple(
            Stop(
                s.id,
                s.location,
                tuple(s.demand),
                s.service_s,
                s.window_s,
                s.required,
                s.penalty,
                tuple(s.pickup),
                tuple(s.skills),
            )
            for s in model.stops
        ),
        vehicle_types=tuple(
            VehicleType(
                t.id,
                t.count,
                tuple(t.capacity),
                t.start_depot,
                t.end_depot,
                t.fixed_cost,
                t.cost_per_km,
                t.cost_per_h,
                t.shift_start_s,
                inf(t.shift_end_s),
                inf(t.max_duration_s),
                inf(t.max_distance_m),
                tuple(t.skills),
                t.speed_m_per_s,
                tuple(t.reload_depots),
                t.max_reloads,
                tuple(Break(b.window_s, b.duration_s) for b in t.breaks),
            )
            for t in model.vehicle_types
        ),
        dimensions=tuple(model.dimensions),
        distance_m=model.distance_m,  # type: ignore[arg-type]
        duration_s=model.duration_s,  # type: ignore[arg-type]
        speed_m_per_s=model.speed_m_per_s,
        objective=model.objective,
        minimise_vehicles=model.minimise_vehicles,
        name=model.name,
        circuity=model.circuity,
        pairs=tuple(Pair(p.pickup, p.delivery) for p in model.pairs),
        depot_load_s=model.depot_load_s,
        traffic_by_hour=tuple(model.traffic_by_hour),
        hour_at_zero=model.hour_at_zero,
    )


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def problem_to_json(problem: RoutingProblem) -> str:
    """The problem in the JSON format (round-trips through `problem_from_json`)."""
    data = {
        "name": problem.name,
        "locations": [asdict(loc) for loc in problem.locations],
        "depots": list(problem.depots),
        "dimensions": list(problem.dimensions),
        "stops": [
            dict(asdict(s), demand=list(s.demand), pickup=list(s.pickup), skills=list(s.skills)) for s in problem.stops
        ],
        "vehicle_types": [
            dict(
                asdict(t),
                capacity=list(t.capacity),
                shift_end_s=_finite_or_none(t.shift_end_s),
                max_duration_s=_finite_or_none(t.max_duration_s),
                max_distance_m=_finite_or_none(t.max_distance_m),
                skills=list(t.skills),
                reload_depots=list(t.reload_depots),
                breaks=[{"window_s": list(b.window_s), "duration_s": b.duration_s} for b in t.breaks],
            )
            for t in problem.vehicle_types
        ],
        "distance_m": None if problem.distance_m is None else [list(map(float, r)) for r in problem.distance_m],
        "duration_s": None if problem.duration_s is None else [list(map(float, r)) for r in problem.duration_s],
        "speed_m_per_s": problem.speed_m_per_s,
        "objective": problem.objective,
        "minimise_vehicles": problem.minimise_vehicles,
        "circuity": problem.circuity,
        "pairs": [asdict(pair) for pair in problem.pairs],
        "depot_load_s": problem.depot_load_s,
        "traffic_by_hour": list(problem.traffic_by_hour),
        "hour_at_zero": problem.hour_at_zero,
    }
    return json.dumps(data)


def result_to_json(result: RoutingResult, indent: int | None = 2) -> str:
    """The result as JSON: status, totals, routes with visits and times, unassigned stops with reasons."""
    data = asdict(result)
    data["status"] = result.status.value
    return json.dumps(json_ready(data), indent=indent)


def result_from_json(text: str | bytes) -> RoutingResult:
    """A result written by `result_to_json`, back as a `RoutingResult` (null numbers read as NaN; e.g. the
    service client's answer). Raises `InvalidProblemError` naming the field for a malformed result."""

    def num(value: Any) -> float:
        return math.nan if value is None else float(value)

    try:
        data = json.loads(text)
        routes = tuple(
            Route(
                vehicle_type=r["vehicle_type"],
                vehicle=int(r["vehicle"]),
                visits=tuple(
                    Visit(
                        stop=v["stop"],
                        arrival_s=num(v["arrival_s"]),
                        start_s=num(v["start_s"]),
                        departure_s=num(v["departure_s"]),
                        load=tuple(num(x) for x in v["load"]),
                        on_board=tuple(num(x) for x in v.get("on_board", ())),
                        reload=bool(v.get("reload", False)),
                    )
                    for v in r["visits"]
                ),
                start_s=num(r["start_s"]),
                end_s=num(r["end_s"]),
                distance_m=num(r["distance_m"]),
                duration_s=num(r["duration_s"]),
                load=tuple(num(x) for x in r["load"]),
                cost=num(r["cost"]),
                breaks=tuple((num(a), num(b)) for a, b in r.get("breaks", ())),
            )
            for r in data["routes"]
        )
        return RoutingResult(
            status=Status(data["status"]),
            routes=routes,
            unassigned=tuple(Unassigned(u["stop"], u["reason"]) for u in data["unassigned"]),
            objective=num(data["objective"]),
            distance_m=num(data["distance_m"]),
            cost=num(data["cost"]),
            vehicles_used=int(data["vehicles_used"]),
            runtime_s=num(data["runtime_s"]),
            backend=str(data["backend"]),
            stats=dict(data.get("stats") or {}),
            message=str(data.get("message", "")),
        )
    except json.JSONDecodeError as exc:
        raise InvalidProblemError("result", f"not valid JSON: {exc}") from None
    except KeyError as exc:
        raise InvalidProblemError(f"result.{exc.args[0]}", "is missing") from None
    except (TypeError, ValueError) as exc:
        raise InvalidProblemError("result", f"malformed: {exc}") from None
