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
from logistics.sim.sampling import BufferedSampler
from logistics.sim.shifts import capacity_changes, with_outages
from logistics.sim.station import Station


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
    ) -> None:
        self.config = config
        self.inspect = inspect
        self.fail = fail
        self.on_cleared = on_cleared
        self.on_failed = on_failed
        self.inspections = 0
        self.failures = 0
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
        """Items waiting or being handled at either station."""
        return self.screening.in_station + self.inspection.in_station

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
        if self.fail[job]:
            self.failures += 1
            self.on_failed(job)
        else:
            self.on_cleared(job)


def selection(config: Checkpoint, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random sampling for inspection and the inspection outcome, drawn up front for `n` items."""
    inspect = rng.random(n) < config.inspection_probability
    fail = rng.random(n) < config.failure_probability
    return inspect, fail


class RiskSelection:
    """Risk-based selection at the second line: whether an item is inspected is decided when its screening ends,
    from its trader's credit tier at that moment (tiers change during the run: a failed inspection demotes the
    trader). Uniform draws are made up front, so a run stays reproducible. Index it like a list of booleans."""

    def __init__(
        self,
        rules: RiskRules,
        tiers: list[str],
        trader_of_item: np.ndarray,
        trader_tier: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        self.rules = rules
        self.rates = np.array([rules.inspection_by_tier[t] for t in tiers])
        self.trader = trader_of_item
        self.tier = trader_tier.copy()  # current tier index of each trader (0 = best)
        self.u = rng.random(len(trader_of_item))
        self.tier_at_check = np.full(len(trader_of_item), -1, dtype=np.int8)
        self.demotions = 0
        self.failures = np.zeros(len(trader_tier), dtype=np.int64)  # since the trader's last demotion

    def __getitem__(self, item: int) -> bool:
        tier = int(self.tier[self.trader[item]])
        self.tier_at_check[item] = tier
        p = 1.0 - (1.0 - self.rates[tier]) * (1.0 - self.rules.random_rate)
        return bool(self.u[item] < p)

    def failed(self, item: int) -> None:
        """An inspection of this item failed: count it against the trader, demoting it one tier every
        `failures_to_demote` failures (if the rules say so)."""
        trader = self.trader[item]
        self.failures[trader] += 1
        if not self.rules.demote_on_failure or self.failures[trader] < self.rules.failures_to_demote:
            return
        if self.tier[trader] < len(self.rates) - 1:
            self.tier[trader] += 1
            self.demotions += 1
        self.failures[trader] = 0
