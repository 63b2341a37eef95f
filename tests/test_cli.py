"""The `logistics` command as a planner uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.scenario import builtin_text

runner = CliRunner()


def test_run_writes_kpis_orders_and_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "bonded_import_small", "--replications", "2", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.columns) == ["replication", "kpi", "value", "unit"]
    assert set(kpis["replication"]) == {0, 1}
    for kpi in (
        "orders.created",
        "lead_time.end_to_end_h.p99",
        "service.on_time_dispatch_rate",
        "cost_per_order.labour_cny",
        "resource.warehouse.pick.utilisation",
        "stock.backordered_orders",
    ):
        assert kpi in set(kpis["kpi"])
    orders = pd.read_parquet(out / "orders.parquet")
    created = kpis[kpis["kpi"] == "orders.created"]["value"].sum()
    assert len(orders) == created
    html = (out / "report.html").read_text()
    assert "data:image/png;base64" in html and "Headline" in html
    assert (out / "report.md").exists() and (out / "lead_time.png").stat().st_size > 1000


@pytest.mark.slow
def test_same_seed_same_kpi_file(tmp_path: Path) -> None:
    for name in ("a", "b"):
        runner.invoke(app, ["run", "bonded_import_small", "--seed", "3", "--out", str(tmp_path / name), "-q"])
    assert (tmp_path / "a" / "kpis.csv").read_bytes() == (tmp_path / "b" / "kpis.csv").read_bytes()
    runner.invoke(app, ["run", "bonded_import_small", "--seed", "4", "--out", str(tmp_path / "c"), "-q"])
    assert (tmp_path / "a" / "kpis.csv").read_bytes() != (tmp_path / "c" / "kpis.csv").read_bytes()


def test_validate_reports_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(builtin_text("bonded_import_small").replace("      to: qingdao_port", "      to: nowhere"))
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:" in result.output and "network.lanes.0.to" in result.output
    assert "Traceback" not in result.output
    good = runner.invoke(app, ["validate", "bonded_import_small"])
    assert good.exit_code == 0 and "valid" in good.output


def test_run_with_bad_override_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["run", "bonded_import_small", "--set", "warehouse.pick.workers=-1", "-o", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "--set warehouse.pick.workers=-1" in result.output


def test_schema_and_scenarios(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 0
    assert json.loads((tmp_path / "s.json").read_text())["title"] == "logistics scenario"
    listed = runner.invoke(app, ["scenarios", "list"])
    assert "bonded_import_peak" in listed.output
    shown = runner.invoke(app, ["scenarios", "show", "bonded_import_small"])
    assert shown.output.startswith("# A small")
