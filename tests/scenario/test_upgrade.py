"""Schema version 2 (1210 is a flow) and the conversion of version-1 files: the old built-ins (kept under
`tests/scenario/v1/`) load through the converter as exactly today's built-ins and simulate the same."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logistics.analysis.kpis import run_kpis
from logistics.cli import app
from logistics.core.errors import ScenarioError
from logistics.scenario import builtin_names, builtin_text, load_builtin, load_scenario, parse_scenario
from logistics.scenario.upgrade import ScenarioNotice
from logistics.sim.engine import simulate

V1 = Path(__file__).parent / "v1"


def _load_v1(name: str, overrides: list[str] | None = None) -> tuple[object, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario = load_scenario(V1 / f"{name}.yaml", overrides or [])
    return scenario, [w for w in caught if issubclass(w.category, ScenarioNotice)]


@pytest.mark.parametrize("name", builtin_names())
def test_every_version_1_builtin_converts_to_exactly_todays_builtin_with_one_notice(name: str) -> None:
    old, notices = _load_v1(name)
    assert len(notices) == 1 and "logistics scenarios upgrade" in str(notices[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioNotice)  # a version-2 file loads without a notice
        new = load_builtin(name)
    assert new.schema_version == 2
    assert old.model_dump_json() == new.model_dump_json()  # type: ignore[attr-defined]  # mapping order too


def test_a_converted_file_simulates_exactly_as_the_version_2_file() -> None:
    short = ["run.horizon_h=24", "run.cooldown_h=24", "disruptions=[]"]
    old, _ = _load_v1("pilot_zone_mixed", short)
    a = run_kpis(simulate(old, 0)).set_index("kpi")["value"]  # type: ignore[arg-type]
    b = run_kpis(simulate(load_builtin("pilot_zone_mixed", short), 0)).set_index("kpi")["value"]
    timing = a.index.str.endswith("_s") | a.index.str.contains("_s_")
    assert a[~timing].equals(b[~timing])
    assert a["mode.1210.orders.created"] > 0 and a["mode.9610.orders.created"] > 0


def test_version_1_errors_and_overrides_still_name_the_old_files_lines() -> None:
    text = (V1 / "bonded_import_small.yaml").read_text()
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "orders_per_day: 1500" in x)
    bad = text.replace("orders_per_day: 1500", "orders_per_day: -5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioNotice)
        with pytest.raises(ScenarioError) as info:
            parse_scenario(bad, source="old.yaml")
        issue = info.value.issues[0]
        assert (issue.source, issue.line, issue.field) == ("old.yaml", line, "flows.0.demand.orders_per_day")
        # a version-1 override path on a version-1 file
        scenario, _ = _load_v1("bonded_import_small", ["demand.orders_per_day=900", "flows=[]"])
    assert scenario.flows[0].demand.orders_per_day == 900  # type: ignore[attr-defined]


def test_version_1_route_errors_point_at_the_replenishment_origin() -> None:
    text = (V1 / "bonded_import_small.yaml").read_text()
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "origin: incheon" in x)
    broken = text.replace("to: qingdao_bonded", "to: incheon")  # no chain of lanes to the warehouse left
    with pytest.raises(ScenarioError, match="no chain of lanes leads from 'incheon'") as info:
        parse_scenario(broken, source="old.yaml")
    assert info.value.issues[0].field == "warehouse.replenishment.origin"
    assert (info.value.issues[0].source, info.value.issues[0].line) == ("old.yaml", line)


def test_set_paths_of_the_bonded_sections_address_the_1210_flow() -> None:
    scenario = load_builtin("bonded_import_small", ["warehouse.pick.workers=5", "last_mile.zones.shandong.share=0.2"])
    assert scenario.flows[0].warehouse is not None and scenario.flows[0].warehouse.pick.workers == 5
    with pytest.raises(ScenarioError, match="has 0 such flows"):
        load_builtin("direct_mail_import", ["warehouse.pick.workers=5"])


def test_rules_of_the_1210_flow_are_checked_where_they_are_written() -> None:
    def message(sets: list[str]) -> str:
        with pytest.raises(ScenarioError) as info:
            load_builtin("pilot_zone_mixed", sets)
        return str(info.value)

    m = message(["flows.bonded_import.checkpoints=[bonded_exit_xray]"])
    assert "flows.0.checkpoints" in m and "exactly one first_line checkpoint" in m
    m = message(["flows.seoul_to_qingdao.checkpoints=[qingdao_first_line]"])
    assert "flows.1.checkpoints.0" in m and "mode 9610 flows use export or import" in m
    m = message(["flows.bonded_import.route=[sea_incheon_qingdao]"])
    assert "flows.0.warehouse.node" in m and "the route ends at 'qingdao_port'" in m
    m = message(["flows.bonded_import.fulfilment={workers: 2, time_per_order_min: {kind: deterministic, value: 1}}"])
    assert "picked and packed in the bonded warehouse" in m
    m = message(["flows.seoul_to_qingdao.mode='1210'"])
    assert "needs one warehouse" in m


@pytest.mark.parametrize("name", builtin_names())
def test_the_upgrade_command_keeps_comments_and_writes_todays_builtin(name: str, tmp_path: Path) -> None:
    out = tmp_path / "new.yaml"
    result = CliRunner().invoke(app, ["scenarios", "upgrade", str(V1 / f"{name}.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == builtin_text(name)  # comments and layout kept, the bonded sections moved
    again = CliRunner().invoke(app, ["scenarios", "upgrade", str(out)])
    assert again.exit_code == 0 and "already at the current schema version" in again.output


def test_a_file_whose_layout_cannot_be_kept_is_written_as_converted_data(tmp_path: Path) -> None:
    text = (V1 / "last_mile_city.yaml").read_text()
    lines = text.splitlines()
    at = next(i for i, x in enumerate(lines) if x.strip() == "replenishment:")
    block = lines[at + 1 : at + 5]
    assert any("origin:" in x for x in block)
    inline = "  replenishment: {" + ", ".join(x.strip() for x in block) + "}"
    old = tmp_path / "old.yaml"
    old.write_text("\n".join([*lines[:at], inline, *lines[at + 5 :]]) + "\n")
    out = tmp_path / "new.yaml"
    result = CliRunner().invoke(app, ["scenarios", "upgrade", str(old), "-o", str(out)])
    assert result.exit_code == 0 and "comments are not kept" in result.output, result.output
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioNotice)
        assert load_scenario(out).model_dump_json() == load_builtin("last_mile_city").model_dump_json()


def test_version_1_data_built_in_python_is_converted_with_one_notice() -> None:
    import yaml

    from logistics.scenario import Scenario

    data = yaml.safe_load((V1 / "bonded_import_small.yaml").read_text())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scenario = Scenario.model_validate(data)
    notices = [w for w in caught if issubclass(w.category, ScenarioNotice)]
    assert len(notices) == 1 and "version 1" in str(notices[0].message)
    assert scenario.model_dump_json() == load_builtin("bonded_import_small").model_dump_json()


def test_a_version_1_file_with_flows_not_a_list_gets_errors_not_a_crash() -> None:
    text = (V1 / "bonded_import_small.yaml").read_text() + "\nflows: {a: 1}\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioNotice)
        with pytest.raises(ScenarioError) as info:
            parse_scenario(text, source="old.yaml")
    fields = {issue.field for issue in info.value.issues}
    assert {"flows", "demand", "warehouse", "last_mile"} <= fields
