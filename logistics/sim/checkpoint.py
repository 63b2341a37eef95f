"""A customs checkpoint, the one component behind every role (first line, second line, export, import):

- a declaration can only be screened once its data is in and matched (three-document matching: the order,
  payment and waybill data arrive late, mismatch and get corrected; `ready_h` per item, when given);
- screening by `servers` (document review or X-ray); then the selection policy (`policies.customs.SELECTION`)
  gives the probability that the item is inspected, from its trader's credit tier at that moment and its goods'
  risk factor, and the checkpoint draws the decision from its own random stream;
- inspection by `inspectors`; a share goes on to laboratory testing (`lab`);
- outcome: released, held (released after the hold time), returned or destroyed (`failure_probability` is a
  return share); a hold, return or destruction counts as a failed inspection for the trader, whose tier is
  lowered every `failures_to_demote` failures (for every checkpoint sharing the tiers).

Each finished visit is logged (arrival, clearance, tier, inspected, lab, outcome) for the KPIs by checkpoint and
tier: `visit_table` turns the log into rows of `clearances.csv` with their costs.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import simpy

from logistics.core.units import MINUTES_PER_HOUR
from logistics.policies.customs import SELECTION, Declared, RandomSelection
from logistics.scenario.calendar import Calendar
from logistics.scenario.costs import Costs
from logistics.scenario.customs import CREDIT_TIERS, Checkpoint
from logistics.sim.clock import RunClock
from logistics.sim.policy_choices import make_policy
from logistics.sim.sampling import BufferedSampler, UniformStream
from logistics.sim.shifts import capacity_changes, with_outages
from logistics.sim.simpy_access import event_value
from logistics.sim.station import Column, Station
from logistics.sim.tiers import TraderTiers

__all__ = ["LOG_COLUMNS", "OUTCOMES", "CustomsCheckpoint", "visit_table"]

LOG_COLUMNS = ("job", "arrived_h", "cleared_h", "tier", "inspected", "lab", "outcome")
"""One row per finished checkpoint visit (all numbers; tier and outcome as codes)."""

OUTCOMES = ("released", "held", "returned", "destroyed")

Path = tuple[str | int, ...]


class CustomsCheckpoint:
    """One checkpoint; `enter(job)` hands an item over, `on_released(job)` or `on_ended(job, outcome)` (2
    returned, 3 destroyed) is called when it leaves."""

    def __init__(
        self,
        clock: RunClock,
        config: Checkpoint,
        calendar: Calendar,
        rng: np.random.Generator,
        *,
        on_released: Callable[[int], None],
        on_ended: Callable[[int, int], None],
        outages: list[tuple[float, float]],
        tiers: TraderTiers | None = None,
        trader: Sequence[int] | np.ndarray | None = None,
        goods_factor: Callable[[int], float] | None = None,
        ready_h: Sequence[float] | np.ndarray | None = None,
        columns: dict[str, Column] | None = None,
        path: Path = ("customs", "checkpoints"),
    ) -> None:
        env, start, end_h = clock.env, clock.start, clock.end_h
        self.env = env
        self.config = config
        self.goods_factor = goods_factor
        self.ready_h = ready_h
        self.on_released = on_released
        self.on_ended = on_ended
        self.risk = config.risk
        self.selection = make_policy((*path, "selection"), SELECTION, config.selection_choice, checkpoint=config)
        self._fixed_p = self.selection.rate if isinstance(self.selection, RandomSelection) else None
        # the traders' tiers (updated during the run) and each job's trader, when the items have traders
        self._tier_of = (tiers.tier, trader, tiers) if tiers is not None and trader is not None else None
        self.cum = np.cumsum(config.outcome_shares).tolist()
        self.hold_h = BufferedSampler(config.outcomes.hold_time_h, rng)
        self._u = UniformStream(rng)
        self.visits: dict[int, list[float]] = {}  # job -> [arrived_h, tier, inspected, lab]
        self.log = {name: array("d") for name in LOG_COLUMNS}
        self.waiting_documents = 0
        self.inspections = 0
        self.failures = 0  # inspections that found something (held, returned or destroyed)
        self.holds = 0  # items held after their inspection (released or not yet)
        columns = columns or {}
        screen = BufferedSampler(config.service_time_min, rng, 1.0 / MINUTES_PER_HOUR)
        examine = BufferedSampler(config.inspection_time_min, rng, 1.0 / MINUTES_PER_HOUR)
        servers = capacity_changes(config.servers, calendar, start, end_h)
        inspectors = capacity_changes(config.inspectors, calendar, start, end_h)
        self.screening = Station(
            env, f"{config.id}.screening", with_outages(servers, outages), lambda job: screen(), self._screened,
            columns.get("screen_start"), columns.get("screen_end"), staffed=servers,
        )  # fmt: skip
        self.inspection = Station(
            env, f"{config.id}.inspection", with_outages(inspectors, outages), lambda job: examine(),
            self._inspected, columns.get("inspect_start"), columns.get("inspect_end"), staffed=inspectors,
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
        """An item (parcel, shipment, container, consignment) reaches the checkpoint now."""
        now = self.env.now
        self.visits[job] = [now, -1.0, 0.0, 0.0]
        wait = self.ready_h[job] - now if self.ready_h is not None else 0.0
        if wait > 0:  # the declaration's data is not matched yet
            self.waiting_documents += 1
            self.env.timeout(wait, job).callbacks.append(self._documents_ready)
        else:
            self.screening.arrive(job)

    def _documents_ready(self, event: simpy.Event) -> None:
        self.waiting_documents -= 1
        self.screening.arrive(event_value(event))

    def _screened(self, job: int) -> None:
        visit = self.visits[job]
        tier = -1
        if self._tier_of is not None:
            trader = self._tier_of[1][job]
            tier = int(self._tier_of[0][trader]) if trader >= 0 else -1
            visit[1] = tier
        if self._fixed_p is not None:  # the same probability for every item: nothing to ask the policy
            p = self._fixed_p
        else:
            factor = self.goods_factor(job) if self.goods_factor is not None else 1.0
            p = self.selection.probability(Declared(tier, factor, self.env.now))
        if self._u() < p:
            visit[2] = 1.0
            self.inspections += 1
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
        if outcome:
            self.failures += 1
            if self.risk is not None and self._tier_of is not None and self._tier_of[1][job] >= 0:
                self._tier_of[2].failed(int(self._tier_of[1][job]), self.risk)
        if outcome == 1:
            self.holds += 1
            self.env.timeout(self.hold_h(), job).callbacks.append(self._hold_over)
        else:
            self._finish(job, outcome)

    def _hold_over(self, event: simpy.Event) -> None:
        self._finish(event_value(event), 1)

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

    def per_job(self, field: str, n: int, default: float) -> np.ndarray:
        """A visit field (`tier`, `inspected`, `lab` or `outcome`) by job for jobs 0..n-1: finished visits from
        the log, visits still at the checkpoint as far as decided, `default` for jobs that never came."""
        out = np.full(n, default, dtype=float)
        jobs = np.frombuffer(self.log["job"], dtype=float).astype(np.int64)
        out[jobs] = np.frombuffer(self.log[field], dtype=float)
        if field != "outcome":
            slot = {"tier": 1, "inspected": 2, "lab": 3}[field]
            for job, visit in self.visits.items():
                out[job] = visit[slot]
        return out


def visit_table(
    checkpoint: CustomsCheckpoint, costs: Costs, per_parcel: Callable[[np.ndarray], np.ndarray]
) -> pd.DataFrame:
    """The checkpoint's finished visits as rows of `clearances.csv`: the log, the role, the time at the
    checkpoint and the cost of each visit (inspection fee per parcel or per consignment, by `per_parcel(jobs)`;
    the lab test; the outcome's cost)."""
    cp = checkpoint.config
    log = {name: np.frombuffer(values, dtype=float) for name, values in checkpoint.log.items()}
    n = len(log["job"])
    job = log["job"].astype(np.int64)
    outcome = log["outcome"].astype(np.int64)
    oc = cp.outcomes
    outcome_cost = np.array([0.0, oc.hold_cost_cny, oc.return_cost_cny, oc.destroy_cost_cny])[outcome]
    lab_cost = log["lab"] * (cp.lab.cost_cny if cp.lab is not None else 0.0)
    fee = np.where(per_parcel(job), costs.inspection_cny_per_parcel, costs.inspection_cny_per_consignment)
    one = np.zeros(n, dtype=np.int8)
    return pd.DataFrame(  # built at once: a million visits make no intermediate copies
        {
            "checkpoint": pd.Categorical.from_codes(one, [cp.id]),
            "role": pd.Categorical.from_codes(one, [cp.role]),
            **log,
            "job": job,
            "outcome": pd.Categorical.from_codes(outcome, list(OUTCOMES)),
            "cost_cny": log["inspected"] * fee + lab_cost + outcome_cost,
            "clearance_h": log["cleared_h"] - log["arrived_h"],
            "credit_tier": pd.Categorical.from_codes(log["tier"].astype(np.int64), list(CREDIT_TIERS)),
        }
    )
