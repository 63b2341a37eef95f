"""The bonded warehouse: receiving, picking and packing stations, stock and its replenishment."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Staffing
from logistics.scenario.distributions import Distribution


class Station(ScenarioModel):
    """Workers serving orders one at a time: `time_per_order_min` plus `time_per_line_min` per line."""

    workers: Staffing
    time_per_order_min: Distribution
    time_per_line_min: float = Field(default=0.0, ge=0)


class Receiving(ScenarioModel):
    """Unloading and receiving inspection of inbound containers by teams of workers."""

    teams: Staffing
    workers_per_team: int = Field(default=4, ge=1)
    time_per_container_h: Distribution


class Replenishment(ScenarioModel):
    """Base-stock replenishment: at each departure of the first inbound lane, each SKU is ordered up to
    `cover_days` of its forecast demand (inventory position = on hand + in transit - backorders)."""

    policy: str = Field(default="base_stock", description="Name of a registered replenishment policy.")
    origin: str = Field(description="Node the consignments leave from.")
    cover_days: float = Field(gt=0)
    initial_cover_days: float = Field(ge=0, description="Stock on hand at the start, in days of demand.")


class Warehouse(ScenarioModel):
    """A bonded warehouse in a special customs supervision zone."""

    node: str
    receiving: Receiving
    pick: Station
    pack: Station
    replenishment: Replenishment
    carrier_pickups_h: list[Annotated[float, Field(ge=0, lt=24)]] = Field(
        min_length=1, description="Clock hours at which the last-mile carrier collects cleared parcels."
    )
