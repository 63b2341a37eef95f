"""Last-mile delivery zones."""

from __future__ import annotations

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.distributions import Distribution


class Zone(ScenarioModel):
    """Customers of one delivery zone: a share of the orders, a delivery time, a price and a promise."""

    id: str = Field(min_length=1)
    share: float = Field(ge=0)
    delivery_time_h: Distribution
    cost_per_parcel_cny: float = Field(ge=0)
    promise_h: float = Field(gt=0, description="Promised hours from order creation to delivery.")


class LastMile(ScenarioModel):
    """All zones; order shares are normalised."""

    zones: list[Zone] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares(self) -> LastMile:
        if sum(z.share for z in self.zones) <= 0:
            raise ValueError("zone shares must not all be zero")
        ids = [z.id for z in self.zones]
        dupes = sorted({n for n in ids if ids.count(n) > 1})
        if dupes:
            raise ValueError(f"zone ids must be unique; repeated: {', '.join(dupes)}")
        return self
