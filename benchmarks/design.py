"""Network design: the built-in `pilot_zone_small` by the MIP and the three baselines, then generated instances
of growing size by each method asked for (the MIP, the Lagrangian) at a time limit (exact cost, proven gap,
wall time, the independent check, the peak memory of the process that built and solved it).

    python benchmarks/design.py [--sizes 20x200,60x600 --seeds 1 --methods mip,lagrangian --time-limit 120
        --no-builtin]

A generated instance: `sites` bonded candidates at random points of a 3,000 x 2,500 km box over China (one sea
and, for a third of them, an air lane from each of two origins), two overseas warehouses, `markets` markets with
four SKU classes' demand; costs drawn around the built-in's (seed 1 unless `--seeds`). "to 1% s": the time into
the Lagrangian's search when its proven gap first reached 1%. Writes benchmarks/out/design.json.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logistics.optimize.design import (
    Demand,
    DesignParams,
    DesignProblem,
    InboundLane,
    Market,
    Site,
    SkuClass,
    check_design,
    load_design,
    solve_design,
)

OUT = Path(__file__).resolve().parent / "out"


def generated(sites: int, markets: int, seed: int = 1) -> DesignProblem:
    """A random instance of the given size (see the module)."""
    rng = np.random.default_rng(seed)
    classes = (
        SkuClass("cosmetics", "incheon", 300.0, 0.6),
        SkuClass("formula", "frankfurt", 420.0, 2.0),
        SkuClass("handbags", "frankfurt", 3500.0, 1.2),
        SkuClass("supplements", "sydney", 250.0, 0.8),
    )

    def point() -> tuple[float, float]:
        return float(rng.uniform(100, 124)), float(rng.uniform(22, 42))

    out_sites, lanes = [], []
    for i in range(sites):
        lon, lat = point()
        out_sites.append(
            Site(f"b{i}", "bonded", lon, lat, float(rng.uniform(1.5e6, 3.5e6)), float(rng.uniform(3e3, 1e4)), 5.0)
        )
        for origin, days in (("incheon", 4.0), ("frankfurt", 34.0), ("sydney", 14.0)):
            lanes.append(InboundLane(origin, f"b{i}", "sea", days + float(rng.uniform(-1, 3)), days / 6, 1.0))
            if rng.random() < 1 / 3:
                lanes.append(InboundLane(origin, f"b{i}", "air", 1.5, 0.3, float(rng.uniform(7, 13))))
    for origin, lon, lat, gate in (
        ("incheon", 126.4, 37.5, (122.1, 37.5)),
        ("frankfurt", 8.7, 50.1, (113.8, 34.5)),
        ("sydney", 151.2, -33.9, (113.3, 23.4)),
    ):
        out_sites.append(
            Site(
                f"{origin}_cw",
                "overseas",
                lon,
                lat,
                1.2e6,
                1e9,
                3.5,
                origin=origin,
                gateway=gate,
                parcel_days=2.0,
                parcel_cny_per_kg=float(rng.uniform(14, 30)),
            )
        )
    total = 20_000.0 * sites / 5
    weights = rng.dirichlet(np.ones(markets)) * total
    out_markets = []
    for j in range(markets):
        lon, lat = point()
        demand = tuple(
            Demand(c.id, float(weights[j] * share), float(np.sqrt(weights[j] * share) * 4))
            for c, share in zip(classes, (0.45, 0.3, 0.05, 0.2), strict=True)
        )
        out_markets.append(Market(f"m{j}", lon, lat, demand))
    return DesignProblem(f"generated_{sites}x{markets}", classes, tuple(out_sites), tuple(lanes), tuple(out_markets),
                         promise_days=4.0, service_target=0.85)  # fmt: skip


def row(name: str, problem: DesignProblem | tuple[int, int, int], method: str, limit_s: float) -> dict:
    """Solve and check one instance by one method (a generated one given by its size is generated here, so
    that the time to build its options counts in the wall time and its arrays in the peak memory)."""
    started = time.perf_counter()
    if isinstance(problem, tuple):
        problem = generated(*problem)
    plan = solve_design(problem, DesignParams(method=method, time_limit_s=limit_s))
    wall = time.perf_counter() - started
    within_1pct = [s for s, bound, cost in plan.stats.get("trace", []) if cost - bound <= 0.01 * abs(cost)]
    return {
        "instance": name,
        "method": method,
        "options": len(problem.option_table),
        "status": plan.status.value,
        "cost_cny": plan.cost_cny,
        "bound_cny": plan.bound_cny,
        "gap": plan.gap,
        "open": len(plan.open_sites),
        "checked": check_design(problem, plan).ok if plan.assignments else False,
        "wall_s": wall,
        "to_1pct_s": within_1pct[0] if within_1pct else None,  # into the Lagrangian's search (its trace)
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(send, *args) -> None:
    send.send(row(*args))


def in_child(*args) -> dict:
    """`row` in a fresh forked process (not a daemon: the MIP forks its own solver), for its own peak memory."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, *args))
    proc.start()
    out = recv.recv()
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20x200,60x600")
    parser.add_argument("--methods", default="mip,lagrangian")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--seeds", default="1", help="generated instances' seeds, e.g. 1,2,3")
    parser.add_argument("--no-builtin", action="store_true", help="skip pilot_zone_small and its baselines")
    args = parser.parse_args()
    rows = []
    if not args.no_builtin:
        builtin = load_design("pilot_zone_small")
        for method in ("mip", "lagrangian", "single_hub", "greedy_add", "greedy_drop"):
            rows.append(in_child("pilot_zone_small", builtin, method, 60.0))
    for size in filter(None, args.sizes.split(",")):
        s, m = (int(v) for v in size.split("x"))
        for seed in (int(v) for v in args.seeds.split(",")):
            name = f"generated_{s}x{m}" + ("" if seed == 1 else f"_seed{seed}")
            for method in args.methods.split(","):
                rows.append(in_child(name, (s, m, seed), method, args.time_limit))
                print(rows[-1], flush=True)
    best: dict[str, float] = {}
    for r in rows:
        best[r["instance"]] = min(best.get(r["instance"], float("inf")), r["cost_cny"])
    print(f"{'instance':>20} {'method':>12} {'options':>9} {'status':>10} {'cost CNY/yr':>15} {'vs best':>8} "
          f"{'gap':>8} {'open':>5} {'checked':>8} {'wall s':>7} {'to 1% s':>8} {'peak MB':>8}")  # fmt: skip
    for r in rows:
        r["vs_best"] = r["cost_cny"] / best[r["instance"]] - 1 if np.isfinite(r["cost_cny"]) else float("inf")
        print(
            f"{r['instance']:>20} {r['method']:>12} {r['options']:>9,} {r['status']:>10} {r['cost_cny']:>15,.0f}"
            f" {r['vs_best']:>+8.2%} {r['gap']:>8.3%} {r['open']:>5} {r['checked']!s:>8} {r['wall_s']:>7.1f}"
            f" {'-' if r['to_1pct_s'] is None else format(r['to_1pct_s'], '.1f'):>8} {r['peak_mb']:>8.0f}"
        )
    OUT.mkdir(exist_ok=True)
    clean = [{k: (v if not isinstance(v, float) or np.isfinite(v) else None) for k, v in r.items()} for r in rows]
    machine = f"{platform.machine()} python {platform.python_version()}"
    (OUT / "design.json").write_text(json.dumps({"args": vars(args), "machine": machine, "rows": clean}, indent=1))


if __name__ == "__main__":
    main()
