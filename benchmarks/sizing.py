"""Sizing by simulation-based optimization, measured.

1. `staffing_small` (2 variables, a 7 x 7 grid): the exhaustive grid once, then the search with 10 search seeds
   (the same replications and streams): how often it finds the grid's optimum, with how many evaluations.
2. `pilot_zone_staffing` (7 variables): one search; its wall time, evaluations, runs, and the best plan's
   constraint KPI with its interval.

    python benchmarks/sizing.py [--seeds 10] [--skip-pilot]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from logistics.experiments.sizing import plan_capacity
from logistics.experiments.sizing_report import best_summary, load_plan, plan_path

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-pilot", action="store_true")
    parser.add_argument("--only-pilot", action="store_true")
    args = parser.parse_args()
    record: dict = {"machine": f"{platform.machine()}, Python {platform.python_version()}", "args": vars(args)}

    if not args.only_pilot:
        small(args, record)
    if not args.skip_pilot:
        pilot(args, record)
    OUT.mkdir(exist_ok=True)
    name = "sizing_pilot.json" if args.only_pilot else "sizing.json"
    (OUT / name).write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"written {OUT / name}")


def small(args: argparse.Namespace, record: dict) -> None:
    spec = load_plan(plan_path("staffing_small"))
    grid = plan_capacity(spec.model_copy(update={"search": spec.search.model_copy(update={"method": "grid"})}),
                         workers=args.workers)  # fmt: skip
    assert grid.best is not None
    print(f"staffing_small grid: {grid.evaluations} plans, {grid.runs} runs, {grid.wall_s:.1f} s; "
          f"optimum {grid.best.values} at {grid.best.objectives[0]:,.0f}")  # fmt: skip
    searches = []
    for seed in range(args.seeds):
        s = spec.model_copy(update={"search": spec.search.model_copy(update={"seed": seed})})
        result = plan_capacity(s, workers=args.workers)
        found = result.best is not None and result.best.values == grid.best.values
        searches.append({"seed": seed, "found": found, "evaluations": result.evaluations, "runs": result.runs,
                         "wall_s": result.wall_s, "best": result.best.values if result.best else None})  # fmt: skip
        print(f"  search seed {seed}: {'optimum' if found else 'MISSED: ' + str(searches[-1]['best'])}, "
              f"{result.evaluations} evaluations, {result.runs} runs, {result.wall_s:.1f} s")  # fmt: skip
    record["staffing_small"] = {
        "grid": {
            "evaluations": grid.evaluations,
            "runs": grid.runs,
            "wall_s": grid.wall_s,
            "best": grid.best.values,
            "objective": grid.best.objectives[0],
        },
        "searches": searches,
        "found_rate": sum(s["found"] for s in searches) / len(searches),
        "mean_evaluations": statistics.fmean(s["evaluations"] for s in searches),
        "mean_runs": statistics.fmean(s["runs"] for s in searches),
    }
    print(f"found the optimum in {sum(s['found'] for s in searches)}/{len(searches)} searches; "
          f"mean {record['staffing_small']['mean_evaluations']:.1f} evaluations of {grid.evaluations} "
          f"({record['staffing_small']['mean_runs']:.0f} runs against the grid's {grid.runs})")  # fmt: skip


def pilot(args: argparse.Namespace, record: dict) -> None:
    pilot = load_plan(plan_path("pilot_zone_staffing"))
    started = time.perf_counter()
    result = plan_capacity(pilot, workers=args.workers)
    summary = best_summary(result, result.best) if result.best else None
    record["pilot_zone_staffing"] = {"evaluations": result.evaluations, "runs": result.runs,
                                     "wall_s": time.perf_counter() - started, "grid_size": pilot.grid_size,
                                     "best": summary,
                                     "feasible": sum(c.feasible for c in result.candidates)}  # fmt: skip
    best = json.dumps(summary, indent=1) if summary else "none feasible"
    print(f"pilot_zone_staffing: {result.evaluations} of {pilot.grid_size:,} plans, {result.runs} runs, "
          f"{result.wall_s:.0f} s; best {best}")  # fmt: skip


if __name__ == "__main__":
    main()
