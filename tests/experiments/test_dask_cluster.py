"""`logistics risk` and `logistics plan` on a real Dask cluster: a scheduler and two workers, each a separate
process started with Dask's own command (`dask scheduler`, `dask worker`), as on several machines. The numbers
equal the serial run's, and a worker killed (kill -9) while it runs a simulation costs its runs, not the
command. Slow: a cluster starts in seconds and each command simulates dozens of runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed", reason="the dask executor needs dask: pip install -e '.[dask]'")

DASK = shutil.which("dask")


class Cluster:
    """A scheduler and two single-threaded workers without nannies (a killed worker stays dead)."""

    def __init__(self, folder: Path) -> None:
        info = folder / "scheduler.json"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.scheduler = subprocess.Popen(
            [DASK or "dask", "scheduler", "--scheduler-file", str(info), "--port", "0", "--no-dashboard"], **quiet
        )
        self._wait(lambda: info.exists() and json.loads(info.read_text() or "{}").get("address"))
        self.address = json.loads(info.read_text())["address"]
        worker = [DASK or "dask", "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
        self.workers = [subprocess.Popen([*worker, "--name", f"w{k}"], **quiet) for k in range(2)]
        with distributed.Client(self.address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)

    @staticmethod
    def _wait(ready, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            try:
                if ready():
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        raise TimeoutError("the Dask scheduler did not start")

    def kill_a_busy_worker(self, timeout_s: float = 120.0) -> int:
        """kill -9 the first worker seen running a task; its pid."""
        pids = {p.pid for p in self.workers}
        with distributed.Client(self.address, timeout=30) as client:
            pid_of = client.run(os.getpid)  # worker address -> its process id
            end = time.monotonic() + timeout_s
            while time.monotonic() < end:
                busy = [w for w, tasks in client.processing().items() if tasks]
                for w in busy:
                    pid = pid_of.get(w)
                    if pid in pids:
                        os.kill(pid, signal.SIGKILL)
                        return int(pid)
                time.sleep(0.05)
        raise TimeoutError("no worker was seen running a task")

    def close(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                p.terminate()
        for p in [*self.workers, self.scheduler]:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if DASK is None:
        pytest.skip("the `dask` command is not on PATH (pip install -e '.[dask]')")
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.close()


CLI = [sys.executable, "-c", "from logistics.cli import main; main()"]


def _logistics(*args: str) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(p: subprocess.Popen, timeout_s: float = 600) -> str:
    out, _ = p.communicate(timeout=timeout_s)
    assert p.returncode == 0, out
    return out


RISK = ["risk", "disrupted_risk", "--replications", "8", "--sensitivity-replications", "0"]
PLAN = ["plan", "staffing_small", "--trials", "4"]


def _risk_numbers(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "runs.csv")


def _plan_numbers(out: Path) -> tuple[pd.DataFrame, dict]:
    best = json.loads((out / "best.json").read_text())
    best.pop("wall_s", None)
    return pd.read_csv(out / "trials.csv"), best


def test_risk_on_a_two_worker_cluster_equals_the_serial_run_even_when_a_worker_is_killed(
    cluster: Cluster, tmp_path: Path
) -> None:
    _finish(_logistics(*RISK, "--backend", "serial", "--out", str(tmp_path / "serial")))
    _finish(_logistics(*RISK, "--backend", "dask", "--address", cluster.address, "--out", str(tmp_path / "dask")))
    pd.testing.assert_frame_equal(_risk_numbers(tmp_path / "serial"), _risk_numbers(tmp_path / "dask"))
    # again, with one of the two workers killed while it simulates: its run goes to the other worker
    run = _logistics(*RISK, "--backend", "dask", "--address", cluster.address, "--out", str(tmp_path / "killed"))
    cluster.kill_a_busy_worker()
    _finish(run)
    pd.testing.assert_frame_equal(_risk_numbers(tmp_path / "serial"), _risk_numbers(tmp_path / "killed"))


def test_plan_on_a_two_worker_cluster_equals_the_serial_run_even_when_a_worker_is_killed(
    cluster: Cluster, tmp_path: Path
) -> None:
    _finish(_logistics(*PLAN, "--backend", "serial", "--out", str(tmp_path / "serial")))
    run = _logistics(*PLAN, "--backend", "dask", "--address", cluster.address, "--out", str(tmp_path / "killed"))
    cluster.kill_a_busy_worker()
    _finish(run)
    trials, best = _plan_numbers(tmp_path / "serial")
    trials_dask, best_dask = _plan_numbers(tmp_path / "killed")
    pd.testing.assert_frame_equal(trials, trials_dask)
    assert best == best_dask
