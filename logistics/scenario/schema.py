"""JSON Schema of the scenario language, for editors that validate YAML as it is typed."""

from __future__ import annotations

from typing import Any

from logistics.scenario.scenario import Scenario


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "logistics scenario"
    return schema
