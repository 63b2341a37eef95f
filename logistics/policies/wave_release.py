"""Wave release: when released orders reach the floor (`WAVE_RELEASE`), a Protocol with the built-in
policies registered by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from logistics.policies.registry import Registry

__all__ = ["WAVE_RELEASE", "ClockWaves", "Continuous", "FixedInterval", "WaveReleasePolicy"]


# --- wave release ---------------------------------------------------------------------------------------------
class WaveReleasePolicy(Protocol):
    """When orders released by customs and stock reach the floor."""

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """Simulated hours of the waves in [0, end_h) (None = continuously). `start_hour` is the clock hour
        of simulated hour 0."""
        ...


@dataclass(frozen=True)
class Continuous:
    """Every order goes to the floor as soon as it is released."""

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """Continuous: no waves."""
        return None


@dataclass(frozen=True)
class FixedInterval:
    """A wave every `interval_min`."""

    interval_min: float = 60.0

    def __post_init__(self) -> None:
        if not self.interval_min > 0:
            raise ValueError("interval_min must be > 0")

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """Every interval from the start."""
        step = self.interval_min / 60.0
        return list(np.arange(step, end_h, step))


@dataclass(frozen=True)
class ClockWaves:
    """Waves at the listed clock hours every day (e.g. ahead of carrier pickups)."""

    hours: Sequence[float] = (6.0, 10.0, 14.0, 18.0, 22.0)

    def __post_init__(self) -> None:
        if not self.hours or any(not 0 <= h < 24 for h in self.hours):
            raise ValueError(f"hours must be clock hours in [0, 24), got {list(self.hours)}")

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """The clock hours, day after day."""
        times = [day * 24.0 + h - start_hour for day in range(int(end_h // 24) + 2) for h in sorted(self.hours)]
        return [t for t in times if 0 < t < end_h]


WAVE_RELEASE: Registry[WaveReleasePolicy] = Registry("wave release")
WAVE_RELEASE.register("continuous", Continuous)
WAVE_RELEASE.register("fixed_interval", FixedInterval)
WAVE_RELEASE.register("clock", ClockWaves)
