"""A planner's order history as demand: replayed exactly, shifted, scaled; bad files named by row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.scenario import builtin_text
from logistics.scenario.datafile import builtin_path

HISTORY = builtin_path("builtin:bonded_import_peak_orders")


def _run(tmp_path: Path, text: str, *sets: str) -> pd.DataFrame:
    tmp_path.mkdir(parents=True, exist_ok=True)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(scenario), "--out", str(out), "-q", "--set", "run.cooldown_h=12"]
    for s in sets:
        args += ["--set", s]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out / "orders.parquet")


def _replay_text(**history: str) -> str:
    text = builtin_text("bonded_import_replay")
    for key, value in history.items():
        text = text.replace('        file: "builtin:bonded_import_peak_orders"\n',
                            f'        file: "builtin:bonded_import_peak_orders"\n        {key}: {value}\n')  # fmt: skip
    return text


def _expected(day_h: float, shift_h: float = 0.0) -> pd.DataFrame:
    """The file's orders (per order: time in hours from the run's start, lines, units, value, zone) in the day."""
    lines = pd.read_parquet(HISTORY)
    hours = (lines["time"] - pd.Timestamp("2026-11-09")) / pd.Timedelta(hours=1) + shift_h
    lines = lines.assign(hours=hours)[(hours >= 0) & (hours < day_h)]
    return (
        lines.groupby("order_id", sort=False)
        .agg(
            created_h=("hours", "first"),
            n_lines=("sku", "nunique"),
            n_units=("quantity", "sum"),
            value_cny=("value", "sum"),
            zone=("zone", "first"),
        )
        .sort_values("created_h", kind="stable")
        .reset_index(drop=True)
    )


def test_the_built_in_history_drives_bonded_import_peak_and_replays_exactly_its_orders(tmp_path: Path) -> None:
    orders = _run(tmp_path, _replay_text(), "run.horizon_h=12").sort_values("created_h", kind="stable")
    expected = _expected(12.0)
    assert len(orders) == len(expected) > 3_000
    np.testing.assert_allclose(orders["created_h"], expected["created_h"], atol=1e-9)
    np.testing.assert_array_equal(orders["n_lines"], expected["n_lines"])
    np.testing.assert_array_equal(orders["n_units"], expected["n_units"])
    np.testing.assert_allclose(orders["value_cny"], expected["value_cny"], rtol=1e-9)
    assert list(orders["zone"]) == list(expected["zone"])


def test_a_shifted_history_moves_every_order_and_drops_what_leaves_the_horizon(tmp_path: Path) -> None:
    orders = _run(tmp_path, _replay_text(shift_h="-6"), "run.horizon_h=12")
    expected = _expected(12.0, shift_h=-6.0)
    assert len(orders) == len(expected)
    np.testing.assert_allclose(np.sort(orders["created_h"]), expected["created_h"], atol=1e-9)


@pytest.mark.slow
def test_scaling_thins_or_adds_copies_seeded(tmp_path: Path) -> None:
    base = len(_expected(8.0))
    half = _run(tmp_path / "a", _replay_text(scale="0.5"), "run.horizon_h=8")
    again = _run(tmp_path / "b", _replay_text(scale="0.5"), "run.horizon_h=8")
    more = _run(tmp_path / "c", _replay_text(scale="1.5"), "run.horizon_h=8")
    assert abs(len(half) - base / 2) < 4 * np.sqrt(base / 4) and half["created_h"].equals(again["created_h"])
    assert abs(len(more) - 1.5 * base) < 4 * np.sqrt(base / 4)
    assert more["created_h"].between(0, 8).all()


@pytest.mark.slow
def test_a_demand_surge_scales_the_replayed_orders_inside_its_window_only(tmp_path: Path) -> None:
    expected = _expected(8.0)
    window = expected["created_h"].between(2.0, 5.0, inclusive="left")
    surge = "disruptions=[{kind: demand_surge, start_h: 2, end_h: 5, multiplier: %s}]"
    double = _run(tmp_path / "a", _replay_text(), "run.horizon_h=8", surge % 2)
    half = _run(tmp_path / "b", _replay_text(), "run.horizon_h=8", surge % 0.5)
    for run in (double, half):  # outside the window: exactly the file's orders
        outside = run[~run["created_h"].between(2.0, 5.0, inclusive="left")]["created_h"].reset_index(drop=True)
        assert outside.equals(expected.loc[~window, "created_h"].reset_index(drop=True))
    inside = int(window.sum())
    # x2: every order and one copy in the same hour (whole hours: the window keeps them)
    assert double["created_h"].between(2.0, 5.0, inclusive="left").sum() == 2 * inside
    kept = half["created_h"].between(2.0, 5.0, inclusive="left").sum()
    assert abs(kept - inside / 2) < 4 * np.sqrt(inside / 4)


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda t: t.replace("C0", "").replace("O0", ""), None),  # fine: other ids
        (lambda t: t.replace("2026-11-09 00:0", "yesterday 00:0", 1), "row 2, column time"),
        (lambda t: t.replace(",1,C", ",-3,C", 1), "column quantity"),
        (lambda t: t.replace("SKU", "XYZ", 1), "not in the catalog"),
    ],
)
def test_a_csv_history_with_a_bad_row_is_named_by_file_row_and_column(tmp_path: Path, edit, words) -> None:  # type: ignore[no-untyped-def]
    lines = pd.read_parquet(HISTORY)
    day = lines[lines["time"] < pd.Timestamp("2026-11-09 02:00")]
    csv = tmp_path / "orders.csv"
    csv.write_text(edit(day.to_csv(index=False)), encoding="utf-8")
    text = _replay_text().replace('"builtin:bonded_import_peak_orders"', "orders.csv")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "s.yaml"), "--set", "run.horizon_h=2"])
    if words is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2 and "orders.csv" in result.output and words in result.output, result.output


def test_the_service_reads_no_history_file(tmp_path: Path) -> None:
    from logistics.core.errors import ScenarioError
    from logistics.scenario.loader import parse_scenario

    text = _replay_text().replace('"builtin:bonded_import_peak_orders"', "/etc/passwd")
    with pytest.raises(ScenarioError, match="files are not read here"):
        parse_scenario(text, files=False)
    assert parse_scenario(_replay_text(), files=False).name == "bonded_import_replay"


def test_sku_master_data_from_a_file_with_a_history_using_it(tmp_path: Path) -> None:
    (tmp_path / "skus.csv").write_text(
        "sku,weight_kg,volume_l,value_cny,tax_category\nSERUM-30,0.12,0.2,180,cosmetics\nCREAM-50,0.2,0.3,95,cosmetics\n",
        encoding="utf-8",
    )
    (tmp_path / "orders.csv").write_text(
        "order_id,time,sku,quantity,customer\nA1,2026-11-09 08:00,SERUM-30,2,c1\nA1,2026-11-09 08:00,CREAM-50,1,c1\n"
        "A2,2026-11-09 09:30,CREAM-50,3,c2\n",
        encoding="utf-8",
    )
    text = builtin_text("bonded_import_small")
    import yaml

    data = yaml.safe_load(text)
    flow = data["flows"][0]
    catalog = flow.get("catalog") or data["catalog"]
    catalog["sku_file"] = {"file": "skus.csv"}
    flow["demand"]["history"] = {"file": "orders.csv"}
    orders = _run(tmp_path, yaml.safe_dump(data, sort_keys=False))
    assert len(orders) == 2 and list(orders["n_units"]) == [3, 3] and list(orders["n_lines"]) == [2, 1]
    np.testing.assert_allclose(orders["created_h"], [8.0, 9.5])
    np.testing.assert_allclose(orders["value_cny"], [2 * 180 + 95, 3 * 95])
    (tmp_path / "skus.csv").write_text("sku,weight_kg,volume_l,value_cny,tax_category\nX,heavy,1,1,cosmetics\n")
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "scenario.yaml")])
    assert result.exit_code == 2 and "skus.csv row 2, column weight_kg" in result.output, result.output


def test_lane_timetables_from_a_file_replace_the_scenarios(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "timetable.csv").write_text("lane,weekday,hour\nsea_incheon_qingdao,Mon,6\nsea_incheon_qingdao,1,7.5\n")
    data = yaml.safe_load(builtin_text("bonded_import_small"))
    data["network"]["timetable_file"] = {"file": "timetable.csv"}
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(tmp_path / "scenario.yaml"), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    departures = pd.read_csv(out / "departures.csv")
    sea = departures[departures["lane"] == "sea_incheon_qingdao"]["departure_h"]
    assert list(sea[sea < 48]) == [6.0, 24 + 7.5]  # Monday 06:00 and Tuesday 07:30, not 18:00
    (tmp_path / "timetable.csv").write_text(
        "lane,weekday,hour\nsea_incheon_qingdao,Mon,6\nsea_incheon_qingdao,Funday,7\n"
    )
    bad = CliRunner().invoke(app, ["validate", str(tmp_path / "scenario.yaml")])
    assert bad.exit_code == 2 and "timetable.csv row 3, column weekday" in bad.output, bad.output


@pytest.mark.slow
def test_a_slot_table_from_a_file_replaces_the_generated_slots(tmp_path: Path) -> None:
    import yaml

    from logistics.optimize.picking.layout import write_slots_csv
    from logistics.scenario import load_builtin
    from logistics.sim.floor_layout import build_layout

    scenario = load_builtin("bonded_import_peak")
    floor = scenario.flows[0].warehouse.floor
    write_slots_csv(build_layout(floor).slots, build_layout(floor).zones, tmp_path / "slots.csv")
    table = pd.read_csv(tmp_path / "slots.csv")
    table.assign(golden=False).to_excel(tmp_path / "slots.xlsx", index=False)  # no golden levels: worse slotting
    data = yaml.safe_load(builtin_text("bonded_import_peak"))
    data["flows"][0]["warehouse"]["floor"]["layout"]["slots_file"] = {"file": "slots.xlsx"}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    sets = ["--set", "run.horizon_h=6", "--set", "run.cooldown_h=6"]
    runs = {}
    for name, path in (("own", tmp_path / "s.yaml"), ("generated", "bonded_import_peak")):
        out = tmp_path / name
        result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "-q", *sets])
        assert result.exit_code == 0, result.output
        runs[name] = pd.read_csv(out / "kpis.csv").set_index("kpi")["value"]
    assert runs["own"]["warehouse.slotting_objective_m"] > runs["generated"]["warehouse.slotting_objective_m"]
    table.assign(aisle=table["aisle"].where(table.index != 4, 99)).to_excel(tmp_path / "slots.xlsx", index=False)
    bad = CliRunner().invoke(app, ["validate", str(tmp_path / "s.yaml")])
    assert bad.exit_code == 2 and "slots_file" in bad.output and "aisle" in bad.output, bad.output
