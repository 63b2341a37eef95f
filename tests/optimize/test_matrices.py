"""User travel matrices from CSV, JSON and Parquet files (asymmetric, labelled or in location order): read into
the problem's location order, solved and checked; every bad cell, label or shape named by file, row and column."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from logistics.optimize import (
    InvalidProblemError,
    Location,
    RoutingProblem,
    SolveParams,
    Stop,
    VehicleType,
    check_routing,
    read_matrix,
    solve_routing,
)

IDS = ["depot", "a", "b", "c"]
# asymmetric: a one-way system makes b -> a longer than a -> b
DIST = np.array([[0, 400, 900, 700], [450, 0, 300, 800], [950, 600, 0, 350], [700, 820, 380, 0]], dtype=float)


def _csv(path: Path, order: list[str], header: bool = True) -> Path:
    lines = [",".join(["from/to", *order])] if header else []
    for r in order:
        cells = [f"{DIST[IDS.index(r), IDS.index(c)]:g}" for c in order]
        lines.append(",".join([r, *cells]) if header else ",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_labelled_csv_in_any_order_is_read_in_the_problem_order(tmp_path: Path) -> None:
    shuffled = ["c", "depot", "b", "a"]
    assert np.array_equal(read_matrix(_csv(tmp_path / "d.csv", shuffled), IDS), DIST)
    assert np.array_equal(read_matrix(_csv(tmp_path / "p.csv", IDS, header=False), IDS), DIST)


def test_json_and_parquet_forms(tmp_path: Path) -> None:
    (tmp_path / "rows.json").write_text(json.dumps(DIST.tolist()))
    assert np.array_equal(read_matrix(tmp_path / "rows.json", IDS), DIST)
    order = ["b", "depot", "c", "a"]
    sub = DIST[np.ix_([IDS.index(x) for x in order], [IDS.index(x) for x in order])]
    (tmp_path / "lab.json").write_text(json.dumps({"locations": order, "matrix": sub.tolist()}))
    assert np.array_equal(read_matrix(tmp_path / "lab.json", IDS), DIST)
    rows_order = ["a", "c", "depot", "b"]  # rows listed in another order than the columns
    table = {"from": rows_order, **{c: [float(DIST[IDS.index(r), IDS.index(c)]) for r in rows_order] for c in order}}
    pq.write_table(pa.table(table), tmp_path / "m.parquet")
    assert np.array_equal(read_matrix(tmp_path / "m.parquet", IDS), DIST)


def test_a_problem_on_a_read_asymmetric_matrix_solves_and_checks(tmp_path: Path) -> None:
    dist = read_matrix(_csv(tmp_path / "d.csv", ["a", "depot", "c", "b"]), IDS)
    problem = RoutingProblem(
        tuple(Location(x) for x in IDS), ("depot",), tuple(Stop(f"s_{x}", x, (1.0,)) for x in IDS[1:]),
        (VehicleType("van", 1, (5.0,), "depot"),), distance_m=dist, duration_s=dist / 5.0,
    )  # fmt: skip
    result = solve_routing(problem, SolveParams(time_limit_s=2, backend="ortools", solution_limit=10))
    report = check_routing(problem, result)
    assert report.ok and report.distance_m == pytest.approx(result.distance_m)
    # the checker charges the direction driven: the reverse tour costs something else
    route = [IDS.index(v.stop.removeprefix("s_")) for v in result.routes[0].visits]
    tour = [0, *route, 0]
    assert result.distance_m == pytest.approx(sum(DIST[a, b] for a, b in pairwise(tour)))


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("from/to,depot,a,b,c\ndepot,0,1,2,3\na,1,0,x,3\nb,1,2,0,3\nc,1,2,3,0\n", "row 3 column 4", "not a number"),
        ("from/to,depot,a,b,c\ndepot,0,1,2,3\na,1,0,2\nb,1,2,0,3\nc,1,2,3,0\n", "row 3", "4 values"),
        ("from/to,depot,a,b,c\ndepot,0,1,2,3\na,1,0,-2,3\nb,1,2,0,3\nc,1,2,3,0\n", "row 3 column 4", ">= 0"),
        ("from/to,depot,a,b,d\ndepot,0,1,2,3\na,1,0,2,3\nb,1,2,0,3\nd,1,2,3,0\n", "m.csv", "'c'"),
        ("from/to,depot,a,a,c\ndepot,0,1,2,3\na,1,0,2,3\na,1,2,0,3\nc,1,2,3,0\n", "label 3", "twice"),
        ("0,1,2\n1,0,2\n2,1,0\n", "m.csv", "must be 4 x 4"),
    ],
)
def test_bad_matrix_files_name_the_file_row_and_column(tmp_path: Path, text: str, field: str, words: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidProblemError) as err:
        read_matrix(path, IDS)
    assert field in err.value.field and words in str(err.value), str(err.value)
