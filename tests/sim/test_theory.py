"""The simulation against queueing theory through the scenario path, with replications and 95% confidence
intervals: a 9610 import checkpoint as an M/M/2 queue (Erlang C), and the bonded warehouse's pick -> pack ->
X-ray line as a three-station Jackson tandem (product-form sojourn). The default run keeps quick versions (the
interval of 8 replications of 300 h must cover the theory and be narrower than 5%); `-m slow` runs the full
check (30 replications of 2,000 h: the whole interval within 1% of the theory)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from logistics.scenario import load_builtin
from logistics.sim import simulate
from tests.sim.queueing import mmc_mean_wait
from tests.sim.test_engine import MMC

LAMBDA_H = 60.0  # parcels or orders an hour, Poisson


def _interval(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the 95% t-interval over replications."""
    x = np.asarray(values, dtype=float)
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))


def _checkpoint_sojourns(replications: int, horizon_h: float) -> list[float]:
    """Mean time from arrival to clearance at the import checkpoint of `direct_mail_import` made an M/M/2 queue:
    Poisson parcels (documents instant, no packing), one on-demand truck per parcel with a fixed transit (so the
    stream stays Poisson), two X-ray lines with exponential 1.4 min, no inspections."""
    sets = [
        f"run.horizon_h={horizon_h}", "run.cooldown_h=24", "run.warmup_h=20", "disruptions=[]",
        "flows.0.fulfilment=null", "flows.0.sort=null", "flows.0.route=[truck_osaka_kix]",
        f"flows.0.demand.orders_per_day={LAMBDA_H * 24}", "flows.0.demand.hour_of_day=" + str([1] * 24),
        "flows.0.demand.day_of_week=" + str([1] * 7), "flows.0.demand.peak_days=[]",
        "flows.0.demand.over_limit=general_trade",
        "customs.documents.payment_delay_min={kind: deterministic, value: 0}",
        "customs.documents.waybill_delay_min={kind: deterministic, value: 0}",
        "customs.documents.check_time_min={kind: deterministic, value: 0}",
        "customs.documents.mismatch_probability=0",
        "network.lanes.truck_osaka_kix.hold_h=0",
        "network.lanes.truck_osaka_kix.transit_time_h={kind: deterministic, value: 1}",
        "network.lanes.truck_osaka_kix.containers_per_departure=100",
        "customs.checkpoints.0.node=kix", "customs.checkpoints.0.servers=2",
        "customs.checkpoints.0.service_time_min={kind: exponential, mean: 1.4}",
        "customs.checkpoints.0.inspection_probability=0", "customs.checkpoints.0.risk=null",
        "customs.checkpoints.0.outcomes={}", "customs.checkpoints.0.lab=null",
    ]  # fmt: skip
    scenario = load_builtin("direct_mail_import", sets)
    out = []
    for r in range(replications):
        visits = simulate(scenario, replication=r).clearances
        out.append(float(visits.loc[visits["arrived_h"] >= 20, "clearance_h"].mean()))
    return out


def _tandem_sojourns(replications: int, horizon_h: float) -> list[float]:
    """Mean time from release to leaving the X-ray in `bonded_import_small` made a Jackson tandem: Poisson
    orders (60/h), M/M/4 pick (3.2 min), M/M/3 pack (2.5 min), M/M/2 X-ray (1.4 min)."""
    sets = [x for x in MMC if not x.startswith("run.")]
    sets += [f"run.horizon_h={horizon_h}", "run.warmup_h=50", "run.cooldown_h=50"]
    scenario = load_builtin("bonded_import_small", sets)
    out = []
    for r in range(replications):
        o = simulate(scenario, replication=r).orders
        steady = o[(o["created_h"] >= 50) & o["xray_end_h"].notna()]
        out.append(float((steady["xray_end_h"] - steady["released_h"]).mean()))
    return out


CHECKPOINT_H = mmc_mean_wait(LAMBDA_H, 60 / 1.4, 2) + 1.4 / 60
TANDEM_H = sum(mmc_mean_wait(LAMBDA_H, 60 / m, c) + m / 60 for m, c in ((3.2, 4), (2.5, 3), (1.4, 2)))


@pytest.mark.parametrize(("sojourns", "theory"), [(_checkpoint_sojourns, CHECKPOINT_H), (_tandem_sojourns, TANDEM_H)])
def test_quick_the_interval_covers_the_theory(sojourns, theory: float) -> None:  # type: ignore[no-untyped-def]
    mean, half = _interval(sojourns(8, 300.0))
    assert mean - half <= theory <= mean + half, (mean, half, theory)
    assert half < 0.05 * theory, (mean, half, theory)


@pytest.mark.slow
@pytest.mark.parametrize(("sojourns", "theory"), [(_checkpoint_sojourns, CHECKPOINT_H), (_tandem_sojourns, TANDEM_H)])
def test_the_whole_interval_is_within_one_percent_of_the_theory(sojourns, theory: float) -> None:  # type: ignore[no-untyped-def]
    mean, half = _interval(sojourns(30, 2000.0))
    assert theory * 0.99 <= mean - half and mean + half <= theory * 1.01, (mean, half, theory)
