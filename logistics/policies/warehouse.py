"""Warehouse floor decisions: each has its module (`slotting`, `pick_routing`, `batching`, `wave_release`, `docks`,
`face_replenishment`: a Protocol and a registry of the built-in policies by name); this module gathers the floor's
registries by the scenario field that chooses each (`FLOOR_POLICIES`) and re-exports them.

A scenario selects each policy by name with parameters (`warehouse.floor.<decision>: {name: ..., params...}`);
`register` a new factory in the matching registry (from any module, a test file included) and a scenario can
use it at once.

| decision | registry | built-ins |
|---|---|---|
| slotting (SKU -> slot at the start) | `SLOTTING` | random, abc, coi_greedy, optimal (proven-optimal COI flow) |
| re-slotting (moves during the run) | `RESLOTTING` | none, periodic (best plan within a move budget) |
| pick routing (tour through a pick list) | `PICK_ROUTING` | s_shape, return, midpoint, largest_gap, combined, optimal |
| batching (orders -> pick lists) | `BATCHING` | single_order, time_window, zone |
| wave release (when released orders reach the floor) | `WAVE_RELEASE` | continuous, fixed_interval, clock |
| dock assignment (bookings; when an inbound truck gets a door) | `DOCKS` | fcfs, appointments, optimized (CP-SAT) |
| pick-face replenishment (reserve -> pick face) | `FACE_REPLENISHMENT` | s_S |
"""

from __future__ import annotations

from typing import Any

from logistics.policies.batching import BATCHING, BatchingPolicy, Pool
from logistics.policies.docks import DOCKS, DockPolicy
from logistics.policies.face_replenishment import FACE_REPLENISHMENT, FaceReplenishmentPolicy
from logistics.policies.pick_routing import PICK_ROUTING, PickRoutingPolicy
from logistics.policies.registry import Registry
from logistics.policies.slotting import RESLOTTING, SLOTTING, ReslottingPolicy, SlottingPolicy
from logistics.policies.wave_release import WAVE_RELEASE, WaveReleasePolicy

__all__ = [
    "BATCHING",
    "DOCKS",
    "FACE_REPLENISHMENT",
    "FLOOR_POLICIES",
    "PICK_ROUTING",
    "RESLOTTING",
    "SLOTTING",
    "WAVE_RELEASE",
    "BatchingPolicy",
    "DockPolicy",
    "FaceReplenishmentPolicy",
    "PickRoutingPolicy",
    "Pool",
    "ReslottingPolicy",
    "SlottingPolicy",
    "WaveReleasePolicy",
]

FLOOR_POLICIES: dict[str, Registry[Any]] = {
    "slotting": SLOTTING,
    "reslotting": RESLOTTING,
    "pick_routing": PICK_ROUTING,
    "batching": BATCHING,
    "wave_release": WAVE_RELEASE,
    "face_replenishment": FACE_REPLENISHMENT,
}
"""The warehouse floor's decisions by the field that chooses each (`warehouse.floor.<field>`)."""
