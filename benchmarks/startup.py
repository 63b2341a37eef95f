"""Start-up: `logistics --help` against `python -c "import pandas"` (issue 31: the command line must answer
--help faster than pandas alone imports), and `import logistics.optimize`. Interleaved, median of N runs each.

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    command = shutil.which("logistics") or "logistics"
    cases = {
        "logistics --help": [command, "--help"],
        "python -c 'import pandas'": [sys.executable, "-c", "import pandas"],
        "python -c 'import logistics.optimize'": [sys.executable, "-c", "import logistics.optimize"],
        "python -c 'import logistics.cli'": [sys.executable, "-c", "import logistics.cli"],
    }
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.runs):
        for name, cmd in cases.items():
            started = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - started)
    print(f"{'command':>40} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, values in times.items():
        print(f"{name:>40} {statistics.median(values):>9.3f} {min(values):>7.3f} {max(values):>7.3f}")
    ratio = statistics.median(times["logistics --help"]) / statistics.median(times["python -c 'import pandas'"])
    print(f"logistics --help / import pandas (medians): {ratio:.2f} (target: below 1)")
    OUT.mkdir(exist_ok=True)
    (OUT / "startup.json").write_text(
        json.dumps({"runs": args.runs, "machine": platform.platform(), "times_s": times, "ratio": ratio}, indent=1)
    )


if __name__ == "__main__":
    main()
