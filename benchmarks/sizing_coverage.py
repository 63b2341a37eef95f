"""Does the sizing search's stated confidence hold on fresh data? The coverage experiment of issue 27.

A plan small enough to brute-force (`benchmarks/plans/coverage_small.yaml`: 3 variables, 100 plans of
`bonded_import_small`, p95 order-to-dispatch <= 32 h at 95% confidence):

1. **Truth**: every plan simulated on `--truth-reps` replications of a seed no search uses; plans whose 99.9%
   interval still straddles the target get up to `--truth-max` replications; every plan that some run
   recommends gets at least 100. A plan truly meets the constraint when this mean is <= 32 h.
2. **Searches**: `plan_capacity` (what `logistics plan` runs) with `--seeds` different search seeds and
   simulation seeds (so the runs are independent trials), the default confirmation (a pilot sizes each test, at
   most `--max-reps` replications, looks at n/16 .. n; `--confirm-reps` fixes the size instead; `--candidates`
   tested at most).
3. For each run, the recommendation (confirmed) and the search's own choice (its cheapest "met", what the
   tool recommended before confirmation): does it truly meet the constraint? Share with a Clopper-Pearson 95%
   interval; median cost against the cheapest truly feasible plan.

    python benchmarks/sizing_coverage.py [--seeds 20] [--max-reps 1000] [--candidates 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

from logistics.experiments.runner import run_task
from logistics.experiments.sizing import PlanSpec, plan_capacity
from logistics.experiments.sizing_report import load_plan
from logistics.experiments.spec import RunTask

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PLAN = HERE / "plans" / "coverage_small.yaml"
TRUTH_SEED = 987_654_321  # a root seed no search or confirmation below uses


def _kpi(job: tuple[PlanSpec, tuple[float, ...], int]) -> float:
    spec, point, replication = job
    values = dict(zip((v.name for v in spec.variables), point, strict=True))
    overrides = (*spec.overrides, *spec.overrides_of(values), f"run.seed={TRUTH_SEED}")
    record = run_task(RunTask(spec.scenario, (), "truth", replication, overrides, TRUTH_SEED))
    if "error" in record:
        raise RuntimeError(record["error"])
    kpis = {k: v for k, v, _ in record["kpis"]}
    return float(kpis.get(spec.constraints[0].kpi, np.nan))


def truth(spec: PlanSpec, points: list[tuple[float, ...]], reps: dict, want: dict, pool: ProcessPoolExecutor) -> None:
    """Extend `reps[point]` (the KPI of each truth replication) to `want[point]` replications."""
    jobs = [(spec, p, r) for p in points for r in range(len(reps.get(p, [])), want[p])]
    for (_, p, _), value in zip(jobs, pool.map(_kpi, jobs, chunksize=8), strict=True):
        reps.setdefault(p, []).append(value)


def clopper_pearson(k: int, n: int) -> tuple[float, float]:
    low = stats.beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    high = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return float(low), float(high)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--confirm-reps", type=int, default=None, help="fixed test size (default: sized by the pilot)")
    parser.add_argument("--max-reps", type=int, default=1000, help="most test replications when sized (the default)")
    parser.add_argument("--candidates", type=int, default=3)
    parser.add_argument("--truth-reps", type=int, default=40)
    parser.add_argument("--truth-max", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    base = load_plan(PLAN)
    base = base.model_copy(
        update={
            "confirm": base.confirm.model_copy(
                update={
                    "replications": args.confirm_reps,
                    "candidates": args.candidates,
                    "max_replications": args.max_reps,
                }
            )
        }
    )
    constraint = base.constraints[0]
    target = constraint.at_most
    assert target is not None
    points = list(itertools.product(*(v.values for v in base.variables)))
    cost = {p: sum(x * v.cost_cny for x, v in zip(p, base.variables, strict=True)) for p in points}
    started = time.perf_counter()
    cache = OUT / "sizing_coverage_truth.json"  # truth runs kept between runs of this script (same seed, plan)
    reps: dict[tuple[float, ...], list[float]] = {}
    if cache.exists():
        saved = json.loads(cache.read_text(encoding="utf-8"))
        if saved.get("plan") == PLAN.read_text(encoding="utf-8") and saved.get("seed") == TRUTH_SEED:
            reps = {tuple(json.loads(k)): v for k, v in saved["reps"].items()}
    with ProcessPoolExecutor(args.workers) as pool:
        truth(base, points, reps, dict.fromkeys(points, args.truth_reps), pool)
        close = []
        for p in points:  # plans near the target: more replications until their 99.9% interval clears it
            values = np.array(reps[p])
            half = stats.t.ppf(0.9995, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
            if abs(values.mean() - target) < half:
                close.append(p)
        truth(base, close, reps, dict.fromkeys(close, args.truth_max), pool)
    truth_s = time.perf_counter() - started
    OUT.mkdir(exist_ok=True)
    cache.write_text(
        json.dumps(
            {
                "plan": PLAN.read_text(encoding="utf-8"),
                "seed": TRUTH_SEED,
                "reps": {json.dumps(list(p)): v for p, v in reps.items()},
            }
        ),
        encoding="utf-8",
    )
    print(f"truth: {len(points)} plans x {args.truth_reps} replications, {len(close)} near the target to "
          f"{args.truth_max}; {truth_s:.0f} s")  # fmt: skip

    runs = []
    for i in range(args.seeds):
        spec = base.model_copy(
            update={"seed": 1000 + i, "search": base.search.model_copy(update={"seed": i})}
        )  # independent trials: another search seed and another simulation seed each
        t0 = time.perf_counter()
        result = plan_capacity(spec, executor="local", workers=args.workers)
        rec = tuple(result.best.values[v.name] for v in spec.variables) if result.best else None
        old = tuple(result.search_best.values[v.name] for v in spec.variables) if result.search_best else None
        tested = sum(c.tested for c in result.checks)
        runs.append({"seed": i, "recommended": rec, "search_best": old, "tested": tested,
                     "piloted": len(result.checks),
                     "tests": [(tuple(c.candidate.values.values()), len(c.kpis), c.planned, c.confirmed)
                               for c in result.checks if c.tested],
                     "runs": result.runs, "wall_s": time.perf_counter() - t0})  # fmt: skip
        print(f"  run {i}: recommended {rec} (search's own {old}), {len(result.checks)} piloted, {tested} tested, "
              f"{result.runs} runs, {runs[-1]['wall_s']:.0f} s")  # fmt: skip
    with ProcessPoolExecutor(args.workers) as pool:  # every recommended plan's truth on >= 100 replications
        chosen = {r[k] for r in runs for k in ("recommended", "search_best") if r[k] is not None}
        truth(base, sorted(chosen), reps, {p: max(100, len(reps[p])) for p in chosen}, pool)

    mean = {p: float(np.mean(reps[p])) for p in points}
    feasible = [p for p in points if mean[p] <= target]
    cheapest = min(cost[p] for p in feasible)
    summary: dict = {
        "machine": f"{platform.machine()}, {platform.processor() or ''} Python {platform.python_version()}",
        "args": vars(args),
        "target_h": target,
        "truly_feasible_plans": len(feasible),
        "cheapest_truly_feasible": {"cost_cny": cheapest, "plans": [p for p in feasible if cost[p] == cheapest]},
        "truth_reps": {str(p): len(reps[p]) for p in points},
        "truth_mean_h": {str(p): mean[p] for p in points},
        "runs": runs,
    }
    print()
    print(f"{'rule':<38} {'recommended':>11} {'truly meet':>10} {'share [95% CI]':>22} {'median cost':>11} "
          f"{'vs cheapest':>11}")  # fmt: skip
    for key, label in (("recommended", "confirmed on fresh replications (new)"),
                       ("search_best", "search's own cheapest 'met' (before)")):  # fmt: skip
        picks = [r[key] for r in runs if r[key] is not None]
        good = sum(mean[p] <= target for p in picks)
        low, high = clopper_pearson(good, len(picks)) if picks else (np.nan, np.nan)
        median = statistics.median(cost[p] for p in picks) if picks else np.nan
        summary[key] = {"made": len(picks), "truly_meet": good, "share": good / len(picks) if picks else None,
                        "ci95": [low, high], "median_cost_cny": median,
                        "median_over_cheapest": median / cheapest - 1 if picks else None,
                        "true_means_h": [mean[p] for p in picks]}  # fmt: skip
        share = f"{good / len(picks):.2f} [{low:.2f}, {high:.2f}]" if picks else "-"
        print(f"{label:<38} {len(picks):>11} {good:>10} {share:>22} {median:>11,.0f} "
              f"{median / cheapest - 1:>+11.1%}")  # fmt: skip
    print(f"cheapest truly feasible plan: {summary['cheapest_truly_feasible']} (of {len(feasible)} feasible)")
    OUT.mkdir(exist_ok=True)
    path = OUT / f"sizing_coverage{args.tag}.json"
    path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    print(f"written {path}")


if __name__ == "__main__":
    main()
