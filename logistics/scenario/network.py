"""Places (nodes) and the transport lanes between them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Weekday
from logistics.scenario.distributions import Distribution
from logistics.scenario.policy import PolicyChoice

NodeKind = Literal[
    "origin",
    "port",
    "airport",
    "rail_terminal",
    "checkpoint",
    "bonded_warehouse",
    "overseas_warehouse",
    "sort_centre",
]
LaneMode = Literal["sea", "sea_fcl", "sea_lcl", "rail", "air", "express", "truck"]


class Node(ScenarioModel):
    """A place goods pass through."""

    id: str = Field(min_length=1)
    kind: NodeKind
    name: str | None = None


class Departures(ScenarioModel):
    """A timetable: a departure at `hour` (one clock hour or several) on each listed weekday."""

    weekdays: list[Weekday] = Field(min_length=1)
    hour: float | list[float] = Field(description="Clock hour(s) of departure, 0 <= hour < 24.")

    @field_validator("hour")
    @classmethod
    def _clock(cls, v: float | list[float]) -> float | list[float]:
        hours = v if isinstance(v, list) else [v]
        if not hours or any(not 0 <= h < 24 for h in hours):
            raise ValueError(f"departure hours must be clock hours in [0, 24), got {v}")
        return v

    @property
    def hours(self) -> list[float]:
        """The departure clock hours as a list."""
        return list(self.hour) if isinstance(self.hour, list) else [self.hour]


class Tariff(ScenarioModel):
    """What a departure charges for the goods it carries (CNY): per chargeable kg (the larger of actual and
    volumetric weight, volume / `volumetric_divisor_cm3_per_kg`), per parcel or shipment, plus the lane's
    `cost_per_container_cny` for every container or ULD used."""

    per_kg_cny: float = Field(default=0.0, ge=0)
    volumetric_divisor_cm3_per_kg: float = Field(
        default=6000.0,
        ge=100,
        le=1e7,
        description="IATA air and express: 6000; sea and rail LCL often 1,000,000 (1 m3 = 1 t).",
    )
    per_parcel_cny: float = Field(default=0.0, ge=0)


class BlockSpace(ScenarioModel):
    """Space bought in advance on every departure: `kg` paid at `cny_per_kg` whether used or not; weight above
    the block is charged at the tariff."""

    kg: float = Field(gt=0)
    cny_per_kg: float = Field(ge=0)


class Lane(ScenarioModel):
    """A transport link. Scheduled (`departures` given) or on demand (`hold_h` after the first shipment). Either
    way a departure carries at most `containers_per_departure` containers (payload and volume); shipments are
    loaded by the `loading` rule and those left over wait for the next departure."""

    id: str = Field(min_length=1)
    from_: str = Field(alias="from")
    to: str
    mode: LaneMode
    departures: list[Departures] | None = Field(
        default=None,
        description="A timetable, or a list of them (different hours on different weekdays); none: on demand.",
    )
    transit_time_h: Distribution
    containers_per_departure: int = Field(default=10, ge=1, description="Containers, ULDs or truck loads.")
    container_volume_m3: float = Field(default=67.0, gt=0, description="Usable volume (40' HC: 67 m3).")
    container_payload_kg: float = Field(default=26_000.0, gt=0)
    cost_per_container_cny: float = Field(default=0.0, ge=0)
    booking_cutoff_h: float = Field(
        default=0.0, ge=0, description="Goods must be at the lane's origin this long before a departure to board."
    )
    hold_h: float = Field(
        default=0.0,
        ge=0,
        description="Lanes without a timetable: wait this long after the first shipment to fill a departure (and "
        "between departures while shipments are left over).",
    )
    loading: Literal["fcfs", "first_fit"] = Field(
        default="fcfs",
        description="Who boards a departure: fcfs, shipments in the order they reached the lane until the first "
        "that does not fit; first_fit, also later ones that still fit (up to 64 misfits in a row).",
    )
    tariff: Tariff = Tariff()
    block_space: BlockSpace | None = None

    @field_validator("departures", mode="before")
    @classmethod
    def _one_or_several(cls, v: object) -> object:
        return [v] if isinstance(v, dict | Departures) else v

    @field_validator("departures")
    @classmethod
    def _some_departures(cls, v: list[Departures] | None) -> list[Departures] | None:
        if v is not None and not v:
            raise ValueError("an empty timetable list: leave departures out for a lane on demand")
        return v

    @property
    def capacity_kg(self) -> float:
        """Payload of one departure."""
        return self.containers_per_departure * self.container_payload_kg

    @property
    def capacity_m3(self) -> float:
        """Usable volume of one departure."""
        return self.containers_per_departure * self.container_volume_m3


class LaneGroup(ScenarioModel):
    """Alternative scheduled lanes between the same two nodes (carriers, services, flights). Shipments wait in
    one queue; at each departure's booking cut-off the allocation policy decides who boards (first come first
    served, or an optimization over the next departures of every lane against cost and promised dates). A flow's
    route names the group's id in place of a lane."""

    id: str = Field(min_length=1)
    lanes: list[str] = Field(min_length=1)
    allocation: PolicyChoice = PolicyChoice(name="fcfs")


class Network(ScenarioModel):
    """Nodes and lanes; lanes must join existing nodes."""

    nodes: list[Node] = Field(min_length=1)
    lanes: list[Lane] = Field(default_factory=list)
    lane_groups: list[LaneGroup] = Field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        """The node with this id, if any."""
        return next((n for n in self.nodes if n.id == node_id), None)
