"""Places (nodes) and the transport lanes between them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Weekday
from logistics.scenario.datafile import DataFile, require_columns
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
    distance_km: float | None = Field(
        default=None,
        gt=0,
        le=40_000,
        description="Distance the goods travel (km; air: great circle). Needed for the lane's emissions (tonnes x "
        "km x the mode's factor); without it the lane's emissions are not counted and the report says so.",
    )
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


class TimetableColumns(ScenarioModel):
    """Which column of a timetable file holds what."""

    lane: str = "lane"
    weekday: str = Field(default="weekday", description="0-6 (0 = Monday) or Mon ... Sun.")
    hour: str = Field(default="hour", description="Clock hour of the departure, 0 <= hour < 24.")


class TimetableFile(DataFile):
    """Lane timetables from a CSV, Parquet or Excel file: one row per departure (lane, weekday, hour). A lane the
    file names gets exactly the file's departures (replacing any in the scenario)."""

    columns: TimetableColumns = Field(default_factory=TimetableColumns)


class Network(ScenarioModel):
    """Nodes and lanes; lanes must join existing nodes. `timetable_file` sets the timetables of the lanes it
    names."""

    nodes: list[Node] = Field(min_length=1)
    lanes: list[Lane] = Field(default_factory=list)
    lane_groups: list[LaneGroup] = Field(default_factory=list)
    timetable_file: TimetableFile | None = None

    @model_validator(mode="after")
    def _timetables(self) -> Network:
        if self.timetable_file is None:
            return self
        tables = read_timetables(self.timetable_file, [lane.id for lane in self.lanes])
        lanes = [
            lane.model_copy(update={"departures": tables[lane.id]}) if lane.id in tables else lane
            for lane in self.lanes
        ]
        object.__setattr__(self, "lanes", lanes)
        return self

    def node(self, node_id: str) -> Node | None:
        """The node with this id, if any."""
        return next((n for n in self.nodes if n.id == node_id), None)


_DAYS = {name: k for k, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


def read_timetables(timetable: TimetableFile, lane_ids: list[str]) -> dict[str, list[Departures]]:
    """The departures of each lane a timetable file names; a bad row is a ValueError naming the file, row and
    column."""
    from pathlib import Path

    table = timetable.table()
    name = Path(timetable.file).name
    columns = timetable.columns.model_dump()
    require_columns(table, columns, name)
    hours: dict[str, dict[int, list[float]]] = {}
    for row, (lane, weekday, hour) in enumerate(table[list(columns.values())].itertuples(index=False), start=2):
        lane = str(lane).strip()
        if lane not in lane_ids:
            raise ValueError(
                f"{name} row {row}, column {columns['lane']}: unknown lane {lane!r} (known: {', '.join(lane_ids)})"
            )
        day = _DAYS.get(str(weekday).strip().lower()[:3])
        if day is None:
            try:
                day = int(float(str(weekday)))
            except ValueError:
                day = -1
        if not 0 <= day <= 6:
            raise ValueError(
                f"{name} row {row}, column {columns['weekday']}: not a weekday (0-6 or Mon-Sun), got {weekday!r}"
            )
        try:
            clock = float(hour)
        except (TypeError, ValueError):
            clock = -1.0
        if not 0 <= clock < 24:
            raise ValueError(f"{name} row {row}, column {columns['hour']}: not a clock hour in [0, 24), got {hour!r}")
        hours.setdefault(lane, {}).setdefault(day, []).append(clock)
    if not hours:
        raise ValueError(f"{name}: no rows")
    out: dict[str, list[Departures]] = {}
    for lane, days in hours.items():  # one timetable per set of hours, listing the weekdays that share it
        by_hours: dict[tuple[float, ...], list[int]] = {}
        for day, clocks in sorted(days.items()):
            by_hours.setdefault(tuple(sorted(set(clocks))), []).append(day)
        out[lane] = [Departures(weekdays=w, hour=list(h)) for h, w in by_hours.items()]
    return out
