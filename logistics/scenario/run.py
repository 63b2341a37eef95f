"""Run settings: when the simulated period starts, how long it lasts, seeds and replications."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, field_validator, model_validator

from logistics.scenario.base import ScenarioModel


def known_zone(value: str) -> str:
    """`value` if it is an IANA time zone this machine knows, else a ValueError with the nearest names."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        near = sorted(z for z in available_timezones() if z.lower().endswith(value.lower().split("/")[-1]))[:3]
        hint = f" (did you mean {', '.join(near)}?)" if near else " (e.g. Asia/Shanghai, Europe/Berlin, UTC)"
        raise ValueError(f"unknown time zone {value!r}{hint}") from None
    return value


class RunSettings(ScenarioModel):
    """The simulated period and its statistics settings.

    Orders are created during `[0, horizon_h)`; the model then keeps running for `cooldown_h` so that late
    orders can finish. Orders created before `warmup_h` are left out of lead-time statistics.
    """

    start: datetime = Field(
        description="Calendar date and time of simulated hour 0, in `timezone` (a time with an offset is converted)."
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        description="IANA time zone of `start` and of every clock time of the scenario; time-zone-aware "
        "timestamps of an order history are converted into it.",
    )
    horizon_h: float = Field(gt=0, description="Hours during which orders are created.")
    cooldown_h: float = Field(default=72.0, ge=0, description="Hours simulated after the last order.")
    warmup_h: float = Field(default=0.0, ge=0, description="Orders created before this are not in KPIs.")
    seed: int = Field(default=1, ge=0, description="Root seed; replication r uses child r of it.")
    replications: int = Field(default=1, ge=1, le=10_000)
    sample_interval_min: float = Field(
        default=15.0, ge=0.1, le=1440, description="How often queue lengths and utilisation are sampled."
    )

    @field_validator("start")
    @classmethod
    def _start_in_range(cls, value: datetime) -> datetime:
        if not 2000 <= value.year <= 2100:
            raise ValueError(f"must be a date between 2000 and 2100 (the model's calendar and tax rules), got {value}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @model_validator(mode="after")
    def _start_local(self) -> RunSettings:
        # a start with an offset (2026-11-09T00:00+08:00) is the same instant in the run's zone, kept naive
        if self.start.tzinfo is not None:
            local = self.start.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)
            object.__setattr__(self, "start", local)
        return self

    @model_validator(mode="after")
    def _ends_in_range(self) -> RunSettings:
        # the calendar (weekdays, peak days, shifts) needs real dates: the run must end by 2200
        if (
            self.start.year <= 2100
            and self.horizon_h + self.cooldown_h > (datetime(2200, 1, 1) - self.start).total_seconds() / 3600
        ):
            raise ValueError(
                f"horizon_h + cooldown_h ({self.horizon_h + self.cooldown_h:g} h) would end the run after 2200"
            )
        return self

    @model_validator(mode="after")
    def _warmup_inside(self) -> RunSettings:
        if self.warmup_h >= self.horizon_h:
            raise ValueError(f"warmup_h ({self.warmup_h}) must be shorter than horizon_h ({self.horizon_h})")
        return self

    @property
    def end_h(self) -> float:
        """The simulated time at which the run stops."""
        return self.horizon_h + self.cooldown_h


class ServiceLevel(ScenarioModel):
    """The promises orders are measured against."""

    dispatch_within_h: float = Field(
        default=48.0, gt=0, description="Promise from order creation to handover to the carrier."
    )
