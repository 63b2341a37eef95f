"""One result vocabulary for every customs mode, checked through `logistics run` and the files it writes: one
orders table with a `mode` column, one set of end reasons, totals that are the sum over modes, a headline
that covers every order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.sim.monitor import END_REASONS

SHORT = ["--set", "run.horizon_h=48", "--set", "run.cooldown_h=24", "--set", "disruptions=[]"]


def _run(tmp_path: Path, name: str, *sets: str) -> tuple[pd.Series, pd.DataFrame, str]:
    out = tmp_path / name
    result = CliRunner().invoke(app, ["run", name, "--out", str(out), "-q", *sets])
    assert result.exit_code == 0, result.output
    kpis = pd.read_csv(out / "kpis.csv").set_index("kpi")["value"]
    return kpis, pd.read_parquet(out / "orders.parquet"), (out / "report.md").read_text(encoding="utf-8")


def test_the_mixed_pilot_zone_counts_every_order_of_every_mode(tmp_path: Path) -> None:
    kpis, orders, report = _run(tmp_path, "pilot_zone_mixed", *SHORT)
    modes = sorted(orders["mode"].astype(str).unique())
    assert modes == ["1210", "9610", "9710", "9810"]
    assert not (tmp_path / "pilot_zone_mixed" / "flow_orders.parquet").exists()  # one orders table
    assert kpis["orders.created"] == len(orders) == sum(kpis[f"mode.{m}.orders.created"] for m in modes)
    for m in modes:
        part = orders[orders["mode"] == m]
        assert kpis[f"mode.{m}.orders.created"] == len(part)
        ended = sum(kpis[f"mode.{m}.orders.ended.{r}"] for r in END_REASONS[1:])
        assert kpis[f"mode.{m}.orders.ended"] == ended == (part["status"] == "ended").sum()
        in_all = kpis[f"mode.{m}.orders.delivered"] + kpis[f"mode.{m}.orders.in_system"] + ended
        assert in_all == len(part)
    assert set(orders["end_reason"].astype(str)) <= set(END_REASONS)
    # the headline's first row counts every mode's orders, and each mode has its own rows
    assert f"| Orders created | {len(orders):,} |" in report
    for m in modes:
        assert f"| {m}: orders created | {int(kpis[f'mode.{m}.orders.created']):,} |" in report
    assert "nan" not in report.lower()
    # the city zone of the bonded import and of the 9610 import parcels is routed by a depot of its own
    routed = orders[orders["routed"].astype(bool)]
    assert set(routed["mode"].astype(str)) == {"1210", "9610"}
    waves = pd.read_csv(tmp_path / "pilot_zone_mixed" / "waves.csv", keep_default_na=False)
    assert set(waves["flow"]) == {"bonded_import", "seoul_to_qingdao"} and kpis["dispatch.routes"] > 0
    series = pd.read_csv(tmp_path / "pilot_zone_mixed" / "series.csv").drop(columns=["time_h", "replication"])
    assert not series.isna().all(axis=1).any()  # the sample at the end of the run is taken too


@pytest.mark.slow
def test_a_disrupted_bonded_run_accounts_for_every_order_in_its_headline(tmp_path: Path) -> None:
    kpis, _, report = _run(tmp_path, "bonded_import_disrupted")
    reasons = [f"orders.ended.{r}" for r in END_REASONS[1:]]
    assert kpis["orders.ended.returned"] > 0 and kpis["orders.ended.destroyed"] > 0  # the checkpoint's outcomes
    assert kpis["orders.created"] == kpis["orders.delivered"] + kpis["orders.in_system"] + kpis[reasons].sum()
    assert "| Orders returned at a checkpoint |" in report
    # one visit log for every checkpoint: the bonded import's first and second line are in clearances.csv too
    visits = pd.read_csv(tmp_path / "bonded_import_disrupted" / "clearances.csv")
    assert {"first_line", "second_line"} <= set(visits["role"])
    exit_ = visits[visits["checkpoint"] == "bonded_exit_xray"]
    assert kpis["checkpoint.bonded_exit_xray.inspection_rate"] == pytest.approx(exit_["inspected"].mean())
    assert (exit_["outcome"] == "returned").sum() == kpis["checkpoint.bonded_exit_xray.outcome.returned"]
    assert kpis["checkpoint.bonded_exit_xray.outcome.returned"] == kpis["orders.ended.returned"]
    assert kpis["checkpoint.bonded_exit_xray.outcome.destroyed"] == kpis["orders.ended.destroyed"]
    # the report names its calendar start and flags the busiest and most congested resources
    assert "from 2026-11-09 00:00" in report and "Bottlenecks: " in report and "highest utilisation" in report


@pytest.mark.parametrize("name", ["bonded_import_small", "direct_mail_two_services"])
def test_a_one_mode_run_has_totals_equal_to_its_mode(tmp_path: Path, name: str) -> None:
    kpis, orders, _ = _run(tmp_path, name, "--set", "run.horizon_h=24", "--set", "run.cooldown_h=24")
    (mode,) = orders["mode"].astype(str).unique()
    for key in ("orders.created", "orders.delivered", "lead_time.end_to_end_h.mean", "service.on_time_delivery_rate"):
        assert np.isclose(kpis[key], kpis[f"mode.{mode}.{key}"]), key
