"""Decisions the simulation delegates, as Protocols, and the built-in policies registered by name."""

from logistics.policies.customs import SELECTION, Declared, InspectionSelection
from logistics.policies.dispatch import DISPATCH, DISPATCH_DECISIONS, DispatchDecision, DispatchPolicy
from logistics.policies.linehaul import ALLOCATION, AllocationPolicy
from logistics.policies.registry import PolicyError, Registry
from logistics.policies.replenishment import REPLENISHMENT, BaseStock, InventoryView, ReplenishmentPolicy
from logistics.policies.staffing import STAFFING, StaffingPolicy
from logistics.policies.warehouse import (
    BATCHING,
    DOCKS,
    FACE_REPLENISHMENT,
    PICK_ROUTING,
    RESLOTTING,
    SLOTTING,
    WAVE_RELEASE,
    BatchingPolicy,
    DockPolicy,
    FaceReplenishmentPolicy,
    PickRoutingPolicy,
    Pool,
    ReslottingPolicy,
    SlottingPolicy,
    WaveReleasePolicy,
)

__all__ = [
    "ALLOCATION",
    "BATCHING",
    "DISPATCH",
    "DISPATCH_DECISIONS",
    "DOCKS",
    "FACE_REPLENISHMENT",
    "PICK_ROUTING",
    "REPLENISHMENT",
    "RESLOTTING",
    "SELECTION",
    "SLOTTING",
    "STAFFING",
    "WAVE_RELEASE",
    "AllocationPolicy",
    "BaseStock",
    "BatchingPolicy",
    "Declared",
    "DispatchDecision",
    "DispatchPolicy",
    "DockPolicy",
    "FaceReplenishmentPolicy",
    "InspectionSelection",
    "InventoryView",
    "PickRoutingPolicy",
    "PolicyError",
    "Pool",
    "Registry",
    "ReplenishmentPolicy",
    "ReslottingPolicy",
    "SlottingPolicy",
    "StaffingPolicy",
    "WaveReleasePolicy",
]
