"""Wall time of the same scaled scenarios under an older checkout and today's code, alternating, so both see the
same machine load (the ratio to a baseline measured at another moment moves by about 10% here).

    git worktree add /tmp/before 7e1aa47
    python benchmarks/sim_speed_against.py --old-tree /tmp/before --orders 400000 --rounds 2

Prints one line per run and the mean wall time of each side.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import sys, time, warnings
warnings.simplefilter("ignore")
from logistics.scenario import load_builtin, scaled
from logistics.sim import simulate
name, orders, per_factor = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
scenario = scaled(load_builtin(name, ["run.seed=20261111"]), orders / per_factor)
started = time.perf_counter()
simulate(scenario)
print(time.perf_counter() - started)
"""

SCENARIOS = {"bonded_import_peak": 120_000.0, "pilot_zone_mixed": 167_000.0}  # orders at factor 1


def _wall_s(tree: Path, name: str, orders: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-c", WORKER, name, str(orders), str(SCENARIOS[name])]
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-tree", type=Path, required=True)
    parser.add_argument("--orders", type=int, default=400_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    for name in SCENARIOS:
        times: dict[str, list[float]] = {"before": [], "today": []}
        for _ in range(args.rounds):
            for side, tree in (("before", args.old_tree), ("today", ROOT)):
                times[side].append(_wall_s(tree, name, args.orders))
                print(f"{name:22s} {side:7s} {times[side][-1]:6.2f} s", flush=True)
        print(f"{name:22s} mean: before {sum(times['before']) / args.rounds:.2f} s, "
              f"today {sum(times['today']) / args.rounds:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
