"""`logistics plan`: sizing by simulation-based optimization (workers, doors, vans, space ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from logistics.cli.app import app, console
from logistics.cli.common import _fail
from logistics.core.errors import LogisticsError, ScenarioError, ScenarioIssue


@app.command()
def plan(
    plan_file: Annotated[str, typer.Argument(help="Plan file (YAML), or a built-in plan (staffing_small, ...).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out/plan"),
    grid: Annotated[
        bool, typer.Option("--grid", help="Evaluate every point of the grid (to check the search).")
    ] = False,
    trials: Annotated[int | None, typer.Option(help="Most candidates to simulate (overrides the file).")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    backend: Annotated[str, typer.Option(help="serial, local (process pool) or dask.")] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")] = None,
) -> None:
    """Find the cheapest plan whose KPIs meet their targets at the stated confidence: an Optuna search with common
    random numbers screens the plans, then the cheapest candidates are confirmed on fresh replications the search
    never used (a fixed-sample test, Bonferroni over the candidates checked) and the first confirmed is
    recommended. Writes trials.csv, confirmation.csv, best.json (the bound each verdict uses and what the
    confidence means), the scenario with the plan applied (replaying the confirmation runs) and, for several
    objectives, the Pareto front."""
    from logistics.experiments.sizing import Candidate, Check, check_variables, plan_capacity
    from logistics.experiments.sizing_report import load_plan, meaning, plan_path, write_plan_results

    try:
        path = plan_path(plan_file)
        spec = load_plan(path)
        if backend not in ("serial", "local", "dask"):
            raise ScenarioError([ScenarioIssue(("--backend",), "must be serial, local or dask", "command line")])
        search = spec.search.model_copy(
            update={k: v for k, v in (("method", "grid" if grid else None), ("trials", trials)) if v is not None}
        )
        spec = spec.model_copy(update={"search": search})
        from logistics.scenario.builtin import load_named

        load_named(spec.scenario, list(spec.overrides))  # the scenario loads before any run starts
        check_variables(spec, path.name)  # and every variable's range applies to it
    except LogisticsError as exc:
        _fail(exc)

    def progress(c: Candidate) -> None:
        state = "meets (search)" if c.feasible else "misses (search)"
        values = ", ".join(f"{k}={v:g}" for k, v in c.values.items())
        console.print(f"  {c.order + 1:>3} {values}: {state}, objective {c.objectives[0]:,.1f} ({len(c.kpis)} reps)")

    def checked(c: Check) -> None:
        values = ", ".join(f"{k}={v:g}" for k, v in c.candidate.values.items())
        if not c.tested:
            console.print(f"  pilot {values} ({len(c.pilot)} replications) misses a target: passed over")
            return
        state = "confirmed" if c.confirmed else "not confirmed"
        if c.stopped:
            state += f" (stopped early; {c.planned} planned)"
        console.print(f"  test {values} on {len(c.kpis)} fresh replications (pilot {len(c.pilot)}): {state}")

    try:
        result = plan_capacity(
            spec, executor=backend, workers=workers, on_candidate=progress, address=address, on_check=checked
        )
    except LogisticsError as exc:
        _fail(exc)
    written = write_plan_results(result, out)
    table = Table(title=f"{spec.name}: {result.evaluations} of {spec.grid_size} plans simulated, {result.runs} runs, "
                  f"{result.wall_s:.0f} s")  # fmt: skip
    table.add_column("")
    table.add_column("best plan", justify="right")
    if result.best is None:
        console.print(table)
        if not result.checks:
            console.print(
                "[red]no plan met the constraints[/red], even on its search mean: widen the bounds (trials.csv lists "
                "every candidate)"
            )
        else:
            console.print(
                f"[red]no plan was confirmed[/red] on fresh replications ({sum(c.tested for c in result.checks)} "
                f"tested, {sum(not c.tested for c in result.checks)} passed over after their pilot; "
                "confirmation.csv). Widen the bounds, or raise confirm.max_replications or confirm.candidates (a plan "
                "close to its target needs many replications to be shown feasible)"
            )
        raise typer.Exit(code=1)
    for name, value in result.best.values.items():
        table.add_row(name, f"{value:g}")
    for k, value in enumerate(result.best.objectives):
        table.add_row(f"objective {k + 1}", f"{value:,.1f}")
    check = result.confirmation
    if check is not None:
        for constraint, bound, level in zip(spec.constraints, check.bounds, check.levels, strict=True):
            side = ">=" if constraint.at_least is not None else "<="
            target = constraint.at_least if constraint.at_least is not None else constraint.at_most
            table.add_row(f"{constraint.kpi} {side} {target:g}", f"bound {bound:,.4g} (one-sided {level:.2%})")
    console.print(table)
    if check is not None:
        console.print(meaning(spec, len(check.kpis)), highlight=False, markup=False)
    else:
        console.print("several objectives: the front's points carry the search's verdicts only (not confirmed)")
    for name, path in written.items():
        console.print(f"  {name:<12} {path}")
