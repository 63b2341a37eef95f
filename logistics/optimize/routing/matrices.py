"""Travel matrices from files: a user's distance or duration matrix (asymmetric allowed) in CSV, JSON or
Parquet, labelled by location id or given in the problem's location order, checked cell by cell.

- CSV: rows of numbers; with labels, the first row is `from/to` (any text) and the location ids, and each row
  starts with its location id.
- JSON: a list of rows, or `{"locations": [ids...], "matrix": [[...], ...]}`.
- Parquet: one column per location id (to), and a string column `from` with the row's location id (without
  it, rows are in column order).

`read_matrix(path, locations)` returns the matrix in the order of `locations` (the problem's location ids): a
labelled file may list them in any order, but must list each exactly once. Every bad cell, label or shape is an
`InvalidProblemError` naming the file, row and column.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from logistics.optimize.routing.problem import InvalidProblemError

__all__ = ["read_matrix"]


def read_matrix(path: str | Path, locations: Sequence[str]) -> np.ndarray:
    """The square matrix in `path` (CSV, JSON or Parquet, by suffix), rows and columns in `locations` order."""
    path = Path(path)
    if not path.exists():
        raise InvalidProblemError(str(path), "file not found")
    suffix = path.suffix.lower()
    labels: list[str] | None
    row_labels: list[str] | None
    rows: list
    if suffix == ".csv":
        labels, row_labels, rows, offsets = _csv(path)
    elif suffix == ".json":
        (labels, rows), offsets = _json(path), (0, 0)
        row_labels = labels
    elif suffix in (".parquet", ".pq"):
        labels, row_labels, rows = _parquet(path)
        offsets = (0, 0)
    else:
        raise InvalidProblemError(str(path), "a matrix file is .csv, .json or .parquet")
    matrix = _numbers(path, rows, *offsets)
    if labels is not None and row_labels is not None and row_labels != labels:
        if sorted(row_labels) != sorted(labels):
            raise InvalidProblemError(str(path), "the rows' location ids and the columns' differ")
        matrix = matrix[[row_labels.index(label) for label in labels]]  # rows in column order
    n = len(locations)
    if matrix.shape != (n, n):
        raise InvalidProblemError(
            str(path), f"must be {n} x {n} (one row and column per location), got {matrix.shape[0]} x {matrix.shape[1]}"
        )
    if labels is None:
        return matrix
    position: dict[str, int] = {}
    for k, label in enumerate(labels):
        if label in position:
            raise InvalidProblemError(f"{path} label {k + 1}", f"location {label!r} is listed twice")
        position[label] = k
    missing = [loc for loc in locations if loc not in position]
    if missing:
        raise InvalidProblemError(str(path), f"no row and column for location(s) {', '.join(map(repr, missing[:5]))}")
    order = [position[loc] for loc in locations]
    return matrix[np.ix_(order, order)]


def _csv(path: Path) -> tuple[list[str] | None, list[str] | None, list, tuple[int, int]]:
    """Column labels, row labels, the number cells, and the file row and column of the first cell - 1."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise InvalidProblemError(str(path), "not a UTF-8 text file") from None
    if not rows:
        raise InvalidProblemError(str(path), "the file is empty")
    if _is_number(rows[0][-1]):  # no header: numbers only
        return None, None, rows, (0, 0)
    header = [cell.strip() for cell in rows[0][1:]]
    labels = []
    for r, row in enumerate(rows[1:], start=2):
        if not row[0].strip():
            raise InvalidProblemError(f"{path} row {r} column 1", "the row's location id is missing")
        labels.append(row[0].strip())
    return header, labels, [row[1:] for row in rows[1:]], (1, 1)


def _json(path: Path) -> tuple[list[str] | None, list]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidProblemError(str(path), f"not valid JSON: {exc}") from None
    if isinstance(data, dict):
        labels, rows = data.get("locations"), data.get("matrix")
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise InvalidProblemError(f"{path} locations", "must be a list of location ids")
        if not isinstance(rows, list):
            raise InvalidProblemError(f"{path} matrix", "must be a list of rows")
        return labels, rows
    if not isinstance(data, list):
        raise InvalidProblemError(str(path), "must be a list of rows, or {locations: [...], matrix: [...]}")
    return None, data


def _parquet(path: Path) -> tuple[list[str], list[str] | None, list]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise InvalidProblemError(str(path), f"not a readable Parquet file: {exc}") from None
    columns = [name for name in table.column_names if name != "from"]
    data = table.to_pydict()
    rows = [list(values) for values in zip(*(data[c] for c in columns), strict=True)] if columns else []
    row_labels = [str(x) for x in data["from"]] if "from" in data else None
    return columns, row_labels, rows


def _is_number(cell: object) -> bool:
    try:
        float(str(cell))
    except ValueError:
        return False
    return True


def _numbers(path: Path, rows: list, row0: int, col0: int) -> np.ndarray:
    """The rows as a float matrix; a ragged row, or a cell that is not a finite number >= 0, is named by its
    row and column in the file (`row0`, `col0`: header rows and label columns before the numbers)."""
    n = len(rows)
    out = np.zeros((n, n))
    for r, row in enumerate(rows):
        where = f"{path} row {r + 1 + row0}"
        if not isinstance(row, list) or len(row) != n:
            size = len(row) if isinstance(row, list) else "not a list"
            raise InvalidProblemError(where, f"must have {n} values (one per location), got {size}")
        for c, cell in enumerate(row):
            at = f"{where} column {c + 1 + col0}"
            try:
                value = float(cell) if isinstance(cell, int | float) else float(str(cell).strip())
            except ValueError:
                raise InvalidProblemError(at, f"not a number: {cell!r}") from None
            if not math.isfinite(value) or value < 0:
                raise InvalidProblemError(at, f"must be a finite number >= 0, got {cell!r}")
            out[r, c] = value
    return out
