"""The fuzzing findings of issue 27, each kept as a case: the input is refused with a clean error or runs to the
end (the harness's contract), and where it runs, the number it was wrong about is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.scenario import builtin_text
from logistics.testing.fuzz import check_scenario_text

SMALL = builtin_text("bonded_import_small")


def _with(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


CASES = {
    "time-zone-aware run.start": _with(SMALL, "  start: 2026-11-09T00:00:00", "  start: 2026-11-09T00:00:00+08:00"),
    "stacked demand surges": SMALL + "\ndisruptions:\n  - {kind: demand_surge, start_h: 1, end_h: 9, multiplier: 2.0}\n"
    "  - {kind: demand_surge, start_h: 3, end_h: 6, multiplier: 3.0}\n",
    "stacked surges too large for memory": SMALL
    + "\ndisruptions:\n  - {kind: demand_surge, start_h: 1, end_h: 9, multiplier: 100}\n"
    "  - {kind: demand_surge, start_h: 1, end_h: 9, multiplier: 100}\n"
    "  - {kind: demand_surge, start_h: 1, end_h: 9, multiplier: 100}\n",
    "disruptions ending at 1e9 h": SMALL
    + "\ndisruptions:\n  - {kind: lane_closed, lane: sea_incheon_qingdao, start_h: 1, end_h: 1e9}\n"
    "  - {kind: lane_delayed, lane: truck_port_bonded, start_h: 2, end_h: 1e9, delay_h: 3}\n"
    "  - {kind: checkpoint_down, checkpoint: bonded_exit_xray, start_h: 5, end_h: 1e9}\n",
    "service times longer than the horizon": _with(
        SMALL,
        "time_per_order_min: {kind: lognormal, mean: 0.6, sd: 0.3}",
        "time_per_order_min: {kind: deterministic, value: 100000}",
    ),
    "a container payload smaller than a SKU's order": _with(
        SMALL, "      container_payload_kg: 26000", "      container_payload_kg: 300"
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_fuzzing_finding_is_refused_cleanly_or_runs(name: str) -> None:
    outcome = check_scenario_text(CASES[name].encode(), name, horizon_cap_h=60.0)
    assert not outcome.failed, f"{outcome.kind}: {outcome.detail[-1500:]}"
    assert outcome.kind in ("ran", "refused"), outcome.detail[-1500:]


def _run(tmp_path: Path, text: str, *sets: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(path), "--out", str(out), "-q", "--set", "run.horizon_h=60", "--set", "run.cooldown_h=24"]
    for s in sets:
        args += ["--set", s]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def test_utilisation_never_exceeds_one_and_overtime_is_reported(tmp_path: Path) -> None:
    out = _run(tmp_path, CASES["service times longer than the horizon"])
    resources = pd.read_csv(out / "resources.csv")
    assert (resources["utilisation"].dropna() <= 1.0 + 1e-9).all()
    pick = resources.set_index("resource").loc["warehouse.pick"]
    assert pick["overtime_h_run"] > 0 and pick["busy_h_run"] > pick["staffed_h_run"]  # jobs finished past shifts
    assert (resources["window_end_h"] > resources["window_start_h"]).all()


def test_no_stock_container_is_loaded_over_its_payload(tmp_path: Path) -> None:
    out = _run(tmp_path, CASES["a container payload smaller than a SKU's order"])
    consignments = pd.read_csv(out / "consignments.csv")
    assert len(consignments) > 0 and (consignments["weight_kg"] <= 300 * (1 + 1e-9)).all()
    departures = pd.read_csv(out / "departures.csv")
    assert (departures["containers"] <= 10).all() if "containers" in departures else True


@pytest.mark.slow
def test_an_aware_start_is_the_same_instant_in_the_run_zone(tmp_path: Path) -> None:
    shifted = _with(SMALL, "  start: 2026-11-09T00:00:00", "  start: 2026-11-08T16:00:00Z")  # = 00:00 in Shanghai
    a = pd.read_csv(_run(tmp_path / "a", shifted) / "kpis.csv")
    b = pd.read_csv(_run(tmp_path / "b", SMALL) / "kpis.csv")
    keep = a["unit"] != "wall s"
    pd.testing.assert_frame_equal(a[keep].reset_index(drop=True), b[b["unit"] != "wall s"].reset_index(drop=True))


def test_a_disruption_to_1e9_h_keeps_the_report(tmp_path: Path) -> None:
    out = _run(tmp_path, CASES["disruptions ending at 1e9 h"])
    assert json.loads((out / "run.json").read_text())["status"] == "done"
    assert (out / "report.html").stat().st_size > 10_000 and (out / "queues.png").exists()


def test_nodes_without_a_name_are_valid(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(SMALL)
    for node in data["network"]["nodes"]:
        node.pop("name", None)
    path = tmp_path / "unnamed.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_a_workbook_with_a_cell_at_xfd1048576_is_refused_naming_it(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "wb.xlsx"
    assert CliRunner().invoke(app, ["scenarios", "export-xlsx", "bonded_import_small", "-o", str(book)]).exit_code == 0
    wb = load_workbook(book)
    wb["run"]["XFD1048576"] = "x"
    wb.save(book)
    result = CliRunner().invoke(app, ["validate", str(book)])
    assert result.exit_code == 2 and "run!XFD1048576" in result.output


def test_routing_fuzz_findings_of_issue_29(tmp_path: Path) -> None:
    """A duplicated depot id is refused naming it; `check-routes` with an empty route answers with the
    violation, not a traceback; a vanishing vehicle speed leaves the stops it cannot reach out, promptly."""
    import json
    import time

    from typer.testing import CliRunner

    from logistics.cli import app
    from logistics.optimize import InvalidProblemError, SolveParams, solve_routing
    from logistics.optimize.routing.jsonio import problem_from_json, problem_to_json
    from logistics.testing.problems import grid_problem

    data = json.loads(problem_to_json(grid_problem(6, vehicles=2, windows=True, capacity=40.0)))
    twice = {**data, "depots": ["D", "D"]}
    with pytest.raises(InvalidProblemError, match=r"depots\[1\].*listed twice"):
        problem_from_json(json.dumps(twice))
    (tmp_path / "p.json").write_text(json.dumps(data))
    (tmp_path / "plan.json").write_text(json.dumps({"routes": [{"vehicle_type": "van", "stops": []}]}))
    checked = CliRunner().invoke(
        app, ["optimize", "check-routes", str(tmp_path / "p.json"), str(tmp_path / "plan.json")]
    )
    assert "Traceback" not in checked.output and "neither routed nor reported unassigned" in checked.output
    data["vehicle_types"][0]["speed_m_per_s"] = 1e-300
    started = time.perf_counter()
    result = solve_routing(problem_from_json(json.dumps(data)), SolveParams(time_limit_s=1, backend="pyvrp"))
    assert time.perf_counter() - started < 10
    assert result.unassigned and all("no vehicle can serve it" in u.reason for u in result.unassigned)
