"""Gap of every pick-routing heuristic to the optimal tour over random pick lists (issue 4, part c).

    python benchmarks/pick_routing.py --lists 20000 --max-picks 30

Single-block layout: 10 aisles of 25 m, 3 m apart, pick-and-drop point in front of the leftmost aisle. Pick
lists of 1..max picks drawn uniformly. The optimum is Ratliff-Rosenthal (any length); lists of up to 9 picks
are also solved by Held-Karp as an independent check. Prints mean and max gap (%) per policy and per list
size, and counts any case where a heuristic beat the optimum (must be zero).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"


def run(lists: int, max_picks: int, seed: int) -> dict:  # type: ignore[type-arg]
    """Evaluate every policy on `lists` random pick lists; returns the summary that is printed."""
    from logistics.optimize.picking.single_block import (
        POLICIES,
        Pick,
        PickLists,
        SingleBlockLayout,
        held_karp_tour_m,
        pick_tours_m,
    )

    layout = SingleBlockLayout(aisles=10, aisle_length_m=25.0, aisle_spacing_m=3.0)
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, max_picks + 1, lists)
    ptr = np.concatenate([[0], np.cumsum(sizes)])
    packed = PickLists(ptr, rng.integers(0, 10, ptr[-1]), rng.uniform(0, 25, ptr[-1]))
    t0 = time.perf_counter()
    values = {p: pick_tours_m(layout, packed, p) for p in POLICIES}
    wall = time.perf_counter() - t0
    best = values["optimal"]
    small = np.flatnonzero(sizes <= 9)[:300]
    hk_mismatch = 0
    for k in small.tolist():
        picks = [
            Pick(int(a), float(y))
            for a, y in zip(packed.aisle[ptr[k] : ptr[k + 1]], packed.y_m[ptr[k] : ptr[k + 1]], strict=True)
        ]
        hk_mismatch += abs(held_karp_tour_m(layout, picks) - best[k]) > 1e-6
    heuristics = [p for p in POLICIES if p != "optimal"]
    gaps = {h: 100.0 * (values[h] - best) / best for h in heuristics}
    beaten = int(sum((values[h] < best - 1e-9).sum() for h in heuristics))
    by_size = {int(n): {h: float(gaps[h][sizes == n].mean()) for h in heuristics} for n in np.unique(sizes)}
    multi = _multiblock(min(lists, 1000), 8, seed)
    return {
        "multiblock": multi,
        "lists": lists,
        "max_picks": max_picks,
        "policies_wall_s": wall,
        "summary": {
            h: {"mean_gap_pct": float(gaps[h].mean()), "max_gap_pct": float(gaps[h].max())} for h in heuristics
        },
        "by_size": by_size,
        "beaten": beaten,
        "held_karp_checked": len(small),
        "held_karp_mismatches": int(hk_mismatch),
    }


def _multiblock(lists: int, max_picks: int, seed: int) -> dict:  # type: ignore[type-arg]
    """Three blocks (10 aisles, cross aisles every 12.5 m): heuristic gaps to the exact Held-Karp tour."""
    from logistics.optimize.picking.multiblock import MultiBlockLayout, multiblock_tour
    from logistics.optimize.picking.single_block import Pick

    layout = MultiBlockLayout(10, 3.0, (0.0, 12.5, 25.0, 37.5))
    rng = np.random.default_rng(seed + 1)
    policies = ("s_shape", "largest_gap", "combined")
    gaps: dict[str, list[float]] = {p: [] for p in policies}
    beaten = 0
    t0 = time.perf_counter()
    for _ in range(lists):
        k = int(rng.integers(1, max_picks + 1))
        picks = [Pick(int(a), float(y)) for a, y in zip(rng.integers(0, 10, k), rng.uniform(0, 37.5, k), strict=True)]
        best = multiblock_tour(layout, picks, "optimal").length_m
        for p in policies:
            value = multiblock_tour(layout, picks, p).length_m
            beaten += value < best - 1e-9
            gaps[p].append(100.0 * (value - best) / best)
    return {
        "lists": lists,
        "max_picks": max_picks,
        "wall_s": time.perf_counter() - t0,
        "summary": {p: {"mean_gap_pct": float(np.mean(g)), "max_gap_pct": float(np.max(g))} for p, g in gaps.items()},
        "beaten": int(beaten),
    }


def show(result: dict) -> None:  # type: ignore[type-arg]
    """Print the tables."""
    heuristics = list(result["summary"])
    print(f"{'policy':<12} {'mean gap %':>10} {'max gap %':>10}")
    for h in heuristics:
        print(f"{h:<12} {result['summary'][h]['mean_gap_pct']:>10.2f} {result['summary'][h]['max_gap_pct']:>10.2f}")
    print("\nmean gap % by number of picks:")
    print(f"{'picks':>5} " + " ".join(f"{h:>12}" for h in heuristics))
    for n, row in result["by_size"].items():
        if n in (1, 2, 3, 5, 8, 12, 16, 20, 25, 30):
            print(f"{n:>5} " + " ".join(f"{row[h]:>12.2f}" for h in heuristics))
    print(
        f"\n{result['lists']} lists, all six policies in {result['policies_wall_s']:.2f} s; heuristic shorter than "
        f"the optimum: {result['beaten']} times (must be 0); Ratliff-Rosenthal vs Held-Karp on "
        f"{result['held_karp_checked']} lists: {result['held_karp_mismatches']} mismatches"
    )
    multi = result["multiblock"]
    print(f"\nthree blocks, {multi['lists']} lists of 1-{multi['max_picks']} picks, gap to the Held-Karp tour:")
    for p, row in multi["summary"].items():
        print(f"{p:<12} {row['mean_gap_pct']:>10.2f} {row['max_gap_pct']:>10.2f}")
    print(f"heuristic shorter than the optimum: {multi['beaten']} times; {multi['wall_s']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=20000)
    parser.add_argument("--max-picks", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    result = run(args.lists, args.max_picks, args.seed)
    show(result)
    OUT.mkdir(exist_ok=True)
    (OUT / "pick_routing.json").write_text(json.dumps({"command": " ".join(["python", *sys.argv]), **result}, indent=2))


if __name__ == "__main__":
    main()
