"""Pick routing: the tour through a pick list (`PICK_ROUTING`), a Protocol with the built-in policies
registered by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from logistics.optimize.picking.layout import WarehouseLayout
from logistics.optimize.picking.multiblock import MultiBlockLayout, multiblock_tour
from logistics.optimize.picking.single_block import POLICIES as SINGLE_BLOCK_ROUTING
from logistics.optimize.picking.single_block import Pick, PickLists, SingleBlockLayout, pick_tours_m
from logistics.policies.registry import Registry

__all__ = ["PICK_ROUTING", "PickPathPolicy", "PickRoutingPolicy"]


# --- pick routing ---------------------------------------------------------------------------------------------
class PickRoutingPolicy(Protocol):
    """Walking distance of pick tours from and back to the pick-and-drop point."""

    def tours_m(self, layout: WarehouseLayout, lists: PickLists) -> np.ndarray:
        """Metres walked for each pick list."""
        ...


@dataclass(frozen=True)
class PickPathPolicy:
    """A routing policy of the pick-path module: vectorised on single-block layouts, one tour at a time on
    multi-block ones (where s_shape, largest_gap, combined and optimal exist)."""

    name: str

    def tours_m(self, layout: WarehouseLayout, lists: PickLists) -> np.ndarray:
        """Metres walked for each pick list."""
        geometry = layout.routing()
        if isinstance(geometry, SingleBlockLayout):
            return pick_tours_m(geometry, lists, self.name)
        assert isinstance(geometry, MultiBlockLayout)
        out = np.zeros(len(lists))
        for k in range(len(lists)):
            a, b = int(lists.ptr[k]), int(lists.ptr[k + 1])
            picks = [Pick(int(x), float(y)) for x, y in zip(lists.aisle[a:b], lists.y_m[a:b], strict=True)]
            out[k] = multiblock_tour(geometry, picks, self.name).length_m if picks else 0.0
        return out


PICK_ROUTING: Registry[PickRoutingPolicy] = Registry("pick routing")
for _name in SINGLE_BLOCK_ROUTING:
    PICK_ROUTING.register(_name, lambda _n=_name: PickPathPolicy(_n))
