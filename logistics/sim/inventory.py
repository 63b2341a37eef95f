"""Bonded stock by SKU: reservations at order time, first-come-first-served backorders, receipts, and the
stored volume over time (for storage cost)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np
import simpy

from logistics.policies.replenishment import InventoryView


class Inventory:
    """Available (unreserved) units per SKU, and the orders waiting for each SKU.

    An order line is reserved whole or not at all; a line that cannot be served now queues behind earlier
    backorders of the same SKU, and `on_ready(order)` is called once all of an order's lines are reserved.
    """

    def __init__(
        self,
        env: simpy.Environment,
        initial_units: np.ndarray,
        sku_volume_m3: np.ndarray,
        on_ready: Callable[[int], None],
    ) -> None:
        self.env = env
        self.available: list[int] = initial_units.astype(np.int64).tolist()
        self.in_transit = np.zeros(len(initial_units), dtype=np.int64)
        self.backordered: list[int] = [0] * len(initial_units)
        self._waiting: list[deque[tuple[int, int]]] = [deque() for _ in range(len(initial_units))]
        self._missing: dict[int, int] = {}
        self._on_ready = on_ready
        self.sku_volume_m3 = sku_volume_m3
        self.stored_m3 = float(np.dot(initial_units, sku_volume_m3))
        self.peak_stored_m3 = self.stored_m3
        self.stored_m3_h = 0.0  # integral of stored volume over time
        self._last_t = env.now
        self.backordered_lines = 0
        self.backordered_orders = 0

    def reserve(self, order: int, skus: list[int], units: list[int]) -> bool:
        """Reserve an order's lines now; True if all are reserved, else the order waits for receipts."""
        available = self.available
        waiting = self._waiting
        missing = 0
        for sku, qty in zip(skus, units, strict=True):
            if not waiting[sku] and available[sku] >= qty:
                available[sku] -= qty
            else:
                waiting[sku].append((order, qty))
                self.backordered[sku] += qty
                missing += 1
        if missing:
            self._missing[order] = missing
            self.backordered_lines += missing
            self.backordered_orders += 1
            return False
        return True

    @property
    def orders_waiting(self) -> int:
        """Orders with at least one line not yet reserved."""
        return len(self._missing)

    def receive(self, skus: np.ndarray, units: np.ndarray) -> None:
        """Goods put away now: add to stock, then serve the backorders of those SKUs in arrival order."""
        self._stored_change(float(np.dot(units, self.sku_volume_m3[skus])))
        self.in_transit[skus] -= units
        available = self.available
        for sku, qty in zip(skus.tolist(), units.tolist(), strict=True):
            available[sku] += qty
            queue = self._waiting[sku]
            while queue and available[sku] >= queue[0][1]:
                order, need = queue.popleft()
                available[sku] -= need
                self.backordered[sku] -= need
                left = self._missing[order] - 1
                if left:
                    self._missing[order] = left
                else:
                    del self._missing[order]
                    self._on_ready(order)

    def ship(self, volume_m3: float) -> None:
        """Goods of `volume_m3` leave storage (picked)."""
        self._stored_change(-volume_m3)

    def _stored_change(self, delta_m3: float) -> None:
        now = self.env.now
        self.stored_m3_h += self.stored_m3 * (now - self._last_t)
        self._last_t = now
        self.stored_m3 += delta_m3
        if self.stored_m3 > self.peak_stored_m3:
            self.peak_stored_m3 = self.stored_m3

    def close(self) -> None:
        """Bring the stored-volume integral up to now."""
        self._stored_change(0.0)

    def view(self, forecast_per_day: np.ndarray) -> InventoryView:
        """A snapshot for a replenishment decision."""
        return InventoryView(
            on_hand=np.asarray(self.available, dtype=np.int64),
            in_transit=self.in_transit.copy(),
            backordered=np.asarray(self.backordered, dtype=np.int64),
            forecast_per_day=forecast_per_day,
        )
