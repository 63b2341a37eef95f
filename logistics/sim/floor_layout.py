"""The warehouse floor's layout model from a scenario's `floor.layout` section (zones, aisles, bays, levels,
cross aisles), with the layout's own errors reported at the section's field path."""

from __future__ import annotations

import re

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.optimize.picking.layout import WarehouseLayout, Zone, ZoneBand, generate_layout
from logistics.scenario.warehouse import Floor, SlotFile

__all__ = ["build_layout"]

Path = tuple[str | int, ...]


def build_layout(floor: Floor, at: Path = ("floor",)) -> WarehouseLayout:
    """The layout model of a floor section (`at`: its field path, for errors)."""
    lay = floor.layout
    zones: dict[str, Zone] = {}
    bands = []
    for band in lay.bands:
        zone = zones.setdefault(
            band.zone,
            Zone(band.zone, band.kind, band.bonded, band.temperature, band.hazardous),
        )
        bands.append(ZoneBand(zone, band.aisles))
    try:
        layout = generate_layout(
            bands,
            lay.bays_per_block,
            lay.levels,
            lay.blocks,
            lay.bay_width_m,
            lay.aisle_spacing_m,
            lay.cross_aisle_m,
            lay.level_volume_l,
            lay.level_max_weight_kg,
            lay.golden_levels,
            lay.ergonomic_penalty_m,
            lay.depot,
        )
    except ValueError as exc:
        raise ScenarioError([ScenarioIssue((*at, "layout"), str(exc))]) from None
    if lay.slots_file is None:
        return layout
    return _with_slots(layout, lay.slots_file, (*at, "layout", "slots_file"))


def _with_slots(layout: WarehouseLayout, slot_file: SlotFile, at: Path) -> WarehouseLayout:
    """The layout with the slots of a slot table file (checked against the layout's geometry)."""
    from dataclasses import replace
    from pathlib import Path as FilePath

    from logistics.optimize.picking.layout import read_slots_csv
    from logistics.optimize.textio import CsvText

    name = FilePath(slot_file.file).name
    try:
        table = slot_file.table()  # CSV, Parquet or Excel, read as CSV text
        slots = read_slots_csv(CsvText(name, table.to_csv(index=False)), layout.zones)
        return replace(layout, slots=slots)
    except ValueError as exc:
        message = str(exc) if name in str(exc) else f"{name}: {exc}"
        found = re.match(r"slots\[(.+?)\]\.(\w+): (.*)", str(exc))
        if found is not None:  # a slot outside the geometry: name its row and column
            ids = table["slot_id"].astype(str).tolist()
            row = ids.index(found.group(1)) + 2 if found.group(1) in ids else "?"
            message = f"{name} row {row}, column {found.group(2)} (slot {found.group(1)}): {found.group(3)}"
        raise ScenarioError([ScenarioIssue(at, message)]) from None
