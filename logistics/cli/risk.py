"""`logistics risk`: risk analysis over uncertain scenario inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from logistics.cli.app import app, console
from logistics.cli.common import _fail
from logistics.core.errors import LogisticsError, ScenarioError, ScenarioIssue


@app.command()
def risk(
    risk_file: Annotated[str, typer.Argument(help="Risk file (YAML), or a built-in one (disrupted_risk).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out/risk"),
    replications: Annotated[int | None, typer.Option(help="Replications (overrides the file).")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    backend: Annotated[str, typer.Option(help="serial, local (process pool) or dask.")] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler address (default: a local cluster).")] = None,
    sensitivity_replications: Annotated[
        int | None, typer.Option(help="Paired replications per one-at-a-time setting (0: none; overrides the file).")
    ] = None,
) -> None:
    """Draw the uncertain inputs for every replication and simulate: each KPI's distribution, the probability
    of missing each target (95% interval); what drives each target KPI from paired one-at-a-time runs (each input
    at its low and high value, the others at their medians, common random numbers; intervals adjusted for inputs x
    KPIs; step-like inputs flagged) beside a regression tornado (runs.csv, summary.csv, misses.csv,
    sensitivity.csv, oat_runs.csv, tornado_*.csv and .png)."""
    from logistics.experiments.risk import (
        RiskSpec,
        check_inputs,
        drivers_text,
        plot_tornado,
        run_risk,
        sensitivities,
        tornado,
    )
    from logistics.experiments.sizing_report import load_spec, plan_path

    try:
        if backend not in ("serial", "local", "dask"):
            raise ScenarioError(
                [ScenarioIssue(("--backend",), f"must be serial, local or dask, got {backend!r}", "command line")]
            )
        path = plan_path(risk_file, "risk")
        spec = load_spec(path, RiskSpec)
        if replications is not None:
            spec = spec.model_copy(update={"replications": replications})
        if sensitivity_replications is not None:
            spec = spec.model_copy(
                update={"sensitivity": spec.sensitivity.model_copy(update={"replications": sensitivity_replications})}
            )
        from logistics.scenario.builtin import load_named

        load_named(spec.scenario, list(spec.overrides))  # the scenario loads before any run starts
        check_inputs(spec, path.name)  # and every input's range applies to it
    except LogisticsError as exc:
        _fail(exc)
    result = run_risk(spec, executor=backend, workers=workers, address=address)
    out.mkdir(parents=True, exist_ok=True)
    result.runs.to_csv(out / "runs.csv", index=False)
    summary, misses = result.summary(), result.misses()
    summary.to_csv(out / "summary.csv", index=False)
    misses.to_csv(out / "misses.csv", index=False)
    table = Table(title=f"{spec.name}: {spec.replications} replications, {result.wall_s:.0f} s")
    for column in ("target", "missed", "probability", "95% interval"):
        table.add_column(column, justify="right" if column != "target" else "left")
    for row in misses.itertuples():
        table.add_row(row.target, f"{row.missed}/{row.replications}", f"{row.probability:.3f}",
                      f"[{row.ci95_low:.3f}, {row.ci95_high:.3f}]")  # fmt: skip
    console.print(table)
    if result.oat is not None:
        result.oat.to_csv(out / "oat_runs.csv", index=False)
        sensitivities(result).to_csv(out / "sensitivity.csv", index=False)
    for kpi in dict.fromkeys(t.kpi for t in spec.targets):
        safe = kpi.replace(".", "_")
        tornado(result, kpi).to_csv(out / f"tornado_{safe}.csv", index=False)
        plot_tornado(result, kpi, out / f"tornado_{safe}.png")
        console.print("  " + drivers_text(result, kpi), highlight=False, markup=False)
    console.print(
        f"results in {out}: runs.csv, summary.csv, misses.csv, sensitivity.csv, oat_runs.csv, tornado_*.csv and .png"
    )
