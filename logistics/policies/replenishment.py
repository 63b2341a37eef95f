"""Replenishment policies: how much of each SKU to send from the origin at each departure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from logistics.policies.registry import Registry

__all__ = [
    "REPLENISHMENT",
    "BaseStock",
    "InventoryView",
    "ReplenishmentPolicy",
]


@dataclass(frozen=True)
class InventoryView:
    """What a replenishment decision may look at, per SKU (arrays indexed by SKU position), in units."""

    on_hand: np.ndarray
    in_transit: np.ndarray
    backordered: np.ndarray
    forecast_per_day: np.ndarray

    @property
    def position(self) -> np.ndarray:
        """Inventory position: on hand + in transit - backordered."""
        return self.on_hand + self.in_transit - self.backordered


class ReplenishmentPolicy(Protocol):
    """Decides the units of each SKU to ship at one departure."""

    def order_units(self, view: InventoryView) -> np.ndarray:
        """Units per SKU (non-negative integers) to put on this departure."""
        ...


@dataclass(frozen=True)
class BaseStock:
    """Order up to `cover_days` of forecast demand: q = max(0, ceil(target - position))."""

    cover_days: float

    def order_units(self, view: InventoryView) -> np.ndarray:
        """Units per SKU to ship now."""
        target = view.forecast_per_day * self.cover_days
        return np.maximum(0, np.ceil(target - view.position)).astype(np.int64)


REPLENISHMENT: Registry[ReplenishmentPolicy] = Registry("replenishment")
"""Replenishment policies by name. A factory takes the warehouse's `cover_days` and the scenario's
parameters as keywords."""
REPLENISHMENT.register("base_stock", lambda cover_days: BaseStock(cover_days=cover_days))
