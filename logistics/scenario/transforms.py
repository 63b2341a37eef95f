"""Whole-scenario transformations a planner asks for often ("what if volume doubles?")."""

from __future__ import annotations

import math
from typing import Any

from logistics.scenario.loader import validate_data
from logistics.scenario.scenario import Scenario


def _scale_staff(staffing: Any, factor: float) -> Any:
    if isinstance(staffing, int):
        return max(1, math.ceil(staffing * factor)) if staffing else 0
    return {shift: (max(1, math.ceil(n * factor)) if n else 0) for shift, n in staffing.items()}


def scaled(scenario: Scenario, factor: float) -> Scenario:
    """The same scenario with demand, every staffed resource, lane capacity and customer base scaled by
    `factor`, so that utilisations stay about the same while volume changes."""
    if not factor > 0:
        raise ValueError(f"factor must be > 0, got {factor}")
    data = scenario.model_dump(by_alias=True)
    data["demand"]["orders_per_day"] *= factor
    data["demand"]["customers"] = max(1, round(data["demand"]["customers"] * factor))
    wh = data["warehouse"]
    wh["receiving"]["teams"] = _scale_staff(wh["receiving"]["teams"], factor)
    for station in ("pick", "pack"):
        wh[station]["workers"] = _scale_staff(wh[station]["workers"], factor)
    for cp in data["customs"]["checkpoints"]:
        cp["servers"] = _scale_staff(cp["servers"], factor)
        cp["inspectors"] = _scale_staff(cp["inspectors"], factor)
    for lane in data["network"]["lanes"]:
        lane["containers_per_departure"] = max(1, math.ceil(lane["containers_per_departure"] * factor))
    return validate_data(data, source=f"{scenario.name} scaled x{factor:g}")
