"""A 5,000-stop problem with 90 vans (routing_scale's city: 2-hour windows, two capacity dimensions, a shift)
solved with the default backend (`auto`) at a 60 s limit through the three doors a user has: the library, the
CLI (`logistics optimize routes`) and the job service. Each plan is re-checked here with `check_routing`; the
wall time is the call's (library), the command's less its start-up (CLI: the time it reports), and the job's run
time (service). Target (issue 29): a checked plan within the limit + 5%.

    python benchmarks/routing_5000.py [--stops 5000 --vehicles 90 --time-limit 60]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from routing_scale import make_problem

from logistics.optimize import SolveParams, check_routing, solve_routing
from logistics.optimize.routing.jsonio import problem_to_json, result_from_json
from logistics.testing.service import Server

OUT = Path(__file__).resolve().parent / "out"


def row(path: str, result: object, problem: object, wall_s: float, limit_s: float) -> dict:
    report = check_routing(problem, result)  # type: ignore[arg-type]
    return {
        "path": path,
        "status": result.status.value,  # type: ignore[attr-defined]
        "backend": result.backend,  # type: ignore[attr-defined]
        "checked": report.ok,
        "vehicles": result.vehicles_used,  # type: ignore[attr-defined]
        "unassigned": len(result.unassigned),  # type: ignore[attr-defined]
        "km": result.distance_m / 1000,  # type: ignore[attr-defined]
        "wall_s": wall_s,
        "over_limit": wall_s / limit_s - 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stops", type=int, default=5000)
    parser.add_argument("--vehicles", type=int, default=90)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    problem = make_problem(args.stops, args.vehicles, args.seed)
    rows = []

    started = time.perf_counter()
    result = solve_routing(problem, SolveParams(time_limit_s=args.time_limit))
    rows.append(row("library", result, problem, time.perf_counter() - started, args.time_limit))

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "problem.json"
        path.write_text(problem_to_json(problem), encoding="utf-8")
        out = Path(folder) / "plan.json"
        subprocess.run(
            [sys.executable, "-m", "logistics.cli", "optimize", "routes", str(path), "--time-limit",
             str(args.time_limit), "--out", str(out)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        planned = result_from_json(out.read_text(encoding="utf-8"))
        rows.append(row("CLI", planned, problem, planned.runtime_s, args.time_limit))

        server = Server(Path(folder), workers=1, max_time_limit_s=args.time_limit).start()
        try:
            with server.client() as http:
                body = {"problem": json.loads(path.read_text()), "params": {"time_limit_s": args.time_limit}}
                job = http.post("/v1/routing/jobs", json=body).json()["id"]
                while (status := http.get(f"/v1/jobs/{job}").json())["state"] not in ("done", "failed"):
                    time.sleep(0.5)
                answer = http.get(f"/v1/jobs/{job}/result").json()["result"]
                planned = result_from_json(json.dumps(answer["solution"]))
                rows.append(row("service", planned, problem, status["run_s"], args.time_limit))
        finally:
            server.stop()

    print(f"{args.stops} stops, {args.vehicles} vans, limit {args.time_limit:g} s")
    print("| path | status | backend | checked | vans | unassigned | km | wall s | over the limit |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        checked = "ok" if r["checked"] else "FAILED"
        print(f"| {r['path']} | {r['status']} | {r['backend']} | {checked} | {r['vehicles']} | {r['unassigned']} | "
              f"{r['km']:,.1f} | {r['wall_s']:.1f} | {r['over_limit']:+.1%} |")  # fmt: skip
    OUT.mkdir(exist_ok=True)
    record = {"machine": f"{platform.machine()} {platform.processor()} Python {platform.python_version()}",
              "args": vars(args), "rows": rows}  # fmt: skip
    (OUT / "routing_5000.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
