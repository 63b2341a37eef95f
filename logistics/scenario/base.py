"""The base of every scenario model: frozen, unknown keys rejected, every number finite and of a physical size."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

__all__ = ["MAX_MAGNITUDE", "MIN_MAGNITUDE", "ScenarioModel"]

MAX_MAGNITUDE = 1e9
"""Largest magnitude of any number in a scenario (seeds apart): a billion hours, CNY, kg or workers is already
far past anything physical, and beyond it sums and products of the model's quantities overflow or lose
precision."""
MIN_MAGNITUDE = 1e-9
"""Smallest magnitude of a number that is not zero: below it a value is noise, and dividing by it (a rate, a
mean, a divisor) overflows."""


def _check_number(value: Any, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {value}")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"{value:g} is beyond the largest magnitude a scenario number may have ({MAX_MAGNITUDE:g})")
    if 0 < abs(value) < MIN_MAGNITUDE:
        raise ValueError(f"{value:g} is too small to mean anything here: use 0 or at least {MIN_MAGNITUDE:g}")


class ScenarioModel(BaseModel):
    """A frozen pydantic model that rejects unknown keys, so a typo never passes silently, and numbers that are
    not finite or beyond `MAX_MAGNITUDE` (in lists and mappings too), so no NaN or overflow reaches a run."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _numbers_in_range(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name == "seed":
            return value
        if isinstance(value, list | tuple):
            for item in value:
                _check_number(item, str(info.field_name))
        elif isinstance(value, dict):
            for item in value.values():
                _check_number(item, str(info.field_name))
        else:
            _check_number(value, str(info.field_name))
        return value
