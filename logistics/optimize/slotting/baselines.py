"""Slotting baselines: random storage, ABC class-based storage and the COI greedy."""

from __future__ import annotations

import numpy as np

from logistics.optimize.slotting.flow import _finish, _greedy, _max_placeable, _solve_flow
from logistics.optimize.slotting.problem import SlottingPlan, SlottingProblem


def _random_fill(
    problem: SlottingProblem, rng: np.random.Generator, tier: np.ndarray, region: np.ndarray, n_tiers: int
) -> np.ndarray:
    """Each SKU (most constrained groups first, random order within) takes random free fitting slots, from its
    own region first (tier t prefers region t, then the nearest others)."""
    n_types = problem.feasible.shape[1]
    pools: dict[tuple[int, int], list[int]] = {}
    for t in range(n_types):
        for r in range(n_tiers):
            members = np.flatnonzero((problem.slot_type == t) & (region == r))
            pools[(t, r)] = rng.permutation(members).tolist()
    fitting = (problem.feasible * np.bincount(problem.slot_type, minlength=n_types)[None, :]).sum(axis=1)
    order = np.lexsort((rng.random(len(problem.skus)), fitting[problem.sku_type], tier))
    sku_of_slot = np.full(len(problem.layout.slots), -1, dtype=np.int64)
    for i in order.tolist():
        types = np.flatnonzero(problem.feasible[problem.sku_type[i]]).tolist()
        own = int(tier[i])
        preference = sorted(range(n_tiers), key=lambda r: (abs(r - own), r))
        for _ in range(int(problem.skus.slots[i])):
            for r in preference:
                free = np.array([float(len(pools[(t, r)])) for t in types])
                if free.sum() > 0:
                    t = int(types[rng.choice(len(types), p=free / free.sum())])
                    sku_of_slot[pools[(t, r)].pop()] = i
                    break
    return sku_of_slot


def _baseline(
    problem: SlottingProblem, rng: np.random.Generator, method: str, tier: np.ndarray, region: np.ndarray, n: int
) -> SlottingPlan:
    sku_of_slot = _random_fill(problem, rng, tier, region, n)
    placed = int((sku_of_slot >= 0).sum())
    stats: dict = {}
    if placed < _max_placeable(problem)[0]:  # random filling stranded loads a plan could place: use the flow
        value = np.array([100.0, 10.0, 1.0])[np.minimum(tier, 2)] * rng.uniform(0.5, 1.5, len(problem.skus))
        cost = region * 1000.0 + rng.integers(1, 201, len(problem.layout.slots))
        sku_of_slot, stats, _ = _solve_flow(problem, value, cost)
        stats["fallback"] = "random filling stranded loads; placed by a min-cost flow with random costs"
    return _finish(problem, method, sku_of_slot, "feasible", stats)


def _random(problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
    """Random storage: every SKU in random fitting slots."""
    n_slots = len(problem.layout.slots)
    return _baseline(problem, rng, "random", np.zeros(len(problem.skus), np.int64), np.zeros(n_slots, np.int64), 1)


def _abc(problem: SlottingProblem, rng: np.random.Generator, shares: tuple[float, float] = (0.8, 0.95)) -> SlottingPlan:
    """Class-based storage: A SKUs make the first 80% of picks, B the next 15%, C the rest; the slots are split
    into regions by travel cost in proportion to each class's slot loads; random storage within a region."""
    skus = problem.skus
    order = np.argsort(-skus.picks, kind="stable")
    cum = np.cumsum(skus.picks[order]) / max(float(skus.picks.sum()), 1e-12)
    tier = np.empty(len(skus), dtype=np.int64)
    tier[order] = np.minimum(np.searchsorted(np.asarray(shares), cum - 1e-12, side="left"), 2)
    loads = np.bincount(tier, weights=skus.slots, minlength=3)
    n_slots = len(problem.layout.slots)
    cost_rank = np.empty(n_slots, dtype=np.int64)
    cost_rank[np.argsort(problem.layout.travel_cost_m, kind="stable")] = np.arange(n_slots)
    bounds = np.cumsum(loads)[:2] / loads.sum() * n_slots
    region = np.searchsorted(bounds, cost_rank, side="right")
    plan = _baseline(problem, rng, "abc", tier, region, 3)
    plan.stats["classes_abc"] = {k: int((tier == i).sum()) for i, k in enumerate("ABC")}
    return plan


def _coi_greedy(problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
    """Cube-per-order index greedy: SKUs by picks per slot (highest first), each taking the cheapest free slots
    that fit it. Not optimal when constraints bind: the flow model is."""
    value = problem.skus.picks / problem.skus.slots
    sku_of_slot = _greedy(problem, value, problem.layout.travel_cost_m)
    return _finish(problem, "coi_greedy", sku_of_slot, "feasible", {})
