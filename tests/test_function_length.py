"""No function in `logistics/` over 100 lines (a test over the AST): a function that long mixes stages that have
names in the domain; split it along them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 100


def _functions() -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for path in sorted((ROOT / "logistics").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = (path.relative_to(ROOT).as_posix(), node.name)
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                found[key] = max(found.get(key, 0), length)
    return found


def test_no_function_is_over_the_limit() -> None:
    lengths = _functions()
    assert len(lengths) > 1000  # the walk found the package
    too_long = {k: n for k, n in lengths.items() if n > LIMIT}
    assert not too_long, f"functions over {LIMIT} lines (split them along their stages): {too_long}"
