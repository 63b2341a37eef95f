"""Decisions the simulation delegates, as Protocols, and the built-in policies registered by name."""

from logistics.policies.replenishment import (
    REPLENISHMENT_POLICIES,
    BaseStock,
    InventoryView,
    ReplenishmentPolicy,
    make_replenishment_policy,
)

__all__ = [
    "REPLENISHMENT_POLICIES",
    "BaseStock",
    "InventoryView",
    "ReplenishmentPolicy",
    "make_replenishment_policy",
]
