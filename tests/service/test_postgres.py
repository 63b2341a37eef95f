"""Scale-out on a real PostgreSQL (started by `scripts/postgres.sh` from the distribution's packages): two API
servers that run no jobs and two `logistics worker` processes share one database. Every job runs exactly once,
a simulation's files are served by the server that did not receive it, and a worker killed mid-job has its job
re-run by the other. Slow; skipped where PostgreSQL's server programs are not installed."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the service needs fastapi, uvicorn and httpx")
pytest.importorskip("psycopg", reason="the PostgreSQL store needs psycopg (pip install -e '.[dev]')")

from logistics.optimize import check_routing
from logistics.optimize.routing.jsonio import problem_to_json, result_from_json
from logistics.testing.problems import grid_problem
from logistics.testing.service import FINAL, Server, Worker, free_port
from tests.service.test_leases import _wait_state

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh"


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A fresh PostgreSQL cluster's URL (stopped and removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="logistics-pg-", dir="/tmp")) / "cluster"
    folder.parent.chmod(0o755)  # the server may run as the postgres user: it must reach its folder
    started = subprocess.run(
        ["bash", str(SCRIPT), "start", str(folder), str(free_port())], capture_output=True, text=True, timeout=120
    )
    if started.returncode != 0:
        shutil.rmtree(folder.parent, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not be started: {started.stderr.strip()[-300:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=60)
        shutil.rmtree(folder.parent, ignore_errors=True)


def test_two_api_servers_and_two_workers_on_postgresql_run_every_job_exactly_once(
    postgres: str, tmp_path: Path
) -> None:
    settings = {"database_url": postgres, "workers": 0, "lease_s": 2, "max_running_per_key": 2}
    for name in ("api1", "api2"):
        (tmp_path / name).mkdir()
    servers = [Server(tmp_path / name, **settings) for name in ("api1", "api2")]
    workers: list[Worker] = []
    try:
        for server in servers:
            server.start()
        workers = [Worker(tmp_path / f"w{k}", servers[0].folder / "service.yaml") for k in (1, 2)]
        problems = [grid_problem(12 + k, vehicles=3, capacity=40.0) for k in range(8)]
        jobs = []
        for k, problem in enumerate(problems):
            with servers[k % 2].client() as http:
                body = {"problem": json.loads(problem_to_json(problem)), "params": {"time_limit_s": 1}}
                jobs.append(http.post("/v1/routing/jobs", json=body).json()["id"])
        with servers[0].client() as http:
            simulation = http.post(
                "/v1/simulation/jobs", json={"scenario": "bonded_import_small", "overrides": ["run.horizon_h=24"]}
            ).json()["id"]
        with servers[1].client() as http:  # every job, followed through the other server
            for job, problem in zip(jobs, problems, strict=True):
                status = _wait_state(http, job, FINAL, 120)
                assert status["state"] == "done" and status["attempts"] == 1, status
                plan = http.get(f"/v1/jobs/{job}/result").json()["result"]["solution"]
                assert check_routing(problem, result_from_json(json.dumps(plan))).ok
            sim = _wait_state(http, simulation, FINAL, 180)
            assert sim["state"] == "done" and "kpis.csv" in sim["files"], sim
            kpis = http.get(f"/v1/jobs/{simulation}/files/kpis.csv")
            assert kpis.status_code == 200 and kpis.text.startswith("replication,kpi")
        started = Counter(j for w in workers for j in w.started_jobs())
        assert all(started[j] == 1 for j in [*jobs, simulation]), started
        assert all(w.started_jobs() for w in workers)  # both workers took jobs

        # kill -9 of the worker running a long job: the other re-runs it once its lease expires
        long_problem = grid_problem(40, vehicles=5, capacity=40.0, windows=True)
        with servers[0].client() as http:
            body = {
                "problem": json.loads(problem_to_json(long_problem)),
                "params": {"time_limit_s": 3, "backend": "ortools"},
            }
            long_job = http.post("/v1/routing/jobs", json=body).json()["id"]
            _wait_state(http, long_job, ("running",), 30)
            time.sleep(0.5)
            victim = next(w for w in workers if long_job in w.started_jobs())
            victim.kill9()
            status = _wait_state(http, long_job, FINAL, 90)
            assert status["state"] == "done" and status["attempts"] == 2, status
            assert "stopped renewing its lease" in status["notes"][0]
            plan = http.get(f"/v1/jobs/{long_job}/result").json()["result"]["solution"]
            assert check_routing(long_problem, result_from_json(json.dumps(plan))).ok
    finally:
        for w in workers:
            w.stop()
        for server in servers:
            server.stop()
