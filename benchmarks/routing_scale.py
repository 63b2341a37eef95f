"""Routing at scale: a generated 2,000-stop problem with time windows and 100 vehicles.

Each backend runs in its own process (so its peak memory is its own) with the same time limit; the
solution is checked by the independent checker. Target (issue 3): a checked feasible solution within 60 s
and 4 GB.

    python benchmarks/routing_scale.py --stops 2000 --vehicles 100 --time-limit 55
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"


def make_problem(stops: int, vehicles: int, seed: int):  # type: ignore[no-untyped-def]
    """Parcels around a city depot: 40 x 40 km, 30 km/h, 2-hour delivery windows between 08:00 and 20:00,
    3 minutes per stop, vans of 120 parcels / 1,200 kg on a 08:00-21:00 shift."""
    from logistics.optimize import Location, RoutingProblem, Stop, VehicleType

    rng = np.random.default_rng(seed)
    xy = rng.normal(0, 9_000, (stops, 2)).clip(-20_000, 20_000)
    locations = [Location("depot", 0.0, 0.0)] + [Location(f"L{i}", float(x), float(y)) for i, (x, y) in enumerate(xy)]
    day = 8 * 3600.0
    starts = day + 3600.0 * rng.integers(0, 11, stops)
    stop_list = [
        Stop(
            f"s{i}",
            f"L{i}",
            demand=(float(rng.integers(1, 3)), float(rng.uniform(1, 15))),
            service_s=180.0,
            window_s=(float(starts[i]), float(starts[i] + 7200.0)),
        )
        for i in range(stops)
    ]
    fleet = (
        VehicleType(
            "van",
            vehicles,
            (120.0, 1200.0),
            start_depot="depot",
            shift_start_s=day,
            shift_end_s=21 * 3600.0,
            cost_per_km=1.5,
            cost_per_h=40.0,
            fixed_cost=150.0,
        ),
    )
    return RoutingProblem(
        tuple(locations),
        ("depot",),
        tuple(stop_list),
        fleet,
        dimensions=("parcels", "kg"),
        speed_m_per_s=30 / 3.6,
        name=f"city-{stops}",
    )


def _run(backend: str, stops: int, vehicles: int, limit: float, seed: int, queue: mp.Queue) -> None:
    from logistics.optimize import SolveParams, check_routing, solve_routing

    t0 = time.perf_counter()
    problem = make_problem(stops, vehicles, seed)
    build = time.perf_counter() - t0
    result = solve_routing(problem, SolveParams(time_limit_s=limit, backend=backend, seed=1))
    wall = time.perf_counter() - t0
    report = check_routing(problem, result)
    queue.put(
        {
            "backend": result.backend,
            "status": result.status.value,
            "checked_ok": report.ok,
            "violations": list(report.violations[:3]),
            "vehicles": report.vehicles_used,
            "unassigned": len(result.unassigned),
            "distance_km": report.distance_m / 1000,
            "problem_build_s": build,
            "wall_s": wall,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "stats": {k: v for k, v in result.stats.items() if isinstance(v, int | float | str)},
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=2000)
    parser.add_argument("--vehicles", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=55.0, help="solver limit; the rest of 60 s is set-up")
    parser.add_argument("--backends", default="ortools,pyvrp")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows = []
    ctx = mp.get_context("spawn")
    for backend in args.backends.split(","):
        queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(backend, args.stops, args.vehicles, args.time_limit, args.seed, queue))
        proc.start()
        rows.append(queue.get())
        proc.join()
    print(
        f"{'backend':<10} {'status':<11} {'checked':<8} {'vehicles':>8} {'unassigned':>10} {'km':>10} "
        f"{'wall s':>7} {'peak MB':>8}"
    )
    for r in rows:
        print(
            f"{r['backend']:<10} {r['status']:<11} {r['checked_ok']!s:<8} {r['vehicles']:>8} {r['unassigned']:>10} "
            f"{r['distance_km']:>10.1f} {r['wall_s']:>7.1f} {r['peak_rss_mb']:>8.0f}"
        )
        if r["violations"]:
            print("   violations:", "; ".join(r["violations"]))
    OUT.mkdir(exist_ok=True)
    out = OUT / f"routing_scale_{args.stops}.json"
    out.write_text(
        json.dumps(
            {
                "command": " ".join(["python", *sys.argv]),
                "when": time.strftime("%Y-%m-%d %H:%M"),
                "machine": {"platform": platform.platform(), "cpus": mp.cpu_count()},
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"written {out}")


if __name__ == "__main__":
    main()
