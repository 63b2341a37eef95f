"""The README's Python examples run as written (from the repository root, as a reader would run them)."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = [
    textwrap.dedent(m.group(2))
    for m in re.finditer(r"^( *)```python\n(.*?)^\1```", (ROOT / "README.md").read_text(encoding="utf-8"), re.M | re.S)
]


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_a_readme_python_block_runs_as_written(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = compile(BLOCKS[index], f"README.md python block {index + 1}", "exec")
    exec(code, {"__name__": f"readme_block_{index}"})
    assert os.getcwd() == str(ROOT)
