"""Inbound supply: replenishment consignments shipped over scheduled lanes, cleared at the first-line
checkpoint, and received into the bonded warehouse container by container."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
import simpy

from logistics.policies.replenishment import ReplenishmentPolicy
from logistics.scenario.disruptions import LaneClosed, LaneDelayed
from logistics.scenario.network import Departures, Lane
from logistics.scenario.scenario import Scenario
from logistics.sim.checkpoint import CustomsCheckpoint
from logistics.sim.inventory import Inventory


def clock_times(hours: list[float], weekdays: list[int], start: datetime, t0_h: float, t1_h: float) -> list[float]:
    """Simulated hours in [t0_h, t1_h) falling at any of the clock `hours` on the given weekdays."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (start - midnight).total_seconds() / 3600.0
    times = []
    for day in range(math.floor((t0_h + offset) / 24.0) - 1, math.ceil((t1_h + offset) / 24.0) + 1):
        if (midnight + timedelta(days=day)).weekday() in weekdays:
            for hour in hours:
                t = day * 24.0 + hour - offset
                if t0_h <= t < t1_h:
                    times.append(t)
    return sorted(times)


def departure_times(
    departures: Departures | list[Departures], start: datetime, t0_h: float, t1_h: float
) -> list[float]:
    """Simulated hours of the timetable's (or timetables') departures in [t0_h, t1_h)."""
    tables = departures if isinstance(departures, list) else [departures]
    times = {t for d in tables for t in clock_times(d.hours, d.weekdays, start, t0_h, t1_h)}
    return sorted(times)


@dataclass
class Consignment:
    """A shipment of several containers from the origin to the warehouse."""

    id: int
    skus: np.ndarray
    units: np.ndarray
    containers: list[tuple[np.ndarray, np.ndarray]]
    departed_h: float
    events: dict[str, float] = field(default_factory=dict)
    outcome: str = "in_transit"


def pack_containers(
    skus: np.ndarray, units: np.ndarray, volume_m3: np.ndarray, weight_kg: np.ndarray, lane: Lane
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split SKU quantities over containers in SKU order, starting a new container when the next SKU's
    load would overflow volume or payload (a SKU is never split)."""
    loads = np.maximum(
        units * volume_m3[skus] / lane.container_volume_m3,
        units * weight_kg[skus] / lane.container_payload_kg,
    )
    containers: list[tuple[np.ndarray, np.ndarray]] = []
    begin, filled = 0, 0.0
    for k, load in enumerate(loads.tolist()):
        if k > begin and filled + load > 1.0:
            containers.append((skus[begin:k], units[begin:k]))
            begin, filled = k, 0.0
        filled += load
    if len(skus) > begin:
        containers.append((skus[begin:], units[begin:]))
    return containers


class Receiver(Protocol):
    """Where arriving containers go: receiving (a station) or the dock yard in front of it."""

    def arrive(self, job: int) -> None:
        """Container `job` arrives now."""
        ...


class InboundSupply:
    """Places replenishment orders at each departure of the first lane and moves the consignments."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        inventory: Inventory,
        policy: ReplenishmentPolicy,
        forecast_per_day: np.ndarray,
        sku_volume_m3: np.ndarray,
        sku_weight_kg: np.ndarray,
        rng: np.random.Generator,
        first_line: CustomsCheckpoint,
        first_line_jobs: list[Consignment],
        receiving: Receiver,
        costs: dict[str, float],
        on_last_leg: Callable[[Consignment, float], None] | None = None,
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.inventory = inventory
        self.policy = policy
        self.forecast = forecast_per_day
        self.volume_m3 = sku_volume_m3
        self.weight_kg = sku_weight_kg
        self.rng = rng
        self.first_line = first_line
        self.first_line_node = first_line.config.node
        self.consignments = first_line_jobs  # index = job id at the first-line checkpoint
        self.receiving = receiving
        self.costs = costs
        self.on_last_leg = on_last_leg  # told when a consignment leaves on the last lane, with its expected arrival
        self.containers: list[tuple[Consignment, np.ndarray, np.ndarray]] = []
        self.pending_containers: dict[int, int] = {}
        self._cleared: dict[int, simpy.Event] = {}
        flow = scenario.bonded_flow
        assert flow is not None  # built for the bonded-import flow only
        lanes = {lane.id: lane for lane in scenario.network.lanes}
        self.path: list[Lane] = [lanes[lane_id] for lane_id in flow.route]
        self.rolled_units = 0
        self.departures_cancelled = 0
        self.departures_delayed = 0
        self.closure_holds = 0  # consignments held at a transfer by a closed lane
        self.closures = {
            lane.id: [d for d in scenario.disruptions if isinstance(d, LaneClosed) and d.lane == lane.id]
            for lane in self.path
        }
        self.delays = {
            lane.id: [d for d in scenario.disruptions if isinstance(d, LaneDelayed) and d.lane == lane.id]
            for lane in self.path
        }
        env.process(self._departures())

    def _closed(self, lane: Lane, t_h: float) -> bool:
        return any(d.covers(t_h) for d in self.closures[lane.id])

    def _departures(self):
        run = self.scenario.run
        first = self.path[0]
        assert first.departures is not None  # checked by the scenario validation
        for t in departure_times(first.departures, run.start, 0.0, run.horizon_h):
            yield self.env.timeout(t - self.env.now)
            if self._closed(first, t):
                self.departures_cancelled += 1  # nothing ordered: the policy orders it at the next departure
                continue
            self._ship()

    def _ship(self) -> None:
        want = self.policy.order_units(self.inventory.view(self.forecast))
        skus = np.flatnonzero(want > 0)
        if len(skus) == 0:
            return
        units = want[skus]
        lane = self.path[0]
        containers = pack_containers(skus, units, self.volume_m3, self.weight_kg, lane)
        if len(containers) > lane.containers_per_departure:
            # No space: what does not fit waits for the next departure (the policy orders it again).
            containers = containers[: lane.containers_per_departure]
            shipped = sum(len(c[0]) for c in containers)
            self.rolled_units += int(units[shipped:].sum())
            skus, units = skus[:shipped], units[:shipped]
        self.inventory.in_transit[skus] += units
        consignment = Consignment(len(self.consignments), skus, units, containers, self.env.now)
        self.consignments.append(consignment)
        self.env.process(self._journey(consignment))

    def _journey(self, c: Consignment):
        run = self.scenario.run
        for k, lane in enumerate(self.path):
            if k > 0:
                if lane.departures is not None:
                    later = departure_times(lane.departures, run.start, self.env.now, self.env.now + 24 * 8)
                    open_ = [t for t in later if not self._closed(lane, t)]
                    if open_:
                        self.closure_holds += open_[0] != later[0]
                        yield self.env.timeout(open_[0] - self.env.now)
                closing = [d for d in self.closures[lane.id] if d.covers(self.env.now)]
                if closing:  # an on-demand lane (or a timetable gap) waits for the end of the closure
                    self.closure_holds += 1
                    yield self.env.timeout(max(d.end_h for d in closing) - self.env.now)
            c.events[f"depart:{lane.id}"] = self.env.now
            if k == len(self.path) - 1 and self.on_last_leg is not None:
                self.on_last_leg(c, self.env.now + lane.transit_time_h.mean)
            self.costs["transport"] += lane.cost_per_container_cny * len(c.containers)
            delay = sum(d.delay_h for d in self.delays[lane.id] if d.covers(self.env.now))
            self.departures_delayed += delay > 0
            yield self.env.timeout(float(lane.transit_time_h.sample(self.rng, 1)[0]) + delay)
            c.events[f"arrive:{lane.to}"] = self.env.now
            if lane.to == self.first_line_node:
                done = self.env.event()
                self._cleared[c.id] = done
                self.first_line.enter(c.id)
                passed = yield done
                c.events["first_line_cleared"] = self.env.now
                if not passed:
                    c.outcome = "rejected_at_first_line"
                    self.inventory.in_transit[c.skus] -= c.units
                    return
        c.outcome = "receiving"
        self.pending_containers[c.id] = len(c.containers)
        for skus, units in c.containers:
            self.containers.append((c, skus, units))
            self.receiving.arrive(len(self.containers) - 1)

    def first_line_done(self, job: int, passed: bool) -> None:
        """Callback of the first-line checkpoint."""
        self._cleared.pop(job).succeed(passed)

    def container_received(self, job: int) -> None:
        """Callback of the receiving station: stock becomes available."""
        c, skus, units = self.containers[job]
        self.inventory.receive(skus, units)
        self.pending_containers[c.id] -= 1
        if self.pending_containers[c.id] == 0:
            del self.pending_containers[c.id]
            c.outcome = "received"
            c.events["received"] = self.env.now
