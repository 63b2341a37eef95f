"""Warehouse layout: generator, travel costs, slot tables and their errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from logistics.optimize import InvalidProblemError
from logistics.optimize.picking.layout import Zone, ZoneBand, generate_layout, read_slots_csv, write_slots_csv

ZONES = [ZoneBand(Zone("fast", "fast_pick"), 2), ZoneBand(Zone("cold", "cold", temperature="chilled"), 1)]


def test_generator_counts_and_travel_cost() -> None:
    layout = generate_layout(
        ZONES,
        bays_per_block=5,
        levels=3,
        blocks=2,
        bay_width_m=1.0,
        aisle_spacing_m=3.0,
        cross_aisle_m=2.0,
        golden_levels=(1,),
        ergonomic_penalty_m=4.0,
    )
    assert len(layout.slots) == 3 * 2 * 2 * 5 * 3
    assert layout.aisle_length_m == pytest.approx(2 * (5 + 2))
    s = layout.slots
    # Round trip from the pick-and-drop point (front of aisle 0) plus the penalty off the golden level.
    expected = 2 * (s.aisle * 3.0 + s.y_m) + np.where(s.level == 1, 0.0, 4.0)
    assert layout.travel_cost_m == pytest.approx(expected)
    # Bays of the second block lie beyond the middle cross aisle.
    assert s.y_m[s.block == 1].min() > 7.0 > s.y_m[s.block == 0].max()
    assert [z.name for z in layout.zones] == ["fast", "cold"]
    assert set(s.zone[s.aisle == 2].tolist()) == {1}


def test_slot_table_round_trip(tmp_path: Path) -> None:
    layout = generate_layout(ZONES, bays_per_block=4, levels=2)
    path = tmp_path / "slots.csv"
    write_slots_csv(layout.slots, layout.zones, path)
    back = read_slots_csv(path, layout.zones)
    assert (back.slot_id == layout.slots.slot_id).all()
    assert back.y_m == pytest.approx(layout.slots.y_m)
    assert (back.golden == layout.slots.golden).all()


def test_bad_tables_name_line_and_field(tmp_path: Path) -> None:
    layout = generate_layout(ZONES, bays_per_block=4, levels=2)
    path = tmp_path / "slots.csv"
    write_slots_csv(layout.slots, layout.zones, path)
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",fast,", ",freezer,")
    path.write_text("\n".join(lines))
    with pytest.raises(InvalidProblemError, match=r"slots.csv:4: zone.*unknown zone 'freezer'"):
        read_slots_csv(path, layout.zones)
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",freezer,", ",fast,").rsplit(",", 1)[0] + ",maybe"
    path.write_text("\n".join(lines))
    with pytest.raises(InvalidProblemError, match=r"slots.csv:4: golden"):
        read_slots_csv(path, layout.zones)
    with pytest.raises(InvalidProblemError, match=r"bands\[0\]\.aisles"):
        generate_layout([ZoneBand(Zone("x"), 0)], bays_per_block=3, levels=1)
    with pytest.raises(InvalidProblemError, match=r"zones\[x\]\.temperature"):
        Zone("x", temperature="warm")
    with pytest.raises(InvalidProblemError, match="level_volume_l"):
        generate_layout(ZONES, bays_per_block=3, levels=2, level_volume_l=[1.0])
