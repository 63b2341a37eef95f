"""Customs clearance of the cross-border flows (export declarations, import clearance at an airport, postal site
or destination customs), the risk system in one place:

- a declaration can only be screened once its data is in and matched (three-document matching: the order,
  payment and waybill data arrive late, mismatch and get corrected; `ready_h` per item);
- screening by `servers` (document review or X-ray), then risk-based selection: the rate of the trader's credit
  tier at that moment times the goods factor of the item's category (capped at 1), combined with independent
  random sampling; without risk rules, the checkpoint's `inspection_probability` times nothing else;
- inspection by `inspectors`; a share goes on to laboratory testing (`lab`);
- outcome: released, held (released after the hold time), returned or destroyed; a hold, return or destruction
  counts as a failed inspection for the trader, whose tier is lowered every `failures_to_demote` failures.

Each visit is logged (arrival, clearance, tier, inspected, lab, outcome) for the KPIs by checkpoint and tier.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from datetime import datetime

import numpy as np
import simpy

from logistics.core.units import MINUTES_PER_HOUR
from logistics.scenario.calendar import Calendar
from logistics.scenario.customs import CREDIT_TIERS, Checkpoint
from logistics.sim.sampling import BufferedSampler
from logistics.sim.shifts import capacity_changes, with_outages
from logistics.sim.station import Station
from logistics.sim.tiers import TraderTiers

__all__ = ["OUTCOMES", "Clearance", "TraderTiers"]

LOG_COLUMNS = ("job", "arrived_h", "cleared_h", "tier", "inspected", "lab", "outcome")
"""One row per checkpoint visit (all numbers; tier and outcome as codes)."""

OUTCOMES = ("released", "held", "returned", "destroyed")


class Clearance:
    """One checkpoint serving the flows; `on_released(job)` or `on_ended(job, outcome)` (returned, destroyed)."""

    def __init__(
        self,
        env: simpy.Environment,
        config: Checkpoint,
        calendar: Calendar,
        start: datetime,
        end_h: float,
        rng: np.random.Generator,
        tiers: TraderTiers | None,
        trader: np.ndarray,
        goods_factor: Callable[[int], float],
        ready_h: np.ndarray,
        on_released: Callable[[int], None],
        on_ended: Callable[[int, int], None],
        outages: list[tuple[float, float]],
    ) -> None:
        self.env = env
        self.config = config
        self.rng = rng
        self.tiers = tiers
        self.trader = trader
        self.goods_factor = goods_factor
        self.ready_h = ready_h
        self.on_released = on_released
        self.on_ended = on_ended
        self.risk = config.risk
        if self.risk is not None:
            self.tier_rates = [self.risk.inspection_by_tier[t] for t in CREDIT_TIERS]
        outcomes = config.outcomes
        self.cum = np.cumsum([outcomes.hold, outcomes.return_, outcomes.destroy]).tolist()
        self.hold_h = BufferedSampler(outcomes.hold_time_h, rng)
        self._u = _Uniform(rng)
        self.visits: dict[int, list[float]] = {}  # job -> [arrived_h, tier, inspected, lab]
        self.log = {name: array("d") for name in LOG_COLUMNS}
        self.waiting_documents = 0
        screen = BufferedSampler(config.service_time_min, rng, 1.0 / MINUTES_PER_HOUR)
        examine = BufferedSampler(config.inspection_time_min, rng, 1.0 / MINUTES_PER_HOUR)
        servers = capacity_changes(config.servers, calendar, start, end_h)
        inspectors = capacity_changes(config.inspectors, calendar, start, end_h)
        self.screening = Station(
            env, f"{config.id}.screening", with_outages(servers, outages), lambda job: screen(), self._screened,
            staffed=servers,
        )  # fmt: skip
        self.inspection = Station(
            env, f"{config.id}.inspection", with_outages(inspectors, outages), lambda job: examine(),
            self._inspected, staffed=inspectors,
        )  # fmt: skip
        self.lab: Station | None = None
        if config.lab is not None:
            test = BufferedSampler(config.lab.time_h, rng)
            labs = capacity_changes(config.lab.servers, calendar, start, end_h)
            self.lab = Station(env, f"{config.id}.lab", labs, lambda job: test(), self._decide)

    @property
    def stations(self) -> list[Station]:
        """The checkpoint's resources, for statistics."""
        return [self.screening, self.inspection, *([self.lab] if self.lab is not None else [])]

    @property
    def in_checkpoint(self) -> int:
        """Items at the checkpoint: waiting for their data, queued, screened, inspected, tested or held."""
        return len(self.visits)

    def enter(self, job: int) -> None:
        """An item (parcel, shipment, container) reaches the checkpoint now."""
        now = self.env.now
        self.visits[job] = [now, -1.0, 0.0, 0.0]
        wait = self.ready_h[job] - now
        if wait > 0:  # the declaration's data is not matched yet
            self.waiting_documents += 1
            self.env.timeout(wait, job).callbacks.append(self._documents_ready)
        else:
            self.screening.arrive(job)

    def _documents_ready(self, event: simpy.Event) -> None:
        self.waiting_documents -= 1
        self.screening.arrive(event._value)

    def _screened(self, job: int) -> None:
        visit = self.visits[job]
        if self.risk is not None:
            tier = int(self.tiers.tier[self.trader[job]])  # type: ignore[union-attr]
            visit[1] = tier
            rate = min(1.0, self.tier_rates[tier] * self.goods_factor(job))
            p = 1.0 - (1.0 - rate) * (1.0 - self.risk.random_rate)
        else:
            p = self.config.inspection_probability
        if self._u() < p:
            visit[2] = 1.0
            self.inspection.arrive(job)
        else:
            self._finish(job, 0)

    def _inspected(self, job: int) -> None:
        lab = self.config.lab
        if self.lab is not None and lab is not None and self._u() < lab.share:
            self.visits[job][3] = 1.0
            self.lab.arrive(job)
        else:
            self._decide(job)

    def _decide(self, job: int) -> None:
        u = self._u()
        outcome = next((k + 1 for k, c in enumerate(self.cum) if u < c), 0)
        if outcome and self.risk is not None and self.trader[job] >= 0:
            self.tiers.failed(int(self.trader[job]), self.risk)  # type: ignore[union-attr]
        if outcome == 1:
            self.env.timeout(self.hold_h(), job).callbacks.append(self._hold_over)
        else:
            self._finish(job, outcome)

    def _hold_over(self, event: simpy.Event) -> None:
        self._finish(event._value, 1)

    def _finish(self, job: int, outcome: int) -> None:
        arrived, tier, inspected, lab = self.visits.pop(job)
        log = self.log
        log["job"].append(job)
        log["arrived_h"].append(arrived)
        log["cleared_h"].append(self.env.now)
        log["tier"].append(tier)
        log["inspected"].append(inspected)
        log["lab"].append(lab)
        log["outcome"].append(outcome)
        if outcome >= 2:
            self.on_ended(job, outcome)
        else:
            self.on_released(job)


class _Uniform:
    """U(0, 1) draws in batches, handed out one at a time."""

    __slots__ = ("_buffer", "_pos", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buffer: list[float] = []
        self._pos = 0

    def __call__(self) -> float:
        if self._pos >= len(self._buffer):
            self._buffer = self._rng.random(4096).tolist()
            self._pos = 0
        self._pos += 1
        return self._buffer[self._pos - 1]
