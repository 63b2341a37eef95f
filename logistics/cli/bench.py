"""`logistics bench`: experiments over scenarios, policies and replications."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from logistics.cli.app import app, console
from logistics.cli.common import PluginsOption, _fail, _plugins
from logistics.core.errors import LogisticsError, ScenarioError, ScenarioIssue


@app.command()
def bench(
    experiment: Annotated[str, typer.Argument(help="Experiment YAML, or a built-in name (policy_comparison).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (runs are kept there to resume).")] = Path(
        "out/bench"
    ),
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    backend: Annotated[str, typer.Option(help="serial, local (process pool) or dask.")] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")] = None,
    plugins: PluginsOption = None,
) -> None:
    """Run an experiment: scenarios x grid x policies x replications, resumable; paired comparisons with 95%
    intervals against the baseline policy."""
    from logistics.experiments.runner import run_experiment
    from logistics.experiments.spec import experiment_path, load_experiment

    try:
        path = experiment_path(experiment)
        spec = load_experiment(path)
        spec = spec.model_copy(update={"plugins": _plugins([*spec.plugins, *(plugins or [])])})
        if backend not in ("serial", "local", "dask"):
            raise ScenarioError(
                [ScenarioIssue(("--backend",), f"must be serial, local or dask, got {backend!r}", "command line")]
            )
    except LogisticsError as exc:
        _fail(exc)

    def progress(record: dict) -> None:
        state = "FAILED " + record["error"] if "error" in record else "ok"
        console.print(f"  {record['run_id']}: {state}", highlight=False, markup=False)

    try:
        if out.exists() and not out.is_dir():
            raise ScenarioError([ScenarioIssue(("--out",), f"{out} is a file, not a folder", "command line")])
        results = run_experiment(spec, out, executor=backend, workers=workers, on_run=progress, address=address)
    except LogisticsError as exc:
        _fail(exc)
    console.print(f"{spec.name}: {results.ran} run(s) now, {results.reused} reused from {out}/runs")
    if len(results.comparisons):
        level = float(results.comparisons["adjusted_confidence"].iloc[0])
        table = Table(
            title=f"against {spec.baseline_policy} (paired; intervals at {level:.2%} each, Bonferroni over "
            f"{len(results.comparisons)} comparisons)"
        )
        for col in ("scenario", "policy", "kpi", "difference", "adjusted interval", "verdict"):
            table.add_column(col, overflow="fold")
        for row in results.comparisons.itertuples():
            table.add_row(
                str(row.scenario),
                str(row.policy),
                str(row.kpi),
                f"{row.difference:+,.4g}",
                "" if row.verdict == "unknown" else f"[{row.adjusted_low:+,.4g}, {row.adjusted_high:+,.4g}]",
                str(row.verdict),
            )
        console.print(table)
    from logistics.experiments.report import write_experiment_report

    report = write_experiment_report(spec, results, out)
    console.print(f"results in {out}: results table, summary.csv, comparisons.csv, failures.csv; report {report}")
    if len(results.failures):
        raise typer.Exit(code=1)
