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
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from logistics.policies.registry import Registry

__all__ = ["ALLOCATION", "AllocationPolicy", "Departure", "FirstComeFirstServed", "OptimizedAllocation", "Queue"]


@dataclass(frozen=True)
class Departure:
    """An upcoming departure of one lane of the group, as the allocation sees it."""

    lane: str
    time_h: float
    arrival_h: float  # expected (mean transit)
    cutoff_h: float  # booking closes this long before the departure
    capacity_kg: float
    capacity_m3: float
    block_kg: float  # already paid: no charge per kg within it
    per_kg_cny: float
    per_parcel_cny: float
    volumetric_m3_per_kg: float
    expected_kg: float = 0.0  # shipments expected to reach the queue before this departure's cut-off
    expected_m3: float = 0.0


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
    time_limit_s: float = 2.0

    def __post_init__(self) -> None:
        if not self.horizon_h > 0 or not self.bucket_h > 0 or not self.time_limit_s > 0:
            raise ValueError("horizon_h, bucket_h and time_limit_s must be > 0")
        if self.late_penalty_cny_per_h < 0 or self.allowance_h < 0:
            raise ValueError("late_penalty_cny_per_h and allowance_h must be >= 0")

    def board(self, now_h: float, departures: list[Departure], queue: Queue, eligible: int) -> list[int]:
        """The MIP's allocation to the departure leaving now; FIFO within a class."""
        from ortools.linear_solver import pywraplp

        n = len(queue.arrived_h)
        if eligible == 0 or n == 0:
            return []
        due = queue.deadline_h - self.allowance_h
        finite = np.isfinite(due)
        bucket = np.where(finite, np.floor(np.where(finite, due, 0.0) / self.bucket_h), np.inf)
        now_ok = np.arange(n) < eligible
        keys = list(zip(bucket.tolist(), now_ok.tolist(), strict=True))
        classes: dict[tuple[float, bool], list[int]] = {}
        for k, key in enumerate(keys):
            classes.setdefault(key, []).append(k)
        solver = pywraplp.Solver.CreateSolver("SCIP") or pywraplp.Solver.CreateSolver("CBC")
        solver.SetTimeLimit(int(self.time_limit_s * 1000))
        later_h = now_h + self.horizon_h
        x: dict[tuple[int, int, int], object] = {}  # (class, departure, 0 block / 1 open) -> count
        objective = solver.Objective()
        class_list = list(classes.items())
        for c, ((b, ok_now), members) in enumerate(class_list):
            idx = np.array(members)
            volumetric = queue.volume_m3[idx] / departures[0].volumetric_m3_per_kg
            charge = float(np.maximum(queue.weight_kg[idx], volumetric).mean())
            due_c = (b + 0.5) * self.bucket_h if math.isfinite(b) else math.inf
            parts = []
            for d, dep in enumerate(departures):
                if d == 0 and not ok_now:
                    continue
                if d > 0 and dep.time_h - dep.cutoff_h < now_h - 1e-9:
                    continue
                late = max(0.0, dep.arrival_h - due_c) if math.isfinite(due_c) else 0.0
                for part, per_kg in ((0, 0.0), (1, dep.per_kg_cny)):
                    if part == 0 and dep.block_kg <= 0:
                        continue
                    var = solver.IntVar(0, len(members), f"x{c}_{d}_{part}")
                    x[c, d, part] = var
                    parts.append(var)
                    cost = per_kg * charge + dep.per_parcel_cny + self.late_penalty_cny_per_h * late
                    objective.SetCoefficient(var, cost)
            # "later": beyond the horizon, at the dearest rate and the lateness it would have by then
            later = solver.IntVar(0, len(members), f"later{c}")
            transit = departures[-1].arrival_h - departures[-1].time_h
            late_later = max(0.0, later_h + transit - due_c) if math.isfinite(due_c) else 0.0
            top_rate = max(dep.per_kg_cny for dep in departures)
            objective.SetCoefficient(later, top_rate * charge + self.late_penalty_cny_per_h * late_later + 1e-3)
            solver.Add(solver.Sum([*parts, later]) == len(members))
        for d, dep in enumerate(departures):
            kg_terms, m3_terms, block_terms = [], [], []
            for c, (_, members) in enumerate(class_list):
                idx = np.array(members)
                w = float(queue.weight_kg[idx].mean())
                v = float(queue.volume_m3[idx].mean())
                for part in (0, 1):
                    var = x.get((c, d, part))
                    if var is None:
                        continue
                    kg_terms.append(var * w)
                    m3_terms.append(var * v)
                    if part == 0:
                        block_terms.append(var * w)
            if kg_terms:  # later departures keep room for what is expected to arrive before their cut-off
                room_kg = dep.capacity_kg - (dep.expected_kg if d > 0 else 0.0)
                room_m3 = dep.capacity_m3 - (dep.expected_m3 if d > 0 else 0.0)
                solver.Add(solver.Sum(kg_terms) <= max(0.0, room_kg))
                solver.Add(solver.Sum(m3_terms) <= max(0.0, room_m3))
            if block_terms:
                solver.Add(solver.Sum(block_terms) <= dep.block_kg)
        objective.SetMinimization()
        status = solver.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return list(range(eligible))  # no plan in time: first come first served
        chosen: list[int] = []
        for c, ((_, ok_now), members) in enumerate(class_list):
            if not ok_now:
                continue
            count = sum(round(x[c, 0, p].solution_value()) for p in (0, 1) if (c, 0, p) in x)
            chosen += members[:count]
        return sorted(chosen, key=lambda k: (due[k] if finite[k] else math.inf, k))


ALLOCATION: Registry[AllocationPolicy] = Registry("line-haul allocation")
ALLOCATION.register("fcfs", FirstComeFirstServed)
ALLOCATION.register("optimized", OptimizedAllocation)
