"""Line-haul space allocation: which waiting shipments board a departure of a lane group (alternative flights,
sailings or trains between the same two nodes).

- `fcfs`: first come first served: the first departure to leave takes the queue in order, as far as it fits.
- `optimized`: at each departure's booking cut-off, a mixed-integer programme (OR-Tools, SCIP) allocates the
  waiting shipments to the group's departures over the next `horizon_h` (every lane's timetable, capacity in kg
  and m3, block space already paid, tariff per chargeable kg and per parcel, expected arrival) or to "later",
  minimising transport cost plus `late_penalty_cny_per_h` for every hour a shipment would arrive after its
  promised date less the expected last mile and `allowance_h` (clearance and sorting after this leg). Later
  departures keep room for the shipments expected to arrive before their cut-off (the group's arrival rate
  over the last day), so the plan does not count on space that new arrivals will take. Shipments are grouped
  into classes by due hour (`bucket_h`), so the model stays small however many parcels wait; only the
  allocation to the departure now leaving is carried out, the rest is planned again at the next cut-off
  (rolling horizon).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from logistics.optimize.linehaul import Departure, ShipmentClass, SpaceParams, SpaceProblem, solve_space
from logistics.optimize.routing.result import Status
from logistics.policies.registry import Registry

__all__ = ["ALLOCATION", "AllocationPolicy", "Departure", "FirstComeFirstServed", "OptimizedAllocation", "Queue"]


@dataclass(frozen=True)
class Queue:
    """The shipments waiting at the group's origin, in arrival order (arrays aligned by queue position)."""

    arrived_h: np.ndarray
    weight_kg: np.ndarray
    volume_m3: np.ndarray
    deadline_h: np.ndarray  # promised delivery less the expected last mile (inf: none)


class AllocationPolicy(Protocol):
    """Decides who boards the departure leaving now (`departures[0]`); `eligible` = the queue's first shipments
    that made its cut-off."""

    def board(self, now_h: float, departures: list[Departure], queue: Queue, eligible: int) -> list[int]:
        """Queue positions to board, in order (the lane still enforces its capacity)."""
        ...


@dataclass(frozen=True)
class FirstComeFirstServed:
    """The queue in arrival order."""

    def board(self, now_h: float, departures: list[Departure], queue: Queue, eligible: int) -> list[int]:
        """Everyone eligible, first come first served."""
        return list(range(eligible))


@dataclass(frozen=True)
class OptimizedAllocation:
    """Rolling-horizon MIP over the group's next departures (see the module text)."""

    horizon_h: float = 72.0
    late_penalty_cny_per_h: float = 2.0
    allowance_h: float = 12.0
    bucket_h: float = 6.0
    time_limit_s: float = 30.0
    node_limit: int | None = 2000
    stats: dict[str, int] = field(default_factory=lambda: {"solves": 0, "time_cap_hits": 0}, compare=False)

    def __post_init__(self) -> None:
        if not self.horizon_h > 0 or not self.bucket_h > 0 or not self.time_limit_s > 0:
            raise ValueError("horizon_h, bucket_h and time_limit_s must be > 0")
        if self.node_limit is not None and self.node_limit < 1:
            raise ValueError("node_limit must be >= 1 (or null for the time-limited search)")
        if self.late_penalty_cny_per_h < 0 or self.allowance_h < 0:
            raise ValueError("late_penalty_cny_per_h and allowance_h must be >= 0")

    def board(self, now_h: float, departures: list[Departure], queue: Queue, eligible: int) -> list[int]:
        """The MIP's allocation to the departure leaving now (`solve_space`); FIFO within a class."""
        n = len(queue.arrived_h)
        if eligible == 0 or n == 0:
            return []
        due = queue.deadline_h - self.allowance_h
        finite = np.isfinite(due)
        bucket = np.where(finite, np.floor(np.where(finite, due, 0.0) / self.bucket_h), np.inf)
        now_ok = np.arange(n) < eligible
        members: dict[tuple[float, bool], list[int]] = {}
        for k, key in enumerate(zip(bucket.tolist(), now_ok.tolist(), strict=True)):
            members.setdefault(key, []).append(k)
        chargeable = np.maximum(queue.weight_kg, queue.volume_m3 / departures[0].volumetric_m3_per_kg)
        groups = list(members.items())
        classes = tuple(
            ShipmentClass(
                count=len(idx),
                weight_kg=float(queue.weight_kg[idx].mean()),
                volume_m3=float(queue.volume_m3[idx].mean()),
                chargeable_kg=float(chargeable[idx].mean()),
                due_h=(b + 0.5) * self.bucket_h if math.isfinite(b) else math.inf,
                first_ok=ok_now,
            )
            for (b, ok_now), idx in groups
        )
        problem = SpaceProblem(now_h, tuple(departures), classes, self.late_penalty_cny_per_h, self.horizon_h)
        plan = solve_space(problem, SpaceParams(self.time_limit_s, self.node_limit))
        self.stats["solves"] += 1
        self.stats["time_cap_hits"] += int(plan.capped)
        if plan.status == Status.TIME_LIMIT:
            return list(range(eligible))  # no plan in time: first come first served
        chosen: list[int] = []
        for c, (_, idx) in enumerate(groups):
            chosen += idx[: int(plan.counts[c, 0])]
        return sorted(chosen, key=lambda k: (due[k] if finite[k] else math.inf, k))


ALLOCATION: Registry[AllocationPolicy] = Registry("line-haul allocation")
ALLOCATION.register("fcfs", FirstComeFirstServed)
ALLOCATION.register("optimized", OptimizedAllocation)
