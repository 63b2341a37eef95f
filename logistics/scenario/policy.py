"""The one way a scenario names a decision policy: a registered name with its parameters."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel

__all__ = ["PolicyChoice"]


class PolicyChoice(ScenarioModel):
    """A registered policy by name, with its parameters (`{name: time_window, params: {window_min: 10}}`; a
    bare name such as `fcfs` is the policy with its default parameters). `logistics validate` makes every
    chosen policy, so an unknown name or parameter is reported with its file, line and field."""

    name: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data
