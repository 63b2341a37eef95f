"""A whole scenario as an Excel workbook and back (anyLogistix-style templates for planners who live in Excel).

Layout: a sheet `scenario` with the top-level settings, then one sheet per section (`run`, `network`, `flows`,
`customs` ...). A sheet lists `field | value` rows, the field a dotted path within its section
(`lanes.0.capacity_kg`, `0.demand.orders_per_day`); a list of flat items (lanes, nodes, traders ...) is a table
instead: a row `[table] PATH`, a header row of the items' fields, one row per item, a blank row after. Cells
hold numbers, booleans and text as they are; a list of numbers (an hourly profile) is JSON text
(`[0.9, 0.5, ...]`); `null` is an explicit empty value and an empty cell in a table means "not given". Text
that would read as one of these starts with an apostrophe.

Reading a workbook back gives the same scenario (tested on every built-in); every error names the sheet and
the cell (`book.xlsx run!B4: run.horizon_h: ...`)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.loader import apply_overrides, validate_data
from logistics.scenario.scenario import Scenario

__all__ = ["read_workbook", "scenario_to_workbook", "write_workbook"]

Key = tuple[str | int, ...]
TOP = "scenario"
TABLE = "[table]"
MAX_TABLE_COLUMNS = 40
FLOAT_FORMAT = "0.0###############"  # a whole number written from a float (1.0): it is read back as a float


def _is_leaf(value: Any) -> bool:
    """A value one cell holds: a scalar, or a list of scalars (written as JSON)."""
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return not isinstance(value, dict)


def _flatten(value: Any, prefix: Key = ()) -> Iterator[tuple[Key, Any]]:
    """(path, leaf) pairs of nested data; an empty mapping is a leaf (`{}`), lists of scalars too."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _flatten(item, (*prefix, key))
    elif isinstance(value, list) and not _is_leaf(value):
        for i, item in enumerate(value):
            yield from _flatten(item, (*prefix, i))
    else:
        yield prefix, value


def _flat_items(items: list) -> list[dict[str, Any]] | None:
    """The items of a list as rows of a table (dotted column names), or None if they do not fit one."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    rows = []
    for item in items:
        row = {}
        for path, leaf in _flatten(item):
            if any(isinstance(p, int) for p in path) or not path:
                return None  # a list of objects inside an item: not a table
            row[".".join(map(str, path))] = leaf
        rows.append(row)
    columns = {c for r in rows for c in r}
    return rows if len(columns) <= MAX_TABLE_COLUMNS else None


def _cell(value: Any) -> Any:
    """A leaf as a cell value."""
    if value is None:
        return "null"
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, str) and (value in ("null", "") or value[:1] in ("[", "{", "'")):
        return "'" + value  # text that would read as something else
    return value


def _leaf(value: Any) -> Any:
    """A cell's value as data (the inverse of `_cell`)."""
    if isinstance(value, str):
        if value == "null":
            return None
        if value.startswith("'"):
            return value[1:]
        if value[:1] in ("[", "{"):
            return json.loads(value)
    return value


def _relative_files(data: Any, folder: Path) -> Any:
    """`data` with every data file's absolute path (`file:` of a history, a SKU table...) written relative to
    `folder`, where the workbook goes, so that the workbook and its files can move together."""
    if isinstance(data, list):
        return [_relative_files(item, folder) for item in data]
    if not isinstance(data, dict):
        return data
    out = {key: _relative_files(value, folder) for key, value in data.items()}
    file = out.get("file")
    if isinstance(file, str) and Path(file).is_absolute():
        with contextlib.suppress(ValueError):  # another drive (Windows): nothing relative to write
            out["file"] = Path(os.path.relpath(file, folder.resolve())).as_posix()
    return out


def scenario_to_workbook(scenario: Scenario, folder: Path | None = None) -> Any:
    """The scenario as an openpyxl workbook (see the module's docstring for the layout); data files named
    relative to `folder` when given (where the workbook is written)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = scenario.model_dump(mode="json", exclude_unset=True, by_alias=True)
    if folder is not None:
        data = _relative_files(data, folder)
    book = Workbook()
    top = book.active
    top.title = TOP
    top.append(["field", "value"])
    for key, value in data.items():
        if _is_leaf(value) or (isinstance(value, dict) and not value):
            top.append([key, _cell(value)])
    for key, value in data.items():
        if _is_leaf(value) or (isinstance(value, dict) and not value):
            continue
        sheet = book.create_sheet(key)
        sheet.append(["field", "value"])
        tables: list[tuple[Key, list[dict[str, Any]]]] = []
        for path, leaf in _section_rows(value, (), tables):
            sheet.append([".".join(map(str, path)), _cell(leaf)])
        for path, rows in tables:
            sheet.append([])
            sheet.append([f"{TABLE} {'.'.join(map(str, path))}"])
            columns = list(dict.fromkeys(c for r in rows for c in r))
            sheet.append(columns)
            for row in rows:
                sheet.append([_cell(row[c]) if c in row else None for c in columns])
        for row in sheet.iter_rows():
            if row and isinstance(row[0].value, str) and (row[0].value == "field" or row[0].value.startswith(TABLE)):
                row[0].font = Font(bold=True)
            for cell in row:
                if isinstance(cell.value, float) and cell.value.is_integer():
                    cell.number_format = FLOAT_FORMAT  # read back as 1.0, not 1
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["B"].width = 30
    for row in top.iter_rows():
        for cell in row:
            if isinstance(cell.value, float) and cell.value.is_integer():
                cell.number_format = FLOAT_FORMAT
    return book


def _section_rows(value: Any, prefix: Key, tables: list[tuple[Key, list[dict[str, Any]]]]) -> Iterator[tuple[Key, Any]]:
    """The field/value rows of a section; lists of flat items go to `tables` instead."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _section_rows(item, (*prefix, key), tables)
    elif isinstance(value, list) and not _is_leaf(value):
        rows = _flat_items(value)
        if rows is not None:
            tables.append((prefix, rows))
        else:
            for i, item in enumerate(value):
                yield from _section_rows(item, (*prefix, i), tables)
    else:
        yield prefix, value


def write_workbook(scenario: Scenario, path: Path) -> None:
    """Write the scenario's workbook to `path` (.xlsx), data files named relative to its folder."""
    scenario_to_workbook(scenario, path.parent).save(path)


def _parts(text: str) -> Key:
    return tuple(int(p) if p.isdigit() else p for p in text.split(".")) if text else ()


def _put(data: dict, path: Key, value: Any, where: str, source: str) -> None:
    """Set `value` at `path` in nested data (lists grow by position)."""
    node: Any = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        nxt: Any = value if last else ([] if isinstance(path[i + 1], int) else {})
        if isinstance(node, dict):
            if isinstance(part, int):
                raise _error(source, where, path, "a list position where a field name is expected")
            if last:
                if part in node:
                    raise _error(source, where, path, "this field is given twice")
                node[part] = value
            else:
                node = node.setdefault(part, nxt)
        else:
            if not isinstance(part, int):
                raise _error(source, where, path, "a field name where a list position is expected")
            if part > len(node):
                raise _error(source, where, path, f"position {part} comes before position {len(node)}")
            if part == len(node):
                node.append(nxt)
            elif last:
                raise _error(source, where, path, "this position is given twice")
            node = node[part]


def _value(cell: Any) -> Any:
    """A cell's value, a whole number written from a float read back as a float."""
    value = getattr(cell, "value", None)
    if isinstance(value, int) and not isinstance(value, bool) and getattr(cell, "number_format", "") == FLOAT_FORMAT:
        return float(value)
    return value


def _error(source: str, where: str, path: Key, message: str) -> ScenarioError:
    return ScenarioError([ScenarioIssue(path, message, source=f"{source} {where}")])


def read_workbook(path: Path) -> tuple[dict[str, Any], dict[Key, str]]:
    """The scenario data of a workbook and, for every field, the cell it came from (`sheet!B4`). A malformed
    workbook is a ScenarioError naming the sheet and cell."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    source = path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ScenarioError([ScenarioIssue((), f"not a readable .xlsx workbook: {exc}", source=source)]) from None
    data: dict[str, Any] = {}
    cells: dict[Key, str] = {}
    if TOP not in book.sheetnames:
        raise ScenarioError([ScenarioIssue((), f"no sheet {TOP!r} (it has: {', '.join(book.sheetnames)})", source)])
    for sheet in book.worksheets:
        base: Key = () if sheet.title == TOP else (sheet.title,)
        sheet.reset_dimensions()  # rows as stored: a stray cell at XFD1048576 must not pad every row to it
        rows = [tuple(_value(c) for c in row) for row in sheet.iter_rows()]
        ended: tuple[str, int] | None = None  # the table that ended at the last blank row, and that row
        if not rows or [c for c in rows[0][:2]] != ["field", "value"]:
            raise _error(source, f"{sheet.title}!A1", base, 'the first row must be "field | value"')
        r = 1
        while r < len(rows):
            row = rows[r]
            first = row[0] if row else None
            if first is None or (isinstance(first, str) and not first.strip()):
                if any(v is not None for v in row[1:]):
                    column = next(c for c, v in enumerate(row) if c > 0 and v is not None)
                    raise _error(
                        source,
                        f"{sheet.title}!A{r + 1}",
                        base,
                        f"a value without a field name (at {sheet.title}!{get_column_letter(column + 1)}{r + 1})"
                        + (_blank_hint(sheet.title, ended) if ended is not None else ""),
                    )
                r += 1
                continue
            if isinstance(first, str) and first.startswith(TABLE):
                table_path = base + _parts(first[len(TABLE) :].strip())
                header = rows[r + 1] if r + 1 < len(rows) else ()
                columns = [c for c in header if c is not None]
                if not columns or any(not isinstance(c, str) for c in columns):
                    raise _error(
                        source, f"{sheet.title}!A{r + 2}", table_path, "a table needs a header row of field names"
                    )
                items: list[dict[str, Any]] = []
                r += 2
                while r < len(rows) and any(v is not None for v in rows[r]):
                    item: dict[str, Any] = {}
                    for c, name in enumerate(columns):
                        value = rows[r][c] if c < len(rows[r]) else None
                        if value is None:
                            continue
                        where = f"{sheet.title}!{get_column_letter(c + 1)}{r + 1}"
                        field_path = (*table_path, len(items), *_parts(name))
                        try:
                            _put(item, _parts(name), _leaf(value), where, source)
                        except json.JSONDecodeError as exc:
                            raise _error(source, where, field_path, f"not valid JSON: {exc.msg}") from None
                        cells[field_path] = where
                    cells[(*table_path, len(items))] = f"{sheet.title}!A{r + 1}"
                    items.append(item)
                    r += 1
                _put(data, table_path, items, f"{sheet.title}!A{r}", source)
                ended = (first[len(TABLE) :].strip(), r + 1)
                continue
            field = str(first).strip()
            where = f"{sheet.title}!B{r + 1}"
            field_path = base + _parts(field)
            value = row[1] if len(row) > 1 else None
            if ended is not None and any(v is not None for v in row[2:]):
                raise _error(
                    source,
                    f"{sheet.title}!A{r + 1}",
                    field_path,
                    "a row of table cells where a field | value row is expected" + _blank_hint(sheet.title, ended),
                )
            if value is None:
                raise _error(source, where, field_path, "no value (write null for an empty one)")
            try:
                _put(data, field_path, _leaf(value), where, source)
            except json.JSONDecodeError as exc:
                raise _error(source, where, field_path, f"not valid JSON: {exc.msg}") from None
            except ScenarioError as exc:
                if ended is None:
                    raise
                issue = exc.issues[0]
                raise _error(
                    source, f"{sheet.title}!A{r + 1}", field_path, issue.message + _blank_hint(sheet.title, ended)
                ) from None
            cells[field_path] = where
            ended = None
            r += 1
    return data, cells


def _blank_hint(sheet: str, ended: tuple[str, int]) -> str:
    name, blank = ended
    return (
        f" (the table {name} ended at the blank row {sheet}!A{blank}: a table ends at its first blank "
        "row; remove the blank row if this row belongs to it)"
    )


def _cell_of(path: Key, message: str, cells: dict[Key, str]) -> str | None:
    """The cell an issue at `path` comes from: its own; else, for a value given as several cells (a shift map
    written field by field), the cell of the entry the message names, or the first; else its nearest parent's."""
    if path in cells:
        return cells[path]
    below = [(key, where) for key, where in cells.items() if len(key) > len(path) and key[: len(path)] == path]
    if below:
        named = [where for key, where in below if str(key[len(path)]) in message]
        return named[0] if named else below[0][1]
    key = path
    while key and key not in cells:
        key = key[:-1]
    return cells.get(key)


def workbook_scenario(path: Path, checks: tuple = (), overrides: Sequence[str] = ()) -> Scenario:
    """Load and validate a scenario workbook (with `path=value` overrides); every issue names its sheet and
    cell (or the override)."""

    data, cells = read_workbook(path)
    data, sources = apply_overrides(data, overrides) if overrides else (data, {})
    try:
        return validate_data(data, source=path.name, checks=checks, base=path.parent, override_sources=sources)
    except ScenarioError as exc:
        located = []
        for issue in exc.issues:
            where = _cell_of(issue.path, issue.message, cells)
            located.append(
                ScenarioIssue(issue.path, issue.message, source=f"{path.name} {where}" if where else path.name)
            )
        raise ScenarioError(located) from None
