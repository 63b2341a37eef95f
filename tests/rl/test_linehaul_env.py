"""The LinehaulAllocation environment: Gymnasium's checker, determinism, equivalence with `logistics run` for
both built-in allocation policies (each as an agent), and a decision that differs."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from logistics.rl import POLICY, LinehaulAllocationEnv
from tests.rl.helpers import assert_kpis_of_logistics_run, episode

SHORT = ["run.horizon_h=48", "run.cooldown_h=48"]
GROUP = "network.lane_groups.0.allocation"


def _episode(env: LinehaulAllocationEnv, seed: int, actions: np.random.Generator | None) -> tuple[list, list, dict]:
    return episode(env, seed, lambda: POLICY if actions is None else actions.integers(0, 6, size=4))


def test_the_linehaul_environment_passes_gymnasiums_checker_and_replays() -> None:
    env = LinehaulAllocationEnv("direct_mail_two_services", SHORT)
    check_env(env, skip_render_check=True)
    a = _episode(env, 4, np.random.default_rng(2))
    b = _episode(env, 4, np.random.default_rng(2))
    env.close()
    assert all(np.array_equal(x, y) for x, y in zip(a[0], b[0], strict=True)) and a[1] == b[1]
    assert a[2]["kpis"] == b[2]["kpis"]


@pytest.mark.parametrize("policy", ["{name: fcfs}", None])  # None: the scenario's own (optimized)
def test_each_built_in_policy_as_an_agent_gives_exactly_the_kpis_of_logistics_run(policy: str | None) -> None:
    overrides = [*SHORT, *([f"{GROUP}={policy}"] if policy else [])]
    env = LinehaulAllocationEnv("direct_mail_two_services", overrides)
    _, rewards, info = _episode(env, 7, None)
    env.close()
    assert_kpis_of_logistics_run(info["kpis"], "direct_mail_two_services", overrides, 7)
    assert len(rewards) >= 3


def test_boarding_nobody_changes_the_run() -> None:
    env = LinehaulAllocationEnv("direct_mail_two_services", SHORT)
    base = _episode(env, 1, None)[2]["kpis"]
    env.reset(seed=1)
    while True:
        _, _, terminated, _, info = env.step(np.zeros(4, dtype=np.int64))
        if terminated:
            break
    env.close()
    assert info["kpis"] != base


def test_the_agent_allocates_through_the_registry_and_leaves_nothing_behind() -> None:
    import gc

    import logistics.sim.steps as steps_module
    from logistics.policies.linehaul import ALLOCATION
    from logistics.rl import LinehaulAllocationEnv

    assert not hasattr(steps_module, "LINEHAUL_DECISION")  # no injection channel beside the registry
    env = LinehaulAllocationEnv("direct_mail_two_services", ["run.horizon_h=24", "run.cooldown_h=24"])
    name = env._decision_name
    assert name in ALLOCATION and any(name in o for o in env.overrides)
    env.reset(seed=1)
    env.close()
    del env
    gc.collect()
    assert name not in ALLOCATION
