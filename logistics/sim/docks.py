"""Inbound dock doors: when containers leave on the last lane of their route, the dock policy books their
trucks (one per container) from their expected arrival (no plan, a greedy slot plan or the CP-SAT optimizer's);
a truck turns up after its lane's transit plus `lateness_h`, or on a no-show `no_show_delay_h` later; the
policy says when it may take a door (an early truck waits for its slot, a late one may be rebooked); unloading
then needs a free door
and a receiving team."""

from __future__ import annotations

import numpy as np
import simpy

from logistics.scenario.warehouse import Docks
from logistics.sim.sampling import BufferedSampler
from logistics.sim.simpy_access import event_value
from logistics.sim.station import Station

__all__ = ["DockYard", "door_capacity"]


def door_capacity(teams: list[tuple[float, int]], doors: int) -> list[tuple[float, int]]:
    """Unloading capacity over time: a team needs a door, so min(teams on shift, doors)."""
    out: list[tuple[float, int]] = []
    for t, n in teams:
        level = min(n, doors)
        if not out or out[-1][1] != level:
            out.append((t, level))
    return out


class DockYard:
    """Trucks between the gate and a door. Trucks are booked when their containers leave on the last lane
    (`book`); `arrive(job)` when a truck is due from the lane (it then queues for a door and receiving)."""

    def __init__(
        self,
        env: simpy.Environment,
        config: Docks,
        policy,
        receiving: Station,
        rng: np.random.Generator,
        unload_mean_h: float,
    ) -> None:
        self.env = env
        self.config = config
        self.policy = policy
        self.receiving = receiving
        self.rng = rng
        self.unload_mean_h = unload_mean_h
        self.bookings: dict[int, float] = {}  # container job -> its booked slot
        self.booked: list[tuple[float, float]] = []
        self.lateness = BufferedSampler(config.lateness_h, rng)
        self.appointment_h: dict[int, float] = {}
        self.arrived_h: dict[int, float] = {}
        self.door_h: dict[int, float] = {}  # unloading started (filled by the receiving station)
        self.no_shows = 0

    def book(self, jobs: list[int], expected_h: float) -> None:
        """Book the trucks of these containers (one each), all expected at `expected_h`, by the dock policy."""
        if not jobs:
            return
        now = self.env.now
        self.booked = [b for b in self.booked if b[1] > now]
        n = len(jobs)
        times = self.policy.book(now, [expected_h] * n, [self.unload_mean_h] * n, self.config.doors, self.booked)
        self.booked += [(t, t + self.unload_mean_h) for t in times]
        self.bookings.update(zip(jobs, sorted(times), strict=True))

    def arrive(self, job: int) -> None:
        """A truck is due from the lane now; it comes later than that (`lateness_h`, no-shows)."""
        now = self.env.now
        self.appointment_h[job] = self.bookings.pop(job, now)
        delay = self.lateness()
        if self.rng.random() < self.config.no_show_probability:
            self.no_shows += 1
            delay += self.config.no_show_delay_h
        self.env.timeout(max(0.0, delay), job).callbacks.append(self._at_gate)

    def _at_gate(self, event: simpy.Event) -> None:
        job = event_value(event)
        now = self.env.now
        self.arrived_h[job] = now
        ready = self.policy.door_ready_h(now, self.appointment_h[job])
        self.env.timeout(max(0.0, ready - now), job).callbacks.append(self._to_door)

    def _to_door(self, event: simpy.Event) -> None:
        self.receiving.arrive(event_value(event))

    def waits_h(self) -> np.ndarray:
        """Hours from arrival at the gate to a door, for the trucks that got one."""
        jobs = [j for j in self.door_h if j in self.arrived_h]
        return np.array([self.door_h[j] - self.arrived_h[j] for j in jobs])
