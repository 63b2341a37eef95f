"""The steps a job of a flow passes through (a station, a lane or a lane group, a checkpoint, stock), and the
program of steps of one kind of job: the parts `Flows` chains together."""

from __future__ import annotations

import math
from array import array
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import simpy

from logistics.policies.linehaul import AllocationPolicy, Departure, Queue
from logistics.sim.checkpoint import CustomsCheckpoint
from logistics.sim.dispatch import Depot
from logistics.sim.inventory import Inventory
from logistics.sim.lanes import ScheduledLane, queue_up
from logistics.sim.station import Station

__all__ = [
    "CheckpointStep",
    "DeliverStep",
    "FlowParcels",
    "GroupStep",
    "LaneStep",
    "Program",
    "ReceiveStep",
    "Receiver",
    "StationStep",
    "Step",
    "departure_view",
]


class Step:
    """A place a job spends time in; `enter(job)` hands it over, the step calls `Flows.advance(job)` after."""

    name: str
    label: str

    def enter(self, job: int) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def live(self) -> int | None:
        """Jobs in the step now (None: not tracked separately)."""
        return None


class StationStep(Step):
    def __init__(self, station: Station, label: str) -> None:
        self.station, self.name, self.label = station, station.name, label
        self.enter = station.arrive  # type: ignore[method-assign]

    @property
    def live(self) -> int:
        return self.station.in_station


class LaneStep(Step):
    def __init__(self, lane: ScheduledLane) -> None:
        self.lane, self.name, self.label = lane, f"lane:{lane.lane.id}", f"lane:{lane.lane.id}"
        self.enter = lane.enter  # type: ignore[method-assign]

    @property
    def live(self) -> int:
        return self.lane.in_lane

    def waiting(self) -> float:
        """Shipments waiting at the lane's origin now (a time-series gauge)."""
        return len(self.lane.waiting)


class GroupStep(Step):
    """A lane group: one queue at the origin for all its lanes (`members`, added once built); at each
    departure's cut-off the allocation policy decides who boards (`allocate`), seeing every member's departures
    over its horizon with what is expected to reach the queue before them."""

    window_h = 24.0  # arrival rate measured over the last day

    def __init__(
        self,
        group_id: str,
        env: simpy.Environment,
        queue: tuple[list[int], list[float]],
        weight_kg: list[float],
        volume_m3: list[float],
        policy: AllocationPolicy,
        deadline_h: np.ndarray,
    ) -> None:
        self.members: list[ScheduledLane] = []
        self.queue, self.policy, self.env = queue, policy, env
        self.name, self.label = f"lane_group:{group_id}", f"lane:{group_id}"
        self.weight_kg, self.volume_m3, self.deadline_h = weight_kg, volume_m3, deadline_h
        self.horizon_h = float(getattr(policy, "horizon_h", 72.0))
        self.recent: deque[tuple[float, float, float]] = deque()  # (time, kg, m3) of recent arrivals
        self.recent_kg = self.recent_m3 = 0.0

    def allocate(self, lane: ScheduledLane, now: float, eligible: int) -> list[int]:
        """Who boards `lane`'s departure leaving now (jobs of the queue), by the group's policy."""
        kg_h, m3_h = self.arrival_rate(now)
        deps = []
        for m in self.members:
            for t in m.times:
                if now - 1e-9 <= t <= now + self.horizon_h and not m.closures_at(t) and not (m is lane and t == now):
                    ahead = max(0.0, t - m.lane.booking_cutoff_h - now)
                    deps.append(departure_view(m, t, kg_h * ahead, m3_h * ahead))
        deps.sort(key=lambda d: d.time_h)
        jobs = self.queue[0]
        waiting = Queue(
            np.array(self.queue[1]),
            np.array([self.weight_kg[j] for j in jobs]),
            np.array([self.volume_m3[j] for j in jobs]),
            self.deadline_h[np.array(jobs, dtype=np.int64)],
        )
        departures = [departure_view(lane, now), *deps]
        return self.policy.board(now, departures, waiting, eligible)

    def enter(self, job: int) -> None:
        now = self.env.now
        first = self.members[0]
        queue_up(self.queue[0], self.queue[1], job, now, first.whole, first.booked_h)
        kg, m3 = self.weight_kg[job], self.volume_m3[job]
        self.recent.append((now, kg, m3))
        self.recent_kg += kg
        self.recent_m3 += m3

    def arrival_rate(self, now: float) -> tuple[float, float]:
        """kg and m3 per hour reaching the queue over the last `window_h`."""
        while self.recent and self.recent[0][0] < now - self.window_h:
            _, kg, m3 = self.recent.popleft()
            self.recent_kg -= kg
            self.recent_m3 -= m3
        span = min(self.window_h, max(now, 1e-9))
        return self.recent_kg / span, self.recent_m3 / span

    @property
    def live(self) -> int:
        return len(self.queue[0]) + sum(m.in_transit for m in self.members)

    def waiting(self) -> float:
        """Shipments waiting in the group's queue now (a time-series gauge)."""
        return len(self.queue[0])


def departure_view(lane: ScheduledLane, t_h: float, expected_kg: float = 0.0, expected_m3: float = 0.0) -> Departure:
    """How the allocation sees a departure of `lane` at `t_h` (with what is expected to arrive before it)."""
    cfg = lane.lane
    return Departure(
        lane=cfg.id,
        time_h=t_h,
        arrival_h=t_h + cfg.transit_time_h.mean,
        cutoff_h=cfg.booking_cutoff_h,
        capacity_kg=cfg.capacity_kg,
        capacity_m3=cfg.capacity_m3,
        block_kg=cfg.block_space.kg if cfg.block_space is not None else 0.0,
        per_kg_cny=cfg.tariff.per_kg_cny,
        per_parcel_cny=cfg.tariff.per_parcel_cny,
        volumetric_m3_per_kg=lane.divisor_m3_per_kg,
        expected_kg=expected_kg,
        expected_m3=expected_m3,
    )


class CheckpointStep(Step):
    def __init__(self, clearance: CustomsCheckpoint) -> None:
        cp = clearance.config
        self.clearance, self.name, self.label = clearance, f"checkpoint:{cp.id}", f"{cp.role}:{cp.id}"
        self.enter = clearance.enter  # type: ignore[method-assign]

    @property
    def live(self) -> int:
        return self.clearance.in_checkpoint


class Program:
    """The steps of one kind of job of one flow, and when each job finished each step."""

    def __init__(self, flow: int, kind: str, offset: int, count: int, steps: list[Step]) -> None:
        self.flow, self.kind, self.offset, self.count, self.steps = flow, kind, offset, count, steps
        # when each job finished each step (NaN: not yet), one row per step; written one item at a time on the
        # hot path (an array item set is cheaper than numpy indexing), read as `done`
        self.rows = [array("d", [math.nan]) * count for _ in steps]

    @property
    def done(self) -> np.ndarray:
        """When each job finished each step (steps x jobs, NaN: not yet), a view of `rows`."""
        if not self.rows:
            return np.zeros((0, self.count))
        return np.vstack([np.frombuffer(row, dtype=np.float64, count=self.count) for row in self.rows])


@dataclass(frozen=True)
class FlowParcels:
    """A flow's slice of the order columns (numpy views: a depot writes through them)."""

    created_h: np.ndarray
    delivered_h: np.ndarray
    ended_h: np.ndarray
    end_reason: np.ndarray


class DeliverStep(Step):
    """Handed to the last-mile carrier now: delivered after the order's delivery time, or, in a zone its flow's
    depot routes, ridden to the depot and delivered by its vans (`depots`: flow -> its depot and first job)."""

    def __init__(
        self,
        env: simpy.Environment,
        dispatched_h: np.ndarray,
        delivered_h: np.ndarray,
        delivery_h: np.ndarray,
        flow_of: np.ndarray,
        depots: dict[int, tuple[Depot, int]],
    ) -> None:
        self.env, self.name, self.label = env, "last_mile", "last_mile"
        self.dispatched_h, self.delivered_h, self.delivery_h = dispatched_h, delivered_h, delivery_h
        self.flow_of, self.depots = flow_of, depots

    def enter(self, job: int) -> None:
        now = self.env.now
        self.dispatched_h[job] = now
        if self.depots:  # only flows with a depot pay for the look-up
            depot = self.depots.get(int(self.flow_of[job]))
            if depot is not None and depot[0].routed[job - depot[1]]:
                depot[0].receive(np.array([job - depot[1]]))
                return
        self.delivered_h[job] = now + self.delivery_h[job]


class Receiver(Protocol):
    """Where a warehouse's arriving containers go first (its dock yard, or its receiving station)."""

    def arrive(self, job: int) -> None:
        """Container `job` arrives now."""
        ...


class ReceiveStep(Step):
    """Stock containers are handed to their warehouse's `receiver` (its docks, or its receiving station) and
    received into its stock when the warehouse calls `stored(job)` (unloaded, and put away on a detailed
    floor)."""

    def __init__(
        self,
        env: simpy.Environment,
        inventory: Inventory,
        name: str,
        containers: dict[int, tuple[np.ndarray, np.ndarray]],
        delivered_h: np.ndarray,
        outcome: dict[int, str],
        receiver: Receiver,
    ) -> None:
        self.env, self.inventory, self.name, self.label = env, inventory, name, "receiving"
        self.receiver = receiver
        self.containers, self.delivered_h, self.outcome = containers, delivered_h, outcome
        self.in_receiving = 0

    def enter(self, job: int) -> None:
        self.in_receiving += 1
        self.receiver.arrive(job)

    def stored(self, job: int) -> None:
        """Container `job`'s stock is available now."""
        self.in_receiving -= 1
        sku_ids, qty = self.containers[job]
        self.inventory.receive(sku_ids, qty)
        self.delivered_h[job] = self.env.now
        self.outcome[job] = "received"

    @property
    def live(self) -> int:
        return self.in_receiving
