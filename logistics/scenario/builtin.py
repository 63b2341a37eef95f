"""Built-in scenarios shipped with the package, by name."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.core.naming import DEFAULT_SCENARIO, names_builtin
from logistics.scenario.files import load_scenario
from logistics.scenario.loader import Check, parse_scenario
from logistics.scenario.scenario import Scenario

__all__ = ["DEFAULT_SCENARIO", "builtin_names", "builtin_text", "load_builtin", "load_named"]


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    folder = resources.files("logistics.scenario") / "builtin"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def builtin_text(name: str) -> str:
    """The YAML text of a built-in scenario (to copy and edit)."""
    if name not in builtin_names():
        raise ScenarioError(
            [ScenarioIssue((), f"no built-in scenario {name!r} (built-in: {', '.join(builtin_names())})", source=name)]
        )
    return (resources.files("logistics.scenario") / "builtin" / f"{name}.yaml").read_text(encoding="utf-8")


def load_builtin(name: str = DEFAULT_SCENARIO, overrides: Sequence[str] = (), checks: Sequence[Check] = ()) -> Scenario:
    """A built-in scenario by name, with optional `path=value` overrides."""
    return parse_scenario(builtin_text(name), source=f"builtin:{name}", overrides=overrides, checks=checks)


def load_named(name_or_path: str, overrides: Sequence[str] = (), checks: Sequence[Check] = ()) -> Scenario:
    """A scenario file, or a built-in scenario by name when no such file exists (the one rule for every
    command and every experiment)."""
    if names_builtin(name_or_path, builtin_names()):
        return load_builtin(name_or_path, overrides, checks)
    return load_scenario(name_or_path, overrides, checks)
