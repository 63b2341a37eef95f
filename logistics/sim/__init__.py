"""The SimPy model of cross-border flows: bonded import (1210), direct mail (9610), B2B export (9710) and export
to overseas warehouses (9810), the warehouse floor, last-mile dispatch and line-haul allocation."""

from logistics.sim.engine import COST_COMPONENTS, CrossBorderModel, RunResult, WarehouseOrders, simulate

__all__ = ["COST_COMPONENTS", "CrossBorderModel", "RunResult", "WarehouseOrders", "simulate"]
