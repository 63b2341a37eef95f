"""Environment steps per second (issue 18): the Dispatch environment on `last_mile_city` (a 48-hour run),
alone and in a vector of 2 (sync and async, on this 2-core machine), beside the plain simulation of the same
scenario (`simulate`, the built-in decision).

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
from logistics.rl import SEND_ALL, DispatchEnv
from logistics.scenario.builtin import load_named
from logistics.sim.engine import simulate

OUT = Path(__file__).resolve().parent / "out"
SCENARIO, OVERRIDES = "last_mile_city", ["run.horizon_h=48", "run.cooldown_h=48"]


def single(episodes: int) -> tuple[float, int, float]:
    env = DispatchEnv(SCENARIO, OVERRIDES)
    steps, started = 0, time.perf_counter()
    for seed in range(episodes):
        env.reset(seed=seed)
        while True:
            _, _, terminated, _, _ = env.step(SEND_ALL)
            steps += 1
            if terminated:
                break
    wall = time.perf_counter() - started
    env.close()
    return steps / wall, steps, wall


def vector(kind: str, episodes: int) -> tuple[float, int, float]:
    make = [lambda: DispatchEnv(SCENARIO, OVERRIDES) for _ in range(2)]
    envs = gymnasium.vector.SyncVectorEnv(make) if kind == "sync" else gymnasium.vector.AsyncVectorEnv(make)
    envs.reset(seed=[0, 1])
    steps, done, started = 0, 0, time.perf_counter()
    while done < 2 * episodes:
        _, _, terminated, truncated, _ = envs.step(np.stack([SEND_ALL, SEND_ALL]))
        steps += 2
        done += int(np.sum(terminated | truncated))
    wall = time.perf_counter() - started
    envs.close()
    return steps / wall, steps, wall


def plain(episodes: int) -> float:
    started = time.perf_counter()
    for seed in range(episodes):
        simulate(load_named(SCENARIO, [*OVERRIDES, f"run.seed={seed}"]), 0)
    return (time.perf_counter() - started) / episodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=3)
    args = parser.parse_args()
    rows = {"single": single(args.episodes), "sync x2": vector("sync", args.episodes),
            "async x2": vector("async", args.episodes)}  # fmt: skip
    episode_s = plain(args.episodes)
    print(f"{'':<10}{'steps/s':>10}{'steps':>8}{'wall s':>9}")
    for name, (rate, steps, wall) in rows.items():
        print(f"{name:<10}{rate:>10.2f}{steps:>8}{wall:>9.1f}")
    print(f"plain simulation of the same scenario: {episode_s:.2f} s an episode")
    OUT.mkdir(exist_ok=True)
    record = {"machine": f"{platform.machine()}, Python {platform.python_version()}", "episodes": args.episodes,
              "envs": {k: {"steps_per_s": r, "steps": s, "wall_s": w} for k, (r, s, w) in rows.items()},
              "plain_episode_s": episode_s}  # fmt: skip
    (OUT / "rl_envs.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
