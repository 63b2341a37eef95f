from datetime import datetime

from logistics.scenario.calendar import Calendar, Shift
from logistics.sim.shifts import capacity_changes, staffed_hours

CAL = Calendar(
    shifts=[
        Shift(name="day", start_h=8, end_h=20),
        Shift(name="night", start_h=20, end_h=8),
        Shift(name="office", start_h=9, end_h=17, weekdays=[0, 1, 2, 3, 4]),
    ]
)
MONDAY = datetime(2026, 11, 9)


def test_constant_staffing() -> None:
    assert capacity_changes(4, CAL, MONDAY, 100) == [(0.0, 4)]


def test_day_and_night_shifts_cover_the_clock() -> None:
    changes = capacity_changes({"day": 10, "night": 4}, CAL, MONDAY, 48)
    assert changes[:4] == [(0.0, 4), (8.0, 10), (20.0, 4), (32.0, 10)]
    assert staffed_hours(changes, 24) == 8 * 4 + 12 * 10 + 4 * 4


def test_weekday_only_shift_and_a_start_at_noon() -> None:
    saturday_noon = datetime(2026, 11, 14, 12)
    changes = capacity_changes({"office": 2}, CAL, saturday_noon, 72)
    # Saturday and Sunday off; Monday 09:00 is 45 h after Saturday noon.
    assert changes == [(0.0, 0), (45.0, 2), (53.0, 0), (69.0, 2), (77.0, 0)]


def test_overlapping_shifts_add_up() -> None:
    changes = capacity_changes({"day": 3, "office": 2}, CAL, MONDAY, 24)
    assert (9.0, 5) in changes and (17.0, 3) in changes
