"""Calendars: named work shifts by weekday, and staffing given either as a constant or by shift."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from logistics.scenario.base import ScenarioModel

ALL_WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)

Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")]


class Shift(ScenarioModel):
    """A shift from `start_h` to `end_h` (clock hours) on the given weekdays; may run past midnight."""

    name: str = Field(min_length=1)
    start_h: float = Field(ge=0, lt=24)
    end_h: float = Field(gt=0, le=24)
    weekdays: list[Weekday] = Field(default=list(ALL_WEEKDAYS), min_length=1)

    @model_validator(mode="after")
    def _not_empty(self) -> Shift:
        if self.start_h == self.end_h:
            raise ValueError("start_h equals end_h: a shift must last some time (use 0 and 24 for all day)")
        return self

    @property
    def length_h(self) -> float:
        """Hours the shift lasts."""
        return (self.end_h - self.start_h) % 24.0 or 24.0


class Calendar(ScenarioModel):
    """The shifts that staffing refers to by name."""

    shifts: list[Shift] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Calendar:
        names = [s.name for s in self.shifts]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"shift names must be unique; repeated: {', '.join(dupes)}")
        return self

    def shift(self, name: str) -> Shift | None:
        """The shift called `name`, if any."""
        return next((s for s in self.shifts if s.name == name), None)


def _whole(value: object) -> object:
    """A whole number typed as text or as a float (`"6"`, `6.0`, as a spreadsheet may hold it) as an int;
    anything else unchanged (and refused by the caller)."""
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _staffing(value: object) -> object:
    """One clear message for a staffing value of the wrong shape (instead of one per union branch). Whole
    numbers typed as text are taken as numbers."""
    if isinstance(value, dict):
        value = {shift: _whole(count) for shift, count in value.items()}
    elif not isinstance(value, bool):
        value = _whole(value)
    if isinstance(value, bool):
        raise ValueError("expected a number of workers, not true/false")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a number of workers cannot be negative, got {value}")
        return value
    if isinstance(value, dict):
        for shift, count in value.items():
            if not isinstance(shift, str) or isinstance(count, bool) or not isinstance(count, int):
                raise ValueError(f"expected shift name -> whole number of workers, got {shift!r}: {count!r}")
            if count < 0:
                raise ValueError(f"a number of workers cannot be negative, got {shift}: {count}")
        return value
    raise ValueError(f"expected a whole number of workers, or a mapping shift name -> workers, got {value!r}")


def staffing_total(staffing: int | dict[str, int]) -> int:
    """Workers summed over shifts (or the constant): zero means the resource never works."""
    return staffing if isinstance(staffing, int) else sum(staffing.values())


Staffing = Annotated[
    int | dict[str, int],
    BeforeValidator(_staffing),
    Field(
        description="Either a constant number of servers around the clock, or a mapping shift name -> "
        "number of workers on that shift (no shift, no workers)."
    ),
]
