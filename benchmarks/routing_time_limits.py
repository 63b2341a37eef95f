"""Routing time limits and the default backend: generated VRPTW problems (seeded; parcels around a city depot,
2-hour windows, two capacity dimensions: `routing_scale.make_problem`) from 2 to 1,000 stops, each backend
with the same limit, each run in its own process. Measures the wall time of the whole `solve_routing` call
against its limit (target: within the limit + 5%; a small problem returns as soon as its search stalls) and the
distance of each backend's checked plan against PyVRP's alone (target for the default, `auto`: within 1%).

    python benchmarks/routing_time_limits.py                      # 2, 10, 200 stops at 30 s; 1,000 at 60 s
    python benchmarks/routing_time_limits.py --cases 200:20:30     # stops:vehicles:limit

Prints a table and writes benchmarks/out/routing_time_limits.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing as mp
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CASES = "2:1:30,10:2:30,200:20:30,1000:60:60"


def _make_problem(stops: int, vehicles: int, seed: int):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("routing_scale", HERE / "routing_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_problem(stops, vehicles, seed)


def _run(backend: str, stops: int, vehicles: int, limit: float, seed: int, queue: mp.Queue) -> None:
    from logistics.optimize import SolveParams, check_routing, solve_routing

    problem = _make_problem(stops, vehicles, seed)
    t0 = time.perf_counter()
    result = solve_routing(problem, SolveParams(time_limit_s=limit, backend=backend, seed=1))
    wall = time.perf_counter() - t0
    report = check_routing(problem, result)
    queue.put(
        {
            "stops": stops,
            "limit_s": limit,
            "backend": backend,
            "answered_by": result.backend,
            "status": result.status.value,
            "checked_ok": report.ok,
            "unassigned": len(result.unassigned),
            "vehicles": report.vehicles_used,
            "distance_km": report.distance_m / 1000,
            "wall_s": wall,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=CASES, help="stops:vehicles:limit_s, comma-separated")
    parser.add_argument("--backends", default="pyvrp,ortools,auto")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    rows = []
    for case in args.cases.split(","):
        stops, vehicles, limit = case.split(":")
        for backend in args.backends.split(","):
            queue = ctx.Queue()
            proc = ctx.Process(target=_run, args=(backend, int(stops), int(vehicles), float(limit), args.seed, queue))
            proc.start()
            rows.append(queue.get())
            proc.join()
            print(f"  {stops} stops, {backend}: {rows[-1]['wall_s']:.2f} s", file=sys.stderr)
    pyvrp = {r["stops"]: r["distance_km"] for r in rows if r["backend"] == "pyvrp" and r["checked_ok"]}
    print(
        f"{'stops':>6} {'limit s':>7} {'backend':<8} {'answer':<14} {'checked':<7} {'unass.':>6} {'veh.':>5} "
        f"{'km':>9} {'vs pyvrp':>9} {'wall s':>7} {'over limit':>10}"
    )
    for r in rows:
        base = pyvrp.get(r["stops"])
        gap = f"{100 * (r['distance_km'] / base - 1):+.2f}%" if base else "n/a"
        r["gap_to_pyvrp_pct"] = 100 * (r["distance_km"] / base - 1) if base else None
        r["over_limit_pct"] = 100 * (r["wall_s"] / r["limit_s"] - 1)
        print(
            f"{r['stops']:>6} {r['limit_s']:>7.0f} {r['backend']:<8} {r['answered_by']:<14} {r['checked_ok']!s:<7} "
            f"{r['unassigned']:>6} {r['vehicles']:>5} {r['distance_km']:>9.1f} {gap:>9} {r['wall_s']:>7.2f} "
            f"{r['over_limit_pct']:>+9.1f}%"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "routing_time_limits.json").write_text(
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


if __name__ == "__main__":
    main()
