"""Batching: which released orders go together in a pick list (`BATCHING`), a Protocol with the built-in
policies registered by name, and the `Pool` of released orders they batch from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from logistics.policies.registry import Registry

__all__ = ["BATCHING", "BatchingPolicy", "Pool", "SingleOrder", "TimeWindow", "ZoneBatching"]


# --- batching -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pool:
    """Orders waiting to be put on pick lists, in release order, with their lines (CSR: the lines of
    `orders[k]` are positions `line_ptr[k]:line_ptr[k+1]` of the line arrays)."""

    orders: np.ndarray
    line_ptr: np.ndarray
    line_zone: np.ndarray  # zone index of each line's slot
    line_aisle: np.ndarray

    @property
    def n_lines(self) -> int:
        """Lines in the pool."""
        return int(self.line_ptr[-1])


class BatchingPolicy(Protocol):
    """Forms pick lists. Orders accumulate for `window_h` (0 = lists are formed as soon as orders arrive)."""

    @property
    def window_h(self) -> float:
        """How long orders are pooled before they are batched, in hours."""
        ...

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """Pick lists as arrays of line positions in the pool; every line exactly once."""
        ...


@dataclass(frozen=True)
class SingleOrder:
    """One pick list per order (discrete order picking)."""

    window_h: float = 0.0

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """Each order's lines."""
        return [np.arange(pool.line_ptr[k], pool.line_ptr[k + 1]) for k in range(len(pool.orders))]


@dataclass(frozen=True)
class TimeWindow:
    """Orders released within `window_min` are batched first come first served into lists of at most
    `max_orders` orders and `max_lines` lines (sorted into orders at packing)."""

    window_min: float = 30.0
    max_orders: int = 8
    max_lines: int = 40

    def __post_init__(self) -> None:
        if not self.window_min > 0 or self.max_orders < 1 or self.max_lines < 1:
            raise ValueError("window_min must be > 0, max_orders and max_lines >= 1")

    @property
    def window_h(self) -> float:
        """The accumulation window in hours."""
        return self.window_min / 60.0

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """First-come batches within the limits (an order is never split)."""
        lists: list[np.ndarray] = []
        start, orders = 0, 0
        for k in range(len(pool.orders)):
            size = pool.line_ptr[k + 1] - pool.line_ptr[start]
            if orders and (orders >= self.max_orders or size > self.max_lines):
                lists.append(np.arange(pool.line_ptr[start], pool.line_ptr[k]))
                start, orders = k, 0
            orders += 1
        if len(pool.orders):
            lists.append(np.arange(pool.line_ptr[start], pool.line_ptr[len(pool.orders)]))
        return lists


@dataclass(frozen=True)
class ZoneBatching:
    """Pick by zone: the lines of the orders released within `window_min` are grouped by the zone of their
    slot, in lists of at most `max_lines`; an order is complete when its last zone list is picked."""

    window_min: float = 0.0
    max_lines: int = 40

    def __post_init__(self) -> None:
        if self.window_min < 0 or self.max_lines < 1:
            raise ValueError("window_min must be >= 0 and max_lines >= 1")

    @property
    def window_h(self) -> float:
        """The accumulation window in hours."""
        return self.window_min / 60.0

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """Lines grouped by zone, in release order within a zone."""
        lists: list[np.ndarray] = []
        for zone in np.unique(pool.line_zone):
            lines = np.flatnonzero(pool.line_zone == zone)
            lists += [lines[i : i + self.max_lines] for i in range(0, len(lines), self.max_lines)]
        return lists


BATCHING: Registry[BatchingPolicy] = Registry("batching")
BATCHING.register("single_order", SingleOrder)
BATCHING.register("time_window", TimeWindow)
BATCHING.register("zone", ZoneBatching)
