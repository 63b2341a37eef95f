"""The Dispatch environment: Gymnasium's checker, determinism, equivalence with `logistics run` for every
built-in dispatch policy under the built-in decision, vector environments."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import logistics.rl  # noqa: F401  (registers the environments)
from logistics.rl import SEND_ALL, DispatchEnv
from tests.rl.helpers import assert_kpis_of_logistics_run, episode

SHORT = ["run.horizon_h=24", "run.cooldown_h=24"]


def _episode(env: gymnasium.Env, seed: int, actions: np.random.Generator | None) -> tuple[list, list, dict]:
    return episode(env, seed, lambda: SEND_ALL if actions is None else actions.integers([0, 0], [2, 4]))


def test_the_dispatch_environment_passes_gymnasiums_checker() -> None:
    env = DispatchEnv("last_mile_city", SHORT)
    check_env(env, skip_render_check=True)
    env.close()


def test_the_same_seed_gives_the_same_trajectory() -> None:
    env = gymnasium.make("logistics/Dispatch-v0", scenario="last_mile_city", overrides=SHORT)
    a = _episode(env, 5, np.random.default_rng(1))
    b = _episode(env, 5, np.random.default_rng(1))
    other = _episode(env, 6, np.random.default_rng(1))
    env.close()
    assert len(a[0]) == len(b[0]) and all(np.array_equal(x, y) for x, y in zip(a[0], b[0], strict=True))
    assert a[1] == b[1] and a[2]["kpis"] == b[2]["kpis"]
    assert a[2]["kpis"] != other[2]["kpis"]


@pytest.mark.parametrize(
    "policy",
    ["nearest_neighbour", "fixed_zone", "ortools", pytest.param("pyvrp", marks=pytest.mark.slow),
     pytest.param("auto", marks=pytest.mark.slow)],
)  # fmt: skip
def test_the_built_in_decision_gives_exactly_the_kpis_of_logistics_run(policy: str) -> None:
    overrides = [*SHORT, f"last_mile.dispatch.policy={policy}"]
    env = DispatchEnv("last_mile_city", overrides)
    _, rewards, info = _episode(env, 11, None)
    env.close()
    assert_kpis_of_logistics_run(info["kpis"], "last_mile_city", overrides, 11)
    assert len(rewards) >= 2 and all(r <= 0 for r in rewards)


def test_holding_parcels_back_changes_the_run_and_costs_lateness() -> None:
    env = DispatchEnv("last_mile_city", SHORT, late_penalty_cny_per_h=5.0)
    send = _episode(env, 2, None)
    env.reset(seed=2)
    held_rewards = []
    while True:
        _, reward, terminated, _, info = env.step(np.array([0, 3]))  # never dispatch
        held_rewards.append(reward)
        assert info["sent"] == 0
        if terminated:
            break
    env.close()
    assert info["kpis"] != send[2]["kpis"]
    assert info["kpis"]["orders.delivered"] < send[2]["kpis"]["orders.delivered"]


@pytest.mark.parametrize("kind", ["sync", pytest.param("async", marks=pytest.mark.slow)])
def test_vector_environments_run_the_same_episodes(kind: str) -> None:
    make = [lambda: DispatchEnv("last_mile_city", SHORT) for _ in range(2)]
    vector = gymnasium.vector.SyncVectorEnv if kind == "sync" else gymnasium.vector.AsyncVectorEnv
    envs = vector(make)
    obs, _ = envs.reset(seed=[3, 3])
    assert np.array_equal(obs[0], obs[1])
    for _ in range(3):
        obs, rewards, _, _, _ = envs.step(np.stack([SEND_ALL, SEND_ALL]))
        assert np.array_equal(obs[0], obs[1]) and rewards[0] == rewards[1]
    envs.close()


def test_the_fast_routing_setting_is_the_scenario_with_that_policy_and_is_deterministic() -> None:
    from logistics.core.errors import ScenarioError

    env = DispatchEnv("last_mile_city", SHORT, routing="nearest_neighbour")
    a = _episode(env, 4, np.random.default_rng(2))
    b = _episode(env, 4, np.random.default_rng(2))
    _, _, info = _episode(env, 7, None)
    env.close()
    assert all(np.array_equal(x, y) for x, y in zip(a[0], b[0], strict=True)) and a[1] == b[1]
    # the same numbers as `logistics run` with the scenario's dispatch policy set to nearest_neighbour
    assert_kpis_of_logistics_run(
        info["kpis"], "last_mile_city", [*SHORT, "last_mile.dispatch.policy=nearest_neighbour"], 7
    )
    with pytest.raises(ScenarioError, match="no dispatch policy called 'teleport'"):
        DispatchEnv("last_mile_city", SHORT, routing="teleport")
