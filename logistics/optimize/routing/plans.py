"""Plans made elsewhere (a dispatcher's, another solver's, an earlier run's): routes as stop sequences, timed by
the route builder, ready for the independent checker (`check_routing`).

Plan JSON (this package's own result JSON is accepted as it is):
    {"routes": [{"vehicle_type": "van", "vehicle": 0, "stops": ["a1", "a2"], "distance_m": 1234.5}],
     "unassigned": ["a3"]}
A route may give `visits` (objects with a `stop`, and `"reload": true` for a reload at the depot `stop`)
instead of `stops`, where a reload is written {"reload": "DEPOT"}; `vehicle` defaults to the route's
position among its type's routes; reported `distance_m` (per route and in total) and `cost` are kept, so that
the checker compares them with its own; a route's driver breaks are `breaks` ([[start_s, end_s], ...], with the
route's `start_s`); unassigned stops may be ids or objects with a `stop` and a `reason`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from logistics.optimize.routing.backend import BackendSolution
from logistics.optimize.routing.problem import InvalidProblemError, RoutingProblem
from logistics.optimize.routing.result import RoutingResult, Unassigned
from logistics.optimize.routing.solve import build_result
from logistics.optimize.routing.timing import reload_marker

__all__ = ["Reload", "evaluate_plan", "plan_from_json"]


@dataclass(frozen=True)
class Reload:
    """In a plan's stop sequence: back to `depot` to reload between two trips."""

    depot: str


def evaluate_plan(
    problem: RoutingProblem,
    routes: Sequence[tuple[str, int, Sequence[str | Reload]]],
    unassigned: Sequence[str] = (),
    breaks: dict[int, tuple[float, tuple[tuple[float, float], ...]]] | None = None,
) -> RoutingResult:
    """The result of driving `routes` ((vehicle type id, vehicle number, stop ids in order) each), with
    `unassigned` stops left out: timings, loads, distances and costs, status INFEASIBLE if a required stop is
    left out; `breaks` gives a route (by position) its start time and its driver's breaks ((start, end) each).
    It does not judge the plan: `check_routing` does. Raises `InvalidProblemError` for a vehicle
    type or stop id the problem does not have (naming the route and position)."""
    types = {t.id: k for k, t in enumerate(problem.vehicle_types)}
    stops = {s.id: i for i, s in enumerate(problem.stops)}
    sequences = []
    for r, (type_id, vehicle, stop_ids) in enumerate(routes):
        if type_id not in types:
            raise InvalidProblemError(
                f"routes[{r}].vehicle_type",
                f"unknown vehicle type {type_id!r} (known: {', '.join(types)})",
            )
        sequence = []
        for j, stop_id in enumerate(stop_ids):
            if isinstance(stop_id, Reload):
                if stop_id.depot not in problem.depots:
                    raise InvalidProblemError(f"routes[{r}].stops[{j}].reload", f"unknown depot {stop_id.depot!r}")
                sequence.append(reload_marker(problem.depots.index(stop_id.depot)))
            elif stop_id not in stops:
                raise InvalidProblemError(f"routes[{r}].stops[{j}]", f"unknown stop {stop_id!r}")
            else:
                sequence.append(stops[stop_id])
        sequences.append((types[type_id], int(vehicle), sequence))
    for j, stop_id in enumerate(unassigned):
        if stop_id not in stops:
            raise InvalidProblemError(f"unassigned[{j}]", f"unknown stop {stop_id!r}")
    solution = BackendSolution(
        sequences, [stops[x] for x in unassigned], True, False, {"plan": "given"}, dict(breaks or {})
    )
    return build_result(problem, "plan", solution, [], 0.0)


def plan_from_json(problem: RoutingProblem, text: str | bytes) -> RoutingResult:
    """A plan in the JSON form above, evaluated against `problem`; errors name the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidProblemError(f"plan: line {exc.lineno} column {exc.colno}", exc.msg) from None
    if not isinstance(data, dict) or not isinstance(data.get("routes"), list):
        raise InvalidProblemError("routes", "a plan is an object with a list of routes")
    routes: list[tuple[str, int, list[str | Reload]]] = []
    reported: list[float | None] = []
    timings: dict[int, tuple[float, tuple[tuple[float, float], ...]]] = {}
    count: dict[str, int] = {}
    for r, route in enumerate(data["routes"]):
        if not isinstance(route, dict):
            raise InvalidProblemError(f"routes[{r}]", "must be an object with vehicle_type and stops")
        type_id = route.get("vehicle_type")
        if not isinstance(type_id, str):
            raise InvalidProblemError(f"routes[{r}].vehicle_type", "must name a vehicle type")
        if "stops" in route and isinstance(route["stops"], list):
            stop_ids = [Reload(x["reload"]) if isinstance(x, dict) and "reload" in x else x for x in route["stops"]]
        elif "visits" in route and isinstance(route["visits"], list):
            stop_ids = [
                (Reload(str(v.get("stop"))) if v.get("reload") else v.get("stop")) if isinstance(v, dict) else v
                for v in route["visits"]
            ]
        else:
            raise InvalidProblemError(f"routes[{r}].stops", "is missing (a list of stop ids in visiting order)")
        for j, x in enumerate(stop_ids):
            if not isinstance(x, str) and not (isinstance(x, Reload) and isinstance(x.depot, str)):
                raise InvalidProblemError(
                    f"routes[{r}].stops[{j}]", f"must be a stop id or {{'reload': depot}}, got {x!r}"
                )
        vehicle = route.get("vehicle", count.get(type_id, 0))
        if isinstance(vehicle, bool) or not isinstance(vehicle, int):
            raise InvalidProblemError(f"routes[{r}].vehicle", f"must be a whole number, got {vehicle!r}")
        count[type_id] = count.get(type_id, 0) + 1
        routes.append((type_id, vehicle, stop_ids))
        reported.append(_number(route.get("distance_m"), f"routes[{r}].distance_m"))
        if problem.traffic_by_hour and route.get("start_s") is not None and not route.get("breaks"):
            timings[r] = (float(_number(route.get("start_s"), f"routes[{r}].start_s") or 0.0), ())
        if route.get("breaks"):
            breaks = route["breaks"]
            if not isinstance(breaks, list) or not all(
                isinstance(b, list) and len(b) == 2 and all(isinstance(x, int | float) for x in b) for b in breaks
            ):
                raise InvalidProblemError(f"routes[{r}].breaks", "must be a list of [start_s, end_s]")
            start = _number(route.get("start_s"), f"routes[{r}].start_s")
            spans = tuple(
                (_finite(a, f"routes[{r}].breaks[{k}][0]"), _finite(b, f"routes[{r}].breaks[{k}][1]"))
                for k, (a, b) in enumerate(breaks)
            )
            timings[r] = (start if start is not None else -math.inf, spans)
    unassigned = [u.get("stop") if isinstance(u, dict) else u for u in data.get("unassigned") or []]
    if not all(isinstance(x, str) for x in unassigned):
        raise InvalidProblemError("unassigned", "must be a list of stop ids")
    result = evaluate_plan(problem, routes, [str(x) for x in unassigned], timings)
    # keep what the plan reports, so that the checker compares it with its own figures
    built = list(result.routes)
    for n, distance in enumerate(reported):
        if distance is not None and built[n].visits:
            built[n] = replace(built[n], distance_m=distance)
    given_distance = _number(data.get("distance_m"), "distance_m")
    given_cost = _number(data.get("cost"), "cost")
    reasons = {u.stop: u.reason for u in result.unassigned}
    for u in data.get("unassigned") or []:
        if isinstance(u, dict) and isinstance(u.get("reason"), str):
            reasons[u["stop"]] = u["reason"]
    return replace(
        result,
        routes=tuple(r for r in built if r.visits),
        distance_m=result.distance_m if given_distance is None else given_distance,
        cost=result.cost if given_cost is None else given_cost,
        unassigned=tuple(Unassigned(u.stop, reasons[u.stop]) for u in result.unassigned),
    )


LIMIT = 1e12
"""The largest magnitude a plan's time or distance may have (seconds: 31,000 years; metres: 6,700 AU)."""


def _finite(value: Any, where: str) -> float:
    number = _number(value, where)
    assert number is not None  # a break's bounds are numbers (checked above)
    return number


def _number(value: Any, where: str) -> float | None:
    """A finite number of sensible size, or None when absent (NaN, infinity and 1e300 are refused)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidProblemError(where, f"must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > LIMIT:
        raise InvalidProblemError(where, f"must be a finite number within ±{LIMIT:.0e}, got {value!r}")
    return number
