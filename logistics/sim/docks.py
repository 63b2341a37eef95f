"""Inbound dock doors: each container arrives on a truck booked for its expected arrival (the appointment),
turns up late or early (`lateness_h`) or not at all on the day (a no-show comes `no_show_delay_h` later), and
the dock policy says when it may take a door; unloading then needs a free door and a receiving team."""

from __future__ import annotations

import numpy as np
import simpy

from logistics.scenario.warehouse import Docks
from logistics.sim.sampling import BufferedSampler
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
    """Trucks between the gate and a door. Duck-types a station: `arrive(job)` at the appointment time."""

    def __init__(
        self, env: simpy.Environment, config: Docks, policy, receiving: Station, rng: np.random.Generator
    ) -> None:  # type: ignore[no-untyped-def]
        self.env = env
        self.config = config
        self.policy = policy
        self.receiving = receiving
        self.rng = rng
        self.lateness = BufferedSampler(config.lateness_h, rng)
        self.appointment_h: dict[int, float] = {}
        self.arrived_h: dict[int, float] = {}
        self.door_h: dict[int, float] = {}  # unloading started (filled by the receiving station)
        self.no_shows = 0
        self.in_yard = 0

    def arrive(self, job: int) -> None:
        """A truck is due now (its appointment); it comes later or earlier than that."""
        now = self.env.now
        self.appointment_h[job] = now
        delay = self.lateness()
        if self.rng.random() < self.config.no_show_probability:
            self.no_shows += 1
            delay += self.config.no_show_delay_h
        self.in_yard += 1
        self.env.timeout(max(0.0, delay), job).callbacks.append(self._at_gate)

    def _at_gate(self, event: simpy.Event) -> None:
        job = event._value
        now = self.env.now
        self.arrived_h[job] = now
        ready = self.policy.door_ready_h(now, self.appointment_h[job])
        self.env.timeout(max(0.0, ready - now), job).callbacks.append(self._to_door)

    def _to_door(self, event: simpy.Event) -> None:
        self.in_yard -= 1
        self.receiving.arrive(event._value)

    def waits_h(self) -> np.ndarray:
        """Hours from arrival at the gate to a door, for the trucks that got one."""
        jobs = [j for j in self.door_h if j in self.arrived_h]
        return np.array([self.door_h[j] - self.arrived_h[j] for j in jobs])
