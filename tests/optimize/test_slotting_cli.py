"""`logistics optimize slots` and `slots-example`: files in, plan and summary out, errors named."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from logistics.cli import app

runner = CliRunner()


def test_example_then_optimal_then_reslot(tmp_path: Path) -> None:
    ex = tmp_path / "ex"
    result = runner.invoke(app, ["optimize", "slots-example", str(ex), "--aisles", "6", "--bays", "8", "--levels", "3"])
    assert result.exit_code == 0, result.output
    args = ["optimize", "slots", str(ex / "layout.json"), str(ex / "skus.csv")]
    result = runner.invoke(app, [*args, "--orders", str(ex / "orders.csv"), "--out", str(tmp_path / "opt")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "opt" / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["check_ok"]
    assert summary["history_travel_m_per_order"] > 0
    result = runner.invoke(app, [*args, "--method", "random", "--out", str(tmp_path / "rnd")])
    assert result.exit_code == 0, result.output
    rnd = json.loads((tmp_path / "rnd" / "summary.json").read_text())
    assert rnd["objective_m"] > summary["objective_m"]
    result = runner.invoke(
        app,
        [*args, "--current", str(tmp_path / "rnd" / "plan.csv"), "--max-moves", "10", "--out", str(tmp_path / "re")],
    )
    assert result.exit_code == 0, result.output
    re = json.loads((tmp_path / "re" / "summary.json").read_text())
    assert re["stats"]["moves"] <= 10 and re["objective_m"] < rnd["objective_m"]


def test_errors_name_the_file_and_field(tmp_path: Path) -> None:
    ex = tmp_path / "ex"
    runner.invoke(app, ["optimize", "slots-example", str(ex), "--aisles", "6", "--bays", "4", "--levels", "2"])
    skus = ex / "skus.csv"
    lines = skus.read_text().splitlines()
    lines[2] = lines[2].replace("ambient", "tepid", 1)
    skus.write_text("\n".join(lines))
    result = runner.invoke(app, ["optimize", "slots", str(ex / "layout.json"), str(skus)])
    assert result.exit_code != 0
    assert "temperature" in result.output and "tepid" in result.output
    result = runner.invoke(app, ["optimize", "slots", str(ex / "layout.json"), str(skus), "--affinity"])
    assert result.exit_code != 0 and "--orders" in result.output
    layout = json.loads((ex / "layout.json").read_text())
    layout["aisle_spacing"] = 3
    (ex / "layout.json").write_text(json.dumps(layout))
    result = runner.invoke(app, ["optimize", "slots", str(ex / "layout.json"), str(skus)])
    assert result.exit_code != 0 and "aisle_spacing" in result.output
