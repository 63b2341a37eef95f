"""The bonded-import model end to end: determinism, accounting, theory (Little's law, Erlang C via Burke)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logistics.analysis import kpi_table, run_kpis
from logistics.core import AccountingError
from logistics.scenario import builtin_names, load_builtin
from logistics.sim import RunResult, simulate
from logistics.sim.accounting import STAGES, check_accounting
from tests.sim.queueing import mmc_mean_wait


def test_same_seed_same_results_different_seed_differs(small_run: RunResult) -> None:
    scenario = load_builtin("bonded_import_small")
    again = simulate(scenario)
    pd.testing.assert_frame_equal(kpi_table([small_run]), kpi_table([again]))
    pd.testing.assert_frame_equal(small_run.orders, again.orders)
    other = simulate(load_builtin("bonded_import_small", ["run.seed=8"]))
    assert not kpi_table([small_run])["value"].equals(kpi_table([other])["value"])


def test_replications_differ_and_do_not_depend_on_their_count() -> None:
    scenario = load_builtin("bonded_import_small")
    r1 = simulate(scenario, replication=1)
    assert r1.counts["created"] != simulate(scenario, replication=0).counts["created"]
    pd.testing.assert_frame_equal(r1.orders, simulate(scenario, replication=1).orders)


def test_every_order_is_accounted_for(small_run: RunResult) -> None:
    c = small_run.counts
    assert c["created"] == len(small_run.orders) > 1000
    assert c["created"] == c["delivered"] + c["in_system"] + c["ended"]
    assert c["in_system"] == sum(c[f"in_system.{s}"] for s in STAGES)
    status = small_run.orders["status"].value_counts()
    assert status["delivered"] == c["delivered"]
    assert (small_run.orders.loc[small_run.orders["status"] == "delivered", "delivered_h"] <= small_run.end_h).all()


def test_orders_cut_off_mid_flow_are_still_accounted_for() -> None:
    # Stop right after the last order: many are mid-flow, in every stage.
    result = simulate(load_builtin("bonded_import_small", ["run.cooldown_h=0"]))
    c = result.counts
    assert c["in_system"] > 0
    assert c["created"] == c["delivered"] + c["in_system"] + c["ended"]


def test_accounting_check_catches_a_lost_order() -> None:
    derived = {"created": 10, "delivered": 8, "in_system": 1, "ended": 0, "in_system.pick": 1}
    with pytest.raises(AccountingError, match="created 10"):
        check_accounting(derived, {"in_system.pick": 1})
    ok = {"created": 10, "delivered": 9, "in_system": 1, "ended": 0, "in_system.pick": 1}
    with pytest.raises(AccountingError, match=r"in_system\.pick"):
        check_accounting(ok, {"in_system.pick": 2})


def test_timestamps_are_ordered(small_run: RunResult) -> None:
    o = small_run.orders
    chain = [
        "created_h",
        "released_h",
        "pick_start_h",
        "pick_end_h",
        "pack_start_h",
        "pack_end_h",
        "xray_start_h",
        "xray_end_h",
        "cleared_h",
        "dispatched_h",
        "delivered_h",
    ]
    done = o.dropna(subset=chain)
    assert len(done) > 1000
    values = done[chain].to_numpy()
    assert (np.diff(values, axis=1) >= -1e-9).all()
    assert (done["released_h"] >= np.maximum(done["documents_h"], done["stock_h"]) - 1e-9).all()


def test_littles_law_in_the_warehouse(small_run: RunResult) -> None:
    """Time-average number in pick+pack (from the stations' integrals) = throughput x mean time in it
    (from the order table), as a sample-path identity over the whole run."""
    res = small_run.resources.set_index("resource")
    area = sum(res.loc[s, "busy_h_run"] + res.loc[s, "queue_h_run"] for s in ("warehouse.pick", "warehouse.pack"))
    L = area / small_run.end_h
    o = small_run.orders
    entered = o["released_h"].notna()
    sojourn = o.loc[entered, "pack_end_h"].fillna(small_run.end_h) - o.loc[entered, "released_h"]
    lam = entered.sum() / small_run.end_h
    W = sojourn.mean()
    assert pytest.approx(lam * W, rel=1e-6) == L


def test_stockouts_backorder_then_release() -> None:
    result = simulate(load_builtin("bonded_import_small"))
    assert result.counts["backordered_orders"] > 0
    waited = result.orders[(result.orders["stock_h"] > result.orders["created_h"])]
    assert len(waited) > 0
    # Backorders are released only after a consignment was received.
    received = result.consignments["received_h"].min()
    assert (waited["stock_h"] >= received - 1e-9).all()


def test_over_limit_orders_are_rejected_or_taxed_as_general_trade() -> None:
    rejected = simulate(
        load_builtin("bonded_import_small", ["demand.prior_annual_spend_cny={kind: deterministic, value: 25900}"])
    )
    assert rejected.counts["ended"] > 0.5 * rejected.counts["created"]
    assert (rejected.orders.loc[rejected.orders["over_limit"], "end_reason"] == "over_limit").all()
    general = simulate(
        load_builtin(
            "bonded_import_small",
            [
                "demand.prior_annual_spend_cny={kind: deterministic, value: 25900}",
                "demand.over_limit=general_trade",
            ],
        )
    )
    assert (general.orders["end_reason"] == "over_limit").sum() == 0
    o = general.orders[general.orders["dispatched_h"].notna()]
    share = (o["tax_cny"] / o["value_cny"]).groupby(o["over_limit"]).mean()
    assert share[True] > share[False] * 1.3


MMC = [
    "run.horizon_h=4000",
    "run.warmup_h=100",
    "run.cooldown_h=50",
    "calendar.shifts=[]",
    "demand.orders_per_day=1440",
    "demand.peak_days=[]",
    "demand.over_limit=general_trade",
    "demand.hour_of_day=" + str([1] * 24),
    "demand.day_of_week=" + str([1] * 7),
    "customs.documents.payment_delay_min={kind: deterministic, value: 0}",
    "customs.documents.waybill_delay_min={kind: deterministic, value: 0}",
    "customs.documents.check_time_min={kind: deterministic, value: 0}",
    "customs.documents.mismatch_probability=0",
    "customs.checkpoints.qingdao_first_line.servers=1",
    "customs.checkpoints.qingdao_first_line.inspectors=1",
    "warehouse.receiving.teams=1",
    "warehouse.replenishment.initial_cover_days=10000",
    "warehouse.pick.workers=4",
    "warehouse.pick.time_per_order_min={kind: exponential, mean: 3.2}",
    "warehouse.pick.time_per_line_min=0",
    "warehouse.pack.workers=3",
    "warehouse.pack.time_per_order_min={kind: exponential, mean: 2.5}",
    "customs.checkpoints.bonded_exit_xray.servers=2",
    "customs.checkpoints.bonded_exit_xray.service_time_min={kind: exponential, mean: 1.4}",
    "customs.checkpoints.bonded_exit_xray.inspection_probability=0",
    "customs.checkpoints.bonded_exit_xray.inspectors=1",
]


def test_second_line_checkpoint_matches_erlang_c() -> None:
    """Poisson orders through M/M/4 pick and M/M/3 pack reach the X-ray as a Poisson stream (Burke's
    theorem), so the M/M/2 X-ray's mean wait must match Erlang C: lambda = 60/h, mu = 42.9/h, rho = 0.7.
    About 230,000 orders; over seeds 7-12 the ratio stayed within 0.985-1.035."""
    result = simulate(load_builtin("bonded_import_small", MMC))
    o = result.orders
    steady = o[(o["created_h"] >= 100) & o["xray_start_h"].notna()]
    assert len(steady) > 200_000
    wait = (steady["xray_start_h"] - steady["pack_end_h"]).mean()
    assert wait == pytest.approx(mmc_mean_wait(60.0, 60 / 1.4, 2), rel=0.05)
    pick_wait = (steady["pick_start_h"] - steady["released_h"]).mean()
    assert pick_wait == pytest.approx(mmc_mean_wait(60.0, 60 / 3.2, 4), rel=0.05)


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_runs_short_and_accounts_for_every_order(name: str) -> None:
    from logistics.analysis.kpis import run_kpis

    sets = ["run.horizon_h=12", "run.cooldown_h=12", "disruptions=[]"]
    if name == "last_mile_city":
        sets.append("last_mile.dispatch.policy={name: nearest_neighbour}")
    run = simulate(load_builtin(name, sets))  # the model's own accounting check runs at the end
    kpis = run_kpis(run)
    assert kpis["kpi"].is_unique
    created = run.counts.get("created", 0) + run.counts.get("flows.created", 0)
    assert created > 0


def _interval(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the 95% t-interval."""
    from scipy import stats

    x = np.asarray(values)
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))


def test_resource_kpis_cover_the_measured_window_and_match_mmc_theory() -> None:
    """Utilisation and mean queue of the M/M/4 pick station (rho 0.8) over 16 replications of 300 h after a
    50 h warm-up, with a 50 h cool-down that has no arrivals: counted over the whole run the utilisation would
    be about 0.69 (0.8 x 300 h busy of 350 h staffed); inside the window it must be rho, and the mean queue
    lambda * Wq (Little's law, Erlang C)."""
    sets = [x for x in MMC if not x.startswith("run.")] + ["run.horizon_h=300", "run.warmup_h=50", "run.cooldown_h=50"]
    scenario = load_builtin("bonded_import_small", sets)
    utilisation, queue = [], []
    for r in range(16):
        kpis = run_kpis(simulate(scenario, replication=r)).set_index("kpi")["value"]
        utilisation.append(kpis["resource.warehouse.pick.utilisation"])
        queue.append(kpis["resource.warehouse.pick.mean_queue"])
    mean, half = _interval(utilisation)
    assert mean - half > 0.8 * 0.99 and mean + half < 0.8 * 1.01, (mean, half)
    lq = 60.0 * mmc_mean_wait(60.0, 60 / 3.2, 4)
    mean, half = _interval(queue)
    assert mean - half <= lq <= mean + half and half < 0.08 * lq, (mean, half, lq)
