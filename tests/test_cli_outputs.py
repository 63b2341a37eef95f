"""Output paths: checked before any work, a run folder replaced whole, partial results kept with the error,
optimizer files written where asked, and no input file reaching outside its folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logistics.cli import app

SHORT = ["--set", "run.horizon_h=6", "--set", "run.cooldown_h=6", "--set", "disruptions=[]", "-q"]


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_an_out_path_that_is_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine")
    result = _run("run", "bonded_import_small", "--out", str(target), *SHORT)
    assert result.exit_code == 2
    assert "is a file, not a folder" in result.output
    assert target.read_text() == "mine"


def test_a_folder_holding_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    result = _run("run", "bonded_import_small", "--out", str(out), *SHORT)
    assert result.exit_code == 2 and "not from a logistics run" in result.output
    assert (out / "thesis.docx").read_text() == "precious"


def test_a_second_run_replaces_the_first_and_leaves_none_of_its_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("run", "direct_mail_import", "--out", str(out), *SHORT).exit_code == 0
    assert (out / "departures.csv").exists()
    result = _run("run", "bonded_import_small", "--out", str(out), *SHORT)
    assert result.exit_code == 0, result.output
    assert not (out / "departures.csv").exists()
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["scenario"] == "bonded_import_small" and manifest["status"] == "done"
    assert sorted(p.name for p in out.iterdir()) == sorted([*manifest["files"], "run.json"])
    assert not list(tmp_path.glob(".out.*")), "temporary folders left behind"


def test_a_run_that_fails_late_keeps_its_tables_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import logistics.experiments.replications as replications

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the report broke")

    monkeypatch.setattr(replications, "write_report", broken)
    out = tmp_path / "out"
    result = _run("run", "bonded_import_small", "--out", str(out), *SHORT)
    assert result.exit_code == 1
    assert "the report broke" in result.output
    assert (out / "kpis.csv").exists()
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["status"] == "failed" and "the report broke" in manifest["error"]


def test_optimizer_out_files_are_checked_first_and_their_folders_made(tmp_path: Path) -> None:
    problem = tmp_path / "p.json"
    problem.write_text(
        json.dumps(
            {
                "locations": [{"id": "D", "x": 0, "y": 0}, {"id": "A", "x": 300, "y": 400}],
                "depots": ["D"],
                "stops": [{"id": "a", "location": "A", "demand": [1]}],
                "vehicle_types": [{"id": "v", "count": 1, "capacity": [5], "start_depot": "D"}],
            }
        )
    )
    result = _run("optimize", "routes", str(problem), "--time-limit", "1", "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.output
    deep = tmp_path / "new" / "deeper" / "sol.json"
    result = _run("optimize", "routes", str(problem), "--time-limit", "1", "--out", str(deep))
    assert result.exit_code == 0, result.output
    assert json.loads(deep.read_text())["status"] in ("optimal", "feasible")


def test_a_slot_table_outside_the_layout_folder_is_refused_unless_given_on_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "layout"
    assert (
        _run("optimize", "slots-example", str(folder), "--aisles", "6", "--bays", "4", "--orders", "50").exit_code == 0
    )
    outside = tmp_path / "elsewhere.csv"
    outside.write_text((folder / "slots.csv").read_text())
    layout = json.loads((folder / "layout.json").read_text())
    layout["slots_csv"] = "../elsewhere.csv"
    (folder / "layout.json").write_text(json.dumps(layout))
    result = _run("optimize", "slots", str(folder / "layout.json"), str(folder / "skus.csv"))
    assert result.exit_code == 2 and "outside the layout file's folder" in result.output
    result = _run(
        "optimize", "slots", str(folder / "layout.json"), str(folder / "skus.csv"), "--slots-csv", str(outside)
    )
    assert result.exit_code in (0, 1), result.output
    assert "independent check" in result.output


def test_a_run_killed_while_writing_leaves_nothing_that_the_next_run_keeps(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = tmp_path / ".out.new-999999"  # a killed run's half-written folder (no such process)
    stale.mkdir()
    (stale / "kpis.csv").write_text("half")
    result = _run("run", "bonded_import_small", "--out", str(out), *SHORT)
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert (out / "kpis.csv").read_text() != "half"


def test_an_interrupted_run_says_so_at_the_top_of_its_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import logistics.experiments as experiments

    real = experiments.run_replications

    def interrupted_after_two(scenario, replications=None, progress=None, on_result=None):  # type: ignore[no-untyped-def]
        def keep(result):  # type: ignore[no-untyped-def]
            on_result(result)
            if result.replication == 1:
                raise KeyboardInterrupt

        return real(scenario, replications, progress, keep)

    monkeypatch.setattr(experiments, "run_replications", interrupted_after_two)
    out = tmp_path / "out"
    result = _run("run", "bonded_import_small", "--out", str(out), "--replications", "8", *SHORT)
    assert result.exit_code == 130
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["replications_finished"] == 2 and manifest["status"] == "failed"
    top = (out / "report.md").read_text().splitlines()[:4]
    assert any("2 of 8 replications" in line and "interrupted" in line for line in top), top
    page = (out / "report.html").read_text()
    assert page.index("2 of 8 replications") < page.index("<h2>")
