"""The built-in China pilot-zone dataset: the public figures as published (35 cities in three batches, the 2020
census by province), the built-in design exactly what the tables give, and its demand as stated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.design import load_design, write_design_workbook
from logistics.optimize.design.dataset import ChinaDatasetParams, china_design, china_design_yaml, read_table
from logistics.optimize.design.io import builtin_design_path, read_design


def test_the_35_pilot_zone_cities_of_the_first_three_batches() -> None:
    cities = read_table("pilot_zone_cities")
    assert len(cities) == len({c["id"] for c in cities}) == 35
    batches = {year: sorted(c["id"] for c in cities if c["batch_year"] == year) for year in ("2015", "2016", "2018")}
    assert batches["2015"] == ["hangzhou"] and len(batches["2016"]) == 12 and len(batches["2018"]) == 22
    provinces = {p["id"] for p in read_table("provinces")}
    assert {c["province"] for c in cities} <= provinces
    for c in cities:  # inside mainland China's bounding box
        assert 73 < float(c["lon"]) < 135 and 18 < float(c["lat"]) < 54


def test_the_census_table_sums_to_the_published_31_province_total() -> None:
    provinces = read_table("provinces")
    assert len(provinces) == 31
    # Communique No. 3: 1,411,778,724 in all, of whom 2,000,000 active military personnel outside the provinces
    assert sum(int(p["population_2020"]) for p in provinces) == 1_411_778_724 - 2_000_000


def test_the_built_in_design_is_what_the_tables_give() -> None:
    path = builtin_design_path("pilot_zone_china")
    assert path.read_text(encoding="utf-8") == china_design_yaml(), (
        "regenerate: python -m logistics.optimize.design.dataset > " + str(path)
    )
    problem = load_design("pilot_zone_china")
    assert len(problem.markets) == 31 and len(problem.sku_classes) == 6
    assert sum(s.kind == "bonded" for s in problem.sites) == 35
    assert sum(s.kind == "overseas" for s in problem.sites) == 5


def test_demand_is_the_imports_share_spread_by_population() -> None:
    params = ChinaDatasetParams(seller_share=0.01)
    design = china_design(params)
    classes = read_table("sku_classes")
    mean_value = sum(float(k["order_share"]) * float(k["order_value_cny"]) for k in classes)
    total = sum(d["orders_per_day"] for m in design["markets"] for d in m["demand"].values())
    assert total == pytest.approx(548.3e9 / mean_value / 365 * 0.01, rel=1e-4)
    by_market = {m["id"]: sum(d["orders_per_day"] for d in m["demand"].values()) for m in design["markets"]}
    people = {p["id"]: int(p["population_2020"]) for p in read_table("provinces")}
    assert by_market["guangdong"] / by_market["tibet"] == pytest.approx(people["guangdong"] / people["tibet"], rel=1e-3)


def test_lanes_follow_the_stated_rules() -> None:
    design = china_design()
    lanes = {(x["origin"], x["site"], x["mode"]): x for x in design["lanes"]}
    assert ("frankfurt", "chongqing_bonded", "rail") in lanes  # a China-Europe rail hub
    assert ("frankfurt", "shanghai_bonded", "rail") not in lanes
    assert ("incheon", "shanghai_bonded", "sea") in lanes and ("incheon", "lanzhou_bonded", "sea") not in lanes
    via_port = lanes[("incheon", "hangzhou_bonded", "sea")]  # inland: through the nearest seaport by truck
    assert via_port["transit_days"] > lanes[("incheon", "ningbo_bonded", "sea")]["transit_days"]
    assert all(("tokyo", s["id"], "air") in lanes for s in design["sites"] if s["kind"] == "bonded")


def test_a_subset_of_cities_and_an_unknown_city_named() -> None:
    design = china_design(ChinaDatasetParams(cities=("hangzhou", "zhengzhou")))
    problem = read_design(yaml.safe_dump(design))
    assert sorted(s.id for s in problem.sites if s.kind == "bonded") == ["hangzhou_bonded", "zhengzhou_bonded"]
    with pytest.raises(ValueError, match=r"cities: .*atlantis"):
        china_design(ChinaDatasetParams(cities=("hangzhou", "atlantis")))


@pytest.mark.parametrize("name", ["pilot_zone_small", "pilot_zone_china"])
def test_a_design_written_as_a_workbook_reads_back_the_same(name: str, tmp_path: Path) -> None:
    problem = load_design(name)
    book = write_design_workbook(problem, tmp_path / f"{name}.xlsx")
    assert load_design(book) == problem


def test_a_bad_workbook_cell_is_named_by_sheet_and_cell(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = write_design_workbook(load_design("pilot_zone_small"), tmp_path / "d.xlsx")
    wb = load_workbook(book)
    wb["sites"]["E3"] = -5  # the second site's fixed_cny
    wb["demand"]["C4"] = "many"  # the third demand row's orders_per_day
    wb.save(book)
    with pytest.raises(InvalidProblemError, match=r"d\.xlsx sites!E3: sites\[1\]\.fixed_cny"):
        load_design(book)
    wb["sites"]["E3"] = 100
    wb.save(book)
    with pytest.raises(InvalidProblemError, match=r"demand!C4: markets\[0\]\.demand\.handbags\.orders_per_day"):
        load_design(book)
    del wb["lanes"]
    wb.save(book)
    with pytest.raises(InvalidProblemError, match="sheets missing: lanes"):
        load_design(book)


def test_the_design_command_reads_a_workbook_and_writes_one(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from logistics.cli import app

    runner = CliRunner()
    book = tmp_path / "template.xlsx"
    done = runner.invoke(app, ["design", "pilot_zone_small", "--to-workbook", str(book)])
    assert done.exit_code == 0, done.output
    solved = runner.invoke(app, ["design", str(book), "--out", str(tmp_path / "out"), "--time-limit", "20"])
    assert solved.exit_code == 0, solved.output
    assert (tmp_path / "out" / "design.json").exists()


def test_the_cost_service_front_rises_with_the_target_and_every_point_is_checked(tmp_path: Path) -> None:
    import pandas as pd
    from typer.testing import CliRunner

    from logistics.cli import app

    out = tmp_path / "front"
    done = CliRunner().invoke(
        app, ["design", "pilot_zone_small", "--out", str(out), "--front", "0.5,0.95,0.99", "--time-limit", "30"]
    )
    assert done.exit_code == 0, done.output
    front = pd.read_csv(out / "front.csv")
    assert list(front["service_target"]) == [0.5, 0.85, 0.95, 0.99]  # the file's own target among them
    assert front["checked"].all()
    solved = front[front["status"] == "optimal"]
    # proven optimal (to the solver's relative gap of 1e-4) at each target: a stricter target never costs the
    # model less (the exact cost, with the safety stock's square root, may differ from the model's by its error)
    costs = solved["model_cost_cny"]
    assert (costs.diff().dropna() >= -2e-4 * costs.max()).all()
    assert (solved["service_share"] >= solved["service_target"] - 1e-9).all()
    assert (out / "front.png").stat().st_size > 5_000 and (out / "map.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "message"),
    [
        ("sites", 2, 5, None, r"sites!E2: sites\[0\]\.fixed_cny: a value is required \(the cell is empty\)"),
        ("sites", 7, 11, None, r"sites!K7: sites\[5\]\.gateway\[1\]"),
        ("markets", 3, 1, "zhejiang", r"markets!A3: market 'zhejiang' appears twice"),
        ("markets", 2, 1, None, r"markets!A2: the market's id is empty"),
        ("demand", 2, 2, "caviar", r"demand!B2: markets\[0\]\.demand\[0\]\.sku_class: unknown 'caviar'"),
        ("demand", 3, 2, "cosmetics", r"demand!B3: a second row for 'zhejiang' and 'cosmetics'"),
        ("lanes", 2, 3, "boat", r"lanes!C2: lanes\[0\]\.mode"),
    ],
)
def test_workbook_mistakes_are_named_by_their_cell(
    sheet: str, row: int, column: int, value: object, message: str, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    book = write_design_workbook(load_design("pilot_zone_small"), tmp_path / "d.xlsx")
    wb = load_workbook(book)
    wb[sheet].cell(row, column).value = value
    wb.save(book)
    with pytest.raises(InvalidProblemError, match=message):
        load_design(book)
