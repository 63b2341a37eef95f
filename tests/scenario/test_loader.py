"""Bad scenario files give one clear message naming the file, the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from logistics.core import ScenarioError
from logistics.scenario import builtin_names, builtin_text, load_builtin, load_scenario, parse_scenario
from logistics.scenario.schema import scenario_json_schema

SMALL = builtin_text("bonded_import_small")


def _line_of(text: str, needle: str) -> int:
    for k, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return k
    raise AssertionError(f"{needle!r} not in text")


def _one_issue(text: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(info.value.issues) == 1, str(info.value)
    issue = info.value.issues[0]
    assert issue.source == str(path)
    assert str(path) in str(info.value)
    return issue


@pytest.mark.parametrize("name", builtin_names())
def test_builtins_are_valid(name: str) -> None:
    assert load_builtin(name).name == name


def test_examples_folder_matches_builtins() -> None:
    folder = Path(__file__).resolve().parents[2] / "scenarios"
    for name in builtin_names():
        assert load_scenario(folder / f"{name}.yaml").name == name


def test_syntax_error(tmp_path: Path) -> None:
    text = SMALL.replace("  horizon_h: 48", "  horizon_h: [48")
    issue = _one_issue(text, tmp_path)
    assert "YAML syntax error" in issue.message
    assert issue.line is not None and issue.line >= _line_of(text, "horizon_h: [48")


def test_unknown_key(tmp_path: Path) -> None:
    text = SMALL.replace("  cooldown_h: 72", "  cooldown_h: 72\n  cooldwn: 3")
    issue = _one_issue(text, tmp_path)
    assert issue.field == "run.cooldwn"
    assert issue.line == _line_of(text, "cooldwn")
    assert "unknown key" in issue.message


def test_wrong_type(tmp_path: Path) -> None:
    text = SMALL.replace("  orders_per_day: 1500", "  orders_per_day: lots")
    issue = _one_issue(text, tmp_path)
    assert issue.field == "flows.0.demand.orders_per_day"
    assert issue.line == _line_of(text, "orders_per_day: lots")
    assert "number" in issue.message and "'lots'" in issue.message


def test_negative_capacity(tmp_path: Path) -> None:
    text = SMALL.replace("containers_per_departure: 10", "containers_per_departure: -4", 1)
    issue = _one_issue(text, tmp_path)
    assert issue.field == "network.lanes.0.containers_per_departure"
    assert issue.line == _line_of(text, "containers_per_departure: -4")
    assert "greater than or equal to 1" in issue.message


def test_negative_workers(tmp_path: Path) -> None:
    text = SMALL.replace("workers: {day: 6, night: 3}", "workers: {day: -6, night: 3}")
    issue = _one_issue(text, tmp_path)
    assert issue.field == "flows.0.warehouse.pick.workers"
    assert issue.line == _line_of(text, "workers: {day: -6")
    assert "negative" in issue.message


def test_lane_to_missing_node(tmp_path: Path) -> None:
    text = SMALL.replace("      to: qingdao_port", "      to: qingdao_prot")
    issue = _one_issue(text, tmp_path)
    assert issue.field == "network.lanes.0.to"
    assert issue.line == _line_of(text, "to: qingdao_prot")
    assert "no node with id 'qingdao_prot'" in issue.message


def test_impossible_distribution(tmp_path: Path) -> None:
    text = SMALL.replace(
        "{kind: triangular, low: 20, mode: 26, high: 40}", "{kind: triangular, low: 30, mode: 26, high: 40}"
    )
    issue = _one_issue(text, tmp_path)
    assert issue.field == "network.lanes.0.transit_time_h"
    assert issue.line == _line_of(text, "low: 30, mode: 26")
    assert "low <= mode <= high" in issue.message


def test_unknown_distribution_parameter(tmp_path: Path) -> None:
    text = SMALL.replace("{kind: lognormal, mean: 4, sd: 8}", "{kind: lognormal, mean: 4, stdev: 8}")
    issue = _one_issue(text, tmp_path)
    assert issue.field == "customs.documents.payment_delay_min.stdev"
    assert issue.line == _line_of(text, "stdev: 8")


def test_unknown_shift(tmp_path: Path) -> None:
    text = SMALL.replace("workers: {day: 8, night: 4}", "workers: {day: 8, nite: 4}")
    issue = _one_issue(text, tmp_path)
    assert issue.field == "flows.0.warehouse.pack.workers.nite"
    assert "no shift called 'nite'" in issue.message


def test_duplicate_key(tmp_path: Path) -> None:
    text = SMALL.replace("  cooldown_h: 72", "  cooldown_h: 72\n  cooldown_h: 10")
    issue = _one_issue(text, tmp_path)
    assert "appears twice" in issue.message
    assert issue.line == _line_of(text, "cooldown_h: 10")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_not_a_mapping() -> None:
    with pytest.raises(ScenarioError, match="must be a mapping"):
        parse_scenario("- a\n- b\n", source="list.yaml")


def test_overrides_are_validated_and_named() -> None:
    scenario = load_builtin(
        "bonded_import_small",
        ["demand.orders_per_day=900", "network.lanes.sea_incheon_qingdao.containers_per_departure=3"],
    )
    assert scenario.flows[0].demand.orders_per_day == 900
    assert scenario.network.lanes[0].containers_per_departure == 3
    with pytest.raises(ScenarioError) as info:
        load_builtin("bonded_import_small", ["demand.orders_per_day=-1"])
    assert info.value.issues[0].source == "--set demand.orders_per_day=-1"
    with pytest.raises(ScenarioError, match="no element 'nowhere'"):
        load_builtin("bonded_import_small", ["network.lanes.nowhere.mode=air"])
    with pytest.raises(ScenarioError, match=r"path\.to\.field=value"):
        load_builtin("bonded_import_small", ["demand.orders_per_day"])


def test_frozen_models() -> None:
    scenario = load_builtin("bonded_import_small")
    with pytest.raises(Exception, match="frozen"):
        scenario.flows[0].demand.orders_per_day = 3  # type: ignore[misc]


def test_json_schema_validates_the_builtin_structure() -> None:
    schema = scenario_json_schema()
    json.dumps(schema)
    assert set(schema["required"]) >= {"name", "run", "catalog", "network", "customs", "flows"}
    assert not {"demand", "warehouse", "last_mile"} & set(schema["properties"])  # version 2: 1210 is a flow
    flow = schema["$defs"]["Flow"]["properties"]
    assert {"warehouse", "overseas_warehouse", "demand", "last_mile", "route"} <= set(flow)
    data = yaml.safe_load(SMALL)
    assert set(data) <= set(schema["properties"])
