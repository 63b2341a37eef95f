"""A station staffed by a rota: with the plan, the same capacity over time and staffed hours as the plan's
breakpoints (`capacity_changes`), whatever the shifts; with a roster, each shift gets what the roster chose."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.scenario.calendar import Calendar, Shift
from logistics.sim.rota import Roster, Rota
from logistics.sim.shifts import capacity_changes, staffed_hours
from logistics.sim.station import Station

shifts = st.lists(
    st.builds(
        lambda name, start, length, days: Shift(
            name=name, start_h=start, end_h=(start + length) % 24 or 24, weekdays=sorted(days)
        ),
        st.sampled_from(["a", "b", "c"]),
        st.integers(0, 23).map(float),
        st.integers(1, 23).map(float),
        st.sets(st.integers(0, 6), min_size=1),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda s: s.name,
)


def _capacity_over_time(station: Station, env: simpy.Environment, end_h: float) -> list[tuple[float, int]]:
    seen: list[tuple[float, int]] = []

    def watch():
        while env.now < end_h:
            if not seen or seen[-1][1] != station.capacity:
                seen.append((env.now, station.capacity))
            yield env.timeout(0.5)

    env.process(watch())
    env.run(until=end_h)
    return seen


@settings(max_examples=60, deadline=None)
@given(
    calendar_shifts=shifts,
    workers=st.lists(st.integers(0, 9), min_size=3, max_size=3),
    start_hour=st.integers(0, 23),
    end_h=st.integers(1, 24 * 9).map(float),
)
def test_a_rota_with_the_plan_staffs_exactly_the_plans_breakpoints(
    calendar_shifts: list[Shift], workers: list[int], start_hour: int, end_h: float
) -> None:
    calendar = Calendar(shifts=calendar_shifts)
    staffing = {s.name: w for s, w in zip(calendar_shifts, workers, strict=False)}
    start = datetime(2026, 11, 9) + timedelta(hours=start_hour)
    planned = capacity_changes(staffing, calendar, start, end_h)

    env = simpy.Environment()
    station = Station(env, "s", Rota("s", staffing, calendar, start, end_h), lambda j: 1.0, lambda j: None)
    seen = _capacity_over_time(station, env, end_h)
    expected_env = simpy.Environment()
    reference = Station(expected_env, "r", planned, lambda j: 1.0, lambda j: None)
    assert seen == _capacity_over_time(reference, expected_env, end_h)
    assert [p for p in station.schedule if p[0] < end_h] == [p for p in planned if p[0] < end_h]
    assert staffed_hours(station.schedule, end_h) == staffed_hours(planned, end_h)


def test_a_roster_settles_every_shift_starting_together_and_keeps_the_plan_after_its_horizon() -> None:
    calendar = Calendar(shifts=[Shift(name="day", start_h=8, end_h=20), Shift(name="night", start_h=20, end_h=8)])
    asked: list[tuple[float, list[str]]] = []

    def choose(now: float, calls: list) -> list[int]:
        asked.append((now, sorted(f"{c.role}@{c.span.shift}" for c in calls)))
        return [7] * len(calls)

    roster = Roster(choose, until_h=30.0)
    env = simpy.Environment()
    monday = datetime(2026, 11, 9)
    rota = Rota("pick", {"day": 2, "night": 1}, calendar, monday, 48, roster=roster)
    pick = Station(env, "pick", rota, lambda j: 1, print)
    pack = Station(env, "pack", Rota("pack", {"day": 3}, calendar, monday, 48, roster=roster), lambda j: 1, print)
    roster.begin(None)
    env.run(until=48)
    # at 0 the night shift that began on Sunday 20:00; at 8 both day shifts; at 20 the night; 32 is past 30
    assert asked == [(0.0, ["pick@night"]), (8.0, ["pack@day", "pick@day"]), (20.0, ["pick@night"])]
    assert pick.schedule == [(0.0, 7), (32.0, 2), (44.0, 1)]
    assert pack.schedule == [(0.0, 0), (8.0, 7), (20.0, 0), (32.0, 3), (44.0, 0)]


def test_a_roster_must_give_one_number_of_workers_per_shift() -> None:
    calendar = Calendar(shifts=[Shift(name="day", start_h=0, end_h=12)])
    roster = Roster(lambda now, calls: [], until_h=10.0)
    env = simpy.Environment()
    rota = Rota("pick", {"day": 2}, calendar, datetime(2026, 11, 9), 24, roster=roster)
    Station(env, "pick", rota, lambda j: 1, print)
    with pytest.raises(ValueError, match="a roster must give 1 numbers"):
        roster.begin(None)
