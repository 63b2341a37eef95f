"""One checkpoint component for every role: the first line, the second line, export and import run the same
rules (selection policy, labs, outcomes, `failure_probability` as a return share), checked through scenario
files and the run's visit log (`clearances`)."""

from __future__ import annotations

import numpy as np
import pytest

from logistics.core.errors import ScenarioError
from logistics.policies.customs import SELECTION, Declared
from logistics.scenario import load_builtin
from logistics.sim.engine import simulate
from logistics.sim.result import order_table

SHORT = ["run.horizon_h=72", "run.cooldown_h=72"]


def _interval(successes: int, n: int) -> tuple[float, float]:
    """A 99.9% normal interval of a proportion (wide: these tests must not fail by chance)."""
    p = successes / n
    h = 3.3 * np.sqrt(p * (1 - p) / n)
    return p - h, p + h


def test_failure_probability_returns_that_share_of_inspected_parcels_at_an_import_checkpoint() -> None:
    cp = "customs.checkpoints.hgh_airport_clearance"
    run = simulate(
        load_builtin(
            "direct_mail_import",
            [
                *SHORT,
                f"{cp}.risk=null",
                f"{cp}.inspection_probability=0.5",
                f"{cp}.failure_probability=0.3",
                f"{cp}.inspectors=200",
                f"{cp}.outcomes={{}}",
                f"{cp}.lab=null",
                "disruptions=[]",
            ],
        )
    )
    visits = run.clearances[run.clearances["checkpoint"] == "hgh_airport_clearance"]
    inspected = visits[visits["inspected"] == 1]
    low, high = _interval(len(inspected), len(visits))
    assert low < 0.5 < high
    low, high = _interval(int((inspected["outcome"] == "returned").sum()), len(inspected))
    assert low < 0.3 < high
    orders = order_table(run)
    returned = orders[orders["end_reason"] == "returned"]
    assert len(returned) == (inspected["outcome"] == "returned").sum()


def test_the_second_line_runs_labs_and_outcomes_like_any_checkpoint() -> None:
    cp = "customs.checkpoints.bonded_exit_xray"
    run = simulate(
        load_builtin(
            "bonded_import_small",
            [
                *SHORT,
                f"{cp}.inspection_probability=0.3",
                f"{cp}.failure_probability=0",
                f"{cp}.inspectors=20",
                f"{cp}.outcomes={{hold: 0.2, hold_time_h: {{kind: deterministic, value: 5}}, destroy: 0.1}}",
                f"{cp}.lab={{share: 0.5, servers: 50, time_h: {{kind: deterministic, value: 2}}, cost_cny: 100}}",
            ],
        )
    )
    visits = run.clearances[run.clearances["checkpoint"] == "bonded_exit_xray"]
    inspected = visits[visits["inspected"] == 1]
    assert len(inspected) > 500
    low, high = _interval(int((inspected["lab"] == 1).sum()), len(inspected))
    assert low < 0.5 < high
    held = inspected[inspected["outcome"] == "held"]
    low, high = _interval(len(held), len(inspected))
    assert low < 0.2 < high and (held["clearance_h"] >= 5).all()
    orders = order_table(run)
    destroyed = orders[orders["end_reason"] == "destroyed"]
    assert len(destroyed) == (inspected["outcome"] == "destroyed").sum() > 0
    lab_cost = 100 * (visits["lab"] == 1).sum()
    assert run.costs_cny["inspection"] >= lab_cost


def test_a_first_line_hold_delays_the_consignment_and_a_return_loses_it() -> None:
    cp = "customs.checkpoints.qingdao_first_line"
    held = simulate(
        load_builtin(
            "bonded_import_small",
            [
                *SHORT,
                f"{cp}.inspection_probability=1",
                f"{cp}.outcomes={{hold: 1, hold_time_h: {{kind: deterministic, value: 30}}}}",
            ],
        )
    )
    first = held.clearances[held.clearances["role"] == "first_line"]
    assert len(first) > 0 and (first["outcome"] == "held").all() and (first["clearance_h"] >= 30).all()
    lost = simulate(load_builtin("bonded_import_small", [*SHORT, f"{cp}.inspection_probability=1",
                                                          f"{cp}.failure_probability=1"]))  # fmt: skip
    cons = lost.consignments
    assert len(cons) > 0 and (cons["mode"] == "1210").all()
    # every container reaching the first line is returned: none of its stock is ever received
    assert set(cons["outcome"]) <= {"returned", "in_transit"} and (cons["outcome"] == "returned").any()
    assert cons["received_h"].isna().all()


class _InspectDiscredited:
    """A user's selection policy: inspect discredited traders' parcels only."""

    def probability(self, item: Declared) -> float:
        return 1.0 if item.tier == 3 else 0.0


def test_a_registered_selection_policy_is_used_by_name_and_checked_up_front() -> None:
    SELECTION.register("test_discredited_only", lambda checkpoint: _InspectDiscredited())
    try:
        run = simulate(
            load_builtin(
                "pilot_zone_mixed",
                [
                    "run.horizon_h=24",
                    "run.cooldown_h=24",
                    "disruptions=[]",
                    "customs.checkpoints.tao_import.selection=test_discredited_only",
                ],
            )
        )
        visits = run.clearances[run.clearances["checkpoint"] == "tao_import"]
        assert len(visits) > 0
        inspected = visits["inspected"] == 1
        assert (inspected == (visits["credit_tier"] == "discredited")).all() and inspected.any()
    finally:
        SELECTION.unregister("test_discredited_only")
    with pytest.raises(ScenarioError, match=r"customs\.checkpoints\.2\.selection.*'nope'"):
        simulate(load_builtin("pilot_zone_mixed", ["customs.checkpoints.tao_import.selection=nope"]))
