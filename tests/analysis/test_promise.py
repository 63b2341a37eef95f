"""On-time KPIs with censoring stated: an order whose promise is still open at the end of a run is not yet due,
neither on time nor late. Checked on the rule itself (properties) and through `logistics run` against counts
recomputed here from `orders.parquet`, independently of the package's code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from logistics.analysis.promise import OUTCOMES, promise_outcomes
from logistics.cli import app
from logistics.scenario import builtin_names
from logistics.scenario.builtin import load_named

finite_h = st.floats(min_value=0, max_value=500, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    orders=st.lists(
        st.tuples(finite_h, st.one_of(st.none(), finite_h), st.floats(1, 200), st.booleans()), min_size=1, max_size=30
    ),
    end_h=finite_h,
    later_h=finite_h,
)
def test_a_resolved_promise_keeps_its_outcome_when_the_run_goes_on(orders: list, end_h: float, later_h: float) -> None:
    created = np.array([o[0] for o in orders])
    event = np.array([np.nan if o[1] is None else o[0] + o[1] for o in orders])
    promise = np.array([o[2] for o in orders])
    ended = np.array([o[3] and o[1] is None for o in orders])  # an order ended without its event
    first = promise_outcomes(created, event, promise, ended, end_h)
    second = promise_outcomes(created, event, promise, ended, end_h + later_h)
    assert set(first) <= set(OUTCOMES)
    resolved = first != "not_yet_due"
    assert (first[resolved] == second[resolved]).all()
    # not yet due: no event by the end, not ended, and the deadline after the end
    open_ = first == "not_yet_due"
    assert (created[open_] + promise[open_] > end_h).all()
    assert not (event[open_] <= end_h).any() and not ended[open_].any()


def _expected(orders: pd.DataFrame, event: str, promise: pd.Series | float, end_h: float) -> dict[str, int]:
    """The censoring rule written out again, on the orders table as a user would."""
    done = orders[event].notna() & (orders[event] <= end_h)
    deadline = orders["created_h"] + promise
    on_time = done & (orders[event] <= deadline)
    failed = ~done & (orders["end_reason"].astype(str) != "")
    late = (done & ~on_time) | (~done & ~failed & (deadline <= end_h))
    not_yet_due = ~(on_time | late | failed)
    return {"on_time": on_time.sum(), "late": late.sum(), "failed": failed.sum(), "not_yet_due": not_yet_due.sum()}


def _check_run(tmp_path: Path, name: str, sets: list[str]) -> pd.Series:
    out = tmp_path / name
    result = CliRunner().invoke(app, ["run", name, "--out", str(out), "-q", "--replications", "1", *sets])
    assert result.exit_code == 0, result.output
    scenario = load_named(name, [*sets[1::2], "run.replications=1"])
    kpis = pd.read_csv(out / "kpis.csv").set_index("kpi")["value"]
    orders = pd.read_parquet(out / "orders.parquet")
    run = scenario.run
    live = orders[(orders["created_h"] >= run.warmup_h) & (orders["end_reason"].astype(str) != "over_limit")]
    delivery = _expected(live, "delivered_h", live["delivery_promise_h"], run.end_h)
    for outcome, n in delivery.items():
        assert kpis[f"service.delivery.{outcome}"] == n, (name, outcome)
    resolved = delivery["on_time"] + delivery["late"] + delivery["failed"]
    if resolved:
        assert kpis["service.on_time_delivery_rate"] == pytest.approx(delivery["on_time"] / resolved)
    for mode, part in live.groupby("mode", observed=True):
        by_mode = _expected(part, "delivered_h", part["delivery_promise_h"], run.end_h)
        assert kpis[f"mode.{mode}.late_parcels"] == by_mode["late"]
        assert kpis[f"mode.{mode}.service.delivery.not_yet_due"] == by_mode["not_yet_due"]
    if "service.dispatch.on_time" in kpis:
        stocked = live[live["mode"].astype(str).isin(["1210", "9810"])]
        dispatch = _expected(stocked, "dispatched_h", scenario.service_level.dispatch_within_h, run.end_h)
        for outcome, n in dispatch.items():
            assert kpis[f"service.dispatch.{outcome}"] == n, (name, "dispatch", outcome)
    return kpis


def test_bonded_import_small_counts_open_orders_as_not_yet_due_not_late(tmp_path: Path) -> None:
    kpis = _check_run(tmp_path, "bonded_import_small", [])
    # the finding: every open order is still within its promise, and no delivered order was late
    assert kpis["service.delivery.late"] == 0 and kpis["service.delivery.not_yet_due"] > 400
    assert kpis["service.on_time_delivery_rate"] > 0.99
    assert kpis["orders.handled"] == kpis["orders.created"] - kpis["orders.ended.over_limit"]


SHORT = [
    "--set",
    "run.horizon_h=30",
    "--set",
    "run.cooldown_h=20",
    "--set",
    "run.warmup_h=0",
    "--set",
    "disruptions=[]",
]


@pytest.mark.parametrize("name", ["pilot_zone_mixed", "last_mile_city"])  # all four modes; routed parcels
def test_every_mode_counts_promises_by_the_censoring_rule(tmp_path: Path, name: str) -> None:
    _check_run(tmp_path, name, SHORT)


@pytest.mark.slow
@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_over_its_full_horizon_counts_promises_by_the_censoring_rule(tmp_path: Path, name: str) -> None:
    _check_run(tmp_path, name, [])
