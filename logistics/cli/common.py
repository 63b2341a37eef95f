"""What the command groups share: options, loading a scenario (built-in name or path), errors, summaries."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.table import Table

from logistics.cli.app import console, err
from logistics.core.errors import LogisticsError, ScenarioError
from logistics.core.naming import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from logistics.scenario.scenario import Scenario

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
    from logistics.scenario.builtin import load_named
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
