"""The bonded warehouse: receiving, picking and packing stations, stock and its replenishment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Staffing
from logistics.scenario.datafile import DataFile
from logistics.scenario.distributions import Deterministic, Distribution
from logistics.scenario.policy import PolicyChoice


class Station(ScenarioModel):
    """Workers serving orders one at a time: `time_per_order_min` plus `time_per_line_min` per line."""

    workers: Staffing
    time_per_order_min: Distribution
    time_per_line_min: float = Field(default=0.0, ge=0)


class Receiving(ScenarioModel):
    """Unloading and receiving inspection of inbound containers by teams of workers (`teams: null`: as many
    containers at once as arrive, by staff the model does not count or pay)."""

    teams: Staffing | None
    workers_per_team: int = Field(default=4, ge=1)
    time_per_container_h: Distribution


class Replenishment(ScenarioModel):
    """Stock replenishment from the flow's origin over its route: at each departure of the route's first lane
    the policy orders stock (base stock by default: each SKU up to `cover_days` of its forecast demand, inventory
    position = on hand + in transit - backorders)."""

    policy: PolicyChoice = Field(
        default=PolicyChoice(name="base_stock"), description="A registered replenishment policy (REPLENISHMENT)."
    )
    cover_days: float = Field(gt=0)
    initial_cover_days: float = Field(ge=0, description="Stock on hand at the start, in days of demand.")


class FloorZone(ScenarioModel):
    """A band of adjacent aisles of one storage zone, left to right."""

    zone: str = Field(min_length=1)
    kind: Literal["bonded_storage", "fast_pick", "bulk_reserve", "cold", "hazardous", "general"] = "bonded_storage"
    aisles: int = Field(ge=1)
    bonded: bool = True
    temperature: Literal["ambient", "chilled", "frozen"] = "ambient"
    hazardous: bool = False


class SlotFile(DataFile):
    """A slot table from a CSV, Parquet or Excel file, in the slotting optimizer's format: slot_id, zone (a band's
    zone name), aisle, block, bay, level, y_m, volume_l, max_weight_kg, golden (true/false)."""


class FloorLayout(ScenarioModel):
    """Parallel aisles (zone bands left to right) with bays on both sides, levels, optional cross aisles
    (`blocks` > 1), and the pick-and-drop point at the front (`depot`: left or middle). `slots_file` replaces
    the generated slots with the warehouse's own (each must lie within the geometry)."""

    bands: list[FloorZone] = Field(min_length=1)
    bays_per_block: int = Field(ge=1)
    levels: int = Field(ge=1)
    blocks: int = Field(default=1, ge=1)
    bay_width_m: float = Field(default=1.2, gt=0)
    aisle_spacing_m: float = Field(default=3.0, gt=0)
    cross_aisle_m: float = Field(default=2.0, ge=0)
    level_volume_l: list[float] | None = None
    level_max_weight_kg: list[float] | None = None
    golden_levels: list[int] = Field(default=[1, 2])
    ergonomic_penalty_m: float = Field(default=4.0, ge=0)
    depot: Literal["left", "middle"] = "left"
    slots_file: SlotFile | None = None


class Docks(ScenarioModel):
    """Inbound dock doors. A truck (one container) is booked for its expected arrival; it arrives `lateness_h`
    after its appointment (negative = early) or, with `no_show_probability`, `no_show_delay_h` later; the
    dock policy decides when it may take a door. Unloading needs a door and a receiving team."""

    doors: int = Field(ge=1)
    policy: PolicyChoice = PolicyChoice(name="fcfs")
    lateness_h: Distribution = Deterministic(value=0)
    no_show_probability: float = Field(default=0.0, ge=0, le=1)
    no_show_delay_h: float = Field(default=24.0, ge=0)


class Floor(ScenarioModel):
    """The warehouse floor in detail. With it, picking follows the layout: each SKU's pick face sits in the slot
    the slotting policy chose; released orders reach the floor by the wave policy, are batched into pick lists,
    and a picker walks each list by the routing policy (`walk_speed_m_s`), spends `pick.time_per_order_min`
    per list (cart, list, drop-off) and `pick.time_per_line_min` per line plus `time_per_unit_min` per unit.
    Pick faces hold `face_units` units and are refilled from the reserve by `replenishers`; received goods are
    put away by `putaway_workers` walking to the SKUs' slots."""

    layout: FloorLayout
    walk_speed_m_s: float = Field(default=1.0, gt=0)
    time_per_unit_min: float = Field(default=0.05, ge=0)
    face_units: int = Field(default=12, ge=1, description="Units of a SKU its pick face holds.")
    slotting: PolicyChoice = PolicyChoice(name="optimal")
    reslotting: PolicyChoice = PolicyChoice(name="none")
    pick_routing: PolicyChoice = PolicyChoice(name="largest_gap")
    batching: PolicyChoice = PolicyChoice(name="single_order")
    wave_release: PolicyChoice = PolicyChoice(name="continuous")
    face_replenishment: PolicyChoice = PolicyChoice(name="s_S")
    replenishers: Staffing = 2
    replenishment_handling_min: Distribution = Field(
        default=Deterministic(value=3.0), description="Per trip, besides walking to the face and back."
    )
    empty_face_penalty_min: float = Field(
        default=3.0, ge=0, description="Extra picker time when a face is empty (fetch from the reserve)."
    )
    move_time_min: float = Field(default=12.0, ge=0, description="Labour per SKU moved by re-slotting.")
    receiving_check_min_per_sku: float = Field(
        default=2.0, ge=0, description="Receiving inspection at the door: count and check each SKU of a container."
    )
    putaway_workers: Staffing = 4
    putaway_handling_min_per_sku: float = Field(default=1.0, ge=0)
    docks: Docks | None = None


class CarrierDock(ScenarioModel):
    """An outbound dock of one last-mile carrier: parcels of its `zones` are sorted to it and collected at its
    own `pickups_h` (its cut-offs)."""

    id: str = Field(min_length=1)
    zones: list[str] = Field(min_length=1)
    pickups_h: list[Annotated[float, Field(ge=0, lt=24)]] = Field(min_length=1)


class Warehouse(ScenarioModel):
    """A warehouse at the end of its flow's route, serving that flow's orders from stock: the bonded warehouse of
    a 1210 flow (in a special customs supervision zone) or the overseas warehouse of a 9810 flow. Its stock is
    replenished by containers from the flow's origin over the route's lanes (through the route's checkpoints: a
    1210 flow's first line); orders reserve stock, are picked (a station, or the floor in detail) and packed, a
    1210 flow's cleared at the second-line checkpoint on the way out, and handed to the last mile."""

    node: str
    receiving: Receiving
    pick: Station
    pack: Station
    replenishment: Replenishment
    carrier_pickups_h: list[Annotated[float, Field(ge=0, lt=24)]] | None = Field(
        default=None,
        min_length=1,
        description="Clock hours at which the last-mile carrier collects cleared parcels (none: each parcel is "
        "handed over as soon as it is ready).",
    )
    carriers: list[CarrierDock] = Field(
        default_factory=list,
        description="Outbound docks by carrier and zone; zones no carrier lists go out at carrier_pickups_h.",
    )
    floor: Floor | None = Field(
        default=None,
        description="The floor in detail (layout, slots, pick lists, docks); without it, picking "
        "is a station with a time per order and per line.",
    )
