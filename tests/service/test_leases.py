"""Each job runs once: leases between servers sharing one database, SIGTERM that lets running jobs finish (or
hands them back without spending an attempt), a dead worker handled like a dead server. Real servers, real
worker processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("uvicorn", reason="the service needs fastapi, uvicorn and httpx")

from logistics.optimize import check_routing
from logistics.optimize.routing.jsonio import problem_to_json, result_from_json
from logistics.testing.problems import grid_problem
from logistics.testing.service import FINAL, Server, child_pids

pytestmark = pytest.mark.skipif(not Path("/proc").exists(), reason="reads worker processes from /proc (Linux)")


def _solve(seconds: float, stops: int = 40) -> dict:
    """A routing job that runs for about `seconds` (OR-Tools searches until its limit)."""
    problem = grid_problem(stops, vehicles=5, capacity=40.0, windows=True)
    return {"problem": json.loads(problem_to_json(problem)), "params": {"time_limit_s": seconds, "backend": "ortools"}}


def _wait_state(http: httpx.Client, job: str, states: tuple[str, ...], timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    while (status := http.get(f"/v1/jobs/{job}").json())["state"] not in states:
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    return status


def _starts(folder: Path) -> list[str]:
    """The jobs a server's log says it started (one line per start)."""
    lines = (folder / "server.log").read_text(errors="replace").splitlines()
    return [json.loads(line)["job"] for line in lines if '"event": "job_started"' in line]


@pytest.mark.slow
def test_a_second_server_on_the_same_database_never_takes_a_live_job_and_takes_over_a_dead_ones(
    tmp_path: Path,
) -> None:
    """Server A runs a job; server B starts on the same database (and so looks for expired leases at start-up
    and every third of a lease): the job runs once, on A. Then the server running another job is killed (-9):
    the other re-queues it once its lease expires and runs it; the plan checks."""
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir(), b_dir.mkdir()
    database = str(tmp_path / "jobs.db")
    a = Server(a_dir, workers=1, database=database, lease_s=2).start()
    b: Server | None = None
    try:
        with a.client() as http:
            first = http.post("/v1/routing/jobs", json=_solve(4.0)).json()["id"]
            _wait_state(http, first, ("running",), 20)
            b = Server(b_dir, workers=1, database=database, lease_s=2).start()  # while A runs the job
            done = _wait_state(http, first, FINAL, 60)
            assert done["state"] == "done" and done["attempts"] == 1 and done["notes"] == [], done
        assert first in _starts(a_dir) and first not in _starts(b_dir)

        with a.client() as http:
            second = http.post("/v1/routing/jobs", json=_solve(2.0)).json()["id"]
            _wait_state(http, second, ("running",), 20)
        # both servers claim from the one queue: kill -9 the one that runs it, the other takes over
        assert b is not None
        holder, other = (a, b) if second in _starts(a_dir) else (b, a)
        killed = time.monotonic()
        holder.kill9()
        with other.client() as http:
            ended = _wait_state(http, second, FINAL, 60)
            assert ended["state"] == "done" and ended["attempts"] == 2, ended
            assert "stopped renewing its lease" in ended["notes"][0]
            assert time.monotonic() - killed < 30  # the lease (2 s), a heartbeat, the 2 s solve
            plan = http.get(f"/v1/jobs/{second}/result").json()["result"]["solution"]
            problem = grid_problem(40, vehicles=5, capacity=40.0, windows=True)
            assert check_routing(problem, result_from_json(json.dumps(plan))).ok
        assert second in _starts(other.folder)
    finally:
        a.stop()
        if b is not None:
            b.stop()


@pytest.mark.slow
def test_sigterm_lets_running_jobs_finish_and_leaves_queued_ones_queued_with_attempts_unchanged(
    tmp_path: Path,
) -> None:
    """One worker, a 3 s job running and two queued, a `?wait=` request open: SIGTERM. The waiting request
    answers at once, the running job finishes within the grace (done, attempt 1), the queued ones stay queued
    and run after a restart (attempt 1 each)."""
    server = Server(tmp_path, workers=1, shutdown_grace_s=20).start()
    with server.client() as http:
        running = http.post("/v1/routing/jobs", json=_solve(3.0)).json()["id"]
        _wait_state(http, running, ("running",), 20)
        queued = [http.post("/v1/routing/jobs", json=_solve(1.0, 10)).json()["id"] for _ in range(2)]
    answers: list[httpx.Response] = []

    def wait_request() -> None:
        with server.client("bob") as bob:
            answers.append(bob.post("/v1/routing/jobs?wait=60", json=_solve(1.0, 8)))

    waiter = threading.Thread(target=wait_request)
    waiter.start()
    time.sleep(0.5)
    assert server.process is not None
    signalled = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    waiter.join(20)
    assert answers and answers[0].status_code == 202, answers  # not held until the job ends
    assert time.monotonic() - signalled < 10
    server.process.wait(40)
    server.log.close()
    with sqlite3.connect(tmp_path / "jobs.db") as db:
        rows = dict(db.execute("SELECT id, state || ':' || attempts FROM jobs").fetchall())
    assert rows[running] == "done:1", rows
    assert all(rows[j] == "queued:0" for j in queued), rows
    server.start()
    try:
        with server.client() as http:
            for job in queued:
                status = _wait_state(http, job, FINAL, 60)
                assert status["state"] == "done" and status["attempts"] == 1, status
    finally:
        server.stop()


@pytest.mark.slow
def test_sigterm_after_the_grace_hands_a_running_job_back_without_spending_its_attempt(tmp_path: Path) -> None:
    server = Server(tmp_path, workers=1, shutdown_grace_s=0.5, max_attempts=1).start()
    with server.client() as http:
        job = http.post("/v1/routing/jobs", json=_solve(6.0)).json()["id"]
        _wait_state(http, job, ("running",), 20)
    workers = child_pids(server.process.pid)  # type: ignore[union-attr]
    server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    server.process.wait(30)  # type: ignore[union-attr]
    server.log.close()
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{w}") and "Z" not in Path(f"/proc/{w}/stat").read_text() for w in workers):
        assert time.monotonic() < deadline, "a worker outlived the stopped server"
        time.sleep(0.1)
    with sqlite3.connect(tmp_path / "jobs.db") as db:
        state, attempts, notes = db.execute("SELECT state, attempts, notes FROM jobs WHERE id = ?", (job,)).fetchone()
    assert (state, attempts) == ("queued", 0) and "handed back" in notes
    server.start()  # max_attempts 1: had the shutdown spent the attempt, the job could not run again
    try:
        with server.client() as http:
            status = _wait_state(http, job, FINAL, 60)
            assert status["state"] == "done" and status["attempts"] == 1, status
    finally:
        server.stop()


@pytest.mark.slow
def test_a_dead_worker_is_handled_like_a_dead_server_the_job_runs_again(tmp_path: Path) -> None:
    server = Server(tmp_path, workers=1, max_attempts=2).start()
    try:
        with server.client() as http:
            job = http.post("/v1/routing/jobs", json=_solve(3.0)).json()["id"]
            _wait_state(http, job, ("running",), 20)
            time.sleep(0.5)
            (worker,) = [
                pid
                for pid in child_pids(server.process.pid)  # type: ignore[union-attr]
                if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
            os.kill(worker, signal.SIGKILL)
            status = _wait_state(http, job, FINAL, 60)
            assert status["state"] == "done" and status["attempts"] == 2, status
            assert "worker process died" in status["notes"][0]
    finally:
        server.stop()


@pytest.mark.slow
def test_a_simulation_ends_at_the_servers_wall_time_limit_with_the_replications_it_finished(tmp_path: Path) -> None:
    """No job holds a worker for hours: a simulation past `max_simulation_s` ends done with the replications
    finished by then (its notes say so, its files cover them); one that finishes none fails, saying why."""
    server = Server(tmp_path, workers=1, max_simulation_s=1.5, max_replications=40).start()
    try:
        with server.client() as http:
            body = {"scenario": "bonded_import_small", "replications": 40}
            status = http.post("/v1/simulation/jobs?wait=60", json=body).json()
            assert status["state"] == "done", status
            result = http.get(f"/v1/jobs/{status['id']}/result").json()["result"]
            finished = result["replications_finished"]
            assert 1 <= finished < 40 and result["replications"] == 40
            assert f"{finished} of 40 replications finished" in status["notes"][-1]
            assert "time limit (1.5 s)" in status["notes"][-1]
            kpis = http.get(f"/v1/jobs/{status['id']}/files/kpis.csv").text
            assert {int(line.split(",")[0]) for line in kpis.splitlines()[1:]} == set(range(finished))
            assert status["run_s"] < 1.5 + 30  # (writing the finished replications' files)
            big = {"scenario": "pilot_zone_mixed", "replications": 1}
            failed = http.post("/v1/simulation/jobs?wait=60", json=big).json()
            assert failed["state"] == "failed" and "no replication finished" in failed["error"], failed
    finally:
        server.stop()
