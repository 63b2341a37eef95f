"""Time-dependent routing: planning each leg at the slowest hour it can leave in (`departure_factors`, the
default) against planning every leg at the day's slowest hour (the previous behaviour), on random city problems
with the built-in `last_mile_city` traffic profile (morning and evening rush x1.5, night x0.8). Both plans are
checked with the profile itself; the table gives, per problem, the stops served, vans and km of each, and the
paired mean difference with its 95% interval. Same backend (`auto`), limit and seed for both, run interleaved.

    python benchmarks/traffic_planning.py [--problems 20 --stops 100 --time-limit 10]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logistics.optimize import (
    Location,
    RoutingProblem,
    SolveParams,
    Stop,
    VehicleType,
    check_routing,
    solve_routing,
)

OUT = Path(__file__).resolve().parent / "out"
# logistics/scenario/builtin/last_mile_city.yaml, travel time factor by clock hour
PROFILE = (0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.3, 1.5, 1.2, 1.0, 1.0,
           1.1, 1.0, 1.0, 1.1, 1.3, 1.5, 1.4, 1.1, 1.0, 0.9, 0.9, 0.8)  # fmt: skip


def make_problem(stops: int, seed: int) -> RoutingProblem:
    """`stops` parcels in a 24 km square city around one depot, each with a 2-hour window opening between 9:00
    and 19:00 (as last_mile_city's delivery windows), 3 min service; vans of 25 parcels on an 8:00-22:00 shift
    at 22 km/h with circuity 1.3; time 0 s is midnight."""
    rng = np.random.default_rng(seed)
    h = 3600.0
    locations = [Location("D", 0.0, 0.0)]
    rows = []
    for k in range(stops):
        x, y = rng.uniform(-12_000, 12_000, 2)
        locations.append(Location(f"L{k}", float(x), float(y)))
        opens = float(rng.integers(9, 20)) * h
        rows.append(Stop(f"s{k}", f"L{k}", demand=(1.0,), window_s=(opens, opens + 2 * h), service_s=180.0))
    vans = VehicleType("van", stops // 5, (25.0,), "D", shift_start_s=8 * h, shift_end_s=22 * h)
    return RoutingProblem(
        tuple(locations),
        ("D",),
        tuple(rows),
        (vans,),
        speed_m_per_s=22 / 3.6,
        circuity=1.3,
        traffic_by_hour=PROFILE,
    )


def solve(problem: RoutingProblem, planned: RoutingProblem, limit_s: float, seed: int) -> dict:
    """Plan on `planned` (the problem, or its slowest-hour version), check on `problem` (the profile)."""
    started = time.perf_counter()
    result = solve_routing(planned, SolveParams(time_limit_s=limit_s, seed=seed))
    wall = time.perf_counter() - started
    return {
        "checked": check_routing(problem, result).ok,
        "served": len(problem.stops) - len(result.unassigned),
        "vans": result.vehicles_used,
        "km": result.distance_m / 1000,
        "wall_s": wall,
    }


def paired(a: list[float], b: list[float]) -> tuple[float, float, float]:
    d = np.asarray(b) - np.asarray(a)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=20)
    parser.add_argument("--stops", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    rows = []
    print(f"{'problem':>7} {'served s/d':>11} {'vans s/d':>9} {'km slowest':>11} {'km departure':>13} {'checked':>8}")
    for seed in range(args.problems):
        problem = make_problem(args.stops, seed)
        slowest = replace(
            problem,
            traffic_by_hour=(max(PROFILE),) * 24,
            distance_m=problem.distances,
            duration_s=problem.durations,
        )
        order = [("slowest", slowest), ("departure", problem)]
        if seed % 2:
            order.reverse()  # interleaved: neither always runs first
        out = {name: solve(problem, planned, args.time_limit, seed) for name, planned in order}
        row = {"problem": seed, **{f"{k}_{m}": v for k, r in out.items() for m, v in r.items()}}
        rows.append(row)
        s, d = out["slowest"], out["departure"]
        print(
            f"{seed:>7} {s['served']:>5}/{d['served']:<5} {s['vans']:>4}/{d['vans']:<4} {s['km']:>11.1f}"
            f" {d['km']:>13.1f} {s['checked'] and d['checked']!s:>8}"
        )
    summary = {}
    for metric in ("served", "vans", "km"):
        mean, lo, hi = paired([r[f"slowest_{metric}"] for r in rows], [r[f"departure_{metric}"] for r in rows])
        summary[metric] = {"mean_difference": mean, "ci95": [lo, hi]}
        print(f"departure - slowest, {metric}: {mean:+.2f} [{lo:+.2f}, {hi:+.2f}] (95%, paired, n={len(rows)})")
    served_km = [r["departure_km"] / r["departure_served"] / (r["slowest_km"] / r["slowest_served"]) - 1 for r in rows]
    print(f"km per stop served, departure vs slowest: {np.mean(served_km):+.1%} (mean of {len(rows)} ratios)")
    checked = all(r["slowest_checked"] and r["departure_checked"] for r in rows)
    print(f"every plan checked with the profile: {checked}")
    OUT.mkdir(exist_ok=True)
    (OUT / "traffic_planning.json").write_text(
        json.dumps(
            {
                "args": vars(args),
                "machine": f"{platform.machine()} {platform.processor()} python {platform.python_version()}",
                "rows": rows,
                "summary": summary,
                "km_per_stop_ratio_mean": float(np.mean(served_km)),
                "all_checked": checked,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
