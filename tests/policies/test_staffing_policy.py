"""Staffing (how many workers each shift calls in) is a policy like every other: a Protocol, a registry by name,
a scenario field (`staffing`); the Staffing environment's agent goes through the same registry."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from logistics.analysis.kpis import run_kpis
from logistics.core.errors import ScenarioError
from logistics.policies.staffing import STAFFING
from logistics.scenario.builtin import load_named
from logistics.sim.engine import CrossBorderModel, simulate

SHORT = ["run.horizon_h=24", "run.cooldown_h=24", "run.seed=5"]


class Doubled:
    """Twice the plan's workers for every shift starting before `until_h`."""

    def __init__(self, until_h: float = 1e9) -> None:
        self.until_h = until_h
        self.calls = 0

    def choose(self, now_h: float, calls: list[Any]) -> list[int]:
        self.calls += len(calls)
        return [2 * c.span.workers for c in calls]


def _labour(overrides: list[str]) -> float:
    table = run_kpis(simulate(load_named("bonded_import_small", [*SHORT, *overrides]), 0))
    return float(table.loc[table["kpi"] == "cost.labour_cny", "value"].iloc[0])


def test_the_plan_needs_no_roster_and_a_named_policy_staffs_every_shift() -> None:
    assert CrossBorderModel(load_named("bonded_import_small", SHORT), 0).roster is None
    made: list[Doubled] = []
    STAFFING.register("doubled", lambda until_h=1e9: made.append(Doubled(until_h)) or made[-1])
    try:
        plan = _labour([])
        doubled = _labour(["staffing=doubled"])
        again = _labour(["staffing={name: doubled, params: {until_h: 0}}"])  # from hour 0 on: the plan
    finally:
        STAFFING.unregister("doubled")
    assert any(m.calls > 0 for m in made[:2]) and doubled > 1.5 * plan  # paid for twice the workers
    assert again == pytest.approx(plan)


def test_an_unknown_staffing_policy_is_refused_naming_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"staffing: .*no staffing policy called 'robots'"):
        simulate(load_named("bonded_import_small", [*SHORT, "staffing=robots"]), 0)


def test_the_environment_staffs_through_the_registry_and_leaves_nothing_behind() -> None:
    import logistics.sim.rota as rota_module
    from logistics.rl import StaffingEnv

    assert not hasattr(rota_module, "STAFFING_DECISION")  # no injection channel beside the registry
    env = StaffingEnv("bonded_import_small", SHORT)
    name = env._decision_name
    assert name in STAFFING
    env.reset(seed=1)
    env.close()
    del env
    gc.collect()
    assert name not in STAFFING
