"""Warehouse layouts and pick paths: single-block tours under the classic routing policies and their exact
optimum, multi-block tours, and the storage layout (zones and slots) that slotting and the floor use."""

from logistics.optimize.picking.layout import (
    ZONE_KINDS,
    Slots,
    WarehouseLayout,
    Zone,
    ZoneBand,
    generate_layout,
    read_slots_csv,
)
from logistics.optimize.picking.multiblock import MULTIBLOCK_POLICIES, MultiBlockLayout, TourResult, multiblock_tour
from logistics.optimize.picking.single_block import (
    POLICIES,
    Pick,
    PickLists,
    SingleBlockLayout,
    held_karp_tour_m,
    pick_tour_m,
    pick_tours_m,
)

__all__ = [
    "MULTIBLOCK_POLICIES",
    "POLICIES",
    "ZONE_KINDS",
    "MultiBlockLayout",
    "Pick",
    "PickLists",
    "SingleBlockLayout",
    "Slots",
    "TourResult",
    "WarehouseLayout",
    "Zone",
    "ZoneBand",
    "generate_layout",
    "held_karp_tour_m",
    "multiblock_tour",
    "pick_tour_m",
    "pick_tours_m",
    "read_slots_csv",
]
