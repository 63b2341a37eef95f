"""Warehouse layout: zones, parallel aisles cut by cross aisles into blocks, bays and levels, and the storage slots
with their coordinates, volume and weight limits and golden-zone flag; the pick-and-drop point on the front
cross aisle.

Geometry: aisle centre lines at x = aisle * `aisle_spacing_m`; cross-aisle centre lines at
y = c * (`block_length_m` + `cross_aisle_m`) for c = 0 (front) .. blocks (back); a slot's y is the position of
its bay along the aisle. Slots on both sides of an aisle are picked from its centre line.

A slot's travel cost is the round trip from the pick-and-drop point (front cross aisle, then up the aisle), plus
`ergonomic_penalty_m` outside the golden zone: the metric slotting minimises.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.picking.multiblock import MultiBlockLayout
from logistics.optimize.picking.single_block import SingleBlockLayout
from logistics.optimize.textio import CsvText, csv_reader, parse_float, parse_int

__all__ = [
    "ZONE_KINDS",
    "Slots",
    "WarehouseLayout",
    "Zone",
    "ZoneBand",
    "generate_layout",
    "read_slots_csv",
]

ZONE_KINDS = ("bonded_storage", "fast_pick", "bulk_reserve", "cold", "hazardous", "general")
TEMPERATURES = ("ambient", "chilled", "frozen")


@dataclass(frozen=True)
class Zone:
    """A storage zone. `bonded` zones hold goods under customs supervision only; `temperature` and
    `hazardous` must match the goods stored there."""

    name: str
    kind: str = "bonded_storage"
    bonded: bool = True
    temperature: str = "ambient"
    hazardous: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidProblemError("zones[].name", "must not be empty")
        if self.kind not in ZONE_KINDS:
            raise InvalidProblemError(f"zones[{self.name}].kind", f"must be one of {ZONE_KINDS}, got {self.kind!r}")
        if self.temperature not in TEMPERATURES:
            raise InvalidProblemError(
                f"zones[{self.name}].temperature", f"must be one of {TEMPERATURES}, got {self.temperature!r}"
            )


MAX_LENGTH_M = 10_000.0
"""Longest length in a layout (m): ten kilometres is past any warehouse, and keeps the exact slotting model's
integer costs in range."""


@dataclass(frozen=True, eq=False)
class Slots:
    """The slot table, one entry per slot, as aligned arrays (index = slot number)."""

    slot_id: np.ndarray  # str
    zone: np.ndarray  # int, index into the layout's zones
    aisle: np.ndarray
    block: np.ndarray
    bay: np.ndarray
    level: np.ndarray
    y_m: np.ndarray
    volume_l: np.ndarray
    max_weight_kg: np.ndarray
    golden: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.slot_id)


@dataclass(frozen=True, eq=False)
class WarehouseLayout:
    """Zones, aisle geometry, slots and the pick-and-drop point."""

    zones: tuple[Zone, ...]
    aisles: int
    blocks: int
    block_length_m: float
    cross_aisle_m: float
    aisle_spacing_m: float
    slots: Slots
    depot_x_m: float = 0.0
    ergonomic_penalty_m: float = 0.0
    travel_cost_m: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("aisles", "blocks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 1 <= value <= 10_000:
                raise InvalidProblemError(name, f"must be a whole number in [1, 10000], got {value!r}")
        for name in ("block_length_m", "aisle_spacing_m", "cross_aisle_m", "ergonomic_penalty_m", "depot_x_m"):
            value = getattr(self, name)
            if not math.isfinite(value) or abs(value) > MAX_LENGTH_M:
                raise InvalidProblemError(name, f"must be a finite length within {MAX_LENGTH_M:g} m, got {value}")
        for name in ("block_length_m", "aisle_spacing_m"):
            if not getattr(self, name) > 0:
                raise InvalidProblemError(name, f"must be > 0, got {getattr(self, name)}")
        for name in ("cross_aisle_m", "ergonomic_penalty_m"):
            if not getattr(self, name) >= 0:
                raise InvalidProblemError(name, f"must be >= 0, got {getattr(self, name)}")
        if len({z.name for z in self.zones}) != len(self.zones):
            raise InvalidProblemError("zones", "zone names must be unique")
        s = self.slots
        if len(set(s.slot_id.tolist())) != len(s):
            dup = next(x for x, c in zip(*np.unique(s.slot_id, return_counts=True), strict=True) if c > 1)
            raise InvalidProblemError("slots.slot_id", f"duplicate slot id {dup!r}")
        checks = [
            ("zone", (s.zone >= 0) & (s.zone < len(self.zones)), f"must name one of {len(self.zones)} zones"),
            ("aisle", (s.aisle >= 0) & (s.aisle < self.aisles), f"must be in [0, {self.aisles})"),
            ("block", (s.block >= 0) & (s.block < self.blocks), f"must be in [0, {self.blocks})"),
            ("level", s.level >= 0, "must be >= 0"),
            ("volume_l", (s.volume_l > 0) & (s.volume_l <= 1e9), "must be > 0 and at most 1e9"),
            ("max_weight_kg", (s.max_weight_kg > 0) & (s.max_weight_kg <= 1e9), "must be > 0 and at most 1e9"),
        ]
        lo = self.cross_y_m(s.block) + self.cross_aisle_m / 2
        hi = self.cross_y_m(s.block + 1) - self.cross_aisle_m / 2
        checks.append(("y_m", (s.y_m >= lo - 1e-9) & (s.y_m <= hi + 1e-9), "must lie inside its block"))
        for name, ok, message in checks:
            bad = np.flatnonzero(~ok)
            if len(bad):
                i = int(bad[0])
                value = getattr(s, name)[i]
                raise InvalidProblemError(f"slots[{s.slot_id[i]}].{name}", f"{message}, got {value}")
        x = s.aisle * self.aisle_spacing_m
        travel = 2.0 * (np.abs(x - self.depot_x_m) + s.y_m)
        cost = travel + np.where(s.golden, 0.0, self.ergonomic_penalty_m)
        object.__setattr__(self, "travel_cost_m", cost)

    def cross_y_m(self, cross_aisle: np.ndarray | int) -> np.ndarray:
        """Centre line of cross aisle(s) (0 = front)."""
        return np.asarray(cross_aisle) * (self.block_length_m + self.cross_aisle_m)

    @property
    def aisle_length_m(self) -> float:
        """Front to back cross-aisle centre lines."""
        return float(self.cross_y_m(self.blocks))

    def routing(self) -> SingleBlockLayout | MultiBlockLayout:
        """The geometry the pick-path policies run on: single block (vectorised policies) or multi-block."""
        if self.blocks == 1:
            return SingleBlockLayout(self.aisles, self.aisle_length_m, self.aisle_spacing_m, self.depot_x_m)
        cross = tuple(float(y) for y in self.cross_y_m(np.arange(self.blocks + 1)))
        return MultiBlockLayout(self.aisles, self.aisle_spacing_m, cross, self.depot_x_m)


@dataclass(frozen=True)
class ZoneBand:
    """A band of adjacent aisles given to one zone by `generate_layout`."""

    zone: Zone
    aisles: int


MAX_GENERATED_SLOTS = 10_000_000  # a generated layout larger than this is surely a typo (and would not fit)


def generate_layout(
    bands: Sequence[ZoneBand],
    bays_per_block: int,
    levels: int,
    blocks: int = 1,
    bay_width_m: float = 1.2,
    aisle_spacing_m: float = 3.0,
    cross_aisle_m: float = 2.0,
    level_volume_l: Sequence[float] | None = None,
    level_max_weight_kg: Sequence[float] | None = None,
    golden_levels: Sequence[int] = (1, 2),
    ergonomic_penalty_m: float = 4.0,
    depot: str = "left",
) -> WarehouseLayout:
    """A rectangular layout from a few numbers: zone bands of aisles left to right, `bays_per_block` bays a side
    in each block, `levels` levels (per-level volume and weight limits, floor level first); the pick-and-drop
    point in front of the leftmost aisle (`depot="left"`) or the middle one (`"middle"`)."""
    if not bands:
        raise InvalidProblemError("bands", "at least one zone band is needed")
    for i, b in enumerate(bands):
        if b.aisles < 1:
            raise InvalidProblemError(f"bands[{i}].aisles", f"must be >= 1, got {b.aisles}")
    for name, value in (("bays_per_block", bays_per_block), ("levels", levels), ("blocks", blocks)):
        if value < 1:
            raise InvalidProblemError(name, f"must be >= 1, got {value}")
    count = sum(b.aisles for b in bands) * 2 * bays_per_block * blocks * levels
    if count > MAX_GENERATED_SLOTS:
        raise InvalidProblemError(
            "bands", f"{count:,} slots (aisles x 2 sides x bays x blocks x levels) is over {MAX_GENERATED_SLOTS:,}"
        )
    if not bay_width_m > 0:
        raise InvalidProblemError("bay_width_m", f"must be > 0, got {bay_width_m}")
    vol = list(level_volume_l) if level_volume_l is not None else [120.0] * levels
    wgt = list(level_max_weight_kg) if level_max_weight_kg is not None else [50.0] * levels
    for name, values in (("level_volume_l", vol), ("level_max_weight_kg", wgt)):
        if len(values) != levels:
            raise InvalidProblemError(name, f"needs one value per level ({levels}), got {len(values)}")
    if depot not in ("left", "middle"):
        raise InvalidProblemError("depot", f"must be 'left' or 'middle', got {depot!r}")
    zones: list[Zone] = []
    zone_of_aisle: list[int] = []
    for b in bands:
        if b.zone not in zones:
            zones.append(b.zone)
        zone_of_aisle += [zones.index(b.zone)] * b.aisles
    aisles = len(zone_of_aisle)
    block_length = bays_per_block * bay_width_m
    a, blk, side, bay, lvl = np.meshgrid(
        np.arange(aisles), np.arange(blocks), np.arange(2), np.arange(bays_per_block), np.arange(levels), indexing="ij"
    )
    a, blk, side, bay, lvl = (v.ravel() for v in (a, blk, side, bay, lvl))
    y = blk * (block_length + cross_aisle_m) + cross_aisle_m / 2 + (bay + 0.5) * bay_width_m
    ids = np.array(
        [f"A{ai:02d}-B{bi}-{'LR'[si]}{by:02d}-{li}" for ai, bi, si, by, li in zip(a, blk, side, bay, lvl, strict=True)]
    )
    slots = Slots(
        slot_id=ids,
        zone=np.asarray(zone_of_aisle)[a],
        aisle=a,
        block=blk,
        bay=bay + blk * bays_per_block,
        level=lvl,
        y_m=y,
        volume_l=np.asarray(vol, float)[lvl],
        max_weight_kg=np.asarray(wgt, float)[lvl],
        golden=np.isin(lvl, list(golden_levels)),
    )
    depot_x = 0.0 if depot == "left" else (aisles // 2) * aisle_spacing_m
    return WarehouseLayout(
        zones=tuple(zones),
        aisles=aisles,
        blocks=blocks,
        block_length_m=block_length,
        cross_aisle_m=cross_aisle_m,
        aisle_spacing_m=aisle_spacing_m,
        slots=slots,
        depot_x_m=depot_x,
        ergonomic_penalty_m=ergonomic_penalty_m,
    )


_SLOT_COLUMNS = ("slot_id", "zone", "aisle", "block", "bay", "level", "y_m", "volume_l", "max_weight_kg", "golden")


def read_slots_csv(path: str | Path | CsvText, zones: Sequence[Zone]) -> Slots:
    """Load a slot table (columns: slot_id, zone (name), aisle, block, bay, level, y_m, volume_l,
    max_weight_kg, golden (true/false)); errors name the line and column."""
    names = [z.name for z in zones]
    cols: dict[str, list] = {c: [] for c in _SLOT_COLUMNS}
    reader = csv_reader(path)
    missing = [c for c in _SLOT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidProblemError(f"{path}:1", f"missing column(s) {', '.join(missing)}")
    for line, row in enumerate(reader, start=2):
        for c in _SLOT_COLUMNS:
            raw = (row.get(c) or "").strip()
            where = f"{path}:{line}: {c}"
            try:
                if c == "slot_id":
                    if not raw:
                        raise ValueError("empty")
                    cols[c].append(raw)
                elif c == "zone":
                    if raw not in names:
                        raise InvalidProblemError(where, f"unknown zone {raw!r} (known: {', '.join(names)})")
                    cols[c].append(names.index(raw))
                elif c == "golden":
                    if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                        raise ValueError(raw)
                    cols[c].append(raw.lower() in ("true", "1", "yes"))
                elif c in ("aisle", "block", "bay", "level"):
                    cols[c].append(parse_int(raw))
                else:
                    cols[c].append(parse_float(raw))
            except InvalidProblemError:
                raise
            except ValueError:
                raise InvalidProblemError(where, f"not a valid value: {raw!r}") from None
    arrays = {c: np.asarray(v) for c, v in cols.items()}
    arrays["slot_id"] = np.asarray(cols["slot_id"], dtype=str)
    arrays["golden"] = np.asarray(cols["golden"], dtype=bool)
    for c in ("zone", "aisle", "block", "bay", "level"):
        arrays[c] = np.asarray(cols[c], dtype=np.int64)
    for c in ("y_m", "volume_l", "max_weight_kg"):
        arrays[c] = np.asarray(cols[c], dtype=float)
    return Slots(**arrays)


def write_slots_csv(slots: Slots, zones: Sequence[Zone], path: str | Path) -> None:
    """Write a slot table in the format `read_slots_csv` reads."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(_SLOT_COLUMNS)
        for i in range(len(slots)):
            w.writerow(
                [
                    slots.slot_id[i],
                    zones[int(slots.zone[i])].name,
                    int(slots.aisle[i]),
                    int(slots.block[i]),
                    int(slots.bay[i]),
                    int(slots.level[i]),
                    float(slots.y_m[i]),
                    float(slots.volume_l[i]),
                    float(slots.max_weight_kg[i]),
                    str(bool(slots.golden[i])).lower(),
                ]
            )
