"""Disruptions (risk prevention): time windows, in hours from the start of the run, in which a lane is closed or
delayed, a checkpoint's system is down, or demand surges."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel


class _Window(ScenarioModel):
    start_h: float = Field(ge=0)
    end_h: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> _Window:
        if self.end_h <= self.start_h:
            raise ValueError(f"end_h ({self.end_h}) must be after start_h ({self.start_h})")
        return self

    def covers(self, t_h: float) -> bool:
        """Whether simulated hour `t_h` falls in [start_h, end_h)."""
        return self.start_h <= t_h < self.end_h


class LaneClosed(_Window):
    """No departure of `lane` in the window: goods wait for the first departure after it."""

    kind: Literal["lane_closed"]
    lane: str = Field(min_length=1)


class LaneDelayed(_Window):
    """Departures of `lane` in the window take `delay_h` longer (congestion, weather, border queues)."""

    kind: Literal["lane_delayed"]
    lane: str = Field(min_length=1)
    delay_h: float = Field(gt=0)


class CheckpointDown(_Window):
    """The checkpoint's system is down in the window: no declaration is screened or inspected (staff are still
    on shift and paid); work waits and resumes when the system is back."""

    kind: Literal["checkpoint_down"]
    checkpoint: str = Field(min_length=1)


class DemandSurge(_Window):
    """The order rate is multiplied by `multiplier` in the window (on top of peaks and profiles)."""

    kind: Literal["demand_surge"]
    multiplier: float = Field(gt=0, le=100)


Disruption = Annotated[LaneClosed | LaneDelayed | CheckpointDown | DemandSurge, Field(discriminator="kind")]
