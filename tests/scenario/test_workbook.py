"""Scenario workbooks: every built-in scenario through Excel and back is the same scenario; a malformed workbook
names the sheet and the cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from logistics.cli import app
from logistics.scenario import builtin_names, load_builtin
from logistics.scenario.files import load_scenario

runner = CliRunner()


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_round_trips_through_a_workbook_losslessly(name: str, tmp_path: Path) -> None:
    book, back = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.yaml"
    assert runner.invoke(app, ["scenarios", "export-xlsx", name, "--out", str(book)]).exit_code == 0
    result = runner.invoke(app, ["scenarios", "import-xlsx", str(book), "--out", str(back)])
    assert result.exit_code == 0, result.output
    original = load_builtin(name)
    for loaded in (load_scenario(book), load_scenario(back)):  # the workbook itself, and the YAML written from it
        assert loaded.model_dump_json() == original.model_dump_json()


def _edit(tmp_path: Path, sheet: str, change) -> Path:  # type: ignore[no-untyped-def]
    book = tmp_path / "book.xlsx"
    assert runner.invoke(app, ["scenarios", "export-xlsx", "bonded_import_small", "--out", str(book)]).exit_code == 0
    workbook = load_workbook(book)
    change(workbook[sheet])
    workbook.save(book)
    return book


def _cell_of(ws, field: str) -> str:  # type: ignore[no-untyped-def]
    row = next(r for r in ws.iter_rows() if r[0].value == field)
    return f"B{row[0].row}"


@pytest.mark.parametrize(
    ("sheet", "change", "words"),
    [
        ("run", lambda ws: ws.cell(3, 2, "two days"), "book.xlsx run!B3: run.horizon_h:"),
        ("run", lambda ws: setattr(ws["B3"], "value", None), "book.xlsx run!B3: run.horizon_h: no value"),
        ("run", lambda ws: ws.cell(1, 1, "name"), 'book.xlsx run!A1: run: the first row must be "field | value"'),
        ("run", lambda ws: ws.cell(20, 2, 5), "book.xlsx run!A20: run: a value without a field name"),
        ("run", lambda ws: ws.cell(3, 1, "horizon_hours"), "book.xlsx run!B3: run.horizon_hours:"),
        ("calendar", lambda ws: ws.cell(5, 2, -3), "book.xlsx calendar!B5: calendar.shifts.0.start_h:"),
        (
            "calendar",
            lambda ws: ws.cell(7, 4, "[0, 1,"),
            "book.xlsx calendar!D7: calendar.shifts.2.weekdays: not valid JSON",
        ),
    ],
)
def test_a_malformed_workbook_names_the_sheet_and_the_cell(tmp_path: Path, sheet: str, change, words: str) -> None:  # type: ignore[no-untyped-def]
    book = _edit(tmp_path, sheet, change)
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 2 and words in " ".join(result.output.split()), result.output


def test_a_file_that_is_not_a_workbook_is_named(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["scenarios", "import-xlsx", str(fake)])
    assert result.exit_code == 2 and "fake.xlsx" in result.output and "not a readable .xlsx workbook" in result.output
