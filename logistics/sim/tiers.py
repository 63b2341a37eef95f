"""Traders' customs credit tiers during a run: shared by every checkpoint, lowered by failed inspections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from logistics.scenario.customs import CREDIT_TIERS, RiskRules

__all__ = ["TraderTiers", "draw_traders"]


class TraderTiers:
    """The current credit tier of every trader (index into CREDIT_TIERS, 0 = best), shared by all checkpoints."""

    def __init__(self, tiers: Sequence[str]) -> None:
        self.tier = np.array([CREDIT_TIERS.index(t) for t in tiers], dtype=np.int64)
        self.failures = np.zeros(len(tiers), dtype=np.int64)  # since the trader's last demotion
        self.demotions = 0

    def failed(self, trader: int, rules: RiskRules) -> None:
        """A failed inspection of one of `trader`'s items under `rules`."""
        self.failures[trader] += 1
        if not rules.demote_on_failure or self.failures[trader] < rules.failures_to_demote:
            return
        if self.tier[trader] < len(CREDIT_TIERS) - 1:
            self.tier[trader] += 1
            self.demotions += 1
        self.failures[trader] = 0


def draw_traders(
    shares: Mapping[str, float], trader_ids: Sequence[str], n: int, rng: np.random.Generator
) -> np.ndarray:
    """The declaring trader of each of `n` orders (an index into `trader_ids`), drawn by a flow's `shares`."""
    ids = list(shares)
    weights = np.array([shares[t] for t in ids])
    pick = rng.choice(len(ids), n, p=weights / weights.sum())
    return np.array([list(trader_ids).index(t) for t in ids], dtype=np.int64)[pick]
