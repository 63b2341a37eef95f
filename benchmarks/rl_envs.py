"""Environment steps per second (issue 18): the Dispatch environment on `last_mile_city`, the
LinehaulAllocation environment on `direct_mail_two_services` and the Staffing environment on
`bonded_import_peak` (48-hour runs), alone and in a vector of 2 (sync and async, on this 2-core machine), beside
the plain simulation of the same scenario (`simulate`, the built-in decision: every environment is driven by the
built-in policy).

    python benchmarks/rl_envs.py [--episodes 3] [--only Staffing]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import gymnasium
import numpy as np

import logistics.rl  # noqa: F401
from logistics.rl import POLICY, SEND_ALL, DispatchEnv, LinehaulAllocationEnv, StaffingEnv
from logistics.scenario.builtin import load_named
from logistics.sim.engine import simulate

OUT = Path(__file__).resolve().parent / "out"
OVERRIDES = ["run.horizon_h=48", "run.cooldown_h=48"]


def _fixed(action: np.ndarray) -> Callable[[dict, int | None], np.ndarray]:
    return lambda info, n: action if n is None else np.stack([action] * n)


class _Plan:
    """The Staffing environment's built-in policy: the plan in `info` (a vector's info stacks it; a vector step
    where every environment ended shows none, and the next step's actions are not used: the last one again)."""

    last: np.ndarray | None = None

    def __call__(self, info: dict, n: int | None) -> np.ndarray:
        if "planned" in info:
            self.last = info["planned"]
        assert self.last is not None
        return self.last


_plan = _Plan()


ENVS = {
    "Dispatch": (DispatchEnv, "last_mile_city", _fixed(SEND_ALL)),
    # the fast setting for training: nearest-neighbour routes instead of the scenario's OR-Tools
    "DispatchFast": (partial(DispatchEnv, routing="nearest_neighbour"), "last_mile_city", _fixed(SEND_ALL)),
    "LinehaulAllocation": (LinehaulAllocationEnv, "direct_mail_two_services", _fixed(POLICY)),
    "Staffing": (StaffingEnv, "bonded_import_peak", _plan),
}


def single(kind: str, episodes: int) -> tuple[float, int, float]:
    cls, scenario, act = ENVS[kind]
    env = cls(scenario, OVERRIDES)
    steps, started = 0, time.perf_counter()
    for seed in range(episodes):
        _, info = env.reset(seed=seed)
        while True:
            _, _, terminated, _, info = env.step(act(info, None))
            steps += 1
            if terminated:
                break
    wall = time.perf_counter() - started
    env.close()
    return steps / wall, steps, wall


def vector(kind: str, mode: str, episodes: int) -> tuple[float, int, float]:
    cls, scenario, act = ENVS[kind]
    make = [lambda: cls(scenario, OVERRIDES) for _ in range(2)]
    envs = gymnasium.vector.SyncVectorEnv(make) if mode == "sync" else gymnasium.vector.AsyncVectorEnv(make)
    _, info = envs.reset(seed=[0, 1])
    steps, done, started = 0, 0, time.perf_counter()
    while done < 2 * episodes:
        _, _, terminated, truncated, info = envs.step(act(info, 2))
        steps += 2
        done += int(np.sum(terminated | truncated))
    wall = time.perf_counter() - started
    envs.close()
    return steps / wall, steps, wall


def plain(kind: str, episodes: int) -> float:
    scenario = ENVS[kind][1]
    extra = ["last_mile.dispatch.policy=nearest_neighbour"] if kind == "DispatchFast" else []
    started = time.perf_counter()
    for seed in range(episodes):
        simulate(load_named(scenario, [*OVERRIDES, *extra, f"run.seed={seed}"]), 0)
    return (time.perf_counter() - started) / episodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--only", choices=list(ENVS), action="append", help="these environments only")
    args = parser.parse_args()
    record: dict = {"machine": f"{platform.machine()}, Python {platform.python_version()}", "episodes": args.episodes}
    for kind in args.only or list(ENVS):
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
    name = "rl_envs.json" if not args.only else f"rl_envs_{'_'.join(args.only)}.json"
    (OUT / name).write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
