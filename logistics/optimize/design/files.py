"""A design problem from a file of any kind (YAML/JSON: `io.read_design`; an Excel workbook:
`workbook.read_design_workbook`) or a built-in by name: the one place that knows the kinds."""

from __future__ import annotations

from pathlib import Path

from logistics.optimize.design.io import builtin_design_path, read_design
from logistics.optimize.design.problem import DesignProblem
from logistics.optimize.design.workbook import read_design_workbook

__all__ = ["load_design"]


def load_design(file_or_builtin: str | Path, overrides: dict[str, float] | None = None) -> DesignProblem:
    """A design from a file path (YAML/JSON, or an Excel workbook `.xlsx`), or a built-in by name."""
    path = Path(file_or_builtin)
    if not path.is_file():
        path = builtin_design_path(str(file_or_builtin))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_design_workbook(path, overrides)
    return read_design(path.read_text(encoding="utf-8"), overrides)
