"""The job service under load: 200 small routing jobs (50 stops, 1 s each) submitted by 20 concurrent clients
and 10 scenario simulations, against a real `logistics serve` (2 worker processes on this 2-core machine);
then the same solves and simulations called in process, one after another, for comparison.

Checks: no job lost (every id ends `done`; the server lists 210 jobs), every routing result passes the
library's checker here, every simulation accounts for every order (created = delivered + in system + ended).
Latency is from submission until the client sees the job ended (polling every 0.1 s); it includes the time
queued behind the other clients' jobs (run and queued times are reported apart). In process, the simulations
write the same files (tables, report) as a simulation job.

    python benchmarks/service.py [--jobs 200 --clients 20 --simulations 10 --backend pyvrp]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from routing_scale import make_problem

from logistics.optimize import SolveParams, check_routing, solve_routing
from logistics.optimize.routing.jsonio import problem_to_json, result_from_json
from logistics.testing.service import Server

OUT = Path(__file__).resolve().parent / "out"
FINAL = ("done", "failed", "cancelled", "interrupted")
SIMULATION = {"scenario": "bonded_import_small", "overrides": []}


def _percentiles(values: list[float]) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def _accounted(kpis: dict[str, float]) -> bool:
    parts = kpis.get("orders.delivered", 0) + kpis.get("orders.in_system", 0) + kpis.get("orders.ended", 0)
    return abs(kpis["orders.created"] - parts) < 1e-6


def run_service(problems: list, args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="service-bench-"))
    server = Server(folder, workers=args.workers, max_queued_per_key=1000, max_running_per_key=args.workers)
    server.start()
    latencies: dict[str, list[float]] = {"routing": [], "simulation": []}
    run_s: dict[str, list[float]] = {"routing": [], "simulation": []}  # in the worker (from the job's status)
    queued_s: dict[str, list[float]] = {"routing": [], "simulation": []}
    failures: list[str] = []
    objectives: list[float] = []
    ids: list[str] = []
    lock = threading.Lock()

    def follow(http: httpx.Client, kind: str, body: dict, check) -> None:  # type: ignore[no-untyped-def]
        sent = time.perf_counter()
        answer = http.post(f"/v1/{kind}/jobs", json=body)
        if answer.status_code != 202:
            with lock:
                failures.append(f"{kind}: HTTP {answer.status_code} {answer.text[:200]}")
            return
        job = answer.json()["id"]
        with lock:
            ids.append(job)
        while (status := http.get(f"/v1/jobs/{job}").json())["state"] not in FINAL:
            time.sleep(0.1)
        elapsed = time.perf_counter() - sent
        problem = None if status["state"] == "done" else f"{kind} {job}: {status['state']} {status['error']}"
        if problem is None:
            problem = check(http.get(f"/v1/jobs/{job}/result").json()["result"])
        with lock:
            latencies[kind].append(elapsed)
            run_s[kind].append(status["run_s"])
            queued_s[kind].append(status["queued_s"])
            if problem:
                failures.append(problem)

    def check_route(index: int):  # type: ignore[no-untyped-def]
        def check(result: dict) -> str | None:
            solution = result_from_json(json.dumps(result["solution"]))
            with lock:
                objectives.append(solution.objective)
            report = check_routing(problems[index], solution)
            return None if report.ok else f"routing {index}: check failed {report.violations[:3]}"

        return check

    def check_sim(result: dict) -> str | None:
        kpis = {row["kpi"]: row["mean"] for row in result["kpis"]}
        return None if _accounted(kpis) else "simulation: orders not accounted for"

    bodies = [
        {
            "problem": json.loads(problem_to_json(p)),
            "params": {"time_limit_s": args.time_limit, "backend": args.backend},
        }
        for p in problems
    ]

    def client_loop(who: int) -> None:
        with server.client("alice") as http:
            for i in range(who, len(bodies), args.clients):
                follow(http, "routing", bodies[i], check_route(i))

    def sim_loop() -> None:
        with server.client("bob") as http:
            threads = [
                threading.Thread(target=follow, args=(http, "simulation", {**SIMULATION, "seed": s}, check_sim))
                for s in range(args.simulations)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(c,)) for c in range(args.clients)]
    threads.append(threading.Thread(target=sim_loop))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    with server.client("alice") as alice, server.client("bob") as bob:
        listed = len(alice.get("/v1/jobs", params={"limit": 1000}).json()["jobs"])
        listed += len(bob.get("/v1/jobs", params={"limit": 1000}).json()["jobs"])
        metrics = alice.get("/metrics").text
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "wall_s": wall,
        "submitted": len(ids),
        "listed": listed,
        "failures": failures,
        "routing_latency_s": _percentiles(latencies["routing"]),
        "simulation_latency_s": _percentiles(latencies["simulation"]),
        "routing_run_s": _percentiles(run_s["routing"]),
        "simulation_run_s": _percentiles(run_s["simulation"]),
        "routing_queued_s": _percentiles(queued_s["routing"]),
        "simulation_queued_s": _percentiles(queued_s["simulation"]),
        "routing_done": len(latencies["routing"]),
        "simulation_done": len(latencies["simulation"]),
        "routing_throughput_per_s": len(latencies["routing"]) / wall,
        "mean_objective": statistics.fmean(objectives) if objectives else None,
        "metrics_done_line": next((m for m in metrics.splitlines() if 'state="done"' in m), ""),
    }


def run_in_process(problems: list, args: argparse.Namespace) -> dict:
    from logistics.analysis.kpis import kpi_table
    from logistics.analysis.report import summary_table
    from logistics.experiments import run_replications, write_outputs
    from logistics.scenario.builtin import load_builtin

    routing, objectives, failures = [], [], []
    started = time.perf_counter()
    for i, problem in enumerate(problems):
        t = time.perf_counter()
        result = solve_routing(problem, SolveParams(time_limit_s=args.time_limit, backend=args.backend))
        routing.append(time.perf_counter() - t)
        objectives.append(result.objective)
        if not check_routing(problem, result).ok:
            failures.append(f"routing {i}")
    routing_wall = time.perf_counter() - started
    sims = []
    for s in range(args.simulations):
        t = time.perf_counter()
        scenario = load_builtin(SIMULATION["scenario"], [*SIMULATION["overrides"], f"run.seed={s}"])
        results = run_replications(scenario)
        with tempfile.TemporaryDirectory() as folder:  # the same files a simulation job writes
            write_outputs(results, Path(folder))
        kpis = dict(zip(*summary_table(kpi_table(results))[["kpi", "mean"]].to_dict("list").values(), strict=True))
        if not _accounted(kpis):
            failures.append(f"simulation {s}")
        sims.append(time.perf_counter() - t)
    return {
        "routing_wall_s": routing_wall,
        "routing_latency_s": _percentiles(routing),
        "simulation_latency_s": _percentiles(sims),
        "routing_throughput_per_s": len(problems) / routing_wall,
        "simulation_wall_s": sum(sims),
        "wall_s": time.perf_counter() - started,
        "mean_objective": statistics.fmean(objectives),
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--stops", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--simulations", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--backend", default="pyvrp", help="pyvrp (one core a job), ortools or auto (two)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    problems = [make_problem(args.stops, 8, seed) for seed in range(args.jobs)]
    service = run_service(problems, args)
    local = run_in_process(problems, args)

    def pair(values: tuple[float, float], digits: int) -> str:
        return f"{values[0]:.{digits}f} / {values[1]:.{digits}f}"

    rows = [
        ("routing jobs done / submitted", f"{service['routing_done']} / {args.jobs}", f"{args.jobs}"),
        ("simulation jobs done", f"{service['simulation_done']} / {args.simulations}", f"{args.simulations}"),
        ("jobs the server lists", f"{service['listed']}", "-"),
        ("failures (lost, failed or check)", f"{len(service['failures'])}", f"{len(local['failures'])}"),
        ("wall time, everything (s)", f"{service['wall_s']:.1f}", f"{local['wall_s']:.1f}"),
        (
            "routing throughput (jobs/s)",
            f"{service['routing_throughput_per_s']:.2f}",
            f"{local['routing_throughput_per_s']:.2f}",
        ),
        ("routing latency p50 / p95 (s)", pair(service["routing_latency_s"], 2), pair(local["routing_latency_s"], 2)),
        (
            "simulation latency p50 / p95 (s)",
            pair(service["simulation_latency_s"], 1),
            pair(local["simulation_latency_s"], 1),
        ),
        ("routing run p50 / p95 (s, in the worker)", pair(service["routing_run_s"], 2), "-"),
        ("routing queued p50 / p95 (s)", pair(service["routing_queued_s"], 2), "-"),
        ("simulation run p50 / p95 (s, worker)", pair(service["simulation_run_s"], 1), "-"),
        ("mean routing objective", f"{service['mean_objective']:,.0f}", f"{local['mean_objective']:,.0f}"),
    ]
    print(f"{'':<36}{'service (2 workers)':>22}{'in process (serial)':>22}")
    for name, a, b in rows:
        print(f"{name:<36}{a:>22}{b:>22}")
    for failure in service["failures"][:10]:
        print("service failure:", failure)
    OUT.mkdir(exist_ok=True)
    record = {
        "args": vars(args),
        "machine": f"{platform.machine()} {platform.processor() or ''}, {platform.python_version()}",
        "service": service,
        "in_process": local,
    }
    (OUT / "service.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"written {OUT / 'service.json'}")


if __name__ == "__main__":
    main()
