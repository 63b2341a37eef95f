"""Re-planning vans on the road against planning each wave from scratch, at equal optimizer time.

`last_mile_city` (two days of a Qingdao bonded warehouse's city parcels, six vans, three waves a day, rush-hour
traffic and random travel times), its dispatch policy switched to a time-limited search of the same length in
both arms (`--policy`, `--time-limit` seconds a wave). "scratch": each wave plans the parcels waiting for the
vans at the depot (the vans on the road keep their routes). "replan": each wave also re-plans the vans on the
road (each keeps its parcels and the stop it drives to; the rest of its route is planned again with the wave,
warm-started from its current order). Common random numbers: replication r of both arms uses the same seed.
Paired differences (replan - scratch) with 95% t intervals.

    python benchmarks/replanning.py --replications 6 --time-limit 2

Prints a table and writes benchmarks/out/replanning.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

OUT = Path(__file__).resolve().parent / "out"
KPIS = [
    "dispatch.km",
    "dispatch.cost_per_parcel_cny",
    "dispatch.windows_missed",
    "dispatch.on_time_rate",
    "dispatch.postponed_parcels",
    "service.on_time_delivery_rate",
    "lead_time.end_to_end_h.mean",
]


def _run(args: tuple[str, int, str, float]) -> dict[str, float]:
    arm, replication, policy, limit = args
    from logistics.analysis import run_kpis
    from logistics.scenario import load_builtin
    from logistics.sim import simulate

    sets = [
        f"last_mile.dispatch.policy={{name: {policy}, params: {{time_limit_s: {limit}, solution_limit: null}}}}",
        f"last_mile.dispatch.replan={'true' if arm == 'replan' else 'false'}",
    ]
    result = simulate(load_builtin("last_mile_city", sets), replication)
    kpis = run_kpis(result)
    values = {row.kpi: float(row.value) for row in kpis.itertuples()}
    out = {k: values.get(k, float("nan")) for k in KPIS}
    out["optimizer_s"] = result.optimizer_s
    out["waves"] = float(len(result.waves))
    out["replanned_vans"] = float(result.waves["replanned_vans"].sum()) if "replanned_vans" in result.waves else 0.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=6)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--policy", default="pyvrp")
    args = parser.parse_args()
    started = time.perf_counter()
    jobs = [(arm, r, args.policy, args.time_limit) for r in range(args.replications) for arm in ("scratch", "replan")]
    # one run at a time: each wave's search gets the machine's cores as in a real depot (PyVRP: one core)
    rows = [_run(job) for job in jobs]
    scratch = {k: np.array([rows[2 * r][k] for r in range(args.replications)]) for k in rows[0]}
    replan = {k: np.array([rows[2 * r + 1][k] for r in range(args.replications)]) for k in rows[0]}
    table = {}
    print(f"{'kpi':<34} {'scratch':>10} {'replan':>10} {'diff':>10} {'95% CI':>22}")
    for k in rows[0]:
        d = replan[k] - scratch[k]
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
        table[k] = {
            "scratch": float(scratch[k].mean()),
            "replan": float(replan[k].mean()),
            "diff": float(d.mean()),
            "ci95": [float(d.mean() - half), float(d.mean() + half)],
        }
        ci = f"[{d.mean() - half:,.3f}, {d.mean() + half:,.3f}]"
        print(f"{k:<34} {scratch[k].mean():>10,.3f} {replan[k].mean():>10,.3f} {d.mean():>10,.3f} {ci:>22}")
    OUT.mkdir(exist_ok=True)
    record = {
        "command": " ".join(["python", *sys.argv]),
        "replications": args.replications,
        "policy": args.policy,
        "time_limit_s": args.time_limit,
        "wall_s": time.perf_counter() - started,
        "machine": {"platform": platform.platform(), "cpus": mp.cpu_count(), "python": platform.python_version()},
        "table": table,
        "rows": rows,
    }
    (OUT / "replanning.json").write_text(json.dumps(record, indent=2))
    print(f"\nwritten {OUT / 'replanning.json'} ({record['wall_s']:.0f} s)")


if __name__ == "__main__":
    main()
