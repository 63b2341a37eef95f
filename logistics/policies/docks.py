"""Dock assignment: bookings, and when an inbound truck gets a door (`DOCKS`), a Protocol with the
built-in policies registered by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from logistics.policies.registry import Registry

__all__ = ["DOCKS", "Appointments", "DockPolicy", "FirstComeFirstServed", "OptimizedAppointments"]


# --- docks ----------------------------------------------------------------------------------------------------
class DockPolicy(Protocol):
    """Books inbound trucks (when they leave for the warehouse) and says when an arriving truck may take a door."""

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """Appointment times of trucks expected at `expected_h` needing `duration_h` at a door, given the
        appointments already `booked` (start, end) and the number of `doors`."""
        ...

    def door_ready_h(self, arrival_h: float, appointment_h: float) -> float:
        """The earliest time the truck may start unloading (it then queues for a free door)."""
        ...


@dataclass(frozen=True)
class FirstComeFirstServed:
    """No appointments: trucks queue for a door in arrival order."""

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """The expected arrivals (nothing is planned)."""
        return list(expected_h)

    def door_ready_h(self, arrival_h: float, appointment_h: float) -> float:
        """At once."""
        return arrival_h


def _free_slot(
    start_h: float, duration_h: float, slot_h: float, doors: int, booked: list[tuple[float, float]]
) -> float:
    """The first slot start at or after `start_h` with a door free for `duration_h`."""
    t = float(np.floor(start_h / slot_h) * slot_h)
    while sum(1 for a, b in booked if a < t + duration_h and t < b) >= doors:
        t += slot_h
    return t


@dataclass(frozen=True)
class Appointments:
    """Trucks are booked into slots of `slot_h`: an early truck waits for its slot; one later than `grace_h`
    loses it and is rebooked into the first slot starting `rebook_after_h` after it arrives."""

    slot_h: float = 1.0
    grace_h: float = 0.5
    rebook_after_h: float = 2.0

    def __post_init__(self) -> None:
        if not self.slot_h > 0 or self.grace_h < 0 or self.rebook_after_h < 0:
            raise ValueError("slot_h must be > 0, grace_h and rebook_after_h >= 0")

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """Greedy, in order of expected arrival: the first slot with a free door."""
        taken = list(booked)
        out = [0.0] * len(expected_h)
        for k in sorted(range(len(expected_h)), key=lambda k: expected_h[k]):
            t = _free_slot(expected_h[k], duration_h[k], self.slot_h, doors, taken)
            taken.append((t, t + duration_h[k]))
            out[k] = t
        return out

    def door_ready_h(self, arrival_h: float, appointment_h: float) -> float:
        """The slot's start, or a later slot for a late truck."""
        slot = np.floor(appointment_h / self.slot_h) * self.slot_h
        if arrival_h <= slot + self.grace_h:
            return max(arrival_h, slot)
        return float(np.ceil((arrival_h + self.rebook_after_h) / self.slot_h) * self.slot_h)


@dataclass(frozen=True)
class OptimizedAppointments(Appointments):
    """Appointments planned by the dock-appointment optimizer (CP-SAT, `logistics.optimize.solve_docks`):
    the new trucks are scheduled on a grid of `slot_h` against the doors left by earlier bookings, minimising
    waiting and lateness; on one worker stopping after `deterministic_time` of CP-SAT work (reproducible, the
    wall-clock `time_limit_s` only a cap), falling back to the greedy booking for any truck it leaves
    unscheduled."""

    time_limit_s: float = 30.0
    deterministic_time: float = 2.0
    horizon_h: float = 48.0

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """The optimizer's plan for the new trucks; earlier bookings stay where they are."""
        from logistics.optimize.docks import DockDoor, DockParams, DockProblem, Truck, solve_docks

        slot = self.slot_h
        origin = float(np.floor(now_h / slot) * slot)
        horizon = int(np.ceil(self.horizon_h / slot))
        trucks = []
        for k, (a, b) in enumerate(x for x in booked if x[1] > origin):  # held: huge priority keeps them put
            start = max(0, round((a - origin) / slot))
            length = max(1, int(np.ceil((b - max(a, origin)) / slot)))
            if start + length <= horizon:
                trucks.append(Truck(f"held{k}", start, length, start + length, priority=1e4))
        for k, (e, d) in enumerate(zip(expected_h, duration_h, strict=True)):
            start = min(horizon - 1, max(0, int(np.ceil((e - origin) / slot - 1e-9))))
            trucks.append(Truck(f"new{k}", start, max(1, int(np.ceil(d / slot - 1e-9)))))
        problem = DockProblem(tuple(trucks), tuple(DockDoor(f"d{i}") for i in range(doors)), horizon, slot * 60.0)
        plan = solve_docks(
            problem, DockParams(time_limit_s=self.time_limit_s, workers=1, deterministic_time=self.deterministic_time)
        )
        start_of = {a.truck: a.start_slot for a in plan.appointments}
        greedy = Appointments.book(self, now_h, expected_h, duration_h, doors, booked)
        return [
            origin + start_of[f"new{k}"] * slot if f"new{k}" in start_of else greedy[k] for k in range(len(expected_h))
        ]


DOCKS: Registry[DockPolicy] = Registry("dock assignment")
DOCKS.register("fcfs", FirstComeFirstServed)
DOCKS.register("appointments", Appointments)
DOCKS.register("optimized", OptimizedAppointments)
