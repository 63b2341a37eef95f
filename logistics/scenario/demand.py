"""Consumer demand: a non-homogeneous Poisson order process and what each order contains."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.distributions import Deterministic, Distribution
from logistics.scenario.history import OrderHistory

NonNegative = Annotated[float, Field(ge=0)]


class PeakDay(ScenarioModel):
    """A named day (such as 11.11) on which the order rate is multiplied."""

    name: str = Field(min_length=1)
    date: date
    multiplier: float = Field(gt=0, le=100)


class Popularity(ScenarioModel):
    """How order lines spread over SKUs: Zipf with the given exponent (0 = uniform)."""

    law: Literal["zipf"] = "zipf"
    exponent: float = Field(default=1.0, ge=0, le=10)


def _profile(values: list[float], name: str) -> list[float]:
    if sum(values) <= 0:
        raise ValueError(f"{name} must not be all zeros")
    return values


class Demand(ScenarioModel):
    """Orders arrive as a Poisson process whose rate is

    `orders_per_day / 24 x hour_of_day[h] x day_of_week[d] x peak multiplier`, profiles normalised to mean 1.
    """

    orders_per_day: float = Field(gt=0, description="Orders on an average normal day.")
    hour_of_day: list[NonNegative] = Field(default=[1.0] * 24, min_length=24, max_length=24)
    day_of_week: list[NonNegative] = Field(default=[1.0] * 7, min_length=7, max_length=7)
    peak_days: list[PeakDay] = Field(default_factory=list)
    popularity: Popularity = Popularity()
    lines_per_order: Distribution = Field(
        default=Deterministic(value=1), description="Rounded, at least 1; distinct SKUs per order."
    )
    units_per_line: Distribution = Field(default=Deterministic(value=1), description="Rounded, at least 1.")
    customers: int = Field(default=1_000_000, ge=1, description="Size of the buying population.")
    prior_annual_spend_cny: Distribution = Field(
        default=Deterministic(value=0),
        description="Cross-border purchases a customer already made this year before the run starts.",
    )
    over_limit: Literal["reject", "general_trade"] = Field(
        default="reject",
        description="What happens to an order over the per-order or annual limit.",
    )
    history: OrderHistory | None = Field(
        default=None,
        description="Replay these orders instead of drawing them (orders_per_day stays the replenishment forecast).",
    )

    @field_validator("hour_of_day")
    @classmethod
    def _hours(cls, v: list[float]) -> list[float]:
        return _profile(v, "hour_of_day")

    @field_validator("day_of_week")
    @classmethod
    def _days(cls, v: list[float]) -> list[float]:
        return _profile(v, "day_of_week")
