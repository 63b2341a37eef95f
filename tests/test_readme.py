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


BASH = [
    m.group(2)
    for m in re.finditer(r"^( *)```bash\n(.*?)^\1```", (ROOT / "README.md").read_text(encoding="utf-8"), re.M | re.S)
]


def test_the_first_two_bash_blocks_are_the_setup_and_the_tests() -> None:
    assert "pip install" in BASH[0] and "logistics run" in BASH[0]
    assert BASH[1].strip() == "python3 -m pytest"
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").count("python3 -m pytest") >= 1


@pytest.mark.slow
@pytest.mark.parametrize("index", range(2, len(BASH)))
def test_a_readme_command_block_runs_as_written(index: int, tmp_path: Path) -> None:
    """Each command block (after install and tests) in a folder laid out like a checkout: the repository's
    examples and scenarios, and ../shared beside it when it exists."""
    import subprocess

    work = tmp_path / "main"
    work.mkdir()
    for name in ("examples", "scenarios"):
        (work / name).symlink_to(ROOT / name)
    shared = ROOT.parent / "shared"
    if "../shared" in BASH[index]:
        if not shared.exists():
            pytest.skip("../shared (the benchmark instances) is not beside this checkout")
        (tmp_path / "shared").symlink_to(shared)
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", BASH[index]], cwd=work, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, f"block {index + 1}:\n{BASH[index]}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
