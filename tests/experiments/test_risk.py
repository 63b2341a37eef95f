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
from logistics.experiments.runner import run_task as _real_run_task

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
    spec.write_text(yaml.safe_dump({**RISK, "sensitivity": {"replications": 0}}), encoding="utf-8")
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


def test_the_paired_sensitivities_name_a_driver_only_when_its_adjusted_interval_excludes_zero(tmp_path: Path) -> None:
    spec = tmp_path / "risk.yaml"
    spec.write_text(yaml.safe_dump({**RISK, "replications": 4, "sensitivity": {"replications": 4}}), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["risk", str(spec), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sensitivity.csv").set_index("input")
    demand, cost = table.loc["demand"], table.loc["inspection_cost"]
    # demand from its 10th to its 90th percentile: more orders in every paired replication
    assert demand["verdict"] == "driver" and demand["adjusted_low"] > 0 and demand["pairs"] == 4
    assert demand["adjusted_confidence"] == pytest.approx(1 - 0.05 / 2)  # 2 inputs x 1 KPI
    assert demand["low"] == pytest.approx(0.6, abs=0.01) and demand["high"] == pytest.approx(1.4, abs=0.01)
    # an inspection fee cannot change how many orders are created: the paired runs are identical
    assert cost["verdict"] == "no effect" and cost["effect"] == 0
    text = " ".join(result.output.split())
    assert "orders.created: driven by demand" in text and "inspection_cost" not in text.split("driven by")[1][:60]
    oat = pd.read_csv(out / "oat_runs.csv")
    assert len(oat) == 4 * (1 + 2 * 2) and set(oat["setting"]) >= {"median", "demand=low", "demand=high"}


def _oat(effects: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    rows = []
    base = next(iter(effects.values()))[1]
    for r, value in enumerate(base):
        rows.append(
            {"setting": "median", "input": "", "level": "median", "value": np.nan, "replication": r, "k": value}
        )
    for name, (low, _, high) in effects.items():
        for level, values in (("low", low), ("high", high)):
            for r, value in enumerate(values):
                rows.append({"setting": f"{name}={level}", "input": name, "level": level, "value": 0.0,
                             "replication": r, "k": value})  # fmt: skip
    return pd.DataFrame(rows)


def test_step_like_and_noisy_inputs_are_told_apart_from_drivers() -> None:
    from logistics.experiments.risk import RiskResult, RiskSpec, drivers_text, sensitivities

    rng = np.random.default_rng(1)
    base = rng.normal(10, 1, 8)
    spec = RiskSpec.model_validate(
        {
            "name": "t",
            "scenario": "bonded_import_small",
            "inputs": [
                {"name": name, "field": "f", "distribution": {"kind": "uniform", "low": 0, "high": 1}}
                for name in ("strong", "step", "noise")
            ],
            "targets": [{"kpi": "k", "at_most": 12}],
            "sensitivity": {"replications": 8},
        }
    )
    oat = _oat(
        {
            "strong": (base - 2, base, base + 2 + rng.normal(0, 0.1, 8)),
            "step": (base.copy(), base, base - 0.3 * (rng.random(8) < 0.5)),  # low repeats the median's runs
            "noise": (base + rng.normal(0, 1, 8), base, base + rng.normal(0, 1, 8)),
        }
    )
    result = RiskResult(spec, pd.DataFrame(), 0.0, oat)
    table = sensitivities(result).set_index("input")
    assert table.loc["strong", "verdict"] == "driver" and table.loc["strong", "shape"] == ""
    assert table.loc["step", "shape"] == "step-like"
    assert table.loc["noise", "verdict"] == "not told from noise"
    assert table.loc["noise", "replications_to_resolve"] > 8
    assert table.loc["strong", "adjusted_confidence"] == pytest.approx(1 - 0.05 / 3)
    text = drivers_text(result, "k")
    assert text.startswith("k: driven by strong") and "acts in steps: step" in text and "noise" not in text


def test_an_input_drawing_fractions_for_a_whole_number_field_is_refused_naming_it(tmp_path: Path) -> None:
    bad = {**RISK, "inputs": [{"name": "pickers", "field": "flows.0.warehouse.pick.workers.day",
                               "distribution": {"kind": "uniform", "low": 2, "high": 6}}]}  # fmt: skip
    spec = tmp_path / "risk.yaml"
    spec.write_text(yaml.safe_dump(bad), encoding="utf-8")
    result = runner.invoke(app, ["risk", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "inputs.0.distribution" in text and "integer: true" in text and "risk.yaml" in text
    assert not (tmp_path / "out").exists()


def test_an_unknown_backend_is_refused_naming_the_option_before_any_run(tmp_path: Path) -> None:
    spec = tmp_path / "risk.yaml"
    spec.write_text(yaml.safe_dump({**RISK, "sensitivity": {"replications": 0}}), encoding="utf-8")
    result = runner.invoke(app, ["risk", str(spec), "--out", str(tmp_path / "o"), "--backend", "cluster"])
    assert result.exit_code != 0 and "--backend" in result.output and "'cluster'" in result.output
    assert not (tmp_path / "o").exists()


def _dies_once_on_replication_2(task):  # type: ignore[no-untyped-def]
    """run_task, except that the first attempt at replication 2 kills its worker process (as kill -9 would)."""
    import os

    marker = Path(os.environ["RISK_TEST_MARKER"])
    if task.replication == 2 and not marker.exists():
        marker.touch()
        os._exit(9)
    return _real_run_task(task)


def test_a_lost_worker_costs_a_risk_run_its_retry_not_the_analysis(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from logistics.experiments import runner as runner_module
    from logistics.experiments.risk import RiskSpec, run_risk

    spec = RiskSpec.model_validate({**RISK, "replications": 4, "sensitivity": {"replications": 0}})
    serial = run_risk(spec, executor="serial").runs
    marker = tmp_path / "killed-once"
    monkeypatch.setenv("RISK_TEST_MARKER", str(marker))
    monkeypatch.setattr(runner_module, "run_task", _dies_once_on_replication_2)
    pooled = run_risk(spec, executor="local", workers=2).runs
    assert marker.exists()  # a worker did die
    pd.testing.assert_frame_equal(serial, pooled)
