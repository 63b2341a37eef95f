"""`logistics validate`, `schema` and `run`: check and simulate a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from logistics.cli.app import app, console, err
from logistics.cli.common import PluginsOption, SetOption, _emit_schema, _fail, _load, _plugins
from logistics.core.errors import LogisticsError
from logistics.core.naming import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from logistics.scenario.scenario import Scenario


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="Scenario file (YAML or JSON) or a built-in scenario name.")],
    set_: SetOption = None,
    plugins: PluginsOption = None,
) -> None:
    """Check a scenario file; every problem is listed with its file, line and field. The simulation model is
    built (not run) too, so what passes here, `run` can start."""
    from logistics.sim.size import LIMIT_SHARE, estimate_size, memory_bytes

    try:
        _plugins(plugins)
        scenario = _load(file, set_, force=True)
    except LogisticsError as exc:
        _fail(exc)
    size = estimate_size(scenario)
    console.print(f"[green]ok[/green] {file}: scenario {scenario.name!r} is valid ({size})")
    for line in _history_lines(scenario):
        console.print(f"  order history of {line}", highlight=False, markup=False)
    if size.memory_b > LIMIT_SHARE * memory_bytes():
        err.print("[yellow]too large for this machine's memory: `run` refuses it without --force[/yellow]")


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
) -> None:
    """Print or write the JSON Schema of scenario files (for editor validation)."""
    from logistics.scenario.schema import scenario_json_schema

    _emit_schema(scenario_json_schema(), out)


@app.command()
def run(
    file: Annotated[
        str | None,
        typer.Argument(help=f"Scenario file or built-in name (default: the built-in {DEFAULT_SCENARIO})."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (overrides run.seed).")] = None,
    replications: Annotated[int | None, typer.Option(help="Replications (overrides run.replications).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    set_: SetOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Run even when the size estimate says it will not fit in memory.")
    ] = False,
    plugins: PluginsOption = None,
) -> None:
    """Simulate a scenario and write the KPI table, the per-order table and the report into OUT (a new folder,
    or one an earlier run wrote: it is replaced whole once the new results are complete)."""
    from logistics.analysis.report import summary_table
    from logistics.experiments import run_replications
    from logistics.experiments.outputs import check_out_dir

    overrides = list(set_ or [])
    if seed is not None:
        overrides.append(f"run.seed={seed}")
    if replications is not None:
        overrides.append(f"run.replications={replications}")
    try:
        _plugins(plugins)
        check_out_dir(out)
        scenario = _load(file, overrides, force=force)
    except LogisticsError as exc:
        _fail(exc)
    reps = scenario.run.replications
    for line in _history_lines(scenario):
        err.print(f"order history of {line}", highlight=False, markup=False)
    results: list = []
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=quiet,
        ) as bar:
            task = bar.add_task(f"{scenario.name}", total=reps * scenario.run.end_h)

            def progress(r: int, now: float, end: float) -> None:
                bar.update(task, completed=r * end + now, description=f"{scenario.name} replication {r + 1}/{reps}")

            run_replications(scenario, progress=progress, on_result=results.append)
    except KeyboardInterrupt:
        _write_partial(results, out, scenario, "interrupted")
        raise typer.Exit(code=130) from None
    except Exception as exc:
        _write_partial(results, out, scenario, f"{type(exc).__name__}: {exc}")
        if isinstance(exc, LogisticsError):
            _fail(exc)
        raise
    try:
        written = _write_run(results, out, scenario, "done")
    except Exception as exc:
        err.print(
            f"[red]error[/red] writing the results failed: {type(exc).__name__}: {exc} (what was written is in {out}, "
            "see run.json)",
            highlight=False,
        )
        raise typer.Exit(code=1) from None

    from logistics.analysis.kpis import kpi_table
    from logistics.analysis.report import headline

    summary = summary_table(kpi_table(results))
    table = Table(title=f"{scenario.name}: {reps} replication(s), seed {scenario.run.seed}")
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    for label, value in headline(summary, results[0].modes):
        table.add_row(label, f"{value:,.3f}".rstrip("0").rstrip("."))
    console.print(table)
    wall = sum(r.wall_s for r in results)
    created = sum(r.counts.get("created", 0) + r.counts.get("flows.created", 0) for r in results)
    optimizer = sum(r.optimizer_s for r in results)
    spent = f"; {optimizer:.1f} s of it in the dispatch optimizer" if optimizer else ""
    console.print(f"simulated {created:,} orders in {wall:.1f} s ({created / max(wall, 1e-9):,.0f} orders/s{spent})")
    for name, path in written.items():
        console.print(f"  {name:<13} {path}")


def _history_records(scenario: Scenario) -> list[dict]:
    """Per flow replaying an order history: its orders inside the horizon and those outside (not replayed)."""
    from dataclasses import asdict

    from logistics.scenario.scenario import history_coverages

    return [{"flow": scenario.flows[k].id, **asdict(cover)} for k, cover in history_coverages(scenario)]


def _history_lines(scenario: Scenario) -> list[str]:
    """One line per flow replaying a history: what is replayed and what falls outside the horizon."""
    from logistics.scenario.scenario import history_coverages

    return [f"flow {scenario.flows[k].id}: {cover.describe()}" for k, cover in history_coverages(scenario)]


def _write_run(results: list, out: Path, scenario: Scenario, status: str, error: str | None = None) -> dict:
    """Write the runs' files into OUT, replacing an earlier run's folder whole; returns name -> path."""
    from logistics import __version__
    from logistics.experiments import write_outputs
    from logistics.experiments.outputs import replace_folder

    manifest = {
        "scenario": scenario.name,
        "seed": scenario.run.seed,
        "replications_finished": len(results),
        "replications": scenario.run.replications,
        "status": status,
        "error": error,
        "version": __version__,
        "inputs": scenario.model_dump(mode="json"),  # what `logistics compare` lists as the fields that differ
        "history": _history_records(scenario),
    }
    failure: list[BaseException] = []

    notice = None
    if status != "done":
        what = "interrupted" if error == "interrupted" else f"stopped by an error ({error})"
        notice = (
            f"Incomplete run: {len(results)} of {scenario.run.replications} replications finished; the run was "
            f"{what}. Every figure below covers the finished replications only."
        )

    def fill(folder: Path) -> dict:
        try:
            return write_outputs(results, folder, notice=notice)
        except Exception as exc:  # keep the tables already written; say what failed
            failure.append(exc)
            manifest.update(status="failed", error=f"writing the results: {type(exc).__name__}: {exc}")
            return {}

    written = replace_folder(out, fill, manifest)
    if failure:
        raise failure[0]
    return {name: out / path.name for name, path in written.items()}


def _write_partial(results: list, out: Path, scenario: Scenario, error: str) -> None:
    """After a failure: write the finished replications (if any) with the error in run.json."""
    if not results:
        return
    try:
        _write_run(results, out, scenario, "failed", error)
        err.print(f"[yellow]the {len(results)} finished replication(s) were written to {out}[/yellow]")
    except Exception as exc:  # the first error is the one to report
        err.print(f"[yellow]the finished replications could not be written: {exc}[/yellow]", highlight=False)
