"""Turn staffing (a constant, or workers by shift) into a piecewise-constant capacity over simulated time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from logistics.scenario.calendar import Calendar


@dataclass(frozen=True)
class ShiftSpan:
    """One shift worked on one day: from `begin_h` (clipped to the run's start) to `end_h`, simulated hours."""

    shift: str
    begin_h: float
    end_h: float
    workers: int


def shift_spans(
    staffing: dict[str, int], calendar: Calendar, start: datetime, end_h: float, *, empty: bool = False
) -> list[ShiftSpan]:
    """Every shift of `staffing` worked on [0, end_h], day by day (in the staffing's order within a day); shifts
    with no workers are left out unless `empty` (a roster may call workers in for them)."""
    spans: list[ShiftSpan] = []
    first_day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset_h = (start - first_day).total_seconds() / 3600.0
    for day in range(-1, math.ceil((end_h + offset_h) / 24.0) + 1):
        weekday = (first_day + timedelta(days=day)).weekday()
        for shift_name, workers in staffing.items():
            shift = calendar.shift(shift_name)
            if shift is None or (workers == 0 and not empty) or weekday not in shift.weekdays:
                continue
            begin = day * 24.0 + shift.start_h - offset_h
            finish = begin + shift.length_h
            if finish <= 0 or begin >= end_h:
                continue
            spans.append(ShiftSpan(shift_name, max(begin, 0.0), finish, workers))
    return spans


def capacity_changes(
    staffing: int | dict[str, int], calendar: Calendar, start: datetime, end_h: float
) -> list[tuple[float, int]]:
    """Breakpoints `(time_h, capacity)` on [0, end_h], sorted, the first at 0; overlapping shifts add up."""
    if isinstance(staffing, int):
        return [(0.0, staffing)]
    deltas: dict[float, int] = {}
    for span in shift_spans(staffing, calendar, start, end_h):
        deltas[span.begin_h] = deltas.get(span.begin_h, 0) + span.workers
        deltas[span.end_h] = deltas.get(span.end_h, 0) - span.workers
    changes: list[tuple[float, int]] = [(0.0, 0)]
    level = 0
    for t in sorted(deltas):
        level += deltas[t]
        if changes[-1][0] == t:
            changes[-1] = (t, level)
        elif changes[-1][1] != level:
            changes.append((t, level))
    return changes


def staffed_hours(changes: list[tuple[float, int]], end_h: float) -> float:
    """Server-hours (or worker-hours) scheduled on [0, end_h]."""
    total = 0.0
    for k, (t, level) in enumerate(changes):
        t_next = changes[k + 1][0] if k + 1 < len(changes) else end_h
        total += level * max(0.0, min(t_next, end_h) - t)
    return total


def with_outages(changes: list[tuple[float, int]], outages: list[tuple[float, float]]) -> list[tuple[float, int]]:
    """Capacity breakpoints with zero capacity inside each outage window [start_h, end_h) and the scheduled
    level again after it."""
    if not outages:
        return changes

    def down(t: float) -> bool:
        return any(a <= t < b for a, b in outages)

    def level_at(t: float) -> int:
        level = 0
        for when, value in changes:
            if when <= t:
                level = value
        return level

    times = sorted({t for t, _ in changes} | {t for w in outages for t in w})
    out: list[tuple[float, int]] = []
    for t in times:
        value = 0 if down(t) else level_at(t)
        if not out or out[-1][1] != value:
            out.append((t, value))
    return out
