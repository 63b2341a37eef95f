"""How big a run will be, estimated from the scenario before anything is simulated: orders, sampled time-series
rows and the memory the result tables take, so a run that cannot fit in this machine's memory is refused up
front instead of dying hours later (or taking the machine down)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from logistics.core.errors import LogisticsError
from logistics.scenario.demand import Demand
from logistics.scenario.disruptions import DemandSurge
from logistics.scenario.lastmile import LastMile
from logistics.scenario.run import RunSettings
from logistics.scenario.scenario import Scenario

__all__ = [
    "BYTES_PER_ORDER",
    "RunSize",
    "SizeError",
    "check_buildable",
    "check_size",
    "estimate_size",
    "memory_bytes",
]

BYTES_PER_ORDER = 2_500
"""Peak memory per simulated order, result tables included: the million-order benchmark measured about 1.2 kB
(benchmarks/RESULTS.md); twice that for margin (many lines per order, several modes, report building)."""
BYTES_PER_SAMPLE = 400
"""Memory per sampled time-series row (one row per gauge and sample)."""


class SizeError(LogisticsError):
    """A run estimated not to fit in memory; `--force` runs it anyway."""


@dataclass(frozen=True)
class RunSize:
    """Estimated size of one scenario's run (all replications held, as `logistics run` holds them)."""

    orders_per_replication: float
    samples_per_replication: float
    replications: int
    memory_b: float
    optimizer_cap_s: float = 0.0
    """Upper bound of the wall time the dispatch optimizers (every depot) may take per replication: expected
    waves times each wave's time cap (a wave usually stops on its work limit far sooner)."""

    def __str__(self) -> str:
        text = (
            f"about {self.orders_per_replication:,.0f} orders and {self.samples_per_replication:,.0f} time-series "
            f"samples per replication x {self.replications} replication(s): about {self.memory_b / 2**30:,.1f} GiB"
        )
        if self.optimizer_cap_s > 0:
            text += f"; dispatch optimizer capped at about {self.optimizer_cap_s / 3600:,.1f} h a replication"
        return text


def _surge_factor(hours: np.ndarray, surges: list[DemandSurge]) -> np.ndarray:
    """The demand multiplier of every surge covering each hour (stacked surges multiply, as in the run)."""
    factor = np.ones(len(hours))
    for surge in surges:
        factor[(hours >= surge.start_h) & (hours < surge.end_h)] *= surge.multiplier
    return factor


def _orders(demand: Demand, run: RunSettings, surges: list[DemandSurge], mode: str) -> float:
    """Expected orders: the mean rate over the horizon times the peak days' and the surges' multipliers, hour by
    hour (stacked surges multiply); with an order history, its orders inside the horizon times `scale` and the
    surges over them."""
    if demand.history is not None:
        from logistics.scenario.history import history_hours, read_history

        history = demand.history
        table = read_history(history)
        hours = np.asarray(history_hours(table, history, run.start, run.timezone), dtype=float)
        if table.mode is not None:
            hours = hours[table.mode == mode]
        hours = hours[(hours >= 0) & (hours < run.horizon_h)]
        return float((history.scale * _surge_factor(hours, surges)).sum())
    per_h = demand.orders_per_day / 24.0
    hours = np.arange(math.ceil(run.horizon_h), dtype=float)  # the start of each hour of the horizon
    width = np.minimum(1.0, run.horizon_h - hours)
    days = (np.datetime64(run.start, "h") + hours.astype("timedelta64[h]")).astype("datetime64[D]")
    peak = np.ones(len(hours))
    for p in demand.peak_days:
        peak[days == np.datetime64(p.date, "D")] *= p.multiplier
    with np.errstate(over="ignore"):
        return float((per_h * width * peak * _surge_factor(hours + 0.5 * width, surges)).sum())


def estimate_size(scenario: Scenario) -> RunSize:
    """Estimate orders, samples and peak memory of running `scenario` with all its replications."""
    run = scenario.run
    surges = [d for d in scenario.disruptions if isinstance(d, DemandSurge)]
    per_flow = [_orders(f.demand, run, surges, f.mode) for f in scenario.flows]
    orders = sum(per_flow)
    gauges = 40 + 5 * len(scenario.network.lanes)
    samples = run.end_h * 60.0 / run.sample_interval_min * gauges
    memory = run.replications * (orders * BYTES_PER_ORDER + samples * BYTES_PER_SAMPLE) + 300 * 2**20
    depots = [(f.last_mile, n) for f, n in zip(scenario.flows, per_flow, strict=True)]  # (last mile, its orders)
    cap_s = sum(_dispatch_cap_s(last_mile, n, run.end_h) for last_mile, n in depots)
    return RunSize(orders, samples, run.replications, memory, cap_s)


def _dispatch_cap_s(last_mile: LastMile, orders: float, end_h: float) -> float:
    """Waves of one depot over the run (clock waves each day, plus one per `threshold_parcels` routed parcels,
    each tried up to `max_attempts` times) times the policy's time cap per wave; 0 without a dispatch or with a
    policy that has no cap (greedy) or cannot be made. `orders`: the orders of that last mile expected."""
    dispatch = last_mile.dispatch
    if dispatch is None:
        return 0.0
    from logistics.policies.dispatch import DISPATCH

    try:
        cap_s = DISPATCH.make(dispatch.policy.name, dispatch.policy.params).time_limit_s
    except Exception:  # an unknown policy or bad parameters: reported by check_buildable with its field
        return 0.0
    if cap_s is None:
        return 0.0
    waves: float = len(dispatch.waves_h) * math.ceil(end_h / 24.0)
    if dispatch.threshold_parcels is not None:
        routed = sum(z.share for z in last_mile.zones if z.id in dispatch.zones) / sum(z.share for z in last_mile.zones)
        attempts = 1.0 + dispatch.failure_probability * (dispatch.max_attempts - 1)
        waves += orders * routed * attempts / dispatch.threshold_parcels
    return float(waves * cap_s)


def memory_bytes() -> float:
    """This machine's physical memory (bytes); 8 GiB where it cannot be read."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8.0 * 2**30


LIMIT_SHARE = 0.7
"""Share of the machine's memory a run may be estimated to need."""


def check_size(scenario: Scenario, force: bool = False, share: float = LIMIT_SHARE) -> RunSize:
    """Refuse (SizeError) a run estimated to need more than `share` of this machine's memory, unless forced."""
    size = estimate_size(scenario)
    limit = share * memory_bytes()
    if size.memory_b > limit and not force:
        raise SizeError(
            f"scenario {scenario.name!r} is too large for this machine: {size}, more than "
            f"{limit / 2**30:,.1f} GiB ({share:.0%} of its memory). Shorten run.horizon_h or run.cooldown_h, lower "
            "the demand, run fewer replications (each is held until the end), or pass --force to run it anyway."
        )
    return size


def check_buildable(scenario: Scenario, force: bool = False) -> RunSize:
    """Build the simulation model of replication 0 without running it: policies made from their names and
    parameters, the floor slotted, lanes, checkpoints and depots set up. A scenario the model cannot build is a
    ScenarioError naming the field, found by `validate` instead of by `run`. The size is checked first
    (`check_size`): too large is a SizeError unless `force`, and then nothing is built here."""
    from logistics.sim.engine import CrossBorderModel
    from logistics.sim.policy_choices import check_policies

    check_policies(scenario)
    size = check_size(scenario, force=force)
    if size.memory_b <= LIMIT_SHARE * memory_bytes():
        CrossBorderModel(scenario, 0)
    return size
