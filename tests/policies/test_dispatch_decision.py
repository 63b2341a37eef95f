"""The dispatch decision (who goes in a wave) is a policy like every other: a Protocol, a registry by name, a
scenario field (`last_mile.dispatch.decision`); the Dispatch environment's agent goes through the same registry."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from logistics.analysis.kpis import run_kpis
from logistics.core.errors import ScenarioError
from logistics.policies.dispatch import DISPATCH_DECISIONS
from logistics.scenario.builtin import load_named
from logistics.sim.engine import simulate

SHORT = ["run.horizon_h=24", "run.cooldown_h=24", "run.seed=3"]


class UrgentOnly:
    """Sends only the parcels due within `within_h` hours."""

    def __init__(self, within_h: float = 24.0) -> None:
        self.within_h = within_h
        self.sent: list[int] = []

    def choose(self, depot: Any, waiting: list[int], now_h: float) -> list[int]:
        chosen = [o for o in waiting if depot.due_h[o] <= now_h + self.within_h]
        self.sent.append(len(chosen))
        return chosen


def _kpis(overrides: list[str]) -> dict[str, float]:
    table = run_kpis(simulate(load_named("last_mile_city", [*SHORT, *overrides]), 0))
    table = table[~table["unit"].astype(str).str.contains("wall")]  # wall-clock timings never replay
    return dict(zip(table["kpi"], table["value"], strict=True))


def test_a_registered_decision_named_in_the_scenario_decides_the_waves() -> None:
    made: list[UrgentOnly] = []

    def factory(within_h: float = 24.0) -> UrgentOnly:
        made.append(UrgentOnly(within_h))
        return made[-1]

    DISPATCH_DECISIONS.register("urgent_only", factory)
    try:
        send_all = _kpis([])
        assert _kpis(["last_mile.dispatch.decision=send_all"]) == pytest.approx(send_all, nan_ok=True)
        held = _kpis(["last_mile.dispatch.decision={name: urgent_only, params: {within_h: 6}}"])
    finally:
        DISPATCH_DECISIONS.unregister("urgent_only")
    assert made and made[-1].within_h == 6 and len(made[-1].sent) > 0  # asked at every wave
    assert held["orders.delivered"] < send_all["orders.delivered"]  # parcels held back are delivered later


def test_an_unknown_decision_or_parameter_is_refused_naming_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"last_mile\.dispatch\.decision.*no dispatch decision policy called 'x'"):
        simulate(load_named("last_mile_city", [*SHORT, "last_mile.dispatch.decision=x"]), 0)
    with pytest.raises(ScenarioError, match=r"dispatch decision policy 'send_all' has no parameter 'n'"):
        simulate(
            load_named("last_mile_city", [*SHORT, "last_mile.dispatch.decision={name: send_all, params: {n: 1}}"]), 0
        )


def test_the_environment_decides_through_the_registry_and_leaves_nothing_behind() -> None:
    import logistics.sim.dispatch as dispatch_module
    from logistics.rl import DispatchEnv

    assert not hasattr(dispatch_module, "DISPATCH_DECISION")  # no injection channel beside the registry
    env = DispatchEnv("last_mile_city", SHORT)
    name = env._decision_name
    assert name in DISPATCH_DECISIONS
    env.reset(seed=1)
    env.close()
    del env
    gc.collect()
    assert name not in DISPATCH_DECISIONS
