"""Version-1 scenario files, run by the code before the one-model rework and by today's code (through the
converter): headline KPIs over replications, with Welch 95% intervals of the difference (today - before).

The code before the rework comes from a git checkout (`--old-tree`), e.g.

    git worktree add /tmp/before 7e1aa47       # the last commit before the rework (issue 14)
    python benchmarks/model_equivalence.py --old-tree /tmp/before                # 10 replications each
    python benchmarks/model_equivalence.py --old-tree /tmp/before --replications 3 --scenarios bonded_import_small

The version-1 files are the old built-ins kept in tests/scenario/v1/. Each side runs in its own process (the
two at once on a 2-core machine). Prints a table and writes benchmarks/out/model_equivalence.csv.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "tests" / "scenario" / "v1"
OUT = ROOT / "benchmarks" / "out"

HEADLINE = [
    "orders.created",
    "orders.delivered",
    "orders.ended.returned",
    "lead_time.end_to_end_h.mean",
    "lead_time.end_to_end_h.p95",
    "lead_time.order_to_dispatch_h.p95",
    "service.on_time_dispatch_rate",
    "service.on_time_delivery_rate",
    "cost_per_order.logistics_total_cny",
    "stock.backordered_orders",
]

WORKER = """
import sys, warnings
import logistics
print(f"{sys.argv[1]}: logistics from {logistics.__file__}", file=sys.stderr)
import pandas as pd
warnings.simplefilter("ignore")
from logistics.scenario import load_scenario
from logistics.sim.engine import simulate
from logistics.analysis.kpis import run_kpis
path, replications, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
scenario = load_scenario(path)
rows = []
for r in range(replications):
    k = run_kpis(simulate(scenario, r))
    k["replication"] = r
    rows.append(k)
pd.concat(rows).to_parquet(out)
"""


def _run(tree: Path, scenario: Path, replications: int, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-c", WORKER, str(scenario), str(replications), str(out)]
    return subprocess.Popen(command, env=env, cwd=tree)  # `python -c` puts the working directory first on the path


def welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of b - a and its Welch 95% interval."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return float("nan"), float("nan"), float("nan")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = b.mean() - a.mean()
    se = np.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    h = stats.t.ppf(0.975, df) * se
    return diff, diff - h, diff + h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-tree", type=Path, required=True, help="A checkout of the code before the rework.")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--scenarios", nargs="*", default=sorted(p.stem for p in V1.glob("*.yaml")))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios:
            path = V1 / f"{name}.yaml"
            before, after = Path(tmp) / f"{name}.before.parquet", Path(tmp) / f"{name}.after.parquet"
            jobs = [_run(args.old_tree, path, args.replications, before), _run(ROOT, path, args.replications, after)]
            if any(job.wait() != 0 for job in jobs):
                raise SystemExit(f"{name}: a run failed")
            a, b = pd.read_parquet(before), pd.read_parquet(after)
            for kpi in HEADLINE:
                va = a.loc[a["kpi"] == kpi, "value"].to_numpy(dtype=float)
                vb = b.loc[b["kpi"] == kpi, "value"].to_numpy(dtype=float)
                if not len(va) and not len(vb):
                    continue
                diff, low, high = welch(va, vb)
                covers = bool(low <= 0 <= high) if np.isfinite(low) else None
                identical = len(va) == len(vb) and bool(np.array_equal(va, vb, equal_nan=True))
                rows.append(
                    {
                        "scenario": name,
                        "kpi": kpi,
                        "before": float(np.nanmean(va)) if len(va) else float("nan"),
                        "after": float(np.nanmean(vb)) if len(vb) else float("nan"),
                        "diff": diff,
                        "low": low,
                        "high": high,
                        "covers_0": covers,
                        "identical": identical,
                    }
                )
            print(f"{name}: done", flush=True)
    table = pd.DataFrame(rows)
    OUT.mkdir(exist_ok=True)
    table.to_csv(OUT / "model_equivalence.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    checked = table[~table["identical"]]
    print(
        json.dumps(
            {
                "kpis": len(table),
                "identical": int(table["identical"].sum()),
                "differing": len(checked),
                "interval_covers_0": int(checked["covers_0"].fillna(False).sum()),
                "interval_excludes_0": int((checked["covers_0"] == False).sum()),  # noqa: E712
            }
        )
    )


if __name__ == "__main__":
    main()
