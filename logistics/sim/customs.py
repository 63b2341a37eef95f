"""Customs checkpoints: screening servers (document review or X-ray) followed, for a sampled share, by an
inspection; a failed inspection ends the item's journey.

The first line clears inbound consignments at the port; the second line screens every parcel leaving the
bonded warehouse. Both are made of two `Station`s fed by callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, MutableSequence
from datetime import datetime

import numpy as np
import simpy

from logistics.core.units import MINUTES_PER_HOUR
from logistics.scenario.calendar import Calendar
from logistics.scenario.customs import Checkpoint, RiskRules
from logistics.scenario.distributions import Uniform
from logistics.sim.sampling import BufferedSampler
from logistics.sim.shifts import capacity_changes, with_outages
from logistics.sim.station import Station
from logistics.sim.tiers import TraderTiers


class CheckpointStations:
    """Screening then (if `inspect[job]`) inspection; calls `on_cleared(job)` or `on_failed(job)`."""

    def __init__(
        self,
        env: simpy.Environment,
        config: Checkpoint,
        calendar: Calendar,
        start: datetime,
        end_h: float,
        rng: np.random.Generator,
        inspect: MutableSequence[bool],
        fail: MutableSequence[bool],
        on_cleared: Callable[[int], None],
        on_failed: Callable[[int], None],
        columns: dict[str, MutableSequence[float]] | None = None,
        outages: list[tuple[float, float]] | None = None,
        on_outcome: Callable[[int, int], None] | None = None,
    ) -> None:
        self.config = config
        self.env = env
        self.inspect = inspect
        self.fail = fail
        self.on_cleared = on_cleared
        self.on_failed = on_failed
        self.inspections = 0
        self.failures = 0
        self.held = 0  # items held after an inspection, not yet released
        outcomes = config.outcomes
        # With `outcomes` (shares of hold, return, destroy) an inspection's result is drawn from them and
        # `on_outcome(job, k)` is told of every hold (1), return (2) or destruction (3); otherwise a failure
        # (`fail[job]`) goes to `on_failed`.
        self.shares = np.cumsum([outcomes.hold, outcomes.return_, outcomes.destroy]).tolist()
        self.use_outcomes = on_outcome is not None and self.shares[-1] > 0
        self.on_outcome = on_outcome
        self._u = BufferedSampler(Uniform(low=0.0, high=1.0), rng)
        self._hold_h = BufferedSampler(outcomes.hold_time_h, rng)
        columns = columns or {}
        screen = BufferedSampler(config.service_time_min, rng, 1.0 / MINUTES_PER_HOUR)
        examine = BufferedSampler(config.inspection_time_min, rng, 1.0 / MINUTES_PER_HOUR)
        outages = outages or []
        servers = capacity_changes(config.servers, calendar, start, end_h)
        inspectors = capacity_changes(config.inspectors, calendar, start, end_h)
        self.screening = Station(
            env,
            f"{config.id}.screening",
            with_outages(servers, outages),
            lambda job: screen(),
            self._screened,
            columns.get("screen_start"),
            columns.get("screen_end"),
            staffed=servers,
        )
        self.inspection = Station(
            env,
            f"{config.id}.inspection",
            with_outages(inspectors, outages),
            lambda job: examine(),
            self._inspected,
            columns.get("inspect_start"),
            columns.get("inspect_end"),
            staffed=inspectors,
        )

    @property
    def stations(self) -> tuple[Station, Station]:
        """Both stations, for statistics."""
        return self.screening, self.inspection

    @property
    def in_checkpoint(self) -> int:
        """Items waiting or being handled at either station, or held after inspection."""
        return self.screening.in_station + self.inspection.in_station + self.held

    def arrive(self, job: int) -> None:
        """An item reaches the checkpoint now."""
        self.screening.arrive(job)

    def _screened(self, job: int) -> None:
        if self.inspect[job]:
            self.inspections += 1
            self.inspection.arrive(job)
        else:
            self.on_cleared(job)

    def _inspected(self, job: int) -> None:
        if self.use_outcomes:
            u = self._u()
            outcome = next((k + 1 for k, c in enumerate(self.shares) if u < c), 0)
            if outcome == 0:
                self.on_cleared(job)
                return
            self.failures += 1
            self.on_outcome(job, outcome)  # type: ignore[misc]
            if outcome == 1:
                self.held += 1
                self.env.timeout(self._hold_h(), job).callbacks.append(self._released)
            return
        if self.fail[job]:
            self.failures += 1
            self.on_failed(job)
        else:
            self.on_cleared(job)

    def _released(self, event: simpy.Event) -> None:
        self.held -= 1
        self.on_cleared(event._value)


def selection(config: Checkpoint, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random sampling for inspection and the inspection outcome, drawn up front for `n` items."""
    inspect = rng.random(n) < config.inspection_probability
    fail = rng.random(n) < config.failure_probability
    return inspect, fail


class RiskSelection:
    """Risk-based selection at the second line: whether an item is inspected is decided when its screening ends,
    from its trader's credit tier at that moment (tiers change during the run: failed inspections demote the
    trader, at this checkpoint or any other sharing the same `TraderTiers`). Uniform draws are made up front, so
    a run stays reproducible. Index it like a list of booleans."""

    def __init__(
        self,
        rules: RiskRules,
        tiers: list[str],
        trader_of_item: np.ndarray,
        trader_tiers: TraderTiers,
        rng: np.random.Generator,
    ) -> None:
        self.rules = rules
        self.rates = np.array([rules.inspection_by_tier[t] for t in tiers])
        self.trader = trader_of_item
        self.tiers = trader_tiers
        self.u = rng.random(len(trader_of_item))
        self.tier_at_check = np.full(len(trader_of_item), -1, dtype=np.int8)

    def __getitem__(self, item: int) -> bool:
        tier = int(self.tiers.tier[self.trader[item]])
        self.tier_at_check[item] = tier
        p = 1.0 - (1.0 - self.rates[tier]) * (1.0 - self.rules.random_rate)
        return bool(self.u[item] < p)

    def failed(self, item: int) -> None:
        """An inspection of this item failed: count it against the trader (demotion by the rules)."""
        self.tiers.failed(int(self.trader[item]), self.rules)

    @property
    def demotions(self) -> int:
        """Demotions so far (of all checkpoints sharing the tiers)."""
        return self.tiers.demotions
