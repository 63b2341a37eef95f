"""Registries by name: lookup, parameters, errors that name what is registered."""

from __future__ import annotations

import pytest

from logistics.policies.batching import BATCHING, Pool, TimeWindow, ZoneBatching
from logistics.policies.docks import DOCKS, Appointments
from logistics.policies.face_replenishment import FACE_REPLENISHMENT
from logistics.policies.pick_routing import PICK_ROUTING
from logistics.policies.registry import PolicyError, Registry
from logistics.policies.slotting import SLOTTING
from logistics.policies.wave_release import WAVE_RELEASE, ClockWaves


def test_make_register_and_errors() -> None:
    reg: Registry[object] = Registry("demo")
    reg.register("thing", lambda size=1: ("thing", size))
    assert reg.make("thing", {"size": 3}) == ("thing", 3)
    assert "thing" in reg and reg.names() == ["thing"]
    with pytest.raises(PolicyError, match=r"no demo policy called 'other' \(registered: thing\)"):
        reg.make("other")
    with pytest.raises(PolicyError, match=r"has no parameter 'colour' \(parameters: size\)"):
        reg.make("thing", {"colour": "red"})
    with pytest.raises(PolicyError, match="already registered"):
        reg.register("thing", lambda: None)
    reg.register("thing", lambda: "new", replace=True)
    assert reg.make("thing") == "new"
    reg.unregister("thing")
    assert reg.names() == []


def test_bad_parameter_values_are_policy_errors() -> None:
    with pytest.raises(PolicyError, match="time_window"):
        BATCHING.make("time_window", {"window_min": -1})
    with pytest.raises(PolicyError, match="s < S"):
        FACE_REPLENISHMENT.make("s_S", {"s": 0.8, "S": 0.5})


def test_builtins_are_registered() -> None:
    assert {"random", "abc", "coi_greedy", "optimal"} <= set(SLOTTING.names())
    assert {"s_shape", "largest_gap", "combined", "optimal"} <= set(PICK_ROUTING.names())
    assert set(WAVE_RELEASE.names()) == {"continuous", "fixed_interval", "clock"}
    assert set(DOCKS.names()) == {"fcfs", "appointments", "optimized"}


def _pool(zones: list[list[int]]) -> Pool:
    import numpy as np

    sizes = [len(z) for z in zones]
    flat = [x for z in zones for x in z]
    return Pool(np.arange(len(zones)), np.r_[0, np.cumsum(sizes)], np.array(flat), np.array(flat))


def test_time_window_batches_within_limits_and_never_splits_an_order() -> None:
    pool = _pool([[0, 0], [1], [0, 1, 1], [1], [0]])
    lists = TimeWindow(window_min=10, max_orders=2, max_lines=3).pick_lists(pool)
    assert [x.tolist() for x in lists] == [[0, 1, 2], [3, 4, 5], [6, 7]]


def test_zone_batching_groups_lines_by_zone() -> None:
    pool = _pool([[0, 1], [1, 1], [0]])
    lists = ZoneBatching(max_lines=2).pick_lists(pool)
    assert [x.tolist() for x in lists] == [[0, 4], [1, 2], [3]]


def test_appointments_and_clock_waves() -> None:
    policy = Appointments(slot_h=1.0, grace_h=0.5, rebook_after_h=2.0)
    assert policy.door_ready_h(9.2, 10.0) == 10.0  # early: waits for its slot
    assert policy.door_ready_h(10.4, 10.0) == 10.4  # within the grace period
    assert policy.door_ready_h(10.7, 10.0) == 13.0  # late: rebooked 2 h later, to the next slot
    assert ClockWaves(hours=[6, 18]).wave_times_h(0.0, 48.0) == [6.0, 18.0, 30.0, 42.0]
    assert ClockWaves(hours=[6]).wave_times_h(8.0, 48.0) == [22.0, 46.0]  # start at 08:00


def _overlaps(times: list[float], duration: float, booked: list[tuple[float, float]]) -> int:
    """Most appointments at a door at once."""
    spans = [*booked, *[(t, t + duration) for t in times]]
    points = sorted({a for a, _ in spans})
    return max(sum(1 for a, b in spans if a <= p < b) for p in points)


def test_appointment_bookings_never_overbook_the_doors() -> None:
    booked = [(10.0, 12.0), (10.0, 12.0)]
    greedy = Appointments(slot_h=0.5).book(8.0, [10.2] * 5, [1.5] * 5, 3, booked)
    assert min(greedy) >= 10.0 and _overlaps(greedy, 1.5, booked) <= 3
    assert sorted(greedy) == [10.0, 11.5, 12.0, 12.0, 13.0]  # first slot with a door free for 1.5 h
    optimizer = DOCKS.make("optimized", {"slot_h": 0.5, "time_limit_s": 5})
    optimized = optimizer.book(8.0, [10.0] * 5, [1.5] * 5, 3, booked)  # arrivals on the grid: same start
    assert min(optimized) >= 10.0 and _overlaps(optimized, 1.5, booked) <= 3
    assert sum(optimized) <= sum(greedy) + 1e-9  # no more waiting than the greedy plan
