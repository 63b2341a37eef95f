"""Line-haul space allocation on direct_mail_two_services: the rolling-horizon MIP against first come first
served, 10 replications with common random numbers, through the experiments
machinery. Prints the paired differences with 95% intervals and writes benchmarks/out/linehaul_allocation/.

    python benchmarks/linehaul_allocation.py            # 2 policies x 10 replications on all cores
    python benchmarks/linehaul_allocation.py --workers 1
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from logistics.experiments.runner import run_experiment
from logistics.experiments.spec import builtin_experiment_path, load_experiment

OUT = Path(__file__).resolve().parent / "out" / "linehaul_allocation"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--replications", type=int, default=None)
    args = parser.parse_args()
    spec = load_experiment(builtin_experiment_path("linehaul_allocation"))
    if args.replications:
        spec = spec.model_copy(update={"replications": args.replications})
    t0 = time.perf_counter()
    results = run_experiment(spec, out_dir=OUT, executor="local", workers=args.workers)
    wall = time.perf_counter() - t0
    comparisons = results.comparisons
    summary = results.summary
    print(f"{results.ran} runs in {wall:.1f} s (reused {results.reused}); results in {OUT}")
    print("\nmeans with 95% intervals:")
    cols = [c for c in ("policy", "kpi", "mean", "ci_low", "ci_high") if c in summary.columns]
    print(summary[cols].to_string(index=False))
    print("\npaired differences against the baseline (policy - baseline), 95% intervals:")
    print(comparisons.to_string(index=False))


if __name__ == "__main__":
    main()
