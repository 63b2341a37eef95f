"""Risk analysis: input draws per replication, the probability of missing a target with its interval, the
tornado's ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from logistics.cli import app
from logistics.experiments.risk import wilson_interval

runner = CliRunner()

RISK = {
    "name": "small_risk",
    "scenario": "bonded_import_small",
    "overrides": ["run.horizon_h=24", "run.cooldown_h=24"],
    "replications": 8,
    "seed": 4,
    "inputs": [
        {
            "name": "demand",
            "field": "flows.0.demand.orders_per_day",
            "multiply": True,
            "distribution": {"kind": "uniform", "low": 0.5, "high": 1.5},
        },
        {
            "name": "inspection_cost",
            "field": "costs.inspection_cny_per_parcel",
            "distribution": {"kind": "uniform", "low": 10, "high": 30},
        },
    ],
    "targets": [{"kpi": "orders.created", "at_most": 1500}],
}


def test_wilson_interval_matches_known_values() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))


def test_risk_runs_give_the_miss_probability_and_a_tornado_led_by_what_matters(tmp_path: Path) -> None:
    spec = tmp_path / "risk.yaml"
    spec.write_text(yaml.safe_dump(RISK), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["risk", str(spec), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 8 and runs["demand"].between(0.5, 1.5).all() and runs["demand"].nunique() == 8
    misses = pd.read_csv(out / "misses.csv").iloc[0]
    assert misses["missed"] == int((runs["orders.created"] > 1500).sum())
    assert misses["ci95_low"] <= misses["probability"] <= misses["ci95_high"]
    tornado = pd.read_csv(out / "tornado_orders_created.csv")
    assert tornado.iloc[0]["input"] == "demand" and tornado.iloc[0]["variance_share"] > 0.9
    assert tornado.iloc[0]["swing"] > 0 and abs(tornado.iloc[1]["variance_share"]) < 0.1
    assert (out / "tornado_orders_created.png").stat().st_size > 1000
    again = tmp_path / "again"
    assert runner.invoke(app, ["risk", str(spec), "--out", str(again), "--workers", "1"]).exit_code == 0
    pd.testing.assert_frame_equal(runs, pd.read_csv(again / "runs.csv"))  # reproducible on any executor
    assert np.corrcoef(runs["demand"], runs["orders.created"])[0, 1] > 0.95
