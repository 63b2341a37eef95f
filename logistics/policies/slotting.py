"""Slotting decisions: which slot each SKU gets at the start (`SLOTTING`) and moves during the run
(`RESLOTTING`), as Protocols with the built-in policies registered by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from logistics.optimize.slotting import METHODS as SLOTTING_METHODS
from logistics.optimize.slotting import SlottingParams, SlottingPlan, SlottingProblem, reslot, solve_slotting
from logistics.policies.registry import Registry

__all__ = [
    "RESLOTTING",
    "SLOTTING",
    "NoReslotting",
    "PeriodicReslotting",
    "ReslottingPolicy",
    "SlottingMethod",
    "SlottingPolicy",
]


# --- slotting -------------------------------------------------------------------------------------------------
class SlottingPolicy(Protocol):
    """Places every SKU in slots before the run starts."""

    def plan(self, problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
        """The plan for `problem` (SKU pick rates are the forecast)."""
        ...


@dataclass(frozen=True)
class SlottingMethod:
    """One of the slot-allocation optimizer's methods (`logistics.optimize.solve_slotting`)."""

    method: str

    def plan(self, problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
        """Solve with the method, seeded from `rng`."""
        return solve_slotting(problem, SlottingParams(self.method, int(rng.integers(2**31))))


SLOTTING: Registry[SlottingPolicy] = Registry("slotting")
for _method in SLOTTING_METHODS:
    SLOTTING.register(_method, lambda _m=_method: SlottingMethod(_m))


# --- re-slotting ----------------------------------------------------------------------------------------------
class ReslottingPolicy(Protocol):
    """Moves SKUs between slots during the run. `interval_h` (None = never) says how often it is asked."""

    @property
    def interval_h(self) -> float | None:
        """How often the policy is asked, in hours (None: never)."""
        ...

    def proposal(self, problem: SlottingProblem, current: np.ndarray) -> np.ndarray:
        """The new `sku_of_slot` given the current one and `problem` (pick rates observed so far)."""
        ...


@dataclass(frozen=True)
class NoReslotting:
    """Keep the initial plan."""

    interval_h: float | None = None

    def proposal(self, problem: SlottingProblem, current: np.ndarray) -> np.ndarray:
        """Unchanged."""
        return current


@dataclass(frozen=True)
class PeriodicReslotting:
    """Every `interval_h`, the best plan for the observed pick rates within `max_moves` moves (Lagrangian
    re-slotting of the optimizer)."""

    interval_h: float = 24.0
    max_moves: int = 100

    def __post_init__(self) -> None:
        if not self.interval_h > 0 or self.max_moves < 0:
            raise ValueError("interval_h must be > 0 and max_moves >= 0")

    def proposal(self, problem: SlottingProblem, current: np.ndarray) -> np.ndarray:
        """The re-slotting optimizer's plan."""
        return reslot(problem, current, self.max_moves, max_solves=8).sku_of_slot


RESLOTTING: Registry[ReslottingPolicy] = Registry("re-slotting")
RESLOTTING.register("none", NoReslotting)
RESLOTTING.register("periodic", PeriodicReslotting)
