"""The README's and the documentation's examples run as written (from the repository root, as a reader would
run them): every Python block in the default run, every command block with `-m slow`."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _blocks(language: str) -> list[tuple[str, str]]:
    """(where, code) of every fenced block of `language` in the README and the docs."""
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for k, m in enumerate(re.finditer(rf"^( *)```{language}\n(.*?)^\1```", text, re.M | re.S)):
            out.append((f"{page.relative_to(ROOT)} {language} block {k + 1}", textwrap.dedent(m.group(2))))
    return out


PYTHON = _blocks("python")
BASH = _blocks("bash")
README_BASH = [code for where, code in BASH if where.startswith("README.md")]
SETUP = ("pip install", "python3 -m pytest")  # the install and the test run: run by CI itself, not from a test


def test_the_readme_and_the_docs_have_python_examples() -> None:
    assert any(where.startswith("README.md") for where, _ in PYTHON)
    assert sum(1 for where, _ in PYTHON if where.startswith("docs")) >= 3


@pytest.mark.parametrize("index", range(len(PYTHON)), ids=[w for w, _ in PYTHON])
def test_a_python_block_runs_as_written(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    where, block = PYTHON[index]
    monkeypatch.chdir(ROOT)
    code = compile(block, where, "exec")
    exec(code, {"__name__": f"doc_block_{index}"})
    assert os.getcwd() == str(ROOT)


def test_the_first_two_bash_blocks_are_the_setup_and_the_tests() -> None:
    assert "pip install" in README_BASH[0] and "logistics run" in README_BASH[0]
    assert README_BASH[1].strip() == "python3 -m pytest"
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").count("python3 -m pytest") >= 1


def _pages_commands() -> list[tuple[str, list[tuple[str, str]]]]:
    """Per page, its command blocks (but install and tests) in order: a reader follows a page top to bottom."""
    pages: dict[str, list[tuple[str, str]]] = {}
    for where, code in BASH:
        if not any(s in code for s in SETUP):
            pages.setdefault(where.split(" ")[0], []).append((where, code))
    return list(pages.items())


COMMANDS = _pages_commands()


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=[page for page, _ in COMMANDS])
def test_a_pages_command_blocks_run_as_written(index: int, tmp_path: Path) -> None:
    """A page's command blocks, in order, in one folder laid out like a checkout: the repository's examples and
    scenarios, and ../shared beside it when it exists."""
    import subprocess

    _, blocks = COMMANDS[index]
    work = tmp_path / "main"
    work.mkdir()
    for name in ("examples", "scenarios"):
        (work / name).symlink_to(ROOT / name)
    shared = ROOT.parent / "shared"
    if any("../shared" in block for _, block in blocks):
        if not shared.exists():
            pytest.skip("../shared (the benchmark instances) is not beside this checkout")
        (tmp_path / "shared").symlink_to(shared)
    for where, block in blocks:
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", block], cwd=work, capture_output=True, text=True, timeout=1800
        )
        assert done.returncode == 0, f"{where}:\n{block}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
