"""Last-mile dispatch from a delivery depot: waves of routing, vans driving the plans under traffic.

Parcels of the routed zones reach the depot `linehaul_h` after the carrier collects them at the warehouse and
wait there. At each wave (clock hours, or when `threshold_parcels` are waiting) the depot builds a routing
problem from the parcels waiting (addresses, delivery window, due-today or not) and the vans free and on shift,
asks the dispatch policy for routes (timed on the wall clock, checked by the routing checker), and sends the
vans out. A van drives its route in the planned order; each leg takes the planned time x the hour's traffic
factor x a random factor; it waits for a window to open, serves the stop, and a delivery fails with
`failure_probability` (the parcel rides back to the depot for a later wave; after `max_attempts` it goes back
to the sender). Parcels the plan left out stay for the next wave.

The same depot serves the bonded import's last mile and any cross-border flow's (`flows[k].last_mile.dispatch`):
it reads and writes the parcels' times through `ParcelColumns`, indexed from 0 within its own orders.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

import numpy as np
import pandas as pd
import simpy

from logistics.core.units import MINUTES_PER_HOUR
from logistics.optimize.routing.checker import check_routing
from logistics.optimize.routing.problem import EARTH_RADIUS_M, Location, RoutingProblem, Stop, VehicleType
from logistics.policies.dispatch import DISPATCH, DISPATCH_DECISIONS
from logistics.scenario.lastmile import LastMile
from logistics.sim.clock import RunClock
from logistics.sim.monitor import OrderColumns
from logistics.sim.policy_choices import make_policy
from logistics.sim.sampling import BufferedSampler
from logistics.sim.simpy_access import event_value
from logistics.sim.van_trips import DELIVERY_FAILED, Trip, drive, replan_trip, replannable

__all__ = ["DELIVERY_FAILED", "Depot", "ParcelColumns"]


class ParcelColumns(Protocol):
    """The order columns a depot reads (created) and writes (delivered, ended with a reason), indexed from 0
    within the depot's own orders (the bonded import's OrderColumns, or views on a flow's slice)."""

    @property
    def created_h(self) -> np.ndarray: ...
    @property
    def delivered_h(self) -> np.ndarray: ...
    @property
    def ended_h(self) -> np.ndarray: ...
    @property
    def end_reason(self) -> np.ndarray: ...


class Depot:
    """The delivery depot of one last-mile area, its vans and its dispatch waves."""

    def __init__(
        self,
        clock: RunClock,
        last_mile: LastMile,
        rng: np.random.Generator,
        *,
        cols: ParcelColumns | OrderColumns,
        zone: np.ndarray,
        promise_h: np.ndarray,
        weight_kg: np.ndarray,
        path: tuple[str | int, ...] = ("last_mile", "dispatch"),
    ) -> None:
        env, start, end_h = clock.env, clock.start, clock.end_h
        cfg = last_mile.dispatch
        assert cfg is not None
        self.env = env
        self.cfg = cfg
        self.cols = cols
        self.end_h = end_h
        self.rng = rng
        self.start_hour = start.hour + start.minute / 60.0
        self.policy = make_policy((*path, "policy"), DISPATCH, cfg.policy)
        zone_ids = [z.id for z in last_mile.zones]
        routed_zone = np.array([z in cfg.zones for z in zone_ids])
        self.routed = routed_zone[zone]
        n = len(zone)
        # addresses uniformly in each zone's disc: x/y metres (road-scaled by circuity), or, with the depot's
        # latitude and longitude, the same km offsets on the map (routed by great circle x circuity)
        self.x_m = np.zeros(n)
        self.y_m = np.zeros(n)
        east_km, north_km = np.zeros(n), np.zeros(n)
        for k, zid in enumerate(zone_ids):
            if zid not in cfg.areas:
                continue
            area = cfg.areas[zid]
            mine = np.flatnonzero(zone == k)
            r = area.radius_km * np.sqrt(rng.random(len(mine)))
            a = rng.random(len(mine)) * 2 * np.pi
            east_km[mine] = area.centre_km[0] + r * np.cos(a)
            north_km[mine] = area.centre_km[1] + r * np.sin(a)
        self.x_m = east_km * 1000.0 * cfg.circuity
        self.y_m = north_km * 1000.0 * cfg.circuity
        self.lat: np.ndarray | None = None
        self.lon: np.ndarray | None = None
        if cfg.depot_lat_lon is not None:
            lat0, lon0 = cfg.depot_lat_lon
            km_per_degree = 2 * math.pi * EARTH_RADIUS_M / 1000.0 / 360.0
            self.lat = lat0 + north_km / km_per_degree
            self.lon = lon0 + east_km / (km_per_degree * math.cos(math.radians(lat0)))
        self.due_h = cols.created_h + promise_h
        # a share of the customers book a slot of slot_h (clock hours, same every day) inside the window
        opening, closing = cfg.delivery_window_h
        booked = rng.random(n) < cfg.slot_share
        self.slot_open = np.where(booked, opening + rng.random(n) * (closing - cfg.slot_h - opening), opening)
        self.slot_close = np.where(booked, self.slot_open + cfg.slot_h, closing)
        self.weight_kg = weight_kg
        self.attempts = np.zeros(n, dtype=np.int64)
        self.parcel_cost_cny = np.zeros(n)
        self.parcel_km = np.zeros(n)  # km each parcel rode on its vans (its tonne-km: weight x this)
        self.linehaul = BufferedSampler(cfg.linehaul_h, rng)
        self.service = BufferedSampler(cfg.service_min, rng, 1 / MINUTES_PER_HOUR)
        self.noise_sigma = math.sqrt(math.log(1 + cfg.travel_time_cv**2))
        self.vans: list[tuple[int, int]] = [(k, v) for k, c in enumerate(cfg.fleet) for v in range(c.count)]
        self.van_free_at = dict.fromkeys(self.vans, 0.0)
        self.waiting: list[int] = []
        self.to_depot = 0
        self.on_road = 0
        self.returned = 0
        self.wave_rows: list[dict[str, object]] = []
        self.route_rows: list[dict[str, object]] = []
        self.stop_rows: list[dict[str, object]] = []
        self.trips: dict[tuple[int, int], Trip] = {}  # vans on the road
        self.optimizer_s = 0.0
        self._wave_pending = False
        self.decision = make_policy((*path, "decision"), DISPATCH_DECISIONS, cfg.decision)
        env.process(self._clock_waves())

    # --- parcels arrive ------------------------------------------------------------------------------------
    def receive(self, orders: np.ndarray) -> None:
        """The carrier collected these routed parcels at the warehouse; they ride to the depot together."""
        self.to_depot += len(orders)
        self.env.timeout(self.linehaul(), orders.tolist()).callbacks.append(self._at_depot)

    def _at_depot(self, event: simpy.Event) -> None:
        orders = event_value(event)
        self.to_depot -= len(orders)
        self.waiting.extend(orders)
        self.maybe_threshold()

    def maybe_threshold(self) -> None:
        limit = self.cfg.threshold_parcels
        if limit is not None and len(self.waiting) >= limit and not self._wave_pending:
            self._wave_pending = True
            self.env.timeout(0).callbacks.append(lambda event: self._wave("threshold"))

    # --- waves -----------------------------------------------------------------------------------------------
    def _clock(self, t_h: float) -> float:
        return (self.start_hour + t_h) % 24.0

    def _clock_waves(self):
        day = 0
        while True:
            for h in sorted(self.cfg.waves_h):
                t = day * 24.0 + h - self.start_hour
                if t < self.env.now:
                    continue
                if t >= self.end_h:
                    return
                yield self.env.timeout(t - self.env.now)
                self._wave("clock")
            day += 1

    def _wave(self, trigger: str) -> None:
        self._wave_pending = False
        now = self.env.now
        clock = self._clock(now)
        day_start = now - clock
        cfg = self.cfg
        free = [v for v in self.vans if self.van_free_at[v] <= now and cfg.fleet[v[0]].shift_end_h > clock + 0.25]
        replanned = 0
        if cfg.replan:  # the vans on the road first: the rest of each one's trip planned again
            replanned = sum(replan_trip(self, van, now, day_start, clock) for van in replannable(self.trips))
        parcels: list[int] = []
        if self.waiting and free:  # a decision to make: the built-in one sends every waiting parcel
            parcels = self.decision.choose(self, list(self.waiting), now)
        if not parcels:  # nothing to send (no parcel, no free van), or the decision holds every parcel back
            status = "held" if self.waiting and free else "skipped"
            self.wave_rows.append(
                {
                    "time_h": now,
                    "trigger": trigger,
                    "waiting": len(self.waiting),
                    "vans": len(free),
                    "planned": 0,
                    "unassigned": len(self.waiting),
                    "status": status,
                    "solve_wall_s": 0.0,
                    "time_limit_s": np.nan,
                    "feasible": True,
                    "violations": "",
                    "planned_km": 0.0,
                    "replanned_vans": replanned,
                }
            )
            return
        problem = self.problem_of(parcels, free, now, day_start, clock)
        t0 = time.perf_counter()
        plan = self.policy.plan(problem)
        solve_s = time.perf_counter() - t0
        self.optimizer_s += solve_s
        report = check_routing(problem, plan)
        routed_ids = {s for r in plan.routes for s in r.stops}
        self.wave_rows.append(
            {
                "time_h": now,
                "trigger": trigger,
                "waiting": len(parcels),
                "vans": len(free),
                "planned": len(routed_ids),
                "unassigned": len(parcels) - len(routed_ids),
                "status": plan.status.value,
                "solve_wall_s": solve_s,
                "time_limit_s": self.policy.time_limit_s if self.policy.time_limit_s is not None else np.nan,
                "feasible": report.feasible,
                "violations": "; ".join(report.violations[:3]),
                "planned_km": plan.distance_m / 1000.0,
                "replanned_vans": replanned,
            }
        )
        if not report.feasible:  # never drive an invalid plan: the parcels wait for the next wave
            return
        self.waiting = [o for o in self.waiting if f"o{o}" not in routed_ids]
        by_class: dict[str, list[tuple[int, int]]] = {}
        for van in free:
            by_class.setdefault(cfg.fleet[van[0]].id, []).append(van)
        for route in plan.routes:
            van = by_class[route.vehicle_type][route.vehicle]
            self.van_free_at[van] = math.inf  # out until it is back
            self.on_road += len(route.visits)  # loaded now, on the road until delivered or back
            self.env.process(drive(self, route, van, problem, now, day_start))

    def problem_of(
        self, parcels: list[int], vans: list[tuple[int, int]], now: float, day_start: float, clock: float
    ) -> RoutingProblem:
        """The routing problem of `parcels` (order indices) for `vans` at `now` (0 s = now; windows and shifts
        on that clock)."""
        cfg = self.cfg
        today_end = day_start + cfg.delivery_window_h[1]
        lateness = cfg.objective == "lateness"
        on_map = cfg.depot_lat_lon is not None
        if on_map:
            locations = [Location("depot", lat=cfg.depot_lat_lon[0], lon=cfg.depot_lat_lon[1])]  # type: ignore[index]
        else:
            locations = [Location("depot", 0.0, 0.0)]
        stops = []
        for o in parcels:
            if on_map:
                locations.append(Location(f"o{o}", lat=float(self.lat[o]), lon=float(self.lon[o])))  # type: ignore[index]
            else:
                locations.append(Location(f"o{o}", float(self.x_m[o]), float(self.y_m[o])))
            required = not lateness or self.due_h[o] <= today_end
            open_s = max(0.0, (day_start + self.slot_open[o] - now) * 3600.0)
            close_s = (day_start + self.slot_close[o] - now) * 3600.0
            stops.append(
                Stop(
                    id=f"o{o}",
                    location=f"o{o}",
                    demand=(1.0, float(self.weight_kg[o])),
                    service_s=cfg.service_min.mean * 60.0,
                    window_s=(open_s, max(open_s, close_s)),
                    required=required,
                    penalty=0.0 if required else cfg.late_penalty,
                )
            )
        types = []
        for k, c in enumerate(cfg.fleet):
            count = sum(1 for v in vans if v[0] == k)
            if count == 0:
                continue
            types.append(
                VehicleType(
                    id=c.id,
                    count=count,
                    capacity=(float(c.capacity_parcels), c.capacity_kg),
                    start_depot="depot",
                    fixed_cost=c.fixed_cost_cny,
                    cost_per_km=c.cost_per_km_cny,
                    cost_per_h=c.cost_per_h_cny,
                    shift_start_s=0.0,
                    shift_end_s=max(0.0, (day_start + c.shift_end_h - now) * 3600.0),
                )
            )
        return RoutingProblem(
            locations=tuple(locations),
            depots=("depot",),
            stops=tuple(stops),
            vehicle_types=tuple(types),
            dimensions=("parcels", "kg"),
            speed_m_per_s=cfg.speed_kmh / 3.6,
            objective="cost" if cfg.objective == "cost" else "distance",
            name=f"wave at {now:.2f} h",
            circuity=cfg.circuity if on_map else 1.0,
        )

    # --- vans on the road ---------------------------------------------------------------------------------------
    def leg_h(self, planned_s: float) -> float:
        factor = self.cfg.traffic_by_hour[int(self._clock(self.env.now)) % 24]
        noise = math.exp(self.rng.normal(-0.5 * self.noise_sigma**2, self.noise_sigma)) if self.noise_sigma else 1.0
        return planned_s / 3600.0 * factor * noise

    # --- results ------------------------------------------------------------------------------------------------
    @property
    def in_last_mile(self) -> int:
        """Routed parcels between the carrier pickup and delivery (riding to the depot, waiting, on a van)."""
        return self.to_depot + len(self.waiting) + self.on_road

    def place(self, o: int) -> dict[str, float]:
        """Where parcel `o` is delivered: latitude and longitude on a map, else x/y metres from the depot."""
        if self.lat is not None and self.lon is not None and self.cfg.depot_lat_lon is not None:
            depot_lat, depot_lon = self.cfg.depot_lat_lon
            return {
                "lat": float(self.lat[o]),
                "lon": float(self.lon[o]),
                "depot_lat": depot_lat,
                "depot_lon": depot_lon,
            }
        return {"x_m": float(self.x_m[o]), "y_m": float(self.y_m[o])}

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """One row per wave, one per route driven, and one per stop driven to (wave, van, stop order, planned
        and actual arrival, window, outcome, place)."""
        return pd.DataFrame(self.wave_rows), pd.DataFrame(self.route_rows), pd.DataFrame(self.stop_rows)
