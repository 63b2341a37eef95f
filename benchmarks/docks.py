"""Dock appointment scheduling: 200 trucks on 20 doors in 15-minute slots over a day (issue 4, part d).

    python benchmarks/docks.py --trucks 200 --doors 20 --time-limit 30

Target: optimal or within 1% proven gap in at most 30 s. The plan is verified by `check_docks`.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"


def make_problem(trucks: int, doors: int, seed: int, buffer_slots: int = 1):  # type: ignore[no-untyped-def]
    """Arrivals peaking mid-morning and mid-afternoon; 30 min to 2 h handling by load; 15% cold-chain trucks
    (20% of doors); priorities 1-3; due 4 h after arrival; a 15-minute buffer after each appointment."""
    from logistics.optimize.docks import DockDoor, DockProblem, Truck

    rng = np.random.default_rng(seed)
    arrivals = np.clip(
        np.concatenate([rng.normal(40, 10, trucks // 2), rng.normal(60, 10, trucks - trucks // 2)]), 0, 84
    ).astype(int)
    n_cold = max(1, round(0.2 * doors))
    door_list = tuple(DockDoor(f"D{i:02d}", "cold" if i < n_cold else "standard") for i in range(doors))
    truck_list = []
    for k in range(trucks):
        duration = int(rng.integers(2, 9))
        arrival = min(int(arrivals[k]), 96 - duration)
        truck_list.append(
            Truck(
                f"T{k:03d}",
                arrival,
                duration,
                due_slot=min(96, arrival + duration + 16),
                priority=float(rng.integers(1, 4)),
                door_type="cold" if rng.random() < 0.15 else "standard",
            )
        )
    return DockProblem(tuple(truck_list), door_list, horizon_slots=96, slot_min=15, buffer_slots=buffer_slots)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trucks", type=int, default=200)
    parser.add_argument("--doors", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT search workers (threads)")
    args = parser.parse_args()
    from logistics.optimize.docks import DockParams, check_docks, solve_docks

    problem = make_problem(args.trucks, args.doors, args.seed)
    t0 = time.perf_counter()
    plan = solve_docks(problem, DockParams(time_limit_s=args.time_limit, workers=args.workers))
    wall = time.perf_counter() - t0
    violations = check_docks(problem, plan).violations
    row = {
        "trucks": args.trucks,
        "doors": args.doors,
        "status": plan.status.value,
        "objective": plan.objective,
        "bound": plan.best_bound,
        "gap_pct": 100 * plan.gap,
        "scheduled": len(plan.appointments),
        "unscheduled": len(plan.unscheduled),
        "mean_waiting_min": plan.mean_waiting_min,
        "door_utilisation": plan.door_utilisation,
        "wall_s": wall,
        "checked_ok": not violations,
    }
    for k, v in row.items():
        print(f"{k:<18} {v:.3f}" if isinstance(v, float) else f"{k:<18} {v}")
    OUT.mkdir(exist_ok=True)
    (OUT / "docks.json").write_text(
        json.dumps({"command": " ".join(["python", *sys.argv]), "machine": platform.platform(), "row": row}, indent=2)
    )


if __name__ == "__main__":
    main()
