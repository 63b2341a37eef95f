"""Learning call-ins with numpy only: the cross-entropy method over a small policy on the Staffing environment,
trained on some seeds and compared on held-out seeds against the scenario's staffing plan (the built-in
policy), with common random numbers (the same seeds for both) and paired 95% intervals.

The policy calls in, for each role starting a shift, the plan's workers scaled by `exp(theta_role + theta_late *
late orders / 1000)` (rounded, within the environment's bounds): one factor per role, and one reaction to the
orders already past their promise. Starting from theta = 0 (the plan). The cost is the environment's: labour at
the scenario's rate, 20 CNY a worker called in, 5 CNY per hour an order waits past its dispatch promise. Beside
the cost, the held-out episodes' on-time dispatch rate and labour cost (KPIs) are compared the same way.

    python examples/learn_staffing.py [--iterations 4 --population 8 --train 2 --test 10 --out out/learn.json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from cem import (  # (examples/cem.py: this script's folder is on the path)
    compare,
    cross_entropy,
    episode_cost,
    play,
    search_arguments,
)

from logistics.rl import StaffingEnv

SCENARIO = "bonded_import_peak"
SHORT = ["run.horizon_h=48", "run.cooldown_h=48"]
LATE_AT = 3  # the observation's count of orders past their promise


def act(theta: np.ndarray, env: StaffingEnv, obs: np.ndarray, info: dict) -> np.ndarray:
    """The plan's workers scaled per role and by the late backlog, rounded and kept within the bounds."""
    factor = np.exp(theta[:-1] + theta[-1] * obs[LATE_AT] / 1000.0)
    return np.clip(np.rint(info["planned"] * factor), env.low, env.high).astype(np.int64)


def main() -> None:
    parser = search_arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]), "out/learn_staffing.json")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    env = StaffingEnv(SCENARIO, SHORT)
    started = time.perf_counter()
    size = len(env.roles) + 1

    def cost(theta: np.ndarray) -> float:
        episodes = [episode_cost(env, s, lambda o, i: act(theta, env, o, i)) for s in range(args.train)]
        return float(np.mean(episodes))

    theta = cross_entropy(
        cost, np.zeros(size), np.full(size, 0.3), iterations=args.iterations, population=args.population,
        elite=args.elite, rng=rng,
    )  # fmt: skip
    train_s = time.perf_counter() - started
    held_out = list(range(1000, 1000 + args.test))
    played = {
        "learned": [play(env, s, lambda o, i: act(theta, env, o, i)) for s in held_out],
        "plan": [play(env, s, lambda o, i: i["planned"]) for s in held_out],
    }
    env.close()
    results = {name: [cost for cost, _ in runs] for name, runs in played.items()}
    print(f"\nheld-out seeds {held_out[0]}-{held_out[-1]}: cost per episode (CNY), learned minus the plan")
    rows = compare(results, "learned", ["plan"])
    service: dict[str, dict] = {}
    for kpi, fmt in (("service.on_time_dispatch_rate", ".4f"), ("cost.labour_cny", ",.0f")):
        print(f"{kpi}, learned minus the plan")
        values = {name: [info["kpis"][kpi] for _, info in runs] for name, runs in played.items()}
        service[kpi] = {"values": values, **compare(values, "learned", ["plan"], fmt)}
    factors = dict(zip(env.roles, np.round(np.exp(theta[:-1]), 2).tolist(), strict=True))
    print(f"  learned factors of the plan: {factors}; per 1000 late orders x{np.exp(theta[-1]):.2f}")
    print(f"  learned mean {np.mean(results['learned']):,.0f}; training {train_s:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {"args": {k: str(v) for k, v in vars(args).items()}, "theta": theta.tolist(), "factors": factors,
              "costs": results, "comparisons": rows, "kpis": service, "train_s": train_s}  # fmt: skip
    args.out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
