"""Staffing policies: how many workers each paid role calls in for a shift, decided as the shift starts (the
warehouse and flow stations staffed by shift). The scenario names one (`staffing`); the built-in `plan` gives
every shift the workers the scenario plans for it. A Gymnasium agent is one too (`logistics.rl.StaffingEnv`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from logistics.policies.registry import Registry

__all__ = ["STAFFING", "PlanStaffing", "StaffingPolicy"]


class StaffingPolicy(Protocol):
    """Staffs the shifts starting before `until_h` (the later ones keep the plan)."""

    @property
    def until_h(self) -> float:
        """The policy decides the shifts starting before this hour of the run; the plan staffs the rest."""
        ...

    def choose(self, now_h: float, calls: list[Any]) -> Sequence[int]:
        """Workers for every shift starting now (`calls`: `logistics.sim.rota.Call`, one per role and shift:
        its role, its span with the plan's workers), one number >= 0 each, in the calls' order."""
        ...


@dataclass(frozen=True)
class PlanStaffing:
    """The scenario's plan: every shift gets the workers planned for it (the simulation then needs no roster)."""

    until_h: float = 0.0

    def choose(self, now_h: float, calls: list[Any]) -> Sequence[int]:
        return [c.span.workers for c in calls]


STAFFING: Registry[StaffingPolicy] = Registry("staffing")
STAFFING.register("plan", PlanStaffing)
