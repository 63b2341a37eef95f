"""Timetables: the simulated hours at which scheduled departures (lanes) and pickups (carriers) happen."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from logistics.scenario.network import Departures


def clock_times(hours: list[float], weekdays: list[int], start: datetime, t0_h: float, t1_h: float) -> list[float]:
    """Simulated hours in [t0_h, t1_h) falling at any of the clock `hours` on the given weekdays."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (start - midnight).total_seconds() / 3600.0
    times = []
    for day in range(math.floor((t0_h + offset) / 24.0) - 1, math.ceil((t1_h + offset) / 24.0) + 1):
        if (midnight + timedelta(days=day)).weekday() in weekdays:
            for hour in hours:
                t = day * 24.0 + hour - offset
                if t0_h <= t < t1_h:
                    times.append(t)
    return sorted(times)


def departure_times(
    departures: Departures | list[Departures], start: datetime, t0_h: float, t1_h: float
) -> list[float]:
    """Simulated hours of the timetable's (or timetables') departures in [t0_h, t1_h)."""
    tables = departures if isinstance(departures, list) else [departures]
    times = {t for d in tables for t in clock_times(d.hours, d.weekdays, start, t0_h, t1_h)}
    return sorted(times)
