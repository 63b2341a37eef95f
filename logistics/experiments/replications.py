"""Replications of one scenario, run one after another, and the files they produce."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from logistics.analysis.kpis import kpi_table
from logistics.analysis.report import write_report
from logistics.scenario.scenario import Scenario
from logistics.sim.engine import RunResult, simulate
from logistics.sim.result import order_table

__all__ = ["run_replications", "write_outputs"]

Progress = Callable[[int, float, float], None]


def run_replications(
    scenario: Scenario,
    replications: int | None = None,
    progress: Progress | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run replications 0..R-1 (R from the scenario unless given); replication r is seeded with child r of
    `SeedSequence(scenario.run.seed)`, so it does not depend on how many replications run.
    `progress(replication, now_h, end_h)` reports simulated time; `on_result` sees each finished run."""
    count = scenario.run.replications if replications is None else replications
    if count < 1:
        raise ValueError(f"replications must be >= 1, got {count}")
    results = []
    for r in range(count):
        callback = None if progress is None else (lambda now, end, r=r: progress(r, now, end))
        result = simulate(scenario, replication=r, progress=callback)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _has_parquet() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _write_orders(frame: pd.DataFrame, out_dir: Path, name: str) -> Path:
    """An order table as Parquet, or CSV without pyarrow."""
    if _has_parquet():
        path = out_dir / f"{name}.parquet"
        frame.to_parquet(path, index=False)
    else:
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False)
    return path


def write_outputs(
    results: list[RunResult], out_dir: Path, title: str | None = None, notice: str | None = None
) -> dict[str, Path]:
    """Write the KPI table (kpis.csv), per-order table (orders.parquet, else orders.csv), resources,
    consignments and time series (CSV), and the report (with `notice` at its top: an incomplete run says so);
    returns what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    kpis = kpi_table(results)
    written: dict[str, Path] = {}
    written["kpis"] = out_dir / "kpis.csv"
    kpis.to_csv(written["kpis"], index=False)
    # One orders table and one consignments table for every customs mode (a `mode` column).
    orders = [order_table(r).assign(replication=r.replication) for r in results]
    written["orders"] = _write_orders(pd.concat(orders, ignore_index=True), out_dir, "orders")
    tables: dict[str, Callable[[RunResult], pd.DataFrame]] = {
        "resources": lambda r: r.resources,
        "consignments": lambda r: r.consignments,
        "series": lambda r: r.series,
        "departures": lambda r: r.departures,
        "clearances": lambda r: r.clearances,
        "waves": lambda r: r.waves,
        "routes": lambda r: r.routes,
        "route_stops": lambda r: r.route_stops,
    }
    for name, table in tables.items():
        frames = [t.assign(replication=r.replication) for r in results if len(t := table(r))]
        if not frames:
            continue
        written[name] = out_dir / f"{name}.csv"
        pd.concat(frames, ignore_index=True).to_csv(written[name], index=False)
    report = write_report(results, kpis, out_dir, title or f"Run report: {results[0].scenario}", notice)
    written["report_html"] = report["html"]
    written["report_md"] = report["markdown"]
    return written
