"""Running an experiment: every run written as soon as it finishes (so a killed experiment resumes with only
the unfinished runs), a run that raises recorded with its error, serial or process-pool execution with
identical results (each run's seed is fixed by the experiment, not by who runs it)."""

from __future__ import annotations

import difflib
import json
import os
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from logistics.analysis.stats import paired_comparisons, summarize
from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.experiments.pool import EXECUTORS, WorkerLost, open_pool
from logistics.experiments.spec import ExperimentSpec, RunTask, tasks

__all__ = ["EXECUTORS", "Results", "run_experiment", "run_task"]


def run_task(task: RunTask) -> dict:
    """Simulate one run and return its KPI rows, or the error it raised."""
    from logistics.analysis.kpis import run_kpis
    from logistics.scenario.builtin import load_named
    from logistics.sim.engine import simulate

    record = _record(task)
    try:
        from logistics.policies.plugins import load_plugins

        load_plugins(task.plugins)
        scenario = load_named(task.scenario, list(task.overrides))
        result = simulate(scenario, replication=task.replication)
        table = run_kpis(result, undefined=True)
        defined = table["value"].notna()
        record["kpis"] = [
            [k, float(v), u]
            for k, v, u in zip(table["kpi"][defined], table["value"][defined], table["unit"][defined], strict=True)
        ]
        record["undefined_kpis"] = table["kpi"][~defined].tolist()
    except Exception as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
        record["traceback"] = traceback.format_exc()
    return record


def _write_atomic(path: Path, record: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class Results:
    """An experiment's tidy results (scenario, point, policy, replication, seed, kpi, value, unit), failed runs,
    per-KPI summaries with 95% intervals and paired comparisons against the baseline policy."""

    table: pd.DataFrame
    all_kpis: pd.DataFrame
    failures: pd.DataFrame
    summary: pd.DataFrame
    comparisons: pd.DataFrame
    ran: int
    reused: int


def run_experiment(
    spec: ExperimentSpec,
    out_dir: str | Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    on_run: Callable[[dict], None] | None = None,
    address: str | None = None,
    max_attempts: int = 3,
) -> Results:
    """Run every unfinished run of `spec` into `out_dir/runs/` (a new temporary folder when not given) and
    collect the results (also written as
    results.parquet or .csv, summary.csv, comparisons.csv and failures.csv). Executors: "serial", "local" (a
    process pool, `workers` processes, default all cores) and "dask" (the scheduler at `address`, or a local
    cluster of `workers` processes); the results do not depend on the executor. A run is reused only when its
    key (scenario content after overrides, seed, replication, package version) matches; a pool worker that dies
    (killed, out of memory) has its runs retried, up to `max_attempts` times each, and the experiment goes on.
    With `spec.kpis`, one run per scenario goes first and unknown KPI names stop the experiment there."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix=f"{spec.name}-"))
    runs_dir = out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    all_tasks = tasks(spec)
    todo = [t for t in all_tasks if not (runs_dir / f"{t.run_id}.json").exists()]
    reused = len(all_tasks) - len(todo)

    def finish(record: dict) -> None:
        _write_atomic(runs_dir / f"{record['run_id']}.json", record)
        if on_run is not None:
            on_run(record)

    pool = open_pool(executor, workers, address, max_attempts) if todo else None

    def execute(batch: list[RunTask]) -> None:
        if not batch or pool is None:
            return
        for index, record in pool.map(run_task, batch):
            finish(record if not isinstance(record, WorkerLost) else _lost(batch[index], record))

    try:
        if spec.kpis:  # one run per scenario first: a misspelt KPI name stops the experiment before the rest run
            probes = list({t.scenario: t for t in reversed(all_tasks)}.values())
            execute([t for t in probes if t in todo])
            check_kpi_names(spec, [runs_dir / f"{t.run_id}.json" for t in probes])
            todo = [t for t in todo if t not in probes]
        execute(todo)
    finally:
        if pool is not None:
            pool.close()
    return collect(spec, out, ran=len(all_tasks) - reused, reused=reused, all_tasks=all_tasks)


def _record(task: RunTask) -> dict:
    """What every run's record starts with."""
    return {
        "run_id": task.run_id,
        "scenario": task.scenario,
        "point": task.point_label,
        "policy": task.policy,
        "replication": task.replication,
        "seed": task.seed,
    }


def _lost(task: RunTask, lost: WorkerLost) -> dict:
    return {**_record(task), "error": f"WorkerLost: {lost}"}


def check_kpi_names(spec: ExperimentSpec, probe_records: list[Path]) -> None:
    """Raise a ScenarioError naming `kpis[i]` for every KPI name that no scenario of the experiment has (as
    seen in the finished runs `probe_records`; runs that failed are not evidence either way)."""
    known: set[str] = set()
    evidence = False
    for path in probe_records:
        if not path.exists():
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        if "error" in record:
            continue
        evidence = True
        known |= {k for k, _, _ in record["kpis"]} | set(record.get("undefined_kpis", []))
    if not evidence:
        return
    issues = []
    for i, name in enumerate(spec.kpis):
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else " (`logistics run` writes every KPI to kpis.csv)"
            issues.append(ScenarioIssue(("kpis", i), f"{name!r} is not a KPI of the experiment's scenarios{hint}"))
    if issues:
        raise ScenarioError(issues)


def collect(
    spec: ExperimentSpec,
    out_dir: str | Path,
    ran: int = 0,
    reused: int = 0,
    all_tasks: list[RunTask] | None = None,
) -> Results:
    """Read the finished runs of an experiment and write its tables."""
    out = Path(out_dir)
    rows, failures = [], []
    for t in all_tasks if all_tasks is not None else tasks(spec):
        path = out / "runs" / f"{t.run_id}.json"
        if not path.exists():
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        if "error" in record:
            failures.append({k: record[k] for k in ("run_id", "scenario", "point", "policy", "replication", "error")})
            continue
        for kpi, value, unit in record["kpis"]:
            rows.append(
                (
                    record["scenario"],
                    record["point"],
                    record["policy"],
                    record["replication"],
                    record["seed"],
                    kpi,
                    value,
                    unit,
                )
            )
    columns = ["scenario", "point", "policy", "replication", "seed", "kpi", "value", "unit"]
    all_kpis = pd.DataFrame(rows, columns=columns)
    table = all_kpis[all_kpis["kpi"].isin(spec.kpis)].reset_index(drop=True) if spec.kpis else all_kpis
    failed = pd.DataFrame(failures, columns=["run_id", "scenario", "point", "policy", "replication", "error"])
    summary = summarize(table) if len(table) else pd.DataFrame()
    comparisons = paired_comparisons(table, spec.baseline_policy) if len(table) else pd.DataFrame()
    table.to_parquet(out / "results.parquet", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    comparisons.to_csv(out / "comparisons.csv", index=False)
    failed.to_csv(out / "failures.csv", index=False)
    return Results(table, all_kpis, failed, summary, comparisons, ran, reused)
