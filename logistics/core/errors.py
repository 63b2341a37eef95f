"""Exceptions of the package.

Every error a user can cause carries enough context to fix the input without reading a traceback:
`ScenarioError` lists each problem with the file, the line and the field path.
"""

from __future__ import annotations

from dataclasses import dataclass


class LogisticsError(Exception):
    """Base class of every error raised on purpose by this package."""


@dataclass(frozen=True)
class ScenarioIssue:
    """One problem found in a scenario: where it is (file, line, field path) and what is wrong."""

    path: tuple[str | int, ...]
    message: str
    source: str = "<scenario>"
    line: int | None = None

    @property
    def field(self) -> str:
        """The field path in dotted form, list positions included: `network.lanes.0.to`."""
        return ".".join(str(part) for part in self.path)

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class ScenarioError(LogisticsError):
    """A scenario file, override or model that cannot be used; `issues` lists each problem."""

    def __init__(self, issues: list[ScenarioIssue]) -> None:
        self.issues = list(issues)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.issues) == 1:
            return str(self.issues[0])
        lines = [f"{len(self.issues)} problems:"]  # (each names its file or source, and its field)
        lines.extend(f"  {issue}" for issue in self.issues)
        return "\n".join(lines)


class AccountingError(LogisticsError):
    """A run that cannot account for every order it created: a bug in the model, never a user error."""
