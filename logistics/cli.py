"""The `logistics` command: validate, run, schema and the built-in scenarios."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from logistics.core.errors import LogisticsError, ScenarioError, ScenarioIssue
from logistics.scenario import DEFAULT_SCENARIO, builtin_names, builtin_text, load_builtin
from logistics.scenario.builtin import load_named
from logistics.scenario.scenario import Scenario
from logistics.scenario.schema import scenario_json_schema

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate and optimise cross-border e-commerce logistics and warehousing.",
)
scenarios_app = typer.Typer(no_args_is_help=True, help="The built-in example scenarios.")
app.add_typer(scenarios_app, name="scenarios")
optimize_app = typer.Typer(
    no_args_is_help=True, help="Solvers usable on their own (vehicle routing, dock appointments, slotting)."
)
app.add_typer(optimize_app, name="optimize")
console = Console()
err = Console(stderr=True)


@app.callback()
def _main() -> None:
    """Show scenario notices (e.g. a file converted from an older schema version) as one plain line each."""
    import warnings

    from logistics.scenario.upgrade import ScenarioNotice

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, ScenarioNotice):
            err.print(f"[cyan]notice:[/cyan] {message}", highlight=False, soft_wrap=True)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show


SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a field: path.to.field=value (repeatable), e.g. demand.orders_per_day=5000"),
]


PluginsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--plugins",
        help="A module registering your own policies: a dotted name or a .py file (repeatable).",
    ),
]


def _plugins(modules: list[str] | None) -> list[str]:
    """Load the installed packages' `logistics.policies` entry points and the modules given; their paths as
    the runs need them (a .py file made absolute)."""
    from logistics.policies.plugins import load_entry_points, load_plugins

    given = [str(Path(m).resolve()) if m.endswith(".py") else m for m in modules or []]
    load_entry_points()
    load_plugins(given)
    return given


def _load(file: str | None, overrides: list[str] | None, force: bool = False) -> Scenario:
    """A scenario from a file path, or a built-in by name (none: the default example), with the simulation
    model built (not run), so what `validate` accepts, `run` can start; a run estimated too large for this
    machine is refused unless `force` (then it is not built here)."""
    from logistics.sim.size import check_buildable

    return load_named(file or DEFAULT_SCENARIO, overrides or [], checks=(lambda s: check_buildable(s, force),))


def _check_out_file(path: Path) -> None:
    from logistics.experiments.outputs import check_out_file

    check_out_file(path)


def _write_text_atomic(path: Path, text: str) -> None:
    from logistics.experiments.outputs import write_text_atomic

    write_text_atomic(path, text)


def _read_text(path: Path) -> str:
    from logistics.optimize.textio import read_text

    return read_text(path)


def _fail(exc: LogisticsError) -> NoReturn:
    if isinstance(exc, ScenarioError):
        for issue in exc.issues:
            err.print(f"[red]error[/red] {issue}", highlight=False, soft_wrap=True)
    else:
        err.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _print_summary(title: str, rows: list[tuple[str, str]]) -> None:
    """A two-column summary table."""
    table = Table(title=title)
    table.add_column("")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def _emit_schema(schema_data: dict, out: Path | None) -> None:
    """Write a JSON Schema to `out`, or to stdout when no file is given."""
    text = json.dumps(schema_data, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"JSON Schema written to {out}")


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
    if size.memory_b > LIMIT_SHARE * memory_bytes():
        err.print("[yellow]too large for this machine's memory: `run` refuses it without --force[/yellow]")


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
) -> None:
    """Print or write the JSON Schema of scenario files (for editor validation)."""
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
    }
    failure: list[BaseException] = []

    def fill(folder: Path) -> dict:
        try:
            return write_outputs(results, folder)
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


@scenarios_app.command("list")
def scenarios_list() -> None:
    """List the built-in scenarios."""
    for name in builtin_names():
        scenario = load_builtin(name)
        console.print(f"[bold]{name}[/bold]: {scenario.description}")


@scenarios_app.command("upgrade")
def scenarios_upgrade(
    file: Annotated[Path, typer.Argument(help="A scenario file of an older schema version.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write the version-2 file (default: standard output).")
    ] = None,
) -> None:
    """Convert a scenario file to the current schema version (2: bonded import becomes a flow of mode 1210) and
    write it, validated first. A file laid out section by section keeps its comments and layout (the rewritten
    text is kept only if it loads to exactly the converted scenario); otherwise the converted data is written
    plainly."""
    import warnings

    import yaml

    from logistics.scenario.loader import parse_scenario, read_yaml, validate_data
    from logistics.scenario.upgrade import ScenarioNotice, needs_upgrade, upgrade
    from logistics.scenario.upgrade_text import upgrade_text

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(ScenarioError([ScenarioIssue((), f"cannot read the file: {exc}", source=str(file))]))
    try:
        data, lines = read_yaml(text, str(file))
        if not needs_upgrade(data):
            err.print(f"{file} is already at the current schema version: nothing to do")
            raise typer.Exit(0)
        upgraded = upgrade(data, lines, str(file))
        converted = validate_data(upgraded.data, source=str(file), lines=upgraded.lines)
    except LogisticsError as exc:
        _fail(exc)
    written = upgrade_text(text, upgraded.data)
    if written is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScenarioNotice)
                # JSON text, not dicts: the order of a mapping (e.g. trader shares) is part of the scenario
                same = parse_scenario(written, source=str(file)).model_dump_json() == converted.model_dump_json()
        except LogisticsError:
            same = False
        if not same:
            written = None
    if written is None:
        err.print(
            "the file's layout could not be kept: writing the converted data (comments are not kept)", soft_wrap=True
        )
        written = yaml.safe_dump(upgraded.data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    if out is None:
        sys.stdout.write(written)
    else:
        out.write_text(written, encoding="utf-8")
        err.print(f"wrote {out} (schema version 2)")


@scenarios_app.command("show")
def scenarios_show(name: Annotated[str, typer.Argument(help="Built-in scenario name.")]) -> None:
    """Print a built-in scenario's YAML (redirect it to a file to start your own)."""
    try:
        sys.stdout.write(builtin_text(name))
    except LogisticsError as exc:
        _fail(exc)


@optimize_app.command("routes")
def optimize_routes(
    problem_file: Annotated[
        Path, typer.Argument(help="Problem: this package's JSON, a Solomon .txt or a VRPLIB .vrp file.")
    ],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 10.0,
    backend: Annotated[
        str, typer.Option(help="auto (OR-Tools and PyVRP at once, the better wins), ortools or pyvrp.")
    ] = "auto",
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    solution_limit: Annotated[
        int | None, typer.Option(help="Work limit of a reproducible run (OR-Tools: solutions; PyVRP: x100 iterations).")
    ] = None,
    workers: Annotated[int, typer.Option(help="OR-Tools: parallel searches from different starts.")] = 1,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the solution JSON here.")] = None,
    distances: Annotated[
        Path | None, typer.Option(help="Distance matrix (m) from a .csv, .json or .parquet file, by location id.")
    ] = None,
    durations: Annotated[
        Path | None, typer.Option(help="Travel-time matrix (s), the same formats (default: distance / speed).")
    ] = None,
    osrm: Annotated[
        str | None,
        typer.Option(help="OSRM server URL: road distances and times from its table service (lat/lon locations)."),
    ] = None,
) -> None:
    """Solve a vehicle routing problem, check the solution independently and print a summary."""
    from dataclasses import replace

    from logistics.optimize import SolveParams, check_routing, read_instance, read_matrix, solve_routing
    from logistics.optimize.routing.jsonio import result_to_json

    try:
        if out is not None:
            _check_out_file(out)
        problem = read_instance(problem_file)
        if distances is not None or durations is not None:  # the user's matrices replace the computed ones
            ids = [loc.id for loc in problem.locations]
            dist = read_matrix(distances, ids) if distances is not None else problem.distances
            dur = read_matrix(durations, ids) if durations is not None else None
            if dur is None and problem.duration_s is None:
                dur = dist / problem.speed_m_per_s
            problem = replace(problem, distance_m=dist, duration_s=dur if dur is not None else problem.durations)
        if osrm is not None:
            from logistics.optimize.routing.travel import OsrmTable, with_travel

            problem = with_travel(problem, OsrmTable(osrm))
        params = SolveParams(
            time_limit_s=time_limit, backend=backend, seed=seed, solution_limit=solution_limit, workers=workers
        )
        result = solve_routing(problem, params)
    except LogisticsError as exc:
        _fail(exc)
    report = check_routing(problem, result)
    rows = [
        ("status", result.status.value),
        ("backend", result.backend),
        ("vehicles used", f"{result.vehicles_used}"),
        ("distance (m)", f"{result.distance_m:,.2f}"),
        ("cost", f"{result.cost:,.2f}"),
        ("objective", f"{result.objective:,.2f}"),
        ("unassigned stops", f"{len(result.unassigned)}"),
        ("run time (s)", f"{result.runtime_s:.2f}"),
        (
            "independent check",
            "ok" if report.ok else ("feasible, incomplete" if report.feasible else "FAILED"),
        ),
    ]
    _print_summary(f"{problem.name or problem_file.name}: {len(problem.stops)} stops", rows)
    for violation in report.violations[:10]:
        err.print(f"[red]check[/red] {violation}", highlight=False)
    for u in result.unassigned[:10]:
        console.print(f"unassigned {u.stop}: {u.reason}", highlight=False)
    if out is not None:
        _write_text_atomic(out, result_to_json(result))
        console.print(f"solution written to {out}")
    if not report.feasible or (result.status.value not in ("optimal", "feasible") and problem.stops):
        raise typer.Exit(code=1)  # a failed check, no solution, or required stops left out


@optimize_app.command("check-routes")
def optimize_check_routes(
    problem_file: Annotated[
        Path, typer.Argument(help="Problem: this package's JSON, a Solomon, Li & Lim or VRPLIB file.")
    ],
    plan_file: Annotated[
        Path,
        typer.Argument(help="Routes to check (JSON: routes with vehicle_type and stops; a solution JSON works)."),
    ],
) -> None:
    """Check a plan someone else made against a problem: every violation, with the stop and the amount."""
    from logistics.optimize import check_routing, read_instance
    from logistics.optimize.routing.plans import plan_from_json

    try:
        problem = read_instance(problem_file)
        result = plan_from_json(problem, _read_text(plan_file))
    except LogisticsError as exc:
        _fail(exc)
    report = check_routing(problem, result)
    rows = [
        ("routes", f"{len(result.routes)}"),
        ("distance (m)", f"{report.distance_m:,.2f}"),
        ("cost", f"{report.cost:,.2f}"),
        ("unassigned stops", f"{len(result.unassigned)}"),
        ("violations", f"{len(report.violations)}"),
        ("verdict", "ok" if report.ok else ("feasible, incomplete" if report.feasible else "VIOLATED")),
    ]
    _print_summary(f"{plan_file.name} against {problem.name or problem_file.name}", rows)
    for violation in report.violations:
        console.print(f"violation: {violation}", highlight=False)
    if not report.ok:
        raise typer.Exit(code=1)


@optimize_app.command("docks")
def optimize_docks(
    problem_file: Annotated[Path, typer.Argument(help="Dock problem JSON (trucks, doors, grid settings).")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 30.0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the plan JSON here.")] = None,
) -> None:
    """Schedule trucks to dock doors and time slots (CP-SAT), check the plan and print a summary."""
    from logistics.optimize.docks import DockParams, check_docks, dock_plan_to_json, dock_problem_from_json, solve_docks

    try:
        if out is not None:
            _check_out_file(out)
        problem = dock_problem_from_json(_read_text(problem_file))
        plan = solve_docks(problem, DockParams(time_limit_s=time_limit))
    except LogisticsError as exc:
        _fail(exc)
    violations = check_docks(problem, plan).violations
    rows = [
        ("status", plan.status.value),
        ("scheduled", f"{len(plan.appointments)}"),
        ("unscheduled", f"{len(plan.unscheduled)}"),
        ("objective (weighted slots)", f"{plan.objective:,.2f}"),
        ("proven gap", f"{100 * plan.gap:.2f}%"),
        ("mean waiting (min)", f"{plan.mean_waiting_min:.1f}"),
        ("door utilisation", f"{plan.door_utilisation:.1%}"),
        ("run time (s)", f"{plan.runtime_s:.2f}"),
        ("independent check", "ok" if not violations else "FAILED"),
    ]
    _print_summary(f"{problem_file.name}: {len(problem.trucks)} trucks, {len(problem.doors)} doors", rows)
    for truck, reason in plan.unscheduled[:10]:
        console.print(f"unscheduled {truck}: {reason}", highlight=False)
    if out is not None:
        _write_text_atomic(out, dock_plan_to_json(plan))
        console.print(f"plan written to {out}")
    if violations or (plan.status.value not in ("optimal", "feasible") and problem.trucks):
        raise typer.Exit(code=1)  # a failed check, an invalid model, no plan, or trucks left out


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
    from logistics.experiments.spec import builtin_experiment_path, load_experiment

    try:
        path = Path(experiment) if Path(experiment).exists() else builtin_experiment_path(experiment)
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
        table = Table(title=f"against {spec.baseline_policy} (paired, 95% interval)")
        for col in ("scenario", "policy", "kpi", "difference", "95% interval"):
            table.add_column(col, overflow="fold")
        for row in results.comparisons.itertuples():
            table.add_row(
                str(row.scenario),
                str(row.policy),
                str(row.kpi),
                f"{row.difference:+.4g}" + (" *" if row.significant else ""),
                f"[{row.ci_low:.4g}, {row.ci_high:.4g}]",
            )
        console.print(table)
    from logistics.experiments.report import write_experiment_report

    report = write_experiment_report(spec, results, out)
    console.print(f"results in {out}: results table, summary.csv, comparisons.csv, failures.csv; report {report}")
    if len(results.failures):
        raise typer.Exit(code=1)


@optimize_app.command("slots")
def optimize_slots(
    layout_file: Annotated[
        Path, typer.Argument(help="Layout JSON (zones, geometry, slots_csv; or a 'generate' section).")
    ],
    skus_file: Annotated[
        Path, typer.Argument(help="SKU CSV: sku_id, picks, volume_l, weight_kg [, slots, bonded, ...].")
    ],
    method: Annotated[str, typer.Option(help="optimal, random, abc or coi_greedy.")] = "optimal",
    orders: Annotated[
        Path | None, typer.Option(help="Order lines CSV (order_id, sku_id): travel evaluation and --affinity.")
    ] = None,
    affinity: Annotated[bool, typer.Option(help="Co-locate SKUs ordered together (needs --orders).")] = False,
    max_loss: Annotated[float, typer.Option(help="Affinity: largest objective loss allowed (share).")] = 0.01,
    current: Annotated[
        Path | None, typer.Option(help="Current plan CSV (slot_id, sku_id): re-slot from it with --max-moves.")
    ] = None,
    max_moves: Annotated[int | None, typer.Option(help="Re-slotting: most slot loads to move.")] = None,
    slots_csv: Annotated[
        Path | None, typer.Option("--slots-csv", help="Slot table CSV (instead of the layout file's slots_csv).")
    ] = None,
    policy: Annotated[str, typer.Option(help="Pick routing for the travel evaluation.")] = "optimal",
    seed: Annotated[int, typer.Option(help="Seed of the random baselines.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for plan.csv and summary.json.")] = None,
) -> None:
    """Assign SKUs to storage slots (exact min-cost flow or a baseline), check the plan and print a summary."""
    import json

    from logistics.optimize.routing.problem import InvalidProblemError
    from logistics.optimize.slotting import (
        SlottingParams,
        SlottingProblem,
        check_slotting,
        history_travel_m,
        improve_affinity,
        read_skus_csv,
        reslot,
        solve_slotting,
    )
    from logistics.optimize.slotting.files import read_current_plan, read_layout, read_orders_csv, write_plan

    try:
        if out is not None:
            _check_out_file(out / "plan.csv")
        for f in (layout_file, skus_file, orders, current):
            if f is not None and not f.exists():
                raise InvalidProblemError(str(f), "file not found")
        if affinity and orders is None:
            raise InvalidProblemError("--affinity", "needs --orders (the order history to learn pairs from)")
        if (current is None) != (max_moves is None):
            raise InvalidProblemError("--max-moves", "re-slotting needs both --current and --max-moves")
        problem = SlottingProblem(read_layout(layout_file, slots_csv), read_skus_csv(skus_file))
        history = read_orders_csv(orders, problem.skus) if orders is not None else None
        if current is not None and max_moves is not None:
            plan = reslot(problem, read_current_plan(current, problem), max_moves)
        else:
            plan = solve_slotting(problem, SlottingParams(method, seed))
        if affinity and history is not None:
            plan = improve_affinity(problem, plan, history, max_loss=max_loss, policy=policy)
        travel = history_travel_m(problem, plan, history, policy) if history is not None else None
    except LogisticsError as exc:
        _fail(exc)
    report = check_slotting(problem, plan)
    rows = [
        ("method", plan.method),
        ("status", plan.status),
        ("slot loads placed", f"{int((plan.sku_of_slot >= 0).sum()):,} of {int(problem.skus.slots.sum()):,}"),
        ("expected travel (m a period)", f"{plan.objective_m:,.1f}"),
        ("run time (s)", f"{plan.stats.get('wall_s', 0.0):.2f}"),
        ("independent check", "ok" if report.ok else "FAILED"),
    ]
    if "moves" in plan.stats:
        rows.insert(4, ("moves", f"{plan.stats['moves']:,}"))
    if travel is not None:
        rows.insert(4, (f"history travel, {policy} (m/order)", f"{travel.mean():,.1f}"))
    title = f"{layout_file.name}: {len(problem.skus):,} SKUs, {len(problem.layout.slots):,} slots"
    _print_summary(title, rows)
    if plan.message:
        console.print(plan.message, highlight=False, markup=False)
    for v in report.violations[:10]:
        console.print(f"violation: {v}", highlight=False, markup=False)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_plan(problem, plan, out / "plan.csv")
        summary = {
            "method": plan.method,
            "status": plan.status,
            "objective_m": plan.objective_m,
            "message": plan.message,
            "unplaced": plan.unplaced,
            "check_ok": report.ok,
            "violations": list(report.violations),
            "history_travel_m_per_order": float(travel.mean()) if travel is not None else None,
            "stats": {k: v for k, v in plan.stats.items() if isinstance(v, int | float | str | dict)},
        }
        _write_text_atomic(out / "summary.json", json.dumps(summary, indent=2))
        console.print(f"plan written to {out / 'plan.csv'}")
    if not report.ok:
        raise typer.Exit(code=1)
    if plan.status == "infeasible":
        raise typer.Exit(code=1)  # some SKUs could not be placed (listed above)


@optimize_app.command("slots-example")
def optimize_slots_example(
    folder: Annotated[Path, typer.Argument(help="Folder to write layout.json, slots.csv, skus.csv, orders.csv.")],
    aisles: Annotated[int, typer.Option(help="Aisles of the generated bonded warehouse.")] = 10,
    bays: Annotated[int, typer.Option(help="Bays per aisle side.")] = 30,
    levels: Annotated[int, typer.Option(help="Levels per bay.")] = 4,
    fill: Annotated[float, typer.Option(help="Share of slots the SKUs need.")] = 0.8,
    orders: Annotated[int, typer.Option(help="Orders in the generated history.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed.")] = 0,
) -> None:
    """Write a generated slotting example (bonded, fast-pick, cold, hazardous and general-trade zones)."""
    import numpy as np

    from logistics.optimize.slotting.examples import bonded_layout, generate_orders, generate_skus
    from logistics.optimize.slotting.files import write_layout, write_orders_csv, write_skus_csv

    try:
        layout = bonded_layout(aisles, bays, levels)
        rng = np.random.default_rng(seed)
        skus = generate_skus(layout, max(1, int(len(layout.slots) * fill / 1.08)), rng)
        history = generate_orders(skus, orders, rng, mean_lines=1.7)
    except LogisticsError as exc:
        _fail(exc)
    path = write_layout(layout, folder)
    write_skus_csv(skus, folder / "skus.csv")
    write_orders_csv(history, skus, folder / "orders.csv")
    console.print(f"wrote {path}, slots.csv, skus.csv ({len(skus):,} SKUs) and orders.csv ({orders:,} orders)")


@optimize_app.command("routes-schema")
def optimize_routes_schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file (default: stdout).")] = None,
) -> None:
    """Print or write the JSON Schema of the routing problem format."""
    from logistics.optimize.routing.jsonio import routing_problem_schema

    _emit_schema(routing_problem_schema(), out)


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
