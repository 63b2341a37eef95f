"""Run comparison: side by side, differences with intervals (paired under common random numbers), one page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from logistics.cli import app

runner = CliRunner()


def _run(out: Path, *sets: str) -> None:
    args = ["run", "bonded_import_small", "--replications", "3", "--out", str(out), "-q"]
    for s in ("run.horizon_h=24", "run.cooldown_h=24", *sets):
        args += ["--set", s]
    assert runner.invoke(app, args).exit_code == 0


def test_compare_two_runs_gives_paired_intervals_and_one_page(tmp_path: Path) -> None:
    _run(tmp_path / "base")
    _run(tmp_path / "fewer_pickers", "flows.0.warehouse.pick.workers.day=2")
    _run(tmp_path / "same", "flows.0.warehouse.pick.workers.night=3")  # the base's night crew: the same run
    page = tmp_path / "cmp" / "compare.html"
    result = runner.invoke(
        app,
        [
            "compare",
            str(tmp_path / "base"),
            str(tmp_path / "fewer_pickers"),
            str(tmp_path / "same"),
            "--out",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(page.with_suffix(".csv")).set_index("kpi")
    pick = table.loc["lead_time.pick_h.mean"]
    assert pick["fewer_pickers - base"] > 0 and pick["fewer_pickers differs"]  # fewer pickers: longer picking
    assert pick["fewer_pickers ci95_low"] <= pick["fewer_pickers - base"] <= pick["fewer_pickers ci95_high"]
    # common random numbers: an identical run differs by exactly zero, with a zero-width paired interval
    assert (table["same - base"].fillna(0) == 0).all() and not table["same differs"].any()
    text = page.read_text()
    assert "paired (same seed and replications)" in text and "data:image/png;base64," in text
    bad = runner.invoke(app, ["compare", str(tmp_path / "base"), str(tmp_path), "--out", str(page)])
    assert bad.exit_code == 2 and "no kpis.csv" in bad.output
