"""Running an experiment: every run written as soon as it finishes (so a killed experiment resumes with only
the unfinished runs), a run that raises recorded with its error, serial or process-pool execution with
identical results (each run's seed is fixed by the experiment, not by who runs it)."""

from __future__ import annotations

import json
import os
import tempfile
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from logistics.analysis.stats import paired_comparisons, summarize
from logistics.experiments.spec import ExperimentSpec, RunTask, tasks

__all__ = ["EXECUTORS", "Results", "run_experiment", "run_task"]

EXECUTORS = ("serial", "local", "dask")


def run_task(task: RunTask) -> dict:  # type: ignore[type-arg]
    """Simulate one run and return its KPI rows, or the error it raised."""
    from logistics.analysis.kpis import kpi_table
    from logistics.scenario.builtin import builtin_names, load_builtin
    from logistics.scenario.loader import load_scenario
    from logistics.sim.engine import simulate

    record = {
        "run_id": task.run_id,
        "scenario": task.scenario,
        "point": task.point_label,
        "policy": task.policy,
        "replication": task.replication,
        "seed": task.seed,
    }
    try:
        if not Path(task.scenario).exists() and task.scenario in builtin_names():
            scenario = load_builtin(task.scenario, list(task.overrides))
        else:
            scenario = load_scenario(task.scenario, list(task.overrides))
        result = simulate(scenario, replication=task.replication)
        table = kpi_table([result])
        record["kpis"] = [[k, float(v), u] for k, v, u in zip(table["kpi"], table["value"], table["unit"], strict=True)]
    except Exception as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
        record["traceback"] = traceback.format_exc()
    return record


def _write_atomic(path: Path, record: dict) -> None:  # type: ignore[type-arg]
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
    on_run: Callable[[dict], None] | None = None,  # type: ignore[type-arg]
    address: str | None = None,
) -> Results:
    """Run every unfinished run of `spec` into `out_dir/runs/` (a new temporary folder when not given) and
    collect the results (also written as
    results.parquet or .csv, summary.csv, comparisons.csv and failures.csv). Executors: "serial", "local" (a
    process pool, `workers` processes, default all cores) and "dask" (the scheduler at `address`, or a local
    cluster of `workers` processes); the results do not depend on the executor."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix=f"{spec.name}-"))
    runs_dir = out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    all_tasks = tasks(spec)
    todo = [t for t in all_tasks if not (runs_dir / f"{t.run_id}.json").exists()]
    reused = len(all_tasks) - len(todo)

    def finish(record: dict) -> None:  # type: ignore[type-arg]
        _write_atomic(runs_dir / f"{record['run_id']}.json", record)
        if on_run is not None:
            on_run(record)

    if executor == "dask":
        _run_dask(todo, finish, workers, address)
    elif executor == "serial" or (workers or os.cpu_count() or 1) == 1:
        for t in todo:
            finish(run_task(t))
    else:
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
            futures = [pool.submit(run_task, t) for t in todo]
            for f in as_completed(futures):
                finish(f.result())
    return collect(spec, out, ran=len(todo), reused=reused)


def _run_dask(
    todo: list[RunTask],
    finish: Callable[[dict], None],  # type: ignore[type-arg]
    workers: int | None,
    address: str | None,
) -> None:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ImportError('the dask executor needs dask: pip install -e ".[dask]"') from None
    if not todo:
        return
    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(address if address is not None else cluster)
    try:
        futures = client.map(run_task, todo, pure=False)
        for future in dask_completed(futures):
            finish(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def collect(spec: ExperimentSpec, out_dir: str | Path, ran: int = 0, reused: int = 0) -> Results:
    """Read the finished runs of an experiment and write its tables."""
    out = Path(out_dir)
    rows, failures = [], []
    for t in tasks(spec):
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
    try:
        table.to_parquet(out / "results.parquet", index=False)
    except ImportError:
        table.to_csv(out / "results.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    comparisons.to_csv(out / "comparisons.csv", index=False)
    failed.to_csv(out / "failures.csv", index=False)
    return Results(table, all_kpis, failed, summary, comparisons, ran, reused)
