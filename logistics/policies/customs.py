"""Inspection selection at a customs checkpoint: which screened items are inspected.

The checkpoint asks the policy for the probability that an item is inspected, given what customs knows of it
at the end of its screening (its trader's credit tier at that moment, the risk factor of its goods), and draws
the decision from its own random stream, so a policy never holds random state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from logistics.policies.registry import PolicyError, Registry

__all__ = ["SELECTION", "Declared", "InspectionSelection", "RandomSelection", "RiskBasedSelection"]


class Declared(NamedTuple):
    """What customs knows of an item when its screening ends (a named tuple: one is made per screened item)."""

    tier: int  # the declaring trader's credit tier now (0 = best, scenario.customs.CREDIT_TIERS); -1: none
    goods_factor: float  # risk factor of the item's goods (1 for goods the rules do not name)
    now_h: float  # simulation time


class InspectionSelection(Protocol):
    """Decides how likely a screened item is to be inspected."""

    def probability(self, item: Declared) -> float:
        """The probability in [0, 1] that this item is inspected."""
        ...


@dataclass(frozen=True)
class RandomSelection:
    """Every item is inspected with the same probability `rate`."""

    rate: float

    def probability(self, item: Declared) -> float:
        """The fixed rate."""
        return self.rate


@dataclass(frozen=True)
class RiskBasedSelection:
    """The rate of the trader's credit tier times the goods factor (capped at 1), combined with independent
    random sampling at `random_rate`; an item without a trader is sampled at `random_rate` only."""

    rate_by_tier: tuple[float, ...]
    random_rate: float

    def probability(self, item: Declared) -> float:
        """1 - (1 - min(1, tier rate x goods factor)) (1 - random rate)."""
        rate = min(1.0, self.rate_by_tier[item.tier] * item.goods_factor) if item.tier >= 0 else 0.0
        return 1.0 - (1.0 - rate) * (1.0 - self.random_rate)


def _random(checkpoint: Any, rate: float | None = None) -> RandomSelection:
    value = checkpoint.inspection_probability if rate is None else rate
    if not 0.0 <= value <= 1.0:
        raise PolicyError(f"rate must be a probability in [0, 1], got {value}")
    return RandomSelection(float(value))


def _risk_based(checkpoint: Any) -> RiskBasedSelection:
    rules = checkpoint.risk
    if rules is None:
        raise PolicyError("risk_based selection needs the checkpoint's risk section (rates by credit tier)")
    return RiskBasedSelection(tuple(rules.rates_by_tier), rules.random_rate)


SELECTION: Registry[InspectionSelection] = Registry("inspection selection")
"""Inspection selection policies by name. A factory takes the checkpoint's settings (`checkpoint`) and the
scenario's parameters as keywords. Without a `selection` in the scenario, a checkpoint with a `risk` section
uses `risk_based`, one without uses `random` at its `inspection_probability`."""
SELECTION.register("random", _random)
SELECTION.register("risk_based", _risk_based)
