"""Speed-up of experiment execution from 1 to 2 worker processes (issue 5).

    python benchmarks/experiments.py

Runs the built-in `policy_comparison` experiment (2 scenarios x 3 policies x 5 replications = 30 runs) serially
and on a process pool of 2, each into a fresh folder, checks the results are identical and prints the times.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    from logistics.experiments.runner import run_experiment
    from logistics.experiments.spec import builtin_experiment_path, load_experiment

    spec = load_experiment(builtin_experiment_path("policy_comparison"))
    rows = []
    tables = []
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            results = run_experiment(spec, tmp, executor="serial" if workers == 1 else "local", workers=workers)
            wall = time.perf_counter() - t0
        tables.append(results.table.sort_values(["scenario", "policy", "replication", "kpi"]).reset_index(drop=True))
        rows.append({"workers": workers, "runs": results.ran, "wall_s": wall})
    identical = tables[0].equals(tables[1])
    speedup = rows[0]["wall_s"] / rows[1]["wall_s"]
    print(f"{'workers':>7} {'runs':>5} {'wall s':>8}")
    for r in rows:
        print(f"{r['workers']:>7} {r['runs']:>5} {r['wall_s']:>8.2f}")
    print(f"speed-up 1 -> 2 workers: {speedup:.2f}x; results identical: {identical}")
    OUT.mkdir(exist_ok=True)
    (OUT / "experiments.json").write_text(
        json.dumps(
            {
                "command": " ".join(["python", *sys.argv]),
                "machine": platform.platform(),
                "rows": rows,
                "speedup": speedup,
                "identical": identical,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
