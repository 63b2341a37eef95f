"""A scenario file of any kind read into a validated `Scenario`: YAML or JSON text (`loader`) or an Excel
workbook (`workbook`). The one place that knows the kinds, so that neither reader imports the other's caller."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.loader import Check, parse_scenario
from logistics.scenario.scenario import Scenario
from logistics.scenario.workbook import workbook_scenario

__all__ = ["load_scenario"]


def load_scenario(path: str | Path, overrides: Sequence[str] = (), checks: Sequence[Check] = ()) -> Scenario:
    """Read a scenario file (YAML or JSON), apply `path.to.field=value` overrides and validate it; `checks` run
    on the valid scenario and their issues are reported with the file and line like the schema's own."""
    file = Path(path)
    if file.suffix.lower() == ".xlsx":  # a scenario workbook (see scenario/workbook.py)
        return workbook_scenario(file, tuple(checks), overrides)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([ScenarioIssue((), "file not found", source=str(file))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([ScenarioIssue((), f"cannot read the file: {exc}", source=str(file))]) from None
    return parse_scenario(text, source=str(file), overrides=overrides, checks=checks, base=file.parent)
