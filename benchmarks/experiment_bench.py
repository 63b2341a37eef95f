"""Run a built-in experiment as a benchmark: all its runs on a process pool (common random numbers), print the
means with 95% intervals and the paired differences against the baseline, write benchmarks/out/NAME/.

    python benchmarks/experiment_bench.py warehouse_policies [--workers N] [--replications R]

The scripts warehouse_policies.py, dispatch_comparison.py and linehaul_allocation.py run it for their
experiment.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from logistics.experiments.runner import run_experiment
from logistics.experiments.spec import builtin_experiment_path, load_experiment

OUT = Path(__file__).resolve().parent / "out"


def main(name: str | None = None, description: str | None = None) -> None:
    """Parse the command line and run experiment `name` (or the one named on the command line)."""
    parser = argparse.ArgumentParser(description=(description or __doc__).splitlines()[0])
    if name is None:
        parser.add_argument("name", help="a built-in experiment")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--replications", type=int, default=None)
    args = parser.parse_args()
    name = name or args.name
    spec = load_experiment(builtin_experiment_path(name))
    if args.replications:
        spec = spec.model_copy(update={"replications": args.replications})
    out = OUT / name
    t0 = time.perf_counter()
    results = run_experiment(spec, out_dir=out, executor="local", workers=args.workers)
    wall = time.perf_counter() - t0
    summary = results.summary
    print(f"{results.ran} runs in {wall:.1f} s (reused {results.reused}); results in {out}")
    print("\nmeans with 95% intervals:")
    cols = [c for c in ("policy", "kpi", "mean", "ci_low", "ci_high") if c in summary.columns]
    print(summary[cols].to_string(index=False))
    print("\npaired differences against the baseline (policy - baseline), 95% intervals:")
    print(results.comparisons.to_string(index=False))


if __name__ == "__main__":
    main()
