"""The simulation against queueing theory through the scenario path, with replications and 95% confidence
intervals: a 9610 import checkpoint as an M/M/2 queue (Erlang C), the bonded warehouse's pick -> pack ->
X-ray line as a three-station Jackson tandem (product-form sojourn), and the 1210 first-line checkpoint as a
D/M/1 queue (ships on an hourly timetable with a fixed crossing: one consignment an hour, exactly). The default
run keeps quick versions (the interval of 8 replications of 300 h, 1,000 h for the first line with its one
arrival an hour, must cover the theory and be narrower than 5%); `-m slow` runs the full check (30 replications
of 2,000 h, 8,000 h for the first line: the whole interval within 1% of the theory)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from logistics.policies.replenishment import REPLENISHMENT, InventoryView
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


class _OneUnitEachDeparture:
    """A replenishment policy for the test: one unit of the first SKU at every departure, so that every
    departure carries exactly one consignment (a deterministic arrival stream at the first line)."""

    def order_units(self, view: InventoryView) -> np.ndarray:
        out = np.zeros(len(view.on_hand), dtype=np.int64)
        out[0] = 1
        return out


FIRST_LINE_SERVICE_H = 0.5  # exponential, one officer: rho 0.5 against one consignment an hour


def _first_line_sojourns(replications: int, horizon_h: float) -> list[float]:
    """Mean time from arrival at the port to clearance at the first line of `bonded_import_small` made a D/M/1
    queue: a departure every hour, a fixed 10 h crossing, one consignment per departure (a test replenishment
    policy registered by name), one officer at all hours with exponential service, no inspections."""
    REPLENISHMENT.register("test_one_unit_each_departure", lambda cover_days: _OneUnitEachDeparture())
    try:
        sets = [
            f"run.horizon_h={horizon_h}", "run.cooldown_h=24", "run.warmup_h=0", "disruptions=[]",
            "demand.orders_per_day=24", "demand.peak_days=[]",
            "warehouse.replenishment.policy=test_one_unit_each_departure",
            "network.lanes.sea_incheon_qingdao.departures={weekdays: [0, 1, 2, 3, 4, 5, 6], hour: "
            + str(list(range(24))) + "}",
            "network.lanes.sea_incheon_qingdao.transit_time_h={kind: deterministic, value: 10}",
            "customs.checkpoints.qingdao_first_line.servers=1",
            f"customs.checkpoints.qingdao_first_line.service_time_min={{kind: exponential, "
            f"mean: {FIRST_LINE_SERVICE_H * 60}}}",
            "customs.checkpoints.qingdao_first_line.inspection_probability=0",
        ]  # fmt: skip
        scenario = load_builtin("bonded_import_small", sets)
        out = []
        for r in range(replications):
            visits = simulate(scenario, replication=r).clearances
            first = visits[(visits["role"] == "first_line") & (visits["arrived_h"] >= 50)]
            out.append(float(first["clearance_h"].mean()))
        return out
    finally:
        REPLENISHMENT.unregister("test_one_unit_each_departure")


def _dm1_sojourn_h(interarrival_h: float, service_h: float) -> float:
    """Mean sojourn of a D/M/1 queue: 1 / (mu (1 - sigma)), sigma the root in (0, 1) of
    sigma = exp(-mu T (1 - sigma)) (GI/M/1 with deterministic interarrival times T)."""
    mu_t = interarrival_h / service_h
    sigma = optimize.brentq(lambda x: x - np.exp(-mu_t * (1.0 - x)), 1e-12, 1.0 - 1e-12)
    return service_h / (1.0 - sigma)


CHECKPOINT_H = mmc_mean_wait(LAMBDA_H, 60 / 1.4, 2) + 1.4 / 60
FIRST_LINE_H = _dm1_sojourn_h(1.0, FIRST_LINE_SERVICE_H)
TANDEM_H = sum(mmc_mean_wait(LAMBDA_H, 60 / m, c) + m / 60 for m, c in ((3.2, 4), (2.5, 3), (1.4, 2)))


CHECKS = [  # (sojourns, theory, hours of a quick replication, hours of a full one)
    (_checkpoint_sojourns, CHECKPOINT_H, 300.0, 2000.0),
    (_tandem_sojourns, TANDEM_H, 300.0, 2000.0),
    (_first_line_sojourns, FIRST_LINE_H, 1000.0, 8000.0),
]


@pytest.mark.parametrize(("sojourns", "theory", "quick_h", "full_h"), CHECKS)
def test_quick_the_interval_covers_the_theory(sojourns, theory: float, quick_h: float, full_h: float) -> None:  # type: ignore[no-untyped-def]
    mean, half = _interval(sojourns(8, quick_h))
    assert mean - half <= theory <= mean + half, (mean, half, theory)
    assert half < 0.05 * theory, (mean, half, theory)


@pytest.mark.slow
@pytest.mark.parametrize(("sojourns", "theory", "quick_h", "full_h"), CHECKS)
def test_the_whole_interval_is_within_one_percent_of_the_theory(
    sojourns, theory: float, quick_h: float, full_h: float
) -> None:  # type: ignore[no-untyped-def]
    mean, half = _interval(sojourns(30, full_h))
    assert theory * 0.99 <= mean - half and mean + half <= theory * 1.01, (mean, half, theory)
