"""The base of every scenario model: frozen, unknown keys rejected."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ScenarioModel(BaseModel):
    """A frozen pydantic model that rejects unknown keys, so a typo never passes silently."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
