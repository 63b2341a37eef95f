"""What every part of a run shares: the SimPy environment, the calendar time of simulated hour 0 and the hour the
run ends. Passed as one small context instead of three positional arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import simpy

__all__ = ["RunClock"]


@dataclass(frozen=True)
class RunClock:
    """The run a part belongs to: `env`, the calendar time `start` of hour 0, and `end_h`, the simulated hour the
    run ends (the horizon and the cool-down)."""

    env: simpy.Environment
    start: datetime
    end_h: float
