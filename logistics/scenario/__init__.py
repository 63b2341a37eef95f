"""The scenario language: pydantic models, YAML loading with file:line errors, JSON Schema, built-ins."""

from logistics.scenario.builtin import DEFAULT_SCENARIO, builtin_names, builtin_text, load_builtin
from logistics.scenario.distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    LogNormal,
    Triangular,
    Uniform,
)
from logistics.scenario.files import load_scenario
from logistics.scenario.loader import apply_overrides, parse_scenario, validate_data
from logistics.scenario.scenario import Scenario
from logistics.scenario.schema import scenario_json_schema
from logistics.scenario.transforms import scaled

__all__ = [
    "DEFAULT_SCENARIO",
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "LogNormal",
    "Scenario",
    "Triangular",
    "Uniform",
    "apply_overrides",
    "builtin_names",
    "builtin_text",
    "load_builtin",
    "load_scenario",
    "parse_scenario",
    "scaled",
    "scenario_json_schema",
    "validate_data",
]
