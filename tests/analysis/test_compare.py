"""Run comparison: side by side, differences with intervals (paired under common random numbers), one page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from logistics.cli import app

runner = CliRunner()


def _run(out: Path, *sets: str, replications: int = 3) -> None:
    args = ["run", "bonded_import_small", "--replications", str(replications), "--out", str(out), "-q"]
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
    assert pick["fewer_pickers ci95_low"] > 0  # fewer pickers: longer picking in every replication...
    assert pick["fewer_pickers ci95_low"] <= pick["fewer_pickers - base"] <= pick["fewer_pickers ci95_high"]
    # ...but over 3 replications and ~270 KPIs, only what survives the false-discovery correction "differs"
    assert pick["fewer_pickers p_adjusted"] >= pick["fewer_pickers p"]
    assert pick["fewer_pickers verdict"] == ("differs" if pick["fewer_pickers p_adjusted"] <= 0.05 else "not shown")
    assert table.loc["resource.warehouse.pick.utilisation", "fewer_pickers verdict"] == "differs"
    # common random numbers: an identical run differs by exactly zero, with a zero-width paired interval
    assert (table["same - base"].fillna(0) == 0).all()
    assert set(table["same verdict"]) <= {"same", "unknown"} and not (table["fewer_pickers verdict"] == "same").all()
    text = page.read_text()
    assert "paired (same seed and replications)" in text and "data:image/png;base64," in text
    # the headline of what changed, and the one scenario field that differs
    assert "What changed: fewer_pickers against base" in text and "resource.warehouse.pick.utilisation" in text
    inputs = text[text.index("Scenario fields that differ") : text.index("Every KPI")]
    assert "flows.0.warehouse.pick.workers.day" in inputs and "night" not in inputs
    tables = text[: text.index("<img")] if "<img" in text else text
    assert "e+0" not in tables  # counts read as numbers, not in scientific notation
    created = int(table.loc["orders.created", "base"])
    assert f"<td>{created:,}</td>" in tables
    bad = runner.invoke(app, ["compare", str(tmp_path / "base"), str(tmp_path), "--out", str(page)])
    assert bad.exit_code == 2 and "no kpis.csv" in bad.output


def test_compare_with_one_replication_says_unknown_never_no_difference(tmp_path: Path) -> None:
    _run(tmp_path / "base", replications=3)
    _run(tmp_path / "single", "flows.0.demand.orders_per_day=1200", replications=1)
    page = tmp_path / "compare.html"
    result = runner.invoke(app, ["compare", str(tmp_path / "base"), str(tmp_path / "single"), "--out", str(page)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(page.with_suffix(".csv"), keep_default_na=False).set_index("kpi")
    verdicts = table["single verdict"]
    assert "False" not in set(table.astype(str).to_numpy().ravel())
    assert set(verdicts) == {"unknown"}  # one replication: no interval for any KPI, so no verdict
    assert (table["single why"] != "").all()
    created = table.loc["orders.created"]
    assert float(created["single - base"]) < 0  # a large change, still "unknown", not "no difference"
    text = page.read_text()
    assert "No KPI can be said to differ" in text and "not evidence that they are the same" in text
