"""Each routing backend alone on generated problems of a given size (issue 29: which arm `auto` should run at
200+ stops). Problems from `routing_scale.make_problem(stops, vehicles, seed)`; each backend gets the same time
limit, one after the other; every plan is checked.

    python benchmarks/routing_arms.py 200 12 30
    python benchmarks/routing_arms.py 400 25 30
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from routing_scale import make_problem

from logistics.optimize import SolveParams, check_routing, solve_routing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stops", type=int)
    parser.add_argument("vehicles", type=int)
    parser.add_argument("time_limit", type=float)
    parser.add_argument("--seed", type=int, default=3, help="the generated problem's seed")
    args = parser.parse_args()
    problem = make_problem(args.stops, args.vehicles, args.seed)
    head = ["stops", "backend", "status", "vans", "km", "unassigned", "checked", "wall s"]
    print("  ".join(head))
    for backend in ("ortools", "pyvrp"):
        started = time.perf_counter()
        result = solve_routing(problem, SolveParams(backend=backend, time_limit_s=args.time_limit, seed=1))
        wall = time.perf_counter() - started
        ok = check_routing(problem, result).ok
        row = [args.stops, backend, result.status.value, result.vehicles_used, round(result.distance_m / 1000, 1)]
        print("  ".join(str(x) for x in [*row, len(result.unassigned), ok, round(wall, 1)]), flush=True)


if __name__ == "__main__":
    main()
