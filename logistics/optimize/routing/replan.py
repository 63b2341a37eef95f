"""Re-planning with vans already on the road: each at a position and time, with the parcels it carries (only
it can deliver them), what it has collected, and optionally its next stop pinned (it is on its way there).

`replan_problem(problem, vans)` turns the problem of the stops still to serve into one where every van on the
road is a vehicle type of its own (count 1) starting where and when it is free, with the room it has left;
the parcels it carries need its own skill `van:<type>#<n>`, and deliveries still at the depot need the skill
`at_depot` that only vehicles starting at a depot have. A pinned next stop is committed: the van starts from
it after its service, and the stop is listed in `Replan.committed`. Solve the new problem with
`solve_routing` (warm-started from the previous plan with `Replan.initial(plan)`) and check it with
`check_routing(replan.problem, result)`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from logistics.optimize.routing.problem import (
    InvalidProblemError,
    Location,
    RoutingProblem,
    Stop,
    VehicleType,
    great_circle_m,
)
from logistics.optimize.routing.result import RoutingResult

__all__ = ["AT_DEPOT", "Replan", "VanOnRoad", "replan_problem"]

AT_DEPOT = "at_depot"


@dataclass(frozen=True)
class VanOnRoad:
    """A van out on its route: `vehicle` of `vehicle_type` is free at `location` (the problem's kind of
    coordinates) at `time_s`, carrying the goods of the stops `carrying` and `picked_up` (per dimension)
    collected so far; `next_stop`, if given, is where it is heading (pinned)."""

    vehicle_type: str
    vehicle: int
    location: Location
    time_s: float
    carrying: tuple[str, ...] = ()
    picked_up: tuple[float, ...] = ()
    next_stop: str | None = None

    @property
    def key(self) -> str:
        """The id of the van's own vehicle type in the re-planned problem."""
        return f"{self.vehicle_type}#{self.vehicle}@road"


@dataclass(frozen=True)
class Replan:
    """The re-planned problem, the stops committed (pinned next stops) and, for every vehicle of the old
    problem, its (vehicle type id, number) in the new one."""

    problem: RoutingProblem
    committed: tuple[str, ...]
    vehicle_of: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)

    def initial(self, plan: RoutingResult) -> list[tuple[str, int, list[str]]]:
        """A plan of the old problem as a starting plan of the new one: each vehicle's stops still to serve,
        in its order, under its new id (committed and served stops left out, and stops it may no longer serve:
        a van on the road cannot take a parcel still at the depot)."""
        stops = {s.id: s for s in self.problem.stops}
        types = {t.id: t for t in self.problem.vehicle_types}
        out = []
        for route in plan.routes:
            new = self.vehicle_of.get((route.vehicle_type, route.vehicle))
            if new is not None:
                vtype = types[new[0]]
                kept = [x for x in route.stops if x in stops and self.problem.can_serve(vtype, stops[x])]
                out.append((new[0], new[1], kept))
        return out


def _metres(a: Location, b: Location) -> float:
    """Straight-line metres between two locations of the same kind (x/y, or great circle on lat/lon)."""
    if a.lat is not None and b.lat is not None:
        return float(great_circle_m(np.array([[a.lat, a.lon], [b.lat, b.lon]], dtype=float))[0, 1])
    return math.hypot(float(a.x or 0.0) - float(b.x or 0.0), float(a.y or 0.0) - float(b.y or 0.0))


def replan_problem(problem: RoutingProblem, vans: Sequence[VanOnRoad]) -> Replan:
    """The problem of the stops still to serve with `vans` on the road (see the module docstring). Raises
    `InvalidProblemError` naming the van (`vans[i].<field>`) for a van the problem cannot place."""
    if problem.distance_m is not None and vans:
        raise InvalidProblemError(
            "vans", "re-planning places vans by coordinates: give the problem coordinates, not a distance matrix"
        )
    types = {t.id: t for t in problem.vehicle_types}
    stops = {s.id: s for s in problem.stops}
    dims = len(problem.dimensions)
    owner: dict[str, str] = {}
    committed: list[str] = []
    new_locations = list(problem.locations)
    new_depots = list(problem.depots)
    road_types: list[VehicleType] = []
    on_road: dict[str, set[int]] = {}
    for i, van in enumerate(vans):
        where = f"vans[{i}]"
        t = types.get(van.vehicle_type)
        if t is None:
            raise InvalidProblemError(f"{where}.vehicle_type", f"unknown vehicle type {van.vehicle_type!r}")
        if not 0 <= van.vehicle < t.count or van.vehicle in on_road.setdefault(t.id, set()):
            raise InvalidProblemError(f"{where}.vehicle", f"no vehicle {van.vehicle} of {t.id} (or given twice)")
        on_road[t.id].add(van.vehicle)
        if not math.isfinite(van.time_s):
            raise InvalidProblemError(f"{where}.time_s", f"must be finite, got {van.time_s}")
        picked = list(van.picked_up) if van.picked_up else [0.0] * dims
        if len(picked) != dims or any(not math.isfinite(x) or x < 0 for x in picked):
            raise InvalidProblemError(f"{where}.picked_up", f"must be {dims} numbers >= 0, got {van.picked_up}")
        for j, stop_id in enumerate(van.carrying):
            if stop_id not in stops:
                raise InvalidProblemError(f"{where}.carrying[{j}]", f"unknown stop {stop_id!r}")
            if stop_id in owner:
                raise InvalidProblemError(f"{where}.carrying[{j}]", f"stop {stop_id!r} is carried by two vans")
            owner[stop_id] = van.key
        start_loc = van.location
        free_at = van.time_s
        if van.next_stop is not None:  # committed: the van starts from it, after its service
            s = stops.get(van.next_stop)
            if s is None:
                raise InvalidProblemError(f"{where}.next_stop", f"unknown stop {van.next_stop!r}")
            if problem.pair_of.get(s.id) is not None:
                raise InvalidProblemError(f"{where}.next_stop", f"stop {s.id!r} is in a pair: pin it by hand")
            target = problem.locations[problem.location_index(s.location)]
            travel = _metres(van.location, target) * problem.circuity / (t.speed_m_per_s or problem.speed_m_per_s)
            if problem.traffic_by_hour:
                travel *= max(problem.traffic_by_hour)  # as planned: the slowest hour
            a = s.window_s[0] if s.window_s is not None else -math.inf
            free_at = max(van.time_s + travel, a) + s.service_s
            start_loc = problem.locations[problem.location_index(s.location)]
            committed.append(s.id)
            for d in range(dims):
                picked[d] += problem.pickup(s)[d]
        depot_id = f"{van.key}:start"
        new_locations.append(replace(start_loc, id=depot_id))
        new_depots.append(depot_id)
        road_types.append(
            replace(
                t,
                id=van.key,
                count=1,
                start_depot=depot_id,
                end_depot=t.end,
                capacity=tuple(c - p for c, p in zip(t.capacity, picked, strict=True)),
                shift_start_s=free_at,
                skills=(*t.skills, f"van:{van.key}"),
            )
        )
    kept_types, vehicle_of = _at_depot(problem, on_road)
    if any(min(t.capacity) < 0 for t in road_types):
        bad = next(i for i, t in enumerate(road_types) if min(t.capacity) < 0)
        raise InvalidProblemError(f"vans[{bad}].picked_up", "more than the van's capacity")
    new_stops = _stops_left(problem, committed, owner)
    kept_ids = {s.id for s in new_stops}
    pairs = tuple(p for p in problem.pairs if p.pickup in kept_ids and p.delivery in kept_ids)
    fleet = tuple(t for t in (*kept_types, *road_types))
    if sum(t.count for t in fleet) == 0:
        raise InvalidProblemError("vans", "no vehicle left to plan")
    new_problem = replace(
        problem,
        locations=tuple(new_locations),
        depots=tuple(new_depots),
        stops=tuple(new_stops),
        vehicle_types=fleet,
        pairs=pairs,
    )
    return Replan(new_problem, tuple(committed), vehicle_of)


def _at_depot(
    problem: RoutingProblem, on_road: dict[str, set[int]]
) -> tuple[list[VehicleType], dict[tuple[str, int], tuple[str, int]]]:
    """The vehicle types less their vans on the road (only at-depot work for them), and where each original
    (type, vehicle) is in the new problem."""
    kept_types = []
    vehicle_of: dict[tuple[str, int], tuple[str, int]] = {}
    for t in problem.vehicle_types:
        away = on_road.get(t.id, set())
        at_depot = [n for n in range(t.count) if n not in away]
        for new_n, n in enumerate(at_depot):
            vehicle_of[(t.id, n)] = (t.id, new_n)
        for n in away:
            vehicle_of[(t.id, n)] = (f"{t.id}#{n}@road", 0)
        kept_types.append(replace(t, count=len(at_depot), skills=(*t.skills, AT_DEPOT)))
    return kept_types, vehicle_of


def _stops_left(problem: RoutingProblem, committed: list[str], owner: dict[str, str]) -> list[Stop]:
    """The stops still to serve: those a van carries only by that van, those loaded at the depot only by a van
    at the depot, the rest by anyone (the committed next stops are gone)."""
    new_stops: list[Stop] = []
    for s in problem.stops:
        if s.id in committed:
            continue
        if s.id in owner:
            new_stops.append(replace(s, skills=(*s.skills, f"van:{owner[s.id]}")))
        elif any(problem.depot_load(s)):
            new_stops.append(replace(s, skills=(*s.skills, AT_DEPOT)))
        else:
            new_stops.append(s)
    return new_stops
