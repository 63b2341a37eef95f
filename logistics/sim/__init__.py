"""The SimPy model of cross-border flows: bonded import (1210), direct mail (9610), B2B export (9710) and export
to overseas warehouses (9810), the warehouse floor, last-mile dispatch and line-haul allocation.

The names below load the engine (and pandas, SimPy) when first used, so that a light module of the package
(`logistics.sim.size`, which `logistics validate` uses) can be imported alone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from logistics.sim.engine import COST_COMPONENTS, CrossBorderModel, RunResult, WarehouseOrders, simulate

__all__ = ["COST_COMPONENTS", "CrossBorderModel", "RunResult", "WarehouseOrders", "simulate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from logistics.sim import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'logistics.sim' has no attribute {name!r}")
