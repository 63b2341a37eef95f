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
    """The same scenario with demand (of every flow), every staffed resource, lane capacity and block space, the
    depots' vans and the customer base scaled by `factor`, so that utilisations stay about the same while volume
    changes."""
    if not factor > 0:
        raise ValueError(f"factor must be > 0, got {factor}")
    data = scenario.model_dump(by_alias=True)
    demands = [f["demand"] for f in data["flows"]]
    for wh in [f["warehouse"] for f in data["flows"] if f["warehouse"] is not None]:
        wh["receiving"]["teams"] = _scale_staff(wh["receiving"]["teams"], factor)
        for station in ("pick", "pack"):
            wh[station]["workers"] = _scale_staff(wh[station]["workers"], factor)
        floor = wh["floor"]
        if floor is not None:  # the layout stays; the people and doors scale
            floor["replenishers"] = _scale_staff(floor["replenishers"], factor)
            floor["putaway_workers"] = _scale_staff(floor["putaway_workers"], factor)
            if floor["docks"] is not None:
                floor["docks"]["doors"] = max(1, math.ceil(floor["docks"]["doors"] * factor))
    for demand in demands:
        demand["orders_per_day"] *= factor
        demand["customers"] = max(1, round(demand["customers"] * factor))
    for flow in data["flows"]:
        stations = [flow["fulfilment"], flow["sort"]]
        if flow["overseas_warehouse"] is not None:
            stations += [flow["overseas_warehouse"]["pick"], flow["overseas_warehouse"]["pack"]]
        for station in stations:
            if station is not None:
                station["workers"] = _scale_staff(station["workers"], factor)
    for cp in data["customs"]["checkpoints"]:
        cp["servers"] = _scale_staff(cp["servers"], factor)
        cp["inspectors"] = _scale_staff(cp["inspectors"], factor)
        if cp["lab"] is not None:
            cp["lab"]["servers"] = _scale_staff(cp["lab"]["servers"], factor)
    for last_mile in [f["last_mile"] for f in data["flows"]]:
        dispatch = last_mile["dispatch"]
        if dispatch is not None:  # the depot's vans (and its parcel threshold) scale with the parcels
            for vans in dispatch["fleet"]:
                vans["count"] = max(1, math.ceil(vans["count"] * factor))
            if dispatch["threshold_parcels"] is not None:
                dispatch["threshold_parcels"] = max(1, math.ceil(dispatch["threshold_parcels"] * factor))
    for lane in data["network"]["lanes"]:
        lane["containers_per_departure"] = max(1, math.ceil(lane["containers_per_departure"] * factor))
        if lane["block_space"] is not None:
            lane["block_space"]["kg"] *= factor
    return validate_data(data, source=f"{scenario.name} scaled x{factor:g}")
