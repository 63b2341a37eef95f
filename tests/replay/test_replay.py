"""Same scenario and seed, same files: every built-in scenario run twice in separate processes gives identical
outputs (every optimizer inside the simulation runs in its reproducible mode); so does a built-in experiment."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import yaml

from logistics.experiments.spec import builtin_experiment_names, builtin_experiment_path
from logistics.scenario import builtin_names

ROOT = Path(__file__).resolve().parents[2]


def _replay(tmp: Path, horizon: str, names: list[str]) -> dict:  # type: ignore[type-arg]
    cmd = [sys.executable, "-m", "tests.replay.runner", str(tmp), horizon, *names]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _twice(tmp_path: Path, horizon: str, names: list[str]) -> None:
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda k: _replay(tmp_path / k, horizon, names), ["a", "b"])
    for name in names:
        assert a[name] == b[name], f"{name}: files differ between two runs: " + ", ".join(
            f for f in a[name] if a[name][f] != b[name].get(f)
        )
        assert "kpis.csv" in a[name]


def test_the_mixed_and_the_routing_scenarios_replay_bit_for_bit_in_separate_processes(tmp_path: Path) -> None:
    # every mode and the warehouses (pilot_zone_mixed), vans routed by the optimizer (last_mile_city); every
    # built-in over its full horizon: the slow test below
    _twice(tmp_path, "12", ["pilot_zone_mixed", "last_mile_city"])


@pytest.mark.slow
def test_every_builtin_scenario_replays_bit_for_bit_over_its_full_horizon(tmp_path: Path) -> None:
    _twice(tmp_path, "full", builtin_names())


def _bench(spec: Path, out: Path) -> pd.DataFrame:
    cmd = [sys.executable, "-m", "logistics.cli", "bench", str(spec), "--out", str(out), "--workers", "1"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    table = pd.read_parquet(out / "results.parquet")
    return table[table["unit"] != "wall s"].sort_values(["scenario", "policy", "replication", "kpi"])


@pytest.mark.slow
@pytest.mark.parametrize("name", builtin_experiment_names())
def test_every_builtin_experiment_replays_bit_for_bit(tmp_path: Path, name: str) -> None:
    spec = yaml.safe_load(builtin_experiment_path(name).read_text(encoding="utf-8"))
    spec["replications"] = 2
    short = ["run.horizon_h=48", "run.cooldown_h=48", "disruptions=[]"]
    spec["policies"] = {k: [*short, *v] for k, v in spec["policies"].items()}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda k: _bench(path, tmp_path / k), ["a", "b"])
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)
