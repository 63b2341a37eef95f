"""Experiments that never reuse a stale run, survive dead workers, leave no orphans and refuse unknown KPIs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from multiprocessing import active_children
from pathlib import Path

import pytest

from logistics.core.errors import ScenarioError
from logistics.experiments.runner import run_experiment
from logistics.experiments.spec import ExperimentSpec
from logistics.scenario import builtin_text

SHORT = ["run.horizon_h=12", "run.cooldown_h=12"]


def _scenario(path: Path, orders_per_day: int) -> Path:
    text = builtin_text("bonded_import_small").replace("orders_per_day: 1500", f"orders_per_day: {orders_per_day}")
    assert f"orders_per_day: {orders_per_day}" in text
    path.write_text(text, encoding="utf-8")
    return path


def _spec(scenarios: list[Path], **kw) -> ExperimentSpec:  # type: ignore[no-untyped-def]
    data = {
        "name": "trust",
        "scenarios": [str(p) for p in scenarios],
        "policies": {"base": SHORT, "fast": [*SHORT, "warehouse.pick.time_per_line_min*=0.5"]},
        "replications": 2,
        "seed": 5,
        **kw,
    }
    return ExperimentSpec.model_validate(data)


def _created(results, scenario: Path) -> float:  # type: ignore[no-untyped-def]
    t = results.all_kpis
    rows = t[(t["scenario"] == str(scenario)) & (t["kpi"] == "orders.created")]
    return float(rows["value"].sum())


@pytest.mark.slow
def test_editing_a_scenario_reruns_exactly_its_runs(tmp_path: Path) -> None:
    a, b = _scenario(tmp_path / "a.yaml", 1500), _scenario(tmp_path / "b.yaml", 1500)
    spec = _spec([a, b])
    first = run_experiment(spec, tmp_path / "out", executor="serial")
    assert (first.ran, first.reused) == (8, 0)
    before = _created(first, b)
    _scenario(b, 15000)  # the stale-run report: ten times the demand must not reuse the old runs
    second = run_experiment(spec, tmp_path / "out", executor="serial")
    assert (second.ran, second.reused) == (4, 4)
    assert _created(second, b) > 5 * before
    assert _created(second, a) == _created(first, a)
    third = run_experiment(spec, tmp_path / "out", executor="serial")
    assert (third.ran, third.reused) == (0, 8)


def test_a_killed_worker_costs_a_retry_and_the_bench_finishes_with_every_run_once(tmp_path: Path) -> None:
    spec = _spec([_scenario(tmp_path / "a.yaml", 1500)], replications=4)
    killed: list[int] = []
    seen: list[str] = []
    before = {p.pid for p in active_children()}  # (a process this test did not start is not killed)

    def on_run(record: dict) -> None:  # type: ignore[type-arg]
        seen.append(record["run_id"])
        if not killed:
            workers = [p for p in active_children() if p.pid not in before]
            assert workers, "no pool worker to kill"
            os.kill(workers[0].pid, signal.SIGKILL)  # as the OOM killer would
            killed.append(workers[0].pid)

    results = run_experiment(spec, tmp_path / "out", executor="local", workers=2, on_run=on_run)
    assert killed
    assert len(results.failures) == 0
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 8
    assert len(list((tmp_path / "out" / "runs").glob("*.json"))) == 8
    assert results.table["replication"].nunique() == 4


def test_unknown_kpi_names_stop_the_experiment_after_one_run_per_scenario(tmp_path: Path) -> None:
    spec = _spec([_scenario(tmp_path / "a.yaml", 1500)], kpis=["lead_time.pick_h.mean", "lead_time.pik_h.mean"])
    with pytest.raises(ScenarioError) as info:
        run_experiment(spec, tmp_path / "out", executor="serial")
    (issue,) = info.value.issues
    assert issue.path == ("kpis", 1) and "lead_time.pick_h.mean" in issue.message  # the suggestion
    assert len(list((tmp_path / "out" / "runs").glob("*.json"))) == 1  # the probe run is kept


def test_policy_names_become_safe_file_names(tmp_path: Path) -> None:
    spec = _spec([_scenario(tmp_path / "a.yaml", 1500)], replications=2)
    spec = spec.model_copy(update={"policies": {"../../evil name": SHORT, "ok": SHORT}})
    run_experiment(spec, tmp_path / "out", executor="serial")
    names = [p.name for p in (tmp_path / "out" / "runs").iterdir()]
    assert len(names) == 4
    assert all("/" not in n and " " not in n and not n.startswith(".") for n in names)
    assert not (tmp_path / "evil name").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux only")
def test_pool_workers_die_with_a_killed_bench(tmp_path: Path) -> None:
    spec = tmp_path / "exp.yaml"
    data = json.loads(_spec([_scenario(tmp_path / "a.yaml", 1500)], replications=20).model_dump_json())
    data["policies"] = {"base": ["run.horizon_h=48", "run.cooldown_h=48"]}
    spec.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "logistics.cli", "bench", str(spec), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    children: list[int] = []
    while time.monotonic() < deadline and len(children) < 2:
        time.sleep(0.1)
        path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        children = [int(c) for c in path.read_text().split()] if path.exists() else []
    assert len(children) >= 2, "the bench did not start its workers"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    alive = children
    while time.monotonic() < deadline and alive:
        time.sleep(0.1)
        alive = [c for c in children if _alive(c)]
    assert not alive, f"workers {alive} outlived their parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_a_builtin_experiments_faster_policy_is_faster_on_every_scenario() -> None:
    from logistics.experiments.spec import builtin_experiment_path, load_experiment
    from logistics.scenario.builtin import load_named

    spec = load_experiment(builtin_experiment_path("policy_comparison"))
    for scenario in spec.scenarios:
        base = load_named(scenario).flows[0].warehouse
        fast = load_named(scenario, spec.policies["faster_picking"]).flows[0].warehouse
        assert base is not None and fast is not None
        assert fast.pick.time_per_line_min < base.pick.time_per_line_min, scenario
