"""Learning a dispatch policy with numpy only: the cross-entropy method over a linear policy on the Dispatch
environment's observation, trained on some seeds and compared on held-out seeds against the built-in
decision (send every waiting parcel) with three routing policies (nearest neighbour, fixed zone, OR-Tools),
with common random numbers (the same seeds for every policy) and paired 95% intervals.

The learned policy decides, at each wave, to dispatch (a linear score > 0) and how far ahead to send (the
largest of four linear scores: parcels due within 12 h, 24 h, 48 h, or all); its routes are built by the
scenario's routing policy (OR-Tools on `last_mile_city`). The cost is the environment's: route costs plus
5 CNY per hour a parcel is delivered late.

    python examples/learn_dispatch.py [--iterations 4 --population 8 --train 2 --test 10 --out out/learn.json]
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
    search_arguments,
)

from logistics.rl import SEND_ALL, DispatchEnv

SCENARIO = "last_mile_city"
SHORT = ["run.horizon_h=48", "run.cooldown_h=48"]
SCALE = np.array([1.0, 100.0, 50.0, 50.0, 50.0, 50.0, 8.0, 100.0, 100.0, 96.0])  # observation -> about 0..1


def act(theta: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """The linear policy: theta = 11 weights of the dispatch score, then 4 x 11 of the horizon scores."""
    x = np.append(obs / SCALE, 1.0)
    dispatch = float(theta[:11] @ x) > 0
    horizon = int(np.argmax(theta[11:].reshape(4, 11) @ x))
    return np.array([int(dispatch), horizon])


def main() -> None:
    parser = search_arguments(argparse.ArgumentParser(description=__doc__.split("\n\n")[0]), "out/learn_dispatch.json")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    env = DispatchEnv(SCENARIO, SHORT)
    started = time.perf_counter()
    # start near the built-in decision: dispatch (bias +1), send all (the fourth horizon score's bias +1)
    mean = np.zeros(55)
    mean[10], mean[11 + 3 * 11 + 10] = 1.0, 1.0
    sd = np.full(55, 0.5)

    def cost(theta: np.ndarray) -> float:
        return float(np.mean([episode_cost(env, s, lambda o, i: act(theta, o)) for s in range(args.train)]))

    mean = cross_entropy(
        cost, mean, sd, iterations=args.iterations, population=args.population, elite=args.elite, rng=rng
    )
    env.close()
    train_s = time.perf_counter() - started
    held_out = list(range(1000, 1000 + args.test))
    results: dict[str, list[float]] = {}
    learned_env = DispatchEnv(SCENARIO, SHORT)
    results["learned"] = [episode_cost(learned_env, s, lambda o, i: act(mean, o)) for s in held_out]
    learned_env.close()
    for name in ("nearest_neighbour", "fixed_zone", "ortools"):
        baseline = DispatchEnv(SCENARIO, [*SHORT, f"last_mile.dispatch.policy={name}"])
        results[name] = [episode_cost(baseline, s, lambda o, i: SEND_ALL) for s in held_out]
        baseline.close()
    print(f"\nheld-out seeds {held_out[0]}-{held_out[-1]}: cost per episode (CNY), learned minus each baseline")
    rows = compare(results, "learned", ["nearest_neighbour", "fixed_zone", "ortools"])
    print(f"  learned mean {np.mean(results['learned']):,.0f}; training {train_s:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {"args": {k: str(v) for k, v in vars(args).items()}, "theta": mean.tolist(), "costs": results,
              "comparisons": rows, "train_s": train_s}  # fmt: skip
    args.out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
