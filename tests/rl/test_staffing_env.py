"""The Staffing environment: Gymnasium's checker, determinism, equivalence with `logistics run` when the agent
calls in the scenario's plan (on scenarios with every kind of paid role), the labour reward adding up to the
run's labour cost, and call-ins that differ from the plan changing the run."""

from __future__ import annotations

from collections.abc import Callable

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import logistics.rl  # noqa: F401 (registers the environments)
from logistics.rl import StaffingEnv
from logistics.scenario import builtin_names
from logistics.scenario.builtin import load_named
from logistics.sim.engine import simulate
from tests.rl.helpers import assert_kpis_of_logistics_run

SHORT = ["run.horizon_h=48", "run.cooldown_h=48", "disruptions=[]"]
Act = Callable[[dict], np.ndarray]


def _plan(info: dict) -> np.ndarray:
    return info["planned"]


def _episode(env: StaffingEnv, seed: int, act: Act) -> tuple[list, list, list[dict]]:
    obs, info = env.reset(seed=seed)
    observations, rewards, infos = [obs], [], [info]
    while True:
        obs, reward, terminated, _, info = env.step(act(info))
        observations.append(obs)
        rewards.append(reward)
        infos.append(info)
        if terminated:
            return observations, rewards, infos


def _random(env: StaffingEnv, seed: int) -> Act:
    rng = np.random.default_rng(seed)
    return lambda info: rng.integers(env.low, env.high + 1)


def test_the_staffing_environment_passes_gymnasiums_checker_and_replays() -> None:
    env = gymnasium.make("logistics/Staffing-v0").unwrapped
    assert isinstance(env, StaffingEnv)
    check_env(env, skip_render_check=True)
    a = _episode(env, 4, _random(env, 2))
    b = _episode(env, 4, _random(env, 2))
    c = _episode(env, 5, _random(env, 2))
    env.close()
    assert all(np.array_equal(x, y) for x, y in zip(a[0], b[0], strict=True)) and a[1] == b[1]
    assert a[2][-1]["kpis"] == b[2][-1]["kpis"]
    assert a[2][-1]["kpis"] != c[2][-1]["kpis"]


@pytest.mark.parametrize(
    ("scenario", "overrides"),
    [
        ("bonded_import_small", []),  # receiving teams, pickers, packers
        pytest.param(  # the floor: doors, put-away, pick lists
            "bonded_import_peak", ["run.horizon_h=48", "run.cooldown_h=24"], marks=pytest.mark.slow
        ),
        ("direct_mail_export", SHORT),  # a flow's own stations
        ("pilot_zone_mixed", ["run.horizon_h=24", "run.cooldown_h=24", "disruptions=[]"]),  # warehouses and flows
    ],
)
def test_calling_in_the_plan_gives_exactly_the_kpis_of_logistics_run(scenario: str, overrides: list[str]) -> None:
    env = StaffingEnv(scenario, overrides)
    _, rewards, infos = _episode(env, 11, _plan)
    env.close()
    kpis = infos[-1]["kpis"]
    assert_kpis_of_logistics_run(kpis, scenario, overrides, 11)
    assert len(rewards) >= 2
    # every paid station of these scenarios is staffed by shift: the episode's labour is the run's
    assert sum(i.get("labour_cny", 0.0) for i in infos[1:]) == pytest.approx(kpis["cost.labour_cny"], rel=1e-12)
    assert sum(i["call_ins"] for i in infos[1:]) == sum(int(i["planned"] @ i["starting"]) for i in infos[:-1])
    run = simulate(load_named(scenario, [*overrides, "run.seed=11"]), 0)
    dispatched = [(t["dispatched_h"] <= run.end_h).sum() for t in (run.orders, run.flow_orders) if len(t)]
    assert sum(i["dispatched"] for i in infos[1:]) == sum(dispatched) > 0


@pytest.mark.slow
@pytest.mark.parametrize("scenario", builtin_names())
def test_on_every_built_in_scenario_the_plan_is_logistics_run_and_random_call_ins_run(scenario: str) -> None:
    overrides = ["run.horizon_h=36", "run.cooldown_h=24", "disruptions=[]"]
    env = StaffingEnv(scenario, overrides)
    observations, _, infos = _episode(env, 5, _plan)
    assert_kpis_of_logistics_run(infos[-1]["kpis"], scenario, overrides, 5)
    observations, _, infos = _episode(env, 6, _random(env, 1))
    env.close()
    assert all(env.observation_space.contains(o) for o in observations) and "kpis" in infos[-1]


def test_other_call_ins_change_the_run_and_its_labour_is_what_they_staffed() -> None:
    env = StaffingEnv("bonded_import_small")
    plan = _episode(env, 3, _plan)[2][-1]["kpis"]
    _, rewards, infos = _episode(env, 3, lambda info: np.maximum(env.low, info["planned"] // 2))
    kpis = infos[-1]["kpis"]
    assert kpis["cost.labour_cny"] < plan["cost.labour_cny"]
    assert kpis["warehouse.cycle_time_h.mean"] > plan["warehouse.cycle_time_h.mean"]
    assert kpis["resource.warehouse.pick.utilisation"] > plan["resource.warehouse.pick.utilisation"]
    assert sum(i.get("labour_cny", 0.0) for i in infos[1:]) == pytest.approx(kpis["cost.labour_cny"], rel=1e-12)
    paid = [
        i["labour_cny"] + env.call_in_cny * i["call_ins"] + env.late_penalty_cny_per_h * i["late_h"] for i in infos[1:]
    ]
    assert rewards == pytest.approx([-p for p in paid], rel=1e-12)
    # nobody on the pickers' shifts in the horizon: nothing is picked before the cool-down, orders pass the
    # dispatch promise (48 h) waiting
    _, _, infos = _episode(env, 3, lambda info: np.where(_picking(env), 0, info["planned"]))
    env.close()
    late = sum(i["late_h"] for i in infos[1:])
    assert late > 5 * sum(i["late_h"] for i in _episode(env, 3, _plan)[2][1:])
    assert infos[-1]["kpis"]["service.on_time_dispatch_rate"] < plan["service.on_time_dispatch_rate"] - 0.1


def _picking(env: StaffingEnv) -> np.ndarray:
    return np.array(["pick@" in role for role in env.roles])


def test_bad_bounds_and_actions_and_a_scenario_without_shifts_are_named() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        StaffingEnv("bonded_import_small", bounds={"nobody@day": (0, 3)})
    with pytest.raises(ValueError, match="need 0 <= low <= high"):
        StaffingEnv("bonded_import_small", bounds={"warehouse.pick@day": (5, 2)})
    flat = [f"flows.0.warehouse.{r}.workers=4" for r in ("pick", "pack")] + ["flows.0.warehouse.receiving.teams=2"]
    with pytest.raises(ValueError, match="no paid station staffed by shift"):
        StaffingEnv("bonded_import_small", flat)
    env = StaffingEnv("bonded_import_small", bounds={"warehouse.pick@day": (2, 9)})
    env.reset(seed=1)
    with pytest.raises(ValueError, match="outside the action space"):
        env.step(env.high + 1)
    env.close()


def test_closing_in_the_middle_of_an_episode_ends_its_run() -> None:
    env = StaffingEnv("bonded_import_small")
    _, info = env.reset(seed=2)
    env.step(info["planned"])
    driver = env._driver
    assert driver is not None
    env.close()  # (at a boundary where several stations start shifts: each asks on the way out)
    assert not driver._thread.is_alive()


@pytest.mark.parametrize("kind", ["sync", pytest.param("async", marks=pytest.mark.slow)])
def test_vector_environments_run_the_same_staffing_episodes(kind: str) -> None:
    vector = gymnasium.vector.SyncVectorEnv if kind == "sync" else gymnasium.vector.AsyncVectorEnv
    envs = vector([lambda: StaffingEnv("bonded_import_small") for _ in range(2)])
    obs, info = envs.reset(seed=[3, 3])
    assert np.array_equal(obs[0], obs[1])
    for _ in range(3):
        obs, rewards, _, _, info = envs.step(info["planned"])
        assert np.array_equal(obs[0], obs[1]) and rewards[0] == rewards[1]
    envs.close()
