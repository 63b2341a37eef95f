"""What the learning examples share (numpy only): the cost of an episode under a policy, the cross-entropy
method over a parameter vector, and the held-out comparison of a learned policy against baselines with common
random numbers (the same seeds for every policy) and paired 95% intervals."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import gymnasium
import numpy as np

from logistics.analysis.stats import mean_ci

Policy = Callable[[np.ndarray, dict], np.ndarray]


def search_arguments(parser: argparse.ArgumentParser, out: str) -> argparse.ArgumentParser:
    """The options every learning example takes: the search's budget, the seeds, where the record goes."""
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--population", type=int, default=8)
    parser.add_argument("--elite", type=int, default=2)
    parser.add_argument("--train", type=int, default=2, help="training seeds (0..train-1)")
    parser.add_argument("--test", type=int, default=10, help="held-out seeds (1000..1000+test-1)")
    parser.add_argument("--out", type=Path, default=Path(out))
    return parser


def play(env: gymnasium.Env, seed: int, policy: Policy) -> tuple[float, dict]:
    """Minus the total reward of one episode (its cost, CNY) with `reset(seed=seed)`, `policy(obs, info)`
    choosing each action, and the episode's last info (its `kpis`)."""
    obs, info = env.reset(seed=seed)
    total = 0.0
    while True:
        obs, reward, terminated, truncated, info = env.step(policy(obs, info))
        total -= reward
        if terminated or truncated:
            return total, info


def episode_cost(env: gymnasium.Env, seed: int, policy: Policy) -> float:
    """The cost (CNY) of one episode: see `play`."""
    return play(env, seed, policy)[0]


def cross_entropy(
    cost: Callable[[np.ndarray], float],
    mean: np.ndarray,
    sd: np.ndarray,
    *,
    iterations: int,
    population: int,
    elite: int,
    rng: np.random.Generator,
    floor_sd: float = 0.05,
) -> np.ndarray:
    """The cross-entropy method: sample `population` parameter vectors around `mean`, keep the `elite` cheapest
    (`cost`), refit mean and sd (plus `floor_sd`, so the search does not collapse), `iterations` times."""
    for iteration in range(iterations):
        candidates = mean + sd * rng.standard_normal((population, len(mean)))
        costs = [cost(theta) for theta in candidates]
        best = candidates[np.argsort(costs)[:elite]]
        mean, sd = best.mean(axis=0), best.std(axis=0) + floor_sd
        print(f"iteration {iteration + 1}: best {min(costs):,.0f}, mean {np.mean(costs):,.0f} CNY (training seeds)")
    return mean


def compare(results: dict[str, list[float]], learned: str, baselines: list[str], fmt: str = ",.0f") -> dict[str, dict]:
    """Learned minus each baseline on the same seeds: mean difference and its paired 95% interval (printed with
    `fmt`)."""
    rows = {}
    for name in baselines:
        diff = np.array(results[learned]) - np.array(results[name])
        mean_d, half, _ = mean_ci(diff)
        rows[name] = {"baseline_mean": float(np.mean(results[name])), "difference": mean_d,
                      "ci95": [mean_d - half, mean_d + half]}  # fmt: skip
        base, low, high = np.mean(results[name]), mean_d - half, mean_d + half
        print(f"  {name:<18} baseline {base:>10{fmt}}  learned - baseline {mean_d:>+9{fmt}} "
              f"[{low:+{fmt}}, {high:+{fmt}}]")  # fmt: skip
    return rows
