"""Slot allocation benchmark (issue 4): (a) exact slotting at scale, (b) picking travel of slotting plans on an
order history, (c) pick-routing heuristics against the optimum, (d) dock appointments; plus re-slotting.

    python benchmarks/slotting.py                 # all parts
    python benchmarks/slotting.py --parts a,b     # some

(a) 20,000 SKUs into 25,200 slots of a bonded warehouse (fast-pick, bonded, chilled, hazardous and
    general-trade zones; floor, golden and top levels with their volume and weight limits; fast movers needing 2-3
    slots), solved to proven optimality; target <= 10 s. Every plan is verified by `check_slotting`.
(b) Random, ABC, COI greedy, optimal and optimal + affinity plans, evaluated on 100,000 generated orders (Zipf
    popularity, 1.7 lines an order, correlated pairs) with every pick-routing policy; target: the optimal plan
    at least 30% less travel than random storage.
(c) see benchmarks/pick_routing.py; (d) see benchmarks/docks.py. Results go to benchmarks/out/slotting.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))


def part_a(seeds: list[int]) -> list[dict]:  # type: ignore[type-arg]
    from logistics.optimize.slotting import SlottingParams, SlottingProblem, check_slotting, solve_slotting
    from logistics.optimize.slotting.examples import bonded_layout, generate_skus

    rows = []
    print("(a) exact slotting, 20,000 SKUs x 25,200 slots")
    print(
        f"{'seed':>4} {'status':>8} {'wall s':>7} {'rounds':>6} {'classes':>7} {'arcs':>8} {'flow s':>7} "
        f"{'objective m':>12} {'greedy m':>12} {'check':>6}"
    )
    for seed in seeds:
        layout = bonded_layout(aisles=24, bays_per_block=105, levels=5)
        skus = generate_skus(layout, 20_000, np.random.default_rng(seed))
        t0 = time.perf_counter()
        problem = SlottingProblem(layout, skus)
        plan = solve_slotting(problem, SlottingParams("optimal"))
        wall = time.perf_counter() - t0
        greedy = solve_slotting(problem, SlottingParams("coi_greedy"))
        ok = check_slotting(problem, plan).ok
        s = plan.stats
        row = {
            "seed": seed,
            "status": plan.status,
            "wall_s": wall,
            "rounds": s["rounds"],
            "classes": s["classes"],
            "arcs": s["arcs"],
            "flow_s": s["flow_s"],
            "objective_m": plan.objective_m,
            "greedy_objective_m": greedy.objective_m,
            "slots": len(layout.slots),
            "loads": int(skus.slots.sum()),
            "checked_ok": ok,
        }
        rows.append(row)
        print(
            f"{seed:>4} {plan.status:>8} {wall:>7.2f} {s['rounds']:>6} {s['classes']:>7} {s['arcs']:>8} "
            f"{s['flow_s']:>7.2f} {plan.objective_m:>12,.0f} {greedy.objective_m:>12,.0f} {ok!s:>6}"
        )
    return rows


def part_b(orders: int, seed: int) -> dict:  # type: ignore[type-arg]
    from logistics.optimize.slotting import (
        SlottingParams,
        SlottingProblem,
        check_slotting,
        history_travel_m,
        improve_affinity,
        reslot,
        solve_slotting,
    )
    from logistics.optimize.slotting.examples import bonded_layout, generate_orders, generate_skus

    layout = bonded_layout(aisles=24, bays_per_block=105, levels=5)
    skus = generate_skus(layout, 20_000, np.random.default_rng(seed))
    problem = SlottingProblem(layout, skus)
    history = generate_orders(skus, orders, np.random.default_rng(seed + 1), mean_lines=1.7, pair_probability=0.5)
    plans = {m: solve_slotting(problem, SlottingParams(m, seed)) for m in ("random", "abc", "coi_greedy", "optimal")}
    plans["affinity"] = improve_affinity(problem, plans["optimal"], history, max_loss=0.01, policy="optimal")
    policies = ("s_shape", "largest_gap", "combined", "optimal")
    travel = {
        m: {p: float(history_travel_m(problem, plan, history, p).mean()) for p in policies} for m, plan in plans.items()
    }
    print(
        f"\n(b) picking travel per order (m) on {orders:,} orders, "
        f"{np.diff(history.ptr).mean():.2f} lines an order; reduction against random storage"
    )
    print(f"{'plan':<11} {'objective m':>12} " + " ".join(f"{p:>20}" for p in policies) + f" {'check':>6}")
    for m, plan in plans.items():
        cells = [f"{travel[m][p]:>8.1f} ({100 * (1 - travel[m][p] / travel['random'][p]):>5.1f}%)" for p in policies]
        print(
            f"{m:<11} {plan.objective_m:>12,.0f} "
            + " ".join(f"{c:>20}" for c in cells)
            + f" {check_slotting(problem, plan).ok!s:>6}"
        )
    result = {
        "orders": orders,
        "lines_per_order": float(np.diff(history.ptr).mean()),
        "travel_m_per_order": travel,
        "objective_m": {m: p.objective_m for m, p in plans.items()},
        "affinity": {k: v for k, v in plans["affinity"].stats.items() if isinstance(v, int | float)},
    }
    # Re-slotting from the random plan with a budget of moves.
    rows = []
    print("\nre-slotting from random storage with at most K moves")
    print(f"{'K':>6} {'moves':>6} {'status':>9} {'objective m':>12} {'of the way':>10} {'solves':>6} {'wall s':>7}")
    start, goal = plans["random"].objective_m, plans["optimal"].objective_m
    for k in (500, 2000):
        plan = reslot(problem, plans["random"].sku_of_slot, k)
        share = (start - plan.objective_m) / (start - goal)
        rows.append(
            {
                "k": k,
                "moves": plan.stats["moves"],
                "status": plan.status,
                "objective_m": plan.objective_m,
                "share_of_gain": share,
                "solves": plan.stats["solves"],
                "wall_s": plan.stats["wall_s"],
                "checked_ok": check_slotting(problem, plan).ok,
            }
        )
        print(
            f"{k:>6} {plan.stats['moves']:>6} {plan.status:>9} {plan.objective_m:>12,.0f} {share:>10.1%} "
            f"{plan.stats['solves']:>6} {plan.stats['wall_s']:>7.1f}"
        )
    result["reslot"] = rows
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="a,b,c,d")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    results: dict = {"command": " ".join(["python", *sys.argv]), "machine": platform.platform()}  # type: ignore[type-arg]
    if "a" in parts:
        results["a"] = part_a([int(s) for s in args.seeds.split(",")])
    if "b" in parts:
        results["b"] = part_b(args.orders, 1)
    if "c" in parts:
        import pick_routing

        print("\n(c) pick-routing heuristics against the optimal tour")
        results["c"] = pick_routing.run(20_000, 30, 5)
        pick_routing.show(results["c"])
    if "d" in parts:
        import docks

        from logistics.optimize.docks import DockParams, check_docks, solve_docks

        print("\n(d) dock appointments, 200 trucks x 20 doors, 15-minute slots, 30 s limit")
        rows = []
        for seed in (3, 1, 2):
            problem = docks.make_problem(200, 20, seed)
            t0 = time.perf_counter()
            plan = solve_docks(problem, DockParams(time_limit_s=30.0, workers=2))
            wall = time.perf_counter() - t0
            rows.append(
                {
                    "seed": seed,
                    "status": plan.status.value,
                    "gap_pct": 100 * plan.gap,
                    "wall_s": wall,
                    "mean_waiting_min": plan.mean_waiting_min,
                    "door_utilisation": plan.door_utilisation,
                    "checked_ok": check_docks(problem, plan).ok,
                }
            )
            print(
                f"seed {seed}: {plan.status.value}, gap {100 * plan.gap:.2f}%, {wall:.1f} s, "
                f"waiting {plan.mean_waiting_min:.1f} min, doors {plan.door_utilisation:.0%}, "
                f"check {'ok' if rows[-1]['checked_ok'] else 'FAILED'}"
            )
        results["d"] = rows
    OUT.mkdir(exist_ok=True)
    (OUT / "slotting.json").write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
