"""The learning examples run as a user runs them (a script from the examples folder), on a tiny budget, and
write their held-out comparison (slow: each plays some dozens of episodes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize(("script", "baselines"), [("learn_dispatch.py", 3), ("learn_staffing.py", 1)])
def test_a_learning_example_trains_and_compares_on_held_out_seeds(script: str, baselines: int, tmp_path: Path) -> None:
    out = tmp_path / "learn.json"
    args = ["--iterations", "1", "--population", "3", "--elite", "1", "--train", "1", "--test", "3"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), *args, "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    record = json.loads(out.read_text(encoding="utf-8"))
    assert len(record["comparisons"]) == baselines
    for name, row in record["comparisons"].items():
        learned, baseline = np.array(record["costs"]["learned"]), np.array(record["costs"][name])
        assert len(learned) == len(baseline) == 3
        assert row["difference"] == pytest.approx(float(np.mean(learned - baseline)))
        assert row["ci95"][0] <= row["difference"] <= row["ci95"][1]
