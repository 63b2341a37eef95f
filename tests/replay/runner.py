"""Run built-in scenarios through `logistics run` in this process and print a digest of every output file
(wall-clock KPIs and `*wall_s` columns, the report and run.json left out: they measure the machine, not the
model).

    python -m tests.replay.runner OUT_DIR HORIZON_H NAME [NAME ...]
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from logistics.cli import app

SKIPPED = {"run.json", "report.html", "report.md"}


def digest(folder: Path) -> dict[str, str]:
    """A hash of each result file of a run folder (PNG plots and the report are left out)."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.name in SKIPPED or path.suffix == ".png":
            continue
        if path.name == "kpis.csv":
            kpis = pd.read_csv(path)
            data = kpis[kpis["unit"] != "wall s"].to_csv(index=False).encode()
        elif path.suffix == ".parquet":
            data = pd.read_parquet(path).to_csv(index=False).encode()
        elif path.suffix == ".csv" and any(c.endswith("wall_s") for c in pd.read_csv(path, nrows=0).columns):
            table = pd.read_csv(path)  # wall-clock columns (a dispatch wave's solve time) measure the machine
            data = table.drop(columns=[c for c in table.columns if c.endswith("wall_s")]).to_csv(index=False).encode()
        else:
            data = path.read_bytes()
        out[path.name] = hashlib.sha256(data).hexdigest()
    return out


def main() -> None:
    out, horizon, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    result = {}
    for name in names:
        sets = [] if horizon == "full" else ["--set", f"run.horizon_h={horizon}", "--set", f"run.cooldown_h={horizon}"]
        sets += ["--set", "disruptions=[]"] if horizon != "full" else []
        run = CliRunner().invoke(app, ["run", name, "--out", str(out / name), "-q", *sets])
        if run.exit_code != 0:
            raise SystemExit(f"{name}: exit {run.exit_code}\n{run.output}")
        result[name] = digest(out / name)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
