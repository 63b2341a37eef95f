"""The job service scaled out and broken on purpose: 50 concurrent clients of 3 API keys submit small routing
jobs for 5 minutes to two API servers sharing one store, and midway one API server and one worker are killed
with `kill -9`. Then: every accepted job finished (accepted = finished), no job ran twice at the same time (a
job starts again only after its first run's holder died: its note says so, and its first run's end was never
recorded), every routing plan re-checked here with the library's checker (a plan called feasible must pass;
one that left stops out under load must say so, status infeasible with each stop's reason, and is counted
apart); latency p50/p95/p99 (submission until the client sees the end, polling every 0.2 s) and jobs/s.

Topologies (`--store`):
- `sqlite`: two `logistics serve` on one SQLite file, each with one worker process; midway server A is killed
  (-9, its worker with it) and server B's worker process is killed (-9): B re-queues A's jobs once their lease
  expires, B's pool re-runs its own.
- `postgres`: a PostgreSQL from `scripts/postgres.sh`; two `logistics serve` with no workers and two
  `logistics worker` processes (one worker each); midway API server A and worker 1 are killed (-9).
Clients submit with an Idempotency-Key and switch server when theirs stops answering (a retried submit returns
the same job).

    python benchmarks/service_chaos.py --store sqlite [--minutes 5 --clients 50 --stops 30 --time-limit 0.5]
    python benchmarks/service_chaos.py --store postgres
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logistics.optimize import check_routing
from logistics.optimize.routing.jsonio import problem_to_json, result_from_json
from logistics.testing.problems import grid_problem
from logistics.testing.service import KEYS, Server, Worker, free_port, started_jobs

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
FINAL = ("done", "failed", "cancelled", "interrupted")


class Fleet:
    """The servers (and workers) of a topology, and which ones still answer."""

    def __init__(self, store: str, folder: Path) -> None:
        self.store, self.folder = store, folder
        self.pg_folder: Path | None = None
        common = {"lease_s": 3, "max_running_per_key": 2, "max_queued_per_key": 5000, "max_time_limit_s": 10}
        if store == "postgres":
            self.pg_folder = Path(tempfile.mkdtemp(prefix="chaos-pg-", dir="/tmp")) / "cluster"
            self.pg_folder.parent.chmod(0o755)
            started = subprocess.run(
                ["bash", str(ROOT / "scripts" / "postgres.sh"), "start", str(self.pg_folder), str(free_port())],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            settings = {**common, "database_url": started.stdout.strip().splitlines()[-1], "workers": 0}
        else:
            settings = {**common, "database": str(folder / "jobs.db"), "workers": 1}
        self.servers = []
        for name in ("api_a", "api_b"):
            (folder / name).mkdir(parents=True)
            self.servers.append(Server(folder / name, **settings).start())
        self.workers = (
            [Worker(folder / f"worker_{k}", self.servers[0].folder / "service.yaml") for k in (1, 2)]
            if store == "postgres"
            else []
        )
        self.alive = [True, True]

    def url(self, rng: random.Random) -> str:
        return self.servers[rng.choice([k for k in (0, 1) if self.alive[k]])].url

    def break_midway(self) -> list[str]:
        """kill -9 of API server A (with its worker, SQLite) and of one worker; what was killed."""
        from logistics.testing.service import child_pids

        self.alive[0] = False
        self.servers[0].kill9()
        if self.store == "postgres":
            self.workers[0].kill9()
            return ["API server A (kill -9)", "worker 1 (kill -9, and its worker process)"]
        children = [
            pid
            for pid in child_pids(self.servers[1].process.pid)  # type: ignore[union-attr]
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        for pid in children:
            subprocess.run(["kill", "-9", str(pid)], check=False)
        return [
            "API server A and its worker process (kill -9)",
            f"server B's worker process (kill -9, {len(children)})",
        ]

    def logs(self) -> list[Path]:
        return [s.folder / "server.log" for s in self.servers] + [w.folder / "worker.log" for w in self.workers]

    def stop(self) -> None:
        for w in self.workers:
            w.stop()
        for s in self.servers:
            s.stop()
        if self.pg_folder is not None:
            subprocess.run(["bash", str(ROOT / "scripts" / "postgres.sh"), "stop", str(self.pg_folder)], check=False)
            shutil.rmtree(self.pg_folder.parent, ignore_errors=True)


def run(args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"chaos-{args.store}-"))
    fleet = Fleet(args.store, folder)
    problems = [grid_problem(args.stops + s, vehicles=4, capacity=40.0, windows=True) for s in range(10)]
    bodies = [
        {"problem": json.loads(problem_to_json(p)), "params": {"time_limit_s": args.time_limit, "backend": "ortools"}}
        for p in problems
    ]
    keys = list(KEYS)[:3]
    lock = threading.Lock()
    accepted: dict[str, tuple[str, int]] = {}  # job -> (key, problem index)
    latencies: list[float] = []
    failures: list[str] = []
    ends: dict[str, dict] = {}
    incomplete: list[str] = []  # plans that left stops out (status infeasible, reasons given): honest, counted
    stop_at = time.monotonic() + args.minutes * 60
    counter = itertools.count()

    def call(rng: random.Random, key: str, method: str, path: str, **kw: object) -> httpx.Response:
        """One call to a live server, moving to the other when one stops answering."""
        headers = {"Authorization": f"Bearer {KEYS[key]}", **kw.pop("headers", {})}  # type: ignore[dict-item]
        for _ in range(40):
            try:
                return httpx.request(method, fleet.url(rng) + path, headers=headers, timeout=30, **kw)  # type: ignore[arg-type]
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"no server answered {method} {path}")

    def client(c: int) -> None:
        rng = random.Random(c)
        key = keys[c % len(keys)]
        while time.monotonic() < stop_at:
            index = next(counter) % len(bodies)
            idem = uuid.uuid4().hex
            sent = time.perf_counter()
            answer = call(rng, key, "POST", "/v1/routing/jobs", json=bodies[index], headers={"Idempotency-Key": idem})
            if answer.status_code != 202:
                with lock:
                    failures.append(f"submit: HTTP {answer.status_code} {answer.text[:160]}")
                time.sleep(1)
                continue
            job = answer.json()["id"]
            with lock:
                accepted[job] = (key, index)
            while (status := call(rng, key, "GET", f"/v1/jobs/{job}").json())["state"] not in FINAL:
                time.sleep(0.2)
            elapsed = time.perf_counter() - sent
            problem = None
            if status["state"] != "done":
                problem = f"{job}: {status['state']} {status['error']}"
            else:
                result = call(rng, key, "GET", f"/v1/jobs/{job}/result").json()["result"]
                plan = result_from_json(json.dumps(result["solution"]))
                report = check_routing(problems[index], plan)
                called = plan.status.value in ("feasible", "optimal")
                if not report.feasible or (called and not report.ok):
                    problem = f"{job}: a {plan.status.value} plan fails the check: {report.violations[:2]}"
                elif not report.ok:  # honest: stops left out within the limit, each with its reason
                    with lock:
                        incomplete.append(job)
            with lock:
                latencies.append(elapsed)
                ends[job] = status
                if problem:
                    failures.append(problem)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(args.clients)]
    for t in threads:
        t.start()
    time.sleep(args.minutes * 30)
    killed = fleet.break_midway()
    killed_at = time.monotonic() - started
    for t in threads:
        t.join(args.minutes * 60 + 600)
    wall = time.monotonic() - started
    starts = Counter(j for log in fleet.logs() for j in started_jobs(log))
    restarted = {j: n for j, n in starts.items() if n > 1}
    explained = {
        j
        for j in restarted
        if j in ends and len(ends[j]["notes"]) >= restarted[j] - 1
        and all("lease" in x or "worker process died" in x for x in ends[j]["notes"][: restarted[j] - 1])
    }  # fmt: skip
    not_recorded = sum(
        1 for log in fleet.logs() if log.exists() for x in log.read_text(errors="replace").splitlines()
        if '"event": "end_not_recorded"' in x
    )  # fmt: skip
    fleet.stop()
    shutil.rmtree(folder, ignore_errors=True)
    finished = len(ends)
    p50, p95, p99 = (float(np.percentile(latencies, q)) for q in (50, 95, 99))
    return {
        "store": args.store,
        "minutes": args.minutes,
        "clients": args.clients,
        "keys": len(keys),
        "killed": killed,
        "killed_at_s": round(killed_at, 1),
        "accepted": len(accepted),
        "finished": finished,
        "done": sum(1 for s in ends.values() if s["state"] == "done"),
        "failures": failures[:20],
        "failure_count": len(failures),
        "plans_leaving_stops_out": len(incomplete),
        "started_more_than_once": len(restarted),
        "restarts_explained_by_a_death": len(explained),
        "ends_not_recorded": not_recorded,
        "latency_s": {"p50": p50, "p95": p95, "p99": p99},
        "jobs_per_s": finished / wall,
        "wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--stops", type=int, default=30)
    parser.add_argument("--time-limit", type=float, default=0.5)
    args = parser.parse_args()
    result = run(args)
    result["machine"] = f"{platform.machine()} {platform.processor()} Python {platform.python_version()}"
    OUT.mkdir(exist_ok=True)
    path = OUT / f"service_chaos_{args.store}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"| store | clients x keys | killed (at {result['killed_at_s']} s) | accepted | finished | done | "
          "started twice (explained) | ends not recorded | p50 / p95 / p99 s | jobs/s |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---|---:|---|---:|")
    lat = result["latency_s"]
    print(f"| {args.store} | {args.clients} x {result['keys']} | {'; '.join(result['killed'])} | "
          f"{result['accepted']} | {result['finished']} | {result['done']} | {result['started_more_than_once']} "
          f"({result['restarts_explained_by_a_death']}) | {result['ends_not_recorded']} | "
          f"{lat['p50']:.2f} / {lat['p95']:.2f} / {lat['p99']:.2f} | {result['jobs_per_s']:.2f} |")  # fmt: skip
    print(f"plans that fail the check: {result['failure_count']}; honest plans leaving stops out (within the "
          f"limit, under load): {result['plans_leaving_stops_out']}")  # fmt: skip
    if result["failures"]:
        print("failures:", *result["failures"], sep="\n  ")
    print(f"written {path}")


if __name__ == "__main__":
    main()
