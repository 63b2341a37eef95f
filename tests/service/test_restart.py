"""Nothing is lost: kill -9 of the server with jobs queued and running, a restart on the same database, and
every job accounted for (the running one run again, the queued ones run)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the service needs fastapi, uvicorn and httpx")

from logistics.optimize import check_routing
from logistics.optimize.routing.jsonio import problem_to_json, result_from_json
from logistics.testing.problems import grid_problem
from logistics.testing.service import FINAL, Server, child_pids

LINEHAUL = {
    "problem": {
        "now_h": 0,
        "departures": [
            {"lane": "air", "time_h": 0, "arrival_h": 6, "cutoff_h": 2, "capacity_kg": 100, "capacity_m3": 1e6,
             "block_kg": 0, "per_kg_cny": 10, "per_parcel_cny": 1, "volumetric_m3_per_kg": 0.006}
        ],
        "classes": [
            {"count": 50, "weight_kg": 1, "volume_m3": 0.001, "chargeable_kg": 1, "due_h": None, "first_ok": True}
        ],
        "late_penalty_cny_per_h": 1,
        "horizon_h": 48,
    }
}  # fmt: skip
SIMULATION = {"scenario": "bonded_import_small", "overrides": ["run.horizon_h=12", "run.cooldown_h=12"]}


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker processes from /proc (Linux)")
def test_kill_9_with_jobs_queued_and_running_then_restart_accounts_for_every_job(tmp_path: Path) -> None:
    long_problem = grid_problem(40, vehicles=5, capacity=40.0, windows=True)
    small = grid_problem(8, vehicles=2)
    server = Server(tmp_path, workers=1, lease_s=2).start()
    try:
        with server.client() as http:
            body = {
                "problem": json.loads(problem_to_json(long_problem)),
                "params": {"time_limit_s": 2.5, "backend": "ortools"},
            }
            running = http.post("/v1/routing/jobs", json=body).json()["id"]
            deadline = time.monotonic() + 20
            while http.get(f"/v1/jobs/{running}").json()["state"] != "running":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            queued = [
                http.post("/v1/routing/jobs", json={"problem": json.loads(problem_to_json(small))}).json()["id"],
                http.post("/v1/linehaul/jobs", json=LINEHAUL).json()["id"],
                http.post("/v1/simulation/jobs", json=SIMULATION).json()["id"],
            ]
            time.sleep(0.5)
            assert [http.get(f"/v1/jobs/{j}").json()["state"] for j in queued] == ["queued"] * 3
        workers = child_pids(server.process.pid)  # type: ignore[union-attr]
        assert workers
        server.kill9()
        deadline = time.monotonic() + 10
        while any(
            os.path.exists(f"/proc/{w}") and "Z" not in Path(f"/proc/{w}/stat").read_text().split(")")[1][:3]
            for w in workers
        ):
            assert time.monotonic() < deadline, "a worker outlived the killed server"
            time.sleep(0.1)
        server.start()
        with server.client() as http:
            ends = {}
            deadline = time.monotonic() + 120
            for job in [running, *queued]:
                while (status := http.get(f"/v1/jobs/{job}").json())["state"] not in FINAL:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
                ends[job] = status
            assert {s["state"] for s in ends.values()} == {"done"}, ends
            assert ends[running]["attempts"] == 2 and "stopped renewing its lease" in ends[running]["notes"][0]
            assert all(ends[j]["attempts"] == 1 for j in queued)
            solution = http.get(f"/v1/jobs/{running}/result").json()["result"]["solution"]
            assert check_routing(long_problem, result_from_json(json.dumps(solution))).ok
            assert len(http.get("/v1/jobs").json()["jobs"]) == 4
    finally:
        server.stop()


@pytest.mark.slow
def test_the_dask_executor_runs_jobs_and_cancels(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the dask executor needs dask[distributed]")
    server = Server(tmp_path, workers=1, executor="dask").start(timeout_s=120)
    try:
        with server.client() as http:
            small = grid_problem(10, vehicles=2, capacity=40.0)
            body = {"problem": json.loads(problem_to_json(small)), "params": {"time_limit_s": 1}}
            done = http.post("/v1/routing/jobs?wait=60", json=body).json()
            assert done["state"] == "done", done
            assert check_routing(small, result_from_json(json.dumps(done["result"]["solution"]))).ok
            sim = http.post("/v1/simulation/jobs?wait=120", json=SIMULATION).json()
            assert sim["state"] == "done" and "kpis.csv" in sim["files"], sim
            slow = {**body, "params": {"time_limit_s": 20, "backend": "ortools"}}
            job = http.post("/v1/routing/jobs", json=slow).json()["id"]
            time.sleep(1)
            http.delete(f"/v1/jobs/{job}")
            deadline = time.monotonic() + 10
            while (status := http.get(f"/v1/jobs/{job}").json())["state"] not in FINAL:
                assert time.monotonic() < deadline
                time.sleep(0.1)
            assert status["state"] == "cancelled"
    finally:
        server.stop()


@pytest.mark.slow
def test_by_default_one_key_cannot_hold_every_worker(tmp_path: Path) -> None:
    """Two workers, the default per-key limit (one fewer than the workers): while one key's long solves queue up,
    another key's small job runs at once."""
    import httpx

    from logistics.testing.service import KEYS

    server = Server(tmp_path, workers=2).start()
    try:
        slow = {"problem": json.loads(problem_to_json(grid_problem(60, vehicles=6, windows=True))),
                "params": {"time_limit_s": 20, "backend": "ortools"}}  # fmt: skip
        bob = {"Authorization": f"Bearer {KEYS['bob']}"}
        ids = [httpx.post(f"{server.url}/v1/routing/jobs", json=slow, headers=bob).json()["id"] for _ in range(3)]
        time.sleep(1.0)
        states = [httpx.get(f"{server.url}/v1/jobs/{j}", headers=bob).json()["state"] for j in ids]
        assert states.count("running") == 1, states  # the second worker is kept for others
        small = {"problem": json.loads(problem_to_json(grid_problem(5, vehicles=1))), "params": {"time_limit_s": 1}}
        started = time.monotonic()
        answer = httpx.post(f"{server.url}/v1/routing/jobs?wait=15", json=small,
                            headers={"Authorization": f"Bearer {KEYS['alice']}"}, timeout=30)  # fmt: skip
        assert answer.status_code == 200 and answer.json()["state"] == "done"
        assert time.monotonic() - started < 10
        for j in ids:
            httpx.delete(f"{server.url}/v1/jobs/{j}", headers=bob)
    finally:
        server.stop()


@pytest.mark.slow
def test_retention_deletes_ended_jobs_after_their_time(tmp_path: Path) -> None:
    import httpx

    from logistics.testing.service import KEYS

    server = Server(tmp_path, workers=1, retention_h=0.0005).start()  # 1.8 s
    try:
        headers = {"Authorization": f"Bearer {KEYS['alice']}"}
        small = {"problem": json.loads(problem_to_json(grid_problem(5, vehicles=1))), "params": {"time_limit_s": 1}}
        job = httpx.post(f"{server.url}/v1/routing/jobs?wait=15", json=small, headers=headers, timeout=30).json()
        assert job["state"] == "done"
        assert httpx.get(f"{server.url}/v1/jobs/{job['id']}", headers=headers).status_code == 200
        deadline = time.monotonic() + 20
        while httpx.get(f"{server.url}/v1/jobs/{job['id']}", headers=headers).status_code != 404:
            assert time.monotonic() < deadline, "not deleted after its retention"
            time.sleep(0.5)
    finally:
        server.stop()
