"""The SimPy model of cross-border flows (v1: customs mode 1210, bonded import)."""

from logistics.sim.engine import COST_COMPONENTS, BondedImportModel, CrossBorderModel, RunResult, simulate

__all__ = ["COST_COMPONENTS", "BondedImportModel", "CrossBorderModel", "RunResult", "simulate"]
