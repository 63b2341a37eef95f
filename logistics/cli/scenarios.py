"""`logistics scenarios`: the built-in example scenarios, and upgrading old scenario files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from logistics.cli.app import console, err, scenarios_app
from logistics.cli.common import _fail, _load
from logistics.core.errors import LogisticsError, ScenarioError, ScenarioIssue


@scenarios_app.command("list")
def scenarios_list() -> None:
    """List the built-in scenarios."""
    from logistics.scenario import builtin_names, load_builtin

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
    from logistics.scenario import builtin_text

    try:
        sys.stdout.write(builtin_text(name))
    except LogisticsError as exc:
        _fail(exc)


@scenarios_app.command("export-xlsx")
def scenarios_export_xlsx(
    scenario: Annotated[str, typer.Argument(help="Scenario file or built-in name.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The workbook to write (.xlsx).")],
) -> None:
    """Write a scenario as an Excel workbook: a sheet per section, lists of items as tables (edit it, then
    `import-xlsx` it back, or run it directly: `logistics run book.xlsx`)."""
    from logistics.scenario.workbook import write_workbook

    try:
        if out.suffix.lower() != ".xlsx":
            raise ScenarioError([ScenarioIssue(("--out",), "the workbook's name must end in .xlsx", "command line")])
        loaded = _load(scenario, None, force=True)
    except LogisticsError as exc:
        _fail(exc)
    write_workbook(loaded, out)
    console.print(f"wrote {out} (scenario {loaded.name!r})")


@scenarios_app.command("import-xlsx")
def scenarios_import_xlsx(
    workbook: Annotated[Path, typer.Argument(help="A scenario workbook (.xlsx, as export-xlsx writes).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write the scenario YAML (default: standard output).")
    ] = None,
) -> None:
    """Read a scenario workbook, validate it (every error names its sheet and cell) and write it as YAML."""
    import yaml

    from logistics.scenario.workbook import workbook_scenario

    try:
        loaded = workbook_scenario(workbook)
    except LogisticsError as exc:
        _fail(exc)
    data = loaded.model_dump(mode="json", exclude_unset=True, by_alias=True)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        err.print(f"wrote {out} (scenario {loaded.name!r})")
