"""A planner's history never loses orders silently: day-first dates, UTC timestamps and times in another zone are
replayed exactly (checked against the file), ambiguous dates and a history wholly outside the horizon are refused
by `validate` naming the rows or the window, and what falls outside the horizon is counted in `validate`, the run's
log and run.json. The history's own order and customer ids are columns of orders.parquet."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.scenario import builtin_text
from logistics.scenario.datafile import builtin_path

START = pd.Timestamp("2026-11-09 00:00")  # bonded_import_replay's run.start, Asia/Shanghai


def _lines(orders: int = 400) -> pd.DataFrame:
    """The first `orders` orders of the built-in history spread over 36 h (so days above 12 appear)."""
    lines = pd.read_parquet(builtin_path("builtin:bonded_import_peak_orders"))
    first = lines["order_id"].drop_duplicates().iloc[:orders]
    lines = lines[lines["order_id"].isin(first)].copy()
    rank = lines["order_id"].map({o: k for k, o in enumerate(first)})
    lines["time"] = START + pd.to_timedelta(rank * (36 * 3600 / orders) + 1, unit="s")
    return lines


def _scenario(tmp_path: Path, lines: pd.DataFrame, time_text: pd.Series, extra: str = "", start: str = "") -> Path:
    history = lines.assign(time=time_text)
    history.to_csv(tmp_path / "orders.csv", index=False)
    text = builtin_text("bonded_import_replay").replace('"builtin:bonded_import_peak_orders"', "orders.csv")
    if extra:
        text = text.replace("        file: orders.csv\n", f"        file: orders.csv\n        {extra}\n")
    if start:
        text = text.replace("  start: 2026-11-09T00:00:00\n", f"  start: {start}\n")
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SETS = ["--set", "run.horizon_h=48", "--set", "run.cooldown_h=12", "--set", "disruptions=[]", "-q"]


def _run(path: Path, out: Path) -> tuple[pd.DataFrame, dict, str]:
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), *SETS])
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out / "orders.parquet"), json.loads((out / "run.json").read_text()), result.output


def _check_exact(orders: pd.DataFrame, lines: pd.DataFrame, offset_h: float = 0.0) -> None:
    """Every order of the file replayed once, at its own time (plus `offset_h`), with its own ids."""
    expected = lines.groupby("order_id", sort=False).agg(time=("time", "first"), customer=("customer", "first"))
    hours = (expected["time"] - START) / pd.Timedelta(hours=1) + offset_h
    got = orders.set_index("source_order_id")
    assert len(got) == len(expected) and set(got.index) == set(expected.index)
    np.testing.assert_allclose(got.loc[expected.index, "created_h"], hours, atol=1e-6)
    assert (got.loc[expected.index, "source_customer_id"] == expected["customer"]).all()


def test_day_first_dates_are_read_as_day_first_and_replayed_exactly(tmp_path: Path) -> None:
    lines = _lines()
    text = (lines["time"] + pd.Timedelta(days=4)).dt.strftime("%d/%m/%Y %H:%M:%S")  # 13/11 and 14/11: day first
    path = _scenario(tmp_path, lines, text, start="2026-11-13T00:00:00")
    orders, manifest, _ = _run(path, tmp_path / "out")
    _check_exact(orders, lines)  # hours from the 13th as the file's hours from the 9th
    assert manifest["history"][0]["inside"] == 400 and manifest["history"][0]["before"] == 0


def test_ambiguous_dates_are_refused_naming_rows_until_day_first_is_said(tmp_path: Path) -> None:
    lines = _lines()
    lines = lines[lines["time"] < START + pd.Timedelta(hours=24)]  # only 9 November: 09/11 reads both ways
    text = lines["time"].dt.strftime("%d/%m/%Y %H:%M:%S")
    result = CliRunner().invoke(app, ["validate", str(_scenario(tmp_path, lines, text))])
    assert result.exit_code == 2
    assert "ambiguous dates" in result.output and "row 2" in result.output and "day_first" in result.output
    orders, _, _ = _run(_scenario(tmp_path, lines, text, extra="day_first: true"), tmp_path / "out")
    _check_exact(orders, lines)
    fmt = _scenario(tmp_path, lines, text, extra="date_format: '%d/%m/%Y %H:%M:%S'")
    _check_exact(_run(fmt, tmp_path / "out2")[0], lines)


def test_utc_timestamps_are_converted_into_the_run_zone(tmp_path: Path) -> None:
    lines = _lines()
    utc = (lines["time"] - pd.Timedelta(hours=8)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")  # Shanghai is UTC+8
    orders, manifest, _ = _run(_scenario(tmp_path, lines, utc), tmp_path / "out")
    assert manifest["history"][0]["inside"] == 400
    _check_exact(orders, lines)  # the same instants: every order replayed, none 8 h early
    # the same file read in a run set in Berlin (UTC+1 in November): hour 0 is 7 hours later in UTC
    berlin = _scenario(tmp_path, lines, utc, start="2026-11-08T17:00:00\n  timezone: Europe/Berlin")
    _check_exact(_run(berlin, tmp_path / "out2")[0], lines)


def test_naive_times_of_another_zone_are_converted(tmp_path: Path) -> None:
    lines = _lines()
    tokyo = (lines["time"] + pd.Timedelta(hours=1)).dt.strftime("%Y-%m-%d %H:%M:%S")  # Tokyo is UTC+9
    orders, _, _ = _run(_scenario(tmp_path, lines, tokyo, extra="timezone: Asia/Tokyo"), tmp_path / "out")
    _check_exact(orders, lines)


def test_a_history_wholly_outside_the_horizon_is_refused_by_validate(tmp_path: Path) -> None:
    lines = _lines()
    late = (lines["time"] + pd.Timedelta(days=30)).dt.strftime("%Y-%m-%d %H:%M:%S")
    path = _scenario(tmp_path, lines, late)
    result = CliRunner().invoke(app, ["validate", str(path), "--set", "run.horizon_h=48"])
    assert result.exit_code == 2
    assert "flows.0.demand.history" in result.output and "none of the 400 orders" in result.output
    run = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), *SETS])
    assert run.exit_code == 2 and not (tmp_path / "out").exists()


def test_orders_outside_the_horizon_are_counted_in_validate_the_log_and_run_json(tmp_path: Path) -> None:
    lines = _lines()
    path = _scenario(tmp_path, lines, lines["time"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    result = CliRunner().invoke(app, ["validate", str(path), "--set", "run.horizon_h=18"])
    assert result.exit_code == 0, result.output
    inside = int(lines.drop_duplicates("order_id")["time"].lt(START + pd.Timedelta(hours=18)).sum())
    assert f"{inside:,} of 400 orders inside the horizon; {400 - inside:,} outside" in " ".join(result.output.split())
    run = CliRunner().invoke(
        app, ["run", str(path), "--out", str(tmp_path / "out"), "--set", "run.horizon_h=18", *SETS[2:]]
    )
    assert run.exit_code == 0
    assert f"{400 - inside:,} outside and not replayed" in " ".join(run.output.split())
    record = json.loads((tmp_path / "out" / "run.json").read_text())["history"][0]
    assert record["inside"] == inside and record["after"] == 400 - inside
    assert len(pd.read_parquet(tmp_path / "out" / "orders.parquet")) == inside


@pytest.mark.parametrize("zone", ["Shanghai", "Mars/Olympus"])
def test_an_unknown_time_zone_is_named(tmp_path: Path, zone: str) -> None:
    lines = _lines(20)
    path = _scenario(tmp_path, lines, lines["time"].dt.strftime("%Y-%m-%d %H:%M:%S"), extra=f"timezone: {zone}")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "unknown time zone" in result.output and "timezone" in result.output


def test_an_exported_workbook_names_the_history_relative_to_itself(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    lines = _lines(50)
    path = _scenario(tmp_path, lines, lines["time"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    book = tmp_path / "books" / "scenario.xlsx"
    book.parent.mkdir()
    result = CliRunner().invoke(app, ["scenarios", "export-xlsx", str(path), "-o", str(book)])
    assert result.exit_code == 0, result.output
    cells = [c.value for row in load_workbook(book)["flows"].iter_rows() for c in row]
    assert "../orders.csv" in cells and not any(str(c).startswith("/") for c in cells if c)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (moved / "books").mkdir()
    book.rename(moved / "books" / "scenario.xlsx")
    (tmp_path / "orders.csv").rename(moved / "orders.csv")  # the workbook and its file move together
    result = CliRunner().invoke(app, ["validate", str(moved / "books" / "scenario.xlsx")])
    assert result.exit_code == 0, result.output
