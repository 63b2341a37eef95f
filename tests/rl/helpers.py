"""What the environment tests share: playing an episode, and the KPIs `logistics run` gives for the same run."""

from __future__ import annotations

from collections.abc import Callable

import gymnasium
import numpy as np

from logistics.analysis.kpis import run_kpis
from logistics.scenario.builtin import load_named
from logistics.sim.engine import simulate


def episode(env: gymnasium.Env, seed: int, act: Callable[[], np.ndarray]) -> tuple[list, list, dict]:
    """Observations, rewards and the last info of one episode, actions from `act`."""
    obs, _ = env.reset(seed=seed)
    observations, rewards = [obs], []
    while True:
        obs, reward, terminated, truncated, info = env.step(act())
        observations.append(obs)
        rewards.append(reward)
        if terminated or truncated:
            return observations, rewards, info


def assert_kpis_of_logistics_run(kpis: dict, scenario: str, overrides: list[str], seed: int) -> None:
    """`kpis` are bit for bit those of simulating the scenario with the overrides and seed (timings aside)."""
    direct = run_kpis(simulate(load_named(scenario, [*overrides, f"run.seed={seed}"]), 0))
    timing = direct["unit"].str.contains("wall")
    expected = dict(zip(direct["kpi"][~timing], direct["value"][~timing], strict=True))
    assert kpis.keys() == expected.keys()
    same = [kpis[k] == v or (np.isnan(kpis[k]) and np.isnan(v)) for k, v in expected.items()]
    assert all(same), [k for k, ok in zip(expected, same, strict=True) if not ok][:5]
