"""A van's trip as it drives it (`Trip`: the plan's problem, the orders still to visit, their planned
arrivals, where it is), and re-planning the rest of a trip on the road: the van keeps its parcels (nothing can
be loaded on the road) and the stop it drives to, and the rest of its route is planned again from there,
warm-started from its current order (`replan_trip`)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from logistics.optimize.routing.checker import check_routing
from logistics.optimize.routing.problem import RoutingProblem
from logistics.optimize.routing.replan import VanOnRoad, replan_problem
from logistics.optimize.routing.result import Route
from logistics.sim.monitor import END_REASONS

if TYPE_CHECKING:
    from logistics.sim.dispatch import Depot

__all__ = ["DELIVERY_FAILED", "Trip", "drive", "replan_trip", "replannable"]

DELIVERY_FAILED = END_REASONS.index("delivery_failed")


@dataclass
class Trip:
    """A van's route as it drives it: the plan's problem (replaced when the route is re-planned), the orders
    still to visit after the stop it is driving to, their planned arrivals, where it is (a location id of the
    problem) and where it continues from after its current stop when a re-plan moved it to a new problem."""

    problem: RoutingProblem
    todo: list[int]
    planned_h: dict[int, float]
    here: str = "depot"
    after: str | None = None
    heading: int | None = None
    eta_h: float = math.nan
    driven_m: float = 0.0
    replans: int = 0


def replannable(trips: dict[tuple[int, int], Trip]) -> list[tuple[int, int]]:
    """Vans driving to a stop (not serving one) with at least two more after it: their rest can be re-planned."""
    return [van for van, trip in sorted(trips.items()) if trip.heading is not None and len(trip.todo) > 1]


def replan_trip(depot: Depot, van: tuple[int, int], now: float, day_start: float, clock: float) -> bool:
    """Plan the rest of a van's trip again with the depot's dispatch policy; True if the new plan is driven (it
    passed the checker). A van due back after its shift keeps its route."""
    trip = depot.trips[van]
    problem = depot.problem_of(trip.todo, [van], now, day_start, clock)
    problem = replace(problem, stops=tuple(replace(s, required=True, penalty=0.0) for s in problem.stops))
    seen = _on_road(depot, van, now)
    if seen.time_s >= problem.vehicle_types[0].shift_end_s:
        return False
    problem = replan_problem(problem, [seen]).problem
    t0 = time.perf_counter()
    plan = depot.policy.plan(problem, [(seen.key, 0, list(seen.carrying))])
    depot.optimizer_s += time.perf_counter() - t0
    if not check_routing(problem, plan).feasible or not plan.routes:
        return False
    route = plan.routes[0]
    kept = [int(x[1:]) for x in route.stops]
    trip.todo = kept + [o for o in trip.todo if o not in kept]  # one it cannot place still rides along
    trip.planned_h.update({int(v.stop[1:]): now + v.arrival_s / 3600.0 for v in route.visits})
    trip.problem, trip.after = problem, f"{seen.key}:start"
    trip.replans += 1
    return True


def _on_road(depot: Depot, van: tuple[int, int], now: float) -> VanOnRoad:
    """The van as the re-planning sees it: vehicle 0 of its class, free at the stop it drives to after its
    (mean) service, carrying the rest of its parcels."""
    trip = depot.trips[van]
    heading = trip.problem.locations[trip.problem.location_index(f"o{trip.heading}")]
    cls = depot.cfg.fleet[van[0]]
    free_s = max(0.0, (trip.eta_h - now) * 3600.0) + depot.cfg.service_min.mean * 60.0
    return VanOnRoad(cls.id, 0, heading, free_s, carrying=tuple(f"o{o}" for o in trip.todo))


@dataclass
class _Tally:
    """What a van's trip did: parcels served (in order), failed, delivered, windows missed, and the km each
    parcel rode on board (its tonne-km: its weight x these)."""

    left_h: float
    served: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    delivered: int = 0
    late_windows: int = 0
    rode_km: dict[int, float] = field(default_factory=dict)


def drive(depot: Depot, route: Route, van: tuple[int, int], problem: RoutingProblem, wave_h: float, day_start: float):
    """The van drives `route` (a SimPy process): each leg the planned time x the hour's traffic x chance, waits
    for a window to open, serves, fails a delivery by chance; it follows its `Trip`, which a re-planning wave
    may change while it drives; back at the depot, it books the route's cost and the failed parcels wait for
    a later wave (or go back to the sender after the last attempt)."""
    cfg = depot.cfg
    env = depot.env
    trip = Trip(
        problem,
        [int(x[1:]) for x in route.stops],
        {int(v.stop[1:]): wave_h + v.arrival_s / 3600.0 for v in route.visits},
    )
    depot.trips[van] = trip
    yield env.timeout(route.start_s / 3600.0)  # leaves as late as the plan allows
    tally = _Tally(env.now)
    while trip.todo:
        o = trip.todo.pop(0)
        p = trip.problem
        here, loc = p.location_index(trip.here), p.location_index(f"o{o}")
        leg_h = depot.leg_h(p.durations[here, loc])
        trip.driven_m += float(p.distances[here, loc])
        trip.heading, trip.eta_h = o, env.now + leg_h
        yield env.timeout(leg_h)
        arrived = env.now
        trip.heading = None
        opening, closing = day_start + depot.slot_open[o], day_start + depot.slot_close[o]
        if env.now < opening:
            yield env.timeout(opening - env.now)
        tally.late_windows += env.now > closing
        yield env.timeout(depot.service())
        depot.attempts[o] += 1
        ok = not depot.rng.random() < cfg.failure_probability
        if not ok:
            tally.failed.append(o)
        else:
            tally.rode_km[o] = trip.driven_m / 1000.0  # on board from the depot to its door
            depot.cols.delivered_h[o] = env.now
            tally.delivered += 1
            depot.on_road -= 1
        tally.served.append(o)
        depot.stop_rows.append(
            {
                "wave_h": wave_h,
                "vehicle_type": cfg.fleet[van[0]].id,
                "vehicle": van[1],
                "stop_no": len(tally.served),
                "order": o,
                "planned_arrival_h": trip.planned_h[o],
                "arrival_h": arrived,
                "window_open_h": opening,
                "window_close_h": closing,
                "outcome": "delivered" if ok else "failed",
                "replans": trip.replans,
                **depot.place(o),
            }
        )
        trip.here, trip.after = trip.after or f"o{o}", None
    p = trip.problem
    home = p.location_index(trip.here), p.location_index("depot")
    trip.driven_m += float(p.distances[home])
    tally.rode_km.update(dict.fromkeys(tally.failed, trip.driven_m / 1000.0))  # a failed parcel rides the whole trip
    for o, km_on_board in tally.rode_km.items():  # a parcel tried again rides again: its km add up
        depot.parcel_km[o] += km_on_board
    yield env.timeout(depot.leg_h(p.durations[home]))
    _back_at_depot(depot, route, van, trip, tally, wave_h)


def _back_at_depot(depot: Depot, route: Route, van: tuple[int, int], trip: Trip, tally: _Tally, wave_h: float) -> None:
    """The van is back: book the route's cost to its parcels and its row, end or queue again the failed
    parcels, free the van."""
    cfg, env = depot.cfg, depot.env
    served, failed = tally.served, tally.failed
    del depot.trips[van]
    depot.on_road -= len(failed)
    hours = env.now - tally.left_h
    c = cfg.fleet[van[0]]
    km = route.distance_m / 1000.0 if trip.replans == 0 else trip.driven_m / 1000.0
    cost = c.fixed_cost_cny + c.cost_per_km_cny * km + c.cost_per_h_cny * hours
    depot.parcel_cost_cny[served] += cost / len(served)
    depot.route_rows.append(
        {
            "wave_h": wave_h,
            "vehicle_type": c.id,
            "vehicle": van[1],
            "stops": len(served),
            "delivered": tally.delivered,
            "failed": len(failed),
            "km": km,
            "tonne_km": sum(depot.weight_kg[o] * k for o, k in tally.rode_km.items()) / 1000.0,
            "planned_h": route.duration_s / 3600.0,
            "driven_h": hours,
            "load_share": len(served) / c.capacity_parcels,
            "shift_share": hours / (c.shift_end_h - c.shift_start_h),
            "windows_missed": tally.late_windows,
            "cost_cny": cost,
            "replans": trip.replans,
            "sequence": " ".join(f"o{o}" for o in served),
        }
    )
    for o in failed:
        if depot.attempts[o] >= cfg.max_attempts:
            depot.cols.ended_h[o] = env.now
            depot.cols.end_reason[o] = DELIVERY_FAILED
            depot.returned += 1
        else:
            depot.waiting.append(o)
    depot.van_free_at[van] = env.now
    depot.maybe_threshold()
