"""Files for slotting: the layout JSON (geometry, zones and a slot table, or generator settings), order
histories and plans as CSV. Every error names the file, line or key."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.picking.layout import (
    WarehouseLayout,
    Zone,
    ZoneBand,
    generate_layout,
    read_slots_csv,
    write_slots_csv,
)
from logistics.optimize.slotting.problem import OrderHistory, SkuTable, SlottingPlan, SlottingProblem
from logistics.optimize.textio import CsvText, csv_reader, parse_float, parse_int, read_text

__all__ = [
    "layout_from_data",
    "read_current_plan",
    "read_layout",
    "read_orders_csv",
    "read_skus_csv",
    "write_layout",
    "write_plan",
]

_ZONE_KEYS = {"name", "kind", "bonded", "temperature", "hazardous"}
_GEOMETRY = {
    "aisles": int,
    "blocks": int,
    "block_length_m": float,
    "cross_aisle_m": float,
    "aisle_spacing_m": float,
    "depot_x_m": float,
    "ergonomic_penalty_m": float,
}
_GENERATE = {
    "bays_per_block": int,
    "levels": int,
    "blocks": int,
    "bay_width_m": float,
    "aisle_spacing_m": float,
    "cross_aisle_m": float,
    "level_volume_l": list,
    "level_max_weight_kg": list,
    "golden_levels": list,
    "ergonomic_penalty_m": float,
    "depot": str,
}


def _zone(data: Any, where: str) -> Zone:
    if not isinstance(data, dict):
        raise InvalidProblemError(where, "must be an object with name, kind, bonded, temperature, hazardous")
    unknown = set(data) - _ZONE_KEYS
    if unknown:
        raise InvalidProblemError(where, f"unknown key(s) {sorted(unknown)} (known: {sorted(_ZONE_KEYS)})")
    if "name" not in data:
        raise InvalidProblemError(f"{where}.name", "is required")
    for key, kind in (("name", str), ("kind", str), ("temperature", str), ("bonded", bool), ("hazardous", bool)):
        if key in data and not isinstance(data[key], kind):
            raise InvalidProblemError(f"{where}.{key}", f"must be {kind.__name__}, got {data[key]!r}")
    return Zone(**data)


def _typed(data: dict, key: str, kind: type, where: str) -> Any:
    value = data[key]
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidProblemError(f"{where}.{key}", f"must be {kind.__name__}, got {value!r}")
    return value


def read_layout(path: str | Path, slots_csv: str | Path | None = None) -> WarehouseLayout:
    """A layout from JSON: {"zones": [...], geometry keys, "slots_csv": "file"} or {"generate": {"bands":
    [{"zone": {...}, "aisles": n}], "bays_per_block": ..., "levels": ...}}."""
    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InvalidProblemError(f"{path}:{exc.lineno}", f"not valid JSON: {exc.msg}") from None
    slots: str | Path | CsvText | None = slots_csv
    if slots is None and isinstance(data, dict) and "generate" not in data and "slots_csv" in data:
        slots = _inside(path, data["slots_csv"])
    return layout_from_data(data, str(path), slots)


def layout_from_data(data: Any, where: str, slots: str | Path | CsvText | None) -> WarehouseLayout:
    """A layout from its parsed JSON (the format of `read_layout`), the slot table read from `slots` (a file
    or CSV text; the data's own `slots_csv` file name is not read here); errors start with `where`."""
    if not isinstance(data, dict):
        raise InvalidProblemError(where, "must hold a JSON object")
    if "generate" in data:
        gen = data["generate"]
        where = f"{where}: generate"
        if not isinstance(gen, dict) or "bands" not in gen:
            raise InvalidProblemError(where, "must be an object with bands, bays_per_block and levels")
        unknown = set(gen) - set(_GENERATE) - {"bands"}
        if unknown:
            raise InvalidProblemError(where, f"unknown key(s) {sorted(unknown)} (known: bands, {', '.join(_GENERATE)})")
        if not isinstance(gen["bands"], list):
            raise InvalidProblemError(f"{where}.bands", "must be a list")
        bands = []
        for i, band in enumerate(gen["bands"]):
            if not isinstance(band, dict) or set(band) != {"zone", "aisles"}:
                raise InvalidProblemError(f"{where}.bands[{i}]", 'must be {"zone": {...}, "aisles": n}')
            bands.append(ZoneBand(_zone(band["zone"], f"{where}.bands[{i}].zone"), _typed(band, "aisles", int, where)))
        for key in ("bays_per_block", "levels"):
            if key not in gen:
                raise InvalidProblemError(f"{where}.{key}", "is required")
        kwargs = {k: _typed(gen, k, kind, where) for k, kind in _GENERATE.items() if k in gen}
        return generate_layout(bands, **kwargs)
    for key in ("zones", "aisles", "block_length_m", "aisle_spacing_m"):
        if key not in data:
            raise InvalidProblemError(f"{where}: {key}", "is required (or give a 'generate' section)")
    if slots is None:
        raise InvalidProblemError(f"{where}: slots_csv", "is required (or give a 'generate' section)")
    unknown = set(data) - set(_GEOMETRY) - {"zones", "slots_csv"}
    if unknown:
        raise InvalidProblemError(where, f"unknown key(s) {sorted(unknown)}")
    if not isinstance(data["zones"], list):
        raise InvalidProblemError(f"{where}: zones", f"must be a list of zones, got {data['zones']!r}")
    zones = tuple(_zone(z, f"{where}: zones[{i}]") for i, z in enumerate(data["zones"]))
    table = read_slots_csv(slots, zones)
    geometry = {k: _typed(data, k, kind, where) for k, kind in _GEOMETRY.items() if k in data}
    geometry.setdefault("blocks", 1)
    geometry.setdefault("cross_aisle_m", 0.0)
    return WarehouseLayout(zones=zones, slots=table, **geometry)


def _inside(path: Path, name: object) -> Path:
    """A file named inside an input file: relative to that file's folder and never outside it (a path given
    on the command line may point anywhere)."""
    if not isinstance(name, str) or not name:
        raise InvalidProblemError(f"{path}: slots_csv", f"must be a file name, got {name!r}")
    folder = path.parent.resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder):
        raise InvalidProblemError(
            f"{path}: slots_csv",
            f"{name!r} is outside the layout file's folder; put it beside layout.json or give it with --slots-csv",
        )
    return target


def write_layout(layout: WarehouseLayout, folder: str | Path) -> Path:
    """Write `layout.json` and `slots.csv` into a folder (the format `read_layout` reads)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_slots_csv(layout.slots, layout.zones, folder / "slots.csv")
    data = {
        "zones": [z.__dict__ for z in layout.zones],
        **{k: getattr(layout, k) for k in _GEOMETRY},
        "slots_csv": "slots.csv",
    }
    (folder / "layout.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return folder / "layout.json"


def _rows(path: str | Path, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped values of `columns`) for each data row; a missing column is an error on line 1."""
    reader = csv_reader(path)
    missing = set(columns) - set(reader.fieldnames or [])
    if missing:
        raise InvalidProblemError(f"{path}:1", f"missing column(s) {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        yield line, [(row[c] or "").strip() for c in columns]


def read_orders_csv(path: str | Path, skus: SkuTable) -> OrderHistory:
    """Order lines (columns order_id, sku_id; one row a line) as an order history."""
    index = {str(s): i for i, s in enumerate(skus.sku_id)}
    orders: dict[str, list[int]] = {}
    for line, (order, sku) in _rows(path, ("order_id", "sku_id")):
        if sku not in index:
            raise InvalidProblemError(f"{path}:{line}: sku_id", f"unknown SKU {sku!r}")
        orders.setdefault(order, []).append(index[sku])
    return OrderHistory.from_lists(list(orders.values()))


def write_orders_csv(orders: OrderHistory, skus: SkuTable, path: str | Path) -> None:
    """Write an order history as order lines."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["order_id", "sku_id"])
        for k in range(len(orders)):
            for s in orders.sku[orders.ptr[k] : orders.ptr[k + 1]]:
                w.writerow([f"O{k:07d}", skus.sku_id[s]])


def write_skus_csv(skus: SkuTable, path: str | Path) -> None:
    """Write an SKU table in the format `read_skus_csv` reads."""
    columns = ["sku_id", "picks", "volume_l", "weight_kg", "slots", "bonded", "temperature", "hazardous", "zones"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for i in range(len(skus)):
            w.writerow(
                [
                    skus.sku_id[i],
                    float(skus.picks[i]),
                    float(skus.volume_l[i]),
                    float(skus.weight_kg[i]),
                    int(skus.slots[i]),
                    str(bool(skus.bonded[i])).lower(),
                    skus.temperature[i],
                    str(bool(skus.hazardous[i])).lower(),
                    skus.zones[i],
                ]
            )


def read_current_plan(path: str | Path, problem: SlottingProblem) -> np.ndarray:
    """A current plan (columns slot_id, sku_id; empty sku_id = free slot) as the SKU index of every slot."""
    slot_index = {str(s): i for i, s in enumerate(problem.layout.slots.slot_id)}
    sku_index = {str(s): i for i, s in enumerate(problem.skus.sku_id)}
    current = np.full(len(slot_index), -1, dtype=np.int64)
    for line, (slot, sku) in _rows(path, ("slot_id", "sku_id")):
        if slot not in slot_index:
            raise InvalidProblemError(f"{path}:{line}: slot_id", f"unknown slot {slot!r}")
        if not sku:
            continue
        if sku not in sku_index:
            raise InvalidProblemError(f"{path}:{line}: sku_id", f"unknown SKU {sku!r}")
        current[slot_index[slot]] = sku_index[sku]
    return current


def write_plan(problem: SlottingProblem, plan: SlottingPlan, path: str | Path) -> None:
    """The plan as CSV: every slot with its place, travel cost and SKU (empty if free)."""
    slots, zones = problem.layout.slots, problem.layout.zones
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["slot_id", "zone", "aisle", "block", "bay", "level", "travel_cost_m", "sku_id"])
        for s in range(len(slots)):
            i = int(plan.sku_of_slot[s])
            w.writerow(
                [
                    slots.slot_id[s],
                    zones[int(slots.zone[s])].name,
                    int(slots.aisle[s]),
                    int(slots.block[s]),
                    int(slots.bay[s]),
                    int(slots.level[s]),
                    round(float(problem.layout.travel_cost_m[s]), 3),
                    problem.skus.sku_id[i] if i >= 0 else "",
                ]
            )


# --- files -------------------------------------------------------------------------------------------------------

_SKU_COLUMNS = {
    "sku_id": None,
    "picks": None,
    "volume_l": None,
    "weight_kg": None,
    "slots": "1",
    "bonded": "true",
    "temperature": "ambient",
    "hazardous": "false",
    "zones": "",
}


def read_skus_csv(path: str | Path | CsvText) -> SkuTable:
    """Load an SKU table (columns sku_id, picks, volume_l, weight_kg; optional slots, bonded, temperature,
    hazardous, zones as "a;b"); errors name the line and column."""
    cols: dict[str, list] = {c: [] for c in _SKU_COLUMNS}
    truthy, falsy = ("true", "1", "yes"), ("false", "0", "no")
    reader = csv_reader(path)
    fields = reader.fieldnames or []
    missing = [c for c, default in _SKU_COLUMNS.items() if default is None and c not in fields]
    if missing:
        raise InvalidProblemError(f"{path}:1", f"missing column(s) {', '.join(missing)}")
    unknown = [c for c in fields if c not in _SKU_COLUMNS]
    if unknown:
        raise InvalidProblemError(
            f"{path}:1", f"unknown column(s) {', '.join(unknown)} (known: {', '.join(_SKU_COLUMNS)})"
        )
    for line, row in enumerate(reader, start=2):
        for c, default in _SKU_COLUMNS.items():
            raw = (row.get(c) or "").strip() or (default or "")
            where = f"{path}:{line}: {c}"
            try:
                if c in ("sku_id", "temperature", "zones"):
                    if c == "sku_id" and not raw:
                        raise ValueError(raw)
                    cols[c].append(raw)
                elif c in ("bonded", "hazardous"):
                    if raw.lower() not in truthy + falsy:
                        raise ValueError(raw)
                    cols[c].append(raw.lower() in truthy)
                elif c == "slots":
                    cols[c].append(parse_int(raw))
                else:
                    cols[c].append(parse_float(raw))
            except ValueError:
                raise InvalidProblemError(where, f"not a valid value: {raw!r}") from None
    return SkuTable.build(**cols)
