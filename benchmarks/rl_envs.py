"""Environment steps per second (issue 18): the Dispatch environment on `last_mile_city` and the
LinehaulAllocation environment on `direct_mail_two_services` (48-hour runs), alone and in a vector of 2 (sync
and async, on this 2-core machine), beside the plain simulation of the same scenario (`simulate`, the built-in
decision).

    python benchmarks/rl_envs.py [--episodes 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import gymnasium
import numpy as np

import logistics.rl  # noqa: F401
from logistics.rl import POLICY, SEND_ALL, DispatchEnv, LinehaulAllocationEnv
from logistics.scenario.builtin import load_named
from logistics.sim.engine import simulate

OUT = Path(__file__).resolve().parent / "out"
OVERRIDES = ["run.horizon_h=48", "run.cooldown_h=48"]
ENVS = {
    "Dispatch": (DispatchEnv, "last_mile_city", SEND_ALL),
    "LinehaulAllocation": (LinehaulAllocationEnv, "direct_mail_two_services", POLICY),
}


def single(kind: str, episodes: int) -> tuple[float, int, float]:
    cls, scenario, action = ENVS[kind]
    env = cls(scenario, OVERRIDES)
    steps, started = 0, time.perf_counter()
    for seed in range(episodes):
        env.reset(seed=seed)
        while True:
            _, _, terminated, _, _ = env.step(action)
            steps += 1
            if terminated:
                break
    wall = time.perf_counter() - started
    env.close()
    return steps / wall, steps, wall


def vector(kind: str, mode: str, episodes: int) -> tuple[float, int, float]:
    cls, scenario, action = ENVS[kind]
    make = [lambda: cls(scenario, OVERRIDES) for _ in range(2)]
    envs = gymnasium.vector.SyncVectorEnv(make) if mode == "sync" else gymnasium.vector.AsyncVectorEnv(make)
    envs.reset(seed=[0, 1])
    steps, done, started = 0, 0, time.perf_counter()
    while done < 2 * episodes:
        _, _, terminated, truncated, _ = envs.step(np.stack([action, action]))
        steps += 2
        done += int(np.sum(terminated | truncated))
    wall = time.perf_counter() - started
    envs.close()
    return steps / wall, steps, wall


def plain(kind: str, episodes: int) -> float:
    scenario = ENVS[kind][1]
    started = time.perf_counter()
    for seed in range(episodes):
        simulate(load_named(scenario, [*OVERRIDES, f"run.seed={seed}"]), 0)
    return (time.perf_counter() - started) / episodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=3)
    args = parser.parse_args()
    record: dict = {"machine": f"{platform.machine()}, Python {platform.python_version()}", "episodes": args.episodes}
    for kind in ENVS:
        rows = {"single": single(kind, args.episodes), "sync x2": vector(kind, "sync", args.episodes),
                "async x2": vector(kind, "async", args.episodes)}  # fmt: skip
        episode_s = plain(kind, args.episodes)
        print(f"{kind} ({ENVS[kind][1]})")
        print(f"  {'':<10}{'steps/s':>10}{'steps':>8}{'wall s':>9}")
        for name, (rate, steps, wall) in rows.items():
            print(f"  {name:<10}{rate:>10.2f}{steps:>8}{wall:>9.1f}")
        print(f"  plain simulation of the same scenario: {episode_s:.2f} s an episode")
        record[kind] = {"envs": {k: {"steps_per_s": r, "steps": n, "wall_s": w} for k, (r, n, w) in rows.items()},
                        "plain_episode_s": episode_s}  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / "rl_envs.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
