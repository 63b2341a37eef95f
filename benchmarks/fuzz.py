"""The fuzzing harness's long mode: many mutated scenario files and optimizer inputs through the `logistics`
command, on a process pool; prints a table of outcomes and writes benchmarks/out/fuzz.json (and the failures,
if any, beside it).

    python benchmarks/fuzz.py --scenarios 10000 --optimizer 3000 --workers 2

Every input is refused with a clear error or runs to the end with finite KPIs (see logistics/testing/fuzz.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from logistics.experiments.pool import WorkerLost, resilient_map  # noqa: E402
from logistics.testing.fuzz import (  # noqa: E402
    check_optimizer_input,
    check_scenario_text,
    optimizer_mutant,
    report_failures,
    scenario_mutant,
    summarize,
)

MEMORY_LIMIT_B = 6 * 2**30  # a mutant that would take the machine's memory fails here instead


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_B, MEMORY_LIMIT_B))


def _scenario(args: tuple[int, int]) -> dict:  # type: ignore[type-arg]
    from logistics.scenario import builtin_names

    seed, index = args
    name, raw, what = scenario_mutant(builtin_names(), seed, index)
    input_id = f"scenario {seed}/{index} ({name}: {what})"
    try:
        outcome = check_scenario_text(raw, input_id)
    except BaseException as exc:
        return {"id": input_id, "kind": "memory" if isinstance(exc, MemoryError) else "traceback", "detail": repr(exc)}
    return {"id": outcome.input_id, "kind": outcome.kind, "detail": outcome.detail, "seconds": outcome.seconds}


def _optimizer(args: tuple[int, int]) -> dict:  # type: ignore[type-arg]
    seed, index = args
    fmt, files, what = optimizer_mutant(seed, index)
    input_id = f"optimizer {seed}/{index} ({fmt}: {what})"
    try:
        outcome = check_optimizer_input(fmt, files, input_id)
    except BaseException as exc:
        return {"id": input_id, "kind": "memory" if isinstance(exc, MemoryError) else "traceback", "detail": repr(exc)}
    return {"id": outcome.input_id, "kind": outcome.kind, "detail": outcome.detail, "seconds": outcome.seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--optimizer", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "fuzz.json")
    args = parser.parse_args()
    start = time.perf_counter()
    records: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    jobs = {
        "scenarios": (_scenario, [(args.seed, i) for i in range(args.scenarios)]),
        "optimizer inputs": (_optimizer, [(args.seed, i) for i in range(args.optimizer)]),
    }
    for label, (fn, items) in jobs.items():
        found: dict[int, dict] = {}  # type: ignore[type-arg]
        for index, rec in resilient_map(fn, items, args.workers, max_attempts=2, initializer=_limit_memory):
            if isinstance(rec, WorkerLost):
                rec = {"id": f"{label} {args.seed}/{index}", "kind": "worker_died", "detail": str(rec)}
            found[index] = rec
            if len(found) % 500 == 0:
                print(f"  {label}: {len(found)} of {len(items)}", flush=True)
        records[label] = [found[i] for i in range(len(items))]
        _save(args, records, start)
    wall = time.perf_counter() - start
    print(f"wall {wall:.0f} s on {args.workers} worker(s), {platform.processor() or platform.machine()}")
    failed = [r for recs in records.values() for r in recs if r["kind"] not in ("refused", "ran", "infeasible")]
    sys.exit(1 if failed else 0)


def _save(args: argparse.Namespace, records: dict, started: float) -> None:  # type: ignore[type-arg]
    """Print and write what is done so far (after each kind of input, so a later stop loses nothing)."""
    from logistics.testing.fuzz import Outcome

    summary = {}
    for label, recs in records.items():
        outcomes = [Outcome(r["id"], r["kind"], r["detail"], r.get("seconds", 0.0)) for r in recs]
        counts = summarize(outcomes)
        summary[label] = {"count": len(recs), "outcomes": counts, "failures": sum(o.failed for o in outcomes)}
        print(f"{label:<18}{len(recs):>8}  {counts}", flush=True)
        failures = report_failures(outcomes, limit=20)
        if failures:
            print(failures, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    wall = time.perf_counter() - started
    data = {
        "seed": args.seed,
        "wall_s": wall,
        "workers": args.workers,
        "machine": platform.machine(),
        "summary": summary,
    }
    args.out.write_text(json.dumps(data, indent=2))
    failed = [r for recs in records.values() for r in recs if r["kind"] not in ("refused", "ran", "infeasible")]
    args.out.with_suffix(".failures.json").write_text(json.dumps(failed, indent=1))


if __name__ == "__main__":
    main()
