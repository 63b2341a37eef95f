"""PyVRP on both cores against PyVRP alone at the same wall time (issue 29): generated problems of 400, 600 and
1,000 stops (`routing_scale.make_problem`: a city's parcels, 2-hour windows, two capacity dimensions), each
solved by `decompose.solve_on_two_cores` and by `solve_routing(backend="pyvrp")` alone with the same limit,
paired (same problem, same seed) and interleaved (the arm run first alternates), every plan checked.

    python benchmarks/routing_two_cores.py [--limit 60] [--sizes 400,600,1000] [--seeds 1,2]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from routing_scale import make_problem

from logistics.optimize import SolveParams, check_routing, solve_routing
from logistics.optimize.routing.decompose import solve_on_two_cores

OUT = Path(__file__).resolve().parent / "out"


def _two_cores(problem, limit: float):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    return solve_on_two_cores(problem, SolveParams(backend="pyvrp", time_limit_s=limit, seed=1), started)


def _alone(problem, limit: float):  # type: ignore[no-untyped-def]
    return solve_routing(problem, SolveParams(backend="pyvrp", time_limit_s=limit, seed=1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--sizes", default="400,600,1000")
    parser.add_argument("--seeds", default="1,2")
    args = parser.parse_args()
    rows = []
    k = 0
    print("| stops | seed | PyVRP alone km (vans, s) | two cores km (vans, s) | two cores against alone |")
    print("|---:|---:|---|---|---:|")
    for n in [int(x) for x in args.sizes.split(",")]:
        for seed in [int(x) for x in args.seeds.split(",")]:
            problem = make_problem(n, max(10, n // 10), seed)
            arms = [("alone", _alone), ("two_cores", _two_cores)]
            if k % 2:
                arms.reverse()
            k += 1
            out = {}
            for name, fn in arms:
                t = time.perf_counter()
                result = fn(problem, args.limit)
                wall = time.perf_counter() - t
                ok = check_routing(problem, result).ok
                out[name] = (result.distance_m / 1000.0, result.vehicles_used, wall, ok, result.status.value)
            a, b = out["alone"], out["two_cores"]
            gap = (b[0] - a[0]) / a[0] * 100.0
            rows.append({"stops": n, "seed": seed, "alone": a, "two_cores": b, "gap_pct": gap})
            print(
                f"| {n} | {seed} | {a[0]:,.1f} ({a[1]}, {a[2]:.1f} s{'' if a[3] else ', REJECTED'}) | "
                f"{b[0]:,.1f} ({b[1]}, {b[2]:.1f} s{'' if b[3] else ', REJECTED'}) | {gap:+.2f}% |",
                flush=True,
            )
    gaps = [r["gap_pct"] for r in rows]
    print(f"mean {sum(gaps) / len(gaps):+.2f}%, worst {max(gaps):+.2f}%")
    OUT.mkdir(exist_ok=True)
    (OUT / f"routing_two_cores_{int(args.limit)}s.json").write_text(
        json.dumps({"machine": platform.platform(), "limit_s": args.limit, "rows": rows}, indent=1)
    )


if __name__ == "__main__":
    main()
