"""The one rule for an argument that is "a built-in name or a path" (scenarios, experiments): a file that
exists wins; otherwise a built-in of that name; otherwise it is read as a path (whose error says it is not
found)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["DEFAULT_SCENARIO", "names_builtin"]

DEFAULT_SCENARIO = "bonded_import_peak"
"""The built-in scenario `logistics run` and `validate` use when given none (here, not in `logistics.scenario`,
so that the command line can name it without loading the scenario model)."""


def names_builtin(name_or_path: str, builtins: Iterable[str]) -> bool:
    """True when `name_or_path` stands for one of `builtins` (no file of that name exists)."""
    return not Path(name_or_path).exists() and name_or_path in set(builtins)
