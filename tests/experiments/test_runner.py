"""Experiments: identical results whoever runs them, kill-and-resume, failing runs recorded, paired
comparisons, and confidence intervals that cover a known queueing mean at about the nominal rate."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logistics.analysis.stats import mean_ci
from logistics.core.errors import ScenarioError
from logistics.experiments.runner import run_experiment
from logistics.experiments.spec import ExperimentSpec, load_experiment, tasks

SMALL = {
    "name": "t",
    "scenarios": ["bonded_import_small"],
    "policies": {"base": [], "fast": ["warehouse.pick.time_per_line_min=0.3"]},
    "replications": 3,
    "seed": 11,
    "kpis": ["lead_time.pick_h.mean", "lead_time.end_to_end_h.mean"],
}


def test_serial_and_process_pool_give_identical_results(tmp_path: Path) -> None:
    spec = ExperimentSpec.model_validate(SMALL)
    serial = run_experiment(spec, tmp_path / "s", executor="serial")
    pool = run_experiment(spec, tmp_path / "p", executor="local", workers=2)
    key = ["scenario", "point", "policy", "replication", "kpi"]
    a = serial.table.sort_values(key).reset_index(drop=True)
    b = pool.table.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert serial.ran == 6 and len(serial.failures) == 0
    # Common random numbers: picking faster shortens the pick stage in every replication.
    row = serial.comparisons[(serial.comparisons.kpi == "lead_time.pick_h.mean")].iloc[0]
    assert row.pairs == 3 and row.ci_high < 0 and row.adjusted_high < 0 and row.verdict == "differs"


def test_kill_and_resume_loses_and_repeats_nothing(tmp_path: Path) -> None:
    spec_file = tmp_path / "exp.yaml"
    spec_file.write_text(json.dumps({**SMALL, "replications": 6}))  # JSON is YAML
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "logistics.cli", "bench", str(spec_file), "--out", str(out), "--backend", "serial"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = out / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(runs.glob("*.json"))) < 2:
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.json")}
    total = len(tasks(load_experiment(spec_file)))
    assert 2 <= len(finished) < total, "the run was not killed part-way"
    seen: list[str] = []
    results = run_experiment(
        load_experiment(spec_file), out, executor="serial", on_run=lambda r: seen.append(r["run_id"])
    )
    assert results.reused == len(finished) and results.ran == total - len(finished)
    assert not set(seen) & {Path(n).stem for n in finished}  # nothing repeated
    assert all(p.stat().st_mtime_ns == finished[p.name] for p in runs.glob("*.json") if p.name in finished)
    assert len(results.table) == total * 2  # nothing lost: every run, two KPIs each


def test_a_failing_run_is_recorded_and_the_rest_finish(tmp_path: Path) -> None:
    spec = ExperimentSpec.model_validate(
        {**SMALL, "policies": {"base": [], "broken": ["warehouse.pick.time_per_line_min=-1"]}, "replications": 2}
    )
    results = run_experiment(spec, tmp_path, executor="serial")
    assert len(results.failures) == 2 and set(results.failures.policy) == {"broken"}
    assert "time_per_line_min" in results.failures.error.iloc[0]
    assert set(results.table.policy) == {"base"} and len(results.table) == 4
    assert (tmp_path / "failures.csv").exists()


def test_bad_experiment_files_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nscenarios: [bonded_import_small]\npolicies: {a: []}\nreplications: 1\nseed: 1\n")
    with pytest.raises(ScenarioError, match="replications"):
        load_experiment(path)
    path.write_text("name: x\nscenarios: [s]\npolicies: {a: [oops]}\nreplications: 2\nseed: 1\nbaseline: b\n")
    with pytest.raises(ScenarioError, match=r"path=value|baseline"):
        load_experiment(path)


def _mm1_mean_wait(lam: float, mu: float, n: int, warmup: int, rng: np.random.Generator) -> float:
    """Mean waiting time in queue of customers warmup..n of an M/M/1 queue (Lindley's recursion)."""
    a = rng.exponential(1 / lam, n)
    s = rng.exponential(1 / mu, n)
    w = np.zeros(n)
    for i in range(1, n):
        w[i] = max(0.0, w[i - 1] + s[i - 1] - a[i])
    return float(w[warmup:].mean())


def test_intervals_cover_the_mm1_mean_wait_at_about_95_percent() -> None:
    lam, mu = 0.5, 1.0
    true_wq = lam / (mu * (mu - lam))  # = 1.0
    rng = np.random.default_rng(2026)
    trials, covered = 300, 0
    for _ in range(trials):
        reps = [_mm1_mean_wait(lam, mu, 2000, 200, rng) for _ in range(10)]
        mean, half, _ = mean_ci(np.array(reps))
        covered += abs(mean - true_wq) <= half
    # 95% nominal; with 300 trials the binomial standard error is 1.3 points.
    assert 0.90 <= covered / trials <= 0.99


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_results(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="dask is an optional extra: pip install -e '.[dask]'")
    spec = ExperimentSpec.model_validate({**SMALL, "replications": 2})
    serial = run_experiment(spec, tmp_path / "s", executor="serial")
    dask = run_experiment(spec, tmp_path / "d", executor="dask", workers=2)
    key = ["scenario", "point", "policy", "replication", "kpi"]
    pd.testing.assert_frame_equal(
        serial.table.sort_values(key).reset_index(drop=True), dask.table.sort_values(key).reset_index(drop=True)
    )


def test_warmup_leaves_early_orders_out(tmp_path: Path) -> None:
    spec = ExperimentSpec.model_validate({**SMALL, "replications": 2, "warmup_h": 24.0, "policies": {"base": []}})
    assert all("run.warmup_h=24.0" in t.overrides for t in tasks(spec))
    with_warmup = run_experiment(spec, tmp_path / "w", executor="serial").table
    without = run_experiment(
        ExperimentSpec.model_validate({**SMALL, "replications": 2, "policies": {"base": []}}),
        tmp_path / "n",
        executor="serial",
    ).table
    assert not with_warmup["value"].equals(without["value"])


def test_report_and_sweep_from_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from logistics.cli import app

    spec_file = tmp_path / "sweep.yaml"
    sweep = {**SMALL, "replications": 2, "grid": {"warehouse.pick.time_per_line_min": [0.4, 0.55]}}
    spec_file.write_text(json.dumps(sweep))
    result = CliRunner().invoke(app, ["bench", str(spec_file), "--out", str(tmp_path / "o"), "--backend", "serial"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "o" / "report.html").read_text()
    assert page.count("data:image/png;base64") >= 3  # KPI bars, lead-time quantiles, sweep response
    assert "Response to warehouse.pick.time_per_line_min" in page
    comparisons = pd.read_csv(tmp_path / "o" / "comparisons.csv")
    assert set(comparisons["point"]) == {
        "warehouse.pick.time_per_line_min=0.4",
        "warehouse.pick.time_per_line_min=0.55",
    }
    result = CliRunner().invoke(app, ["bench", "no_such_experiment"])
    assert result.exit_code != 0 and "policy_comparison" in result.output
