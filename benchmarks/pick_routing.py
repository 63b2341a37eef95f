"""Gap of every pick-routing heuristic to the optimal tour over random pick lists (issue 4, part c).

    python benchmarks/pick_routing.py --lists 2000 --max-picks 12

Single-block layout: 10 aisles of 25 m, 3 m apart, pick-and-drop point in front of the leftmost aisle. Pick
lists of 1..max distinct picks drawn uniformly. Prints mean and max gap (%) per policy and per list size, and
counts any case where a heuristic beat the optimum (must be zero).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=2000)
    parser.add_argument("--max-picks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    from logistics.optimize.picking import POLICIES, Pick, SingleBlockLayout, pick_tour_m

    layout = SingleBlockLayout(aisles=10, aisle_length_m=25.0, aisle_spacing_m=3.0)
    rng = np.random.default_rng(args.seed)
    heuristics = [p for p in POLICIES if p != "optimal"]
    gaps: dict[str, list[float]] = {h: [] for h in heuristics}
    by_size: dict[int, dict[str, list[float]]] = {}
    beaten = 0
    t0 = time.perf_counter()
    for _ in range(args.lists):
        n = int(rng.integers(1, args.max_picks + 1))
        picks = [Pick(int(a), float(y)) for a, y in zip(rng.integers(0, 10, n), rng.uniform(0, 25, n), strict=True)]
        best = pick_tour_m(layout, picks, "optimal")
        for h in heuristics:
            value = pick_tour_m(layout, picks, h)
            beaten += value < best - 1e-9
            gap = 100.0 * (value - best) / best if best > 0 else 0.0
            gaps[h].append(gap)
            by_size.setdefault(n, {k: [] for k in heuristics})[h].append(gap)
    wall = time.perf_counter() - t0
    print(f"{'policy':<12} {'mean gap %':>10} {'max gap %':>10}")
    summary = {}
    for h in heuristics:
        summary[h] = {"mean_gap_pct": float(np.mean(gaps[h])), "max_gap_pct": float(np.max(gaps[h]))}
        print(f"{h:<12} {summary[h]['mean_gap_pct']:>10.2f} {summary[h]['max_gap_pct']:>10.2f}")
    print("\nmean gap % by number of picks:")
    print(f"{'picks':>5} " + " ".join(f"{h:>12}" for h in heuristics))
    for n in sorted(by_size):
        print(f"{n:>5} " + " ".join(f"{np.mean(by_size[n][h]):>12.2f}" for h in heuristics))
    print(f"\n{args.lists} lists in {wall:.1f} s; heuristic shorter than the optimum: {beaten} times (must be 0)")
    OUT.mkdir(exist_ok=True)
    (OUT / "pick_routing.json").write_text(
        json.dumps({"command": " ".join(["python", *sys.argv]), "summary": summary, "beaten": int(beaten)}, indent=2)
    )


if __name__ == "__main__":
    main()
