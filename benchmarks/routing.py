"""Routing benchmark: a whole public instance set with one backend and time limit; every solution is
verified by the independent checker; gaps to the best-known values.

    python benchmarks/routing.py --set solomon --backend ortools --time-limit 10 --workers 2
    python benchmarks/routing.py --set cvrplib --backend pyvrp
    python benchmarks/routing.py --set solomon --backend auto --workers 1   # auto uses both cores itself
    python benchmarks/routing.py --set lilim --backend auto --time-limit 30  # pickup-and-delivery pairs

Prints a per-instance and a per-class table and writes benchmarks/out/routing_<set>_<backend>_<limit>s.json.
Solomon results are compared with solomon/BKS_distance_only.csv (distance objective, vehicles as given);
CVRPLIB X results with cvrplib/BKS.csv (integer-rounded distances); Li & Lim results with lilim/BKS.csv
(fewest vehicles first, then distance: the solver is asked for the same order, and the table shows the
vehicles used beside the best known's; a gap is over distance whatever the vehicle counts).
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import platform
import re
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out"


def _instances(which: str) -> tuple[list[Path], dict[str, float], dict[str, int]]:
    if which == "solomon":
        files = sorted((DATA / "solomon").glob("*.txt"))
        bks_file = DATA / "solomon" / "BKS_distance_only.csv"
    elif which == "lilim":
        files = sorted((DATA / "lilim").glob("*.txt"))
        bks_file = DATA / "lilim" / "BKS.csv"
    else:
        files = sorted((DATA / "cvrplib").glob("*.vrp"))
        bks_file = DATA / "cvrplib" / "BKS.csv"
    with bks_file.open() as fh:
        table = list(csv.DictReader(fh))
    bks = {row["instance"]: float(row["distance"]) for row in table}
    vehicles = {row["instance"]: int(row["vehicles"]) for row in table if row.get("vehicles")}
    return files, bks, vehicles


def _class_of(name: str) -> str:
    if name.startswith("X-"):
        n = int(re.search(r"-n(\d+)", name).group(1))  # type: ignore[union-attr]
        return "X n101-150" if n <= 150 else "X n151-200"
    return re.match(r"[A-Za-z]+\d", name).group(0)  # type: ignore[union-attr]


def _solve_one(args: tuple[str, str, float, int, int]) -> dict:
    path, backend, limit, seed, solver_workers = args
    from logistics.optimize import SolveParams, check_routing, read_instance, solve_routing

    problem = read_instance(path)
    t0 = time.perf_counter()
    result = solve_routing(problem, SolveParams(time_limit_s=limit, backend=backend, seed=seed, workers=solver_workers))
    wall = time.perf_counter() - t0
    report = check_routing(problem, result)
    return {
        "instance": problem.name or Path(path).stem,
        "status": result.status.value,
        "backend": result.backend,
        "checked_ok": report.ok,
        "violations": list(report.violations[:3]),
        "distance": report.distance_m,
        "vehicles": report.vehicles_used,
        "unassigned": len(result.unassigned),
        "wall_s": wall,
        "fewer_vehicles": result.stats.get("fewer_vehicles"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["solomon", "cvrplib", "lilim"], default="solomon")
    parser.add_argument("--backend", default="ortools", choices=["ortools", "pyvrp", "auto"])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1, help="instances solved at once (auto: keep 1)")
    parser.add_argument("--only", default="", help="regex on instance names")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--solver-workers", type=int, default=1, help="OR-Tools portfolio processes per instance (use with --workers 1)"
    )
    parser.add_argument("--tag", default="", help="appended to the output file's name")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"benchmark data not found at {DATA} (the shared/ folder beside the repository)")
    files, bks, bks_vehicles = _instances(args.set)
    files = [f for f in files if re.search(args.only, f.stem)]
    jobs = [(str(f), args.backend, args.time_limit, args.seed, args.solver_workers) for f in files]
    if args.workers > 1:
        with mp.get_context("spawn").Pool(args.workers) as pool:
            rows = pool.map(_solve_one, jobs, chunksize=1)
    else:
        rows = [_solve_one(j) for j in jobs]
    for r in rows:
        best = bks.get(r["instance"])
        ok = r["checked_ok"] and r["status"] in ("feasible", "optimal")
        r["bks"] = best
        r["bks_vehicles"] = bks_vehicles.get(r["instance"])
        r["gap_pct"] = 100.0 * (r["distance"] - best) / best if ok and best else None
        r["class"] = _class_of(r["instance"])
    print(
        f"{'instance':<12} {'status':<11} {'checked':<8} {'vehicles':>8} {'BKS veh':>7} {'distance':>11} "
        f"{'BKS':>11} {'gap %':>7} {'wall s':>7}"
    )
    for r in rows:
        gap = f"{r['gap_pct']:7.2f}" if r["gap_pct"] is not None else "    n/a"
        print(
            f"{r['instance']:<12} {r['status']:<11} {r['checked_ok']!s:<8} {r['vehicles']:>8} "
            f"{r['bks_vehicles'] or '':>7} {r['distance']:>11.2f} {r['bks'] or 0:>11.2f} {gap} {r['wall_s']:>7.1f}"
        )
        if r["violations"]:
            print("   violations:", "; ".join(r["violations"]))
    classes: dict[str, list[dict]] = {}
    for r in rows:
        classes.setdefault(r["class"], []).append(r)
    print(
        f"\n{'class':<12} {'n':>3} {'feasible':>8} {'mean gap %':>10} {'max gap %':>9} {'vehicles':>8} "
        f"{'BKS veh':>7} {'max wall s':>10} {'at BKS veh':>10} {'gap there %':>11}"
    )
    summary = {}
    for name, items in [*sorted(classes.items()), ("all", rows)]:
        gaps = [r["gap_pct"] for r in items if r["gap_pct"] is not None]
        at = [r["gap_pct"] for r in items if r["gap_pct"] is not None and r["vehicles"] == r["bks_vehicles"]]
        mean = sum(gaps) / len(gaps) if gaps else float("nan")
        vehicles = sum(r["vehicles"] for r in items)
        best_vehicles = sum(r["bks_vehicles"] or 0 for r in items)
        summary[name] = {
            "n": len(items),
            "feasible": len(gaps),
            "mean_gap_pct": mean,
            "max_gap_pct": max(gaps) if gaps else None,
            "vehicles": vehicles,
            "bks_vehicles": best_vehicles or None,
            "max_wall_s": max(r["wall_s"] for r in items),
            # the fair distance figure under fewest-vehicles-first: the gap where the vehicle count matches
            "at_bks_vehicles": len(at),
            "mean_gap_at_bks_vehicles_pct": sum(at) / len(at) if at else None,
            "max_gap_at_bks_vehicles_pct": max(at) if at else None,
        }
        print(
            f"{name:<12} {len(items):>3} {len(gaps):>8} {mean:>10.2f} {max(gaps) if gaps else float('nan'):>9.2f} "
            f"{vehicles:>8} {best_vehicles or '':>7} {summary[name]['max_wall_s']:>10.1f} {len(at):>10} "
            f"{sum(at) / len(at) if at else float('nan'):>11.2f}"
        )
    OUT.mkdir(exist_ok=True)
    record = {
        "command": " ".join(["python", *sys.argv]),
        "set": args.set,
        "backend": args.backend,
        "time_limit_s": args.time_limit,
        "workers": args.workers,
        "solver_workers": args.solver_workers,
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": {
            "platform": platform.platform(),
            "cpus": mp.cpu_count(),
            "python": platform.python_version(),
        },
        "summary": summary,
        "rows": rows,
    }
    tag = f"_x{args.solver_workers}" if args.solver_workers > 1 else ""
    tag += args.tag
    out = OUT / f"routing_{args.set}_{args.backend}{tag}_{args.time_limit:g}s.json"
    out.write_text(json.dumps(record, indent=2))
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
