"""Scheduled lanes: consolidation within kg and m3 capacity, rolling, booking cut-off, tariffs and block space."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
import simpy

from logistics.scenario.disruptions import LaneClosed
from logistics.scenario.network import Lane
from logistics.sim.clock import RunClock
from logistics.sim.lanes import DEPARTURE_COLUMNS, LaneJobs, ScheduledLane
from logistics.sim.timetable import departure_times

START = datetime(2026, 11, 9)  # a Monday


def _lane(**extra) -> Lane:  # type: ignore[no-untyped-def]
    data = {
        "id": "air",
        "from": "a",
        "to": "b",
        "mode": "air",
        "departures": {"weekdays": [0, 1, 2, 3, 4, 5, 6], "hour": [10]},
        "transit_time_h": {"kind": "deterministic", "value": 3},
        "containers_per_departure": 1,
        "container_payload_kg": 100,
        "container_volume_m3": 1,
    }
    data.update(extra)
    return Lane.model_validate(data)


def _run(lane: Lane, arrivals: list[tuple[float, float, float]], until: float = 24 * 6, closures=(), whole=None):  # type: ignore[no-untyped-def]
    """Shipments (arrival h, kg, m3) into one lane; returns (departure rows, arrival time per job, cost per job)."""
    env = simpy.Environment()
    n = len(arrivals)
    weight = [a[1] for a in arrivals]
    volume = [a[2] for a in arrivals]
    cost = np.zeros(n)
    rolls = np.zeros(n, dtype=np.int64)
    arrived = np.full(n, np.nan)

    def on_arrival(job: int) -> None:
        arrived[job] = env.now

    jobs = LaneJobs(weight, volume, cost, rolls, whole=whole)
    sl = ScheduledLane(RunClock(env, START, until), lane, np.random.default_rng(0), jobs, on_arrival=on_arrival,
                       closures=list(closures), delays=[])  # fmt: skip
    for job, (t, _, _) in enumerate(arrivals):
        env.timeout(t, job).callbacks.append(lambda ev: sl.enter(ev.value))
    env.run(until=until)
    import pandas as pd

    return pd.DataFrame(sl.rows, columns=list(DEPARTURE_COLUMNS)), arrived, cost, rolls


def test_a_full_departure_rolls_the_rest_and_never_carries_more_than_its_capacity() -> None:
    arrivals = [(1.0 + 0.01 * k, 30.0, 0.1) for k in range(10)]  # 300 kg for a 100 kg departure
    rows, arrived, _, rolls = _run(_lane(), arrivals)
    flown = rows[~rows["cancelled"]]
    assert (flown["kg"] <= flown["capacity_kg"] + 1e-9).all()
    assert (flown["m3"] <= flown["capacity_m3"] + 1e-9).all()
    assert list(flown["shipments"][:4]) == [3, 3, 3, 1]  # 3 x 30 kg fit in 100 kg, first come first served
    assert rows["rolled"].iloc[0] == 7
    assert rolls.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    assert np.allclose(arrived, np.repeat([13.0, 37.0, 61.0, 85.0], [3, 3, 3, 1]))


def test_volume_binds_as_well_as_weight() -> None:
    rows, _, _, _ = _run(_lane(), [(1.0, 1.0, 0.6), (1.1, 1.0, 0.6)])
    assert rows["shipments"].iloc[0] == 1 and rows["rolled"].iloc[0] == 1


def test_booking_cutoff() -> None:
    # Departure at 10:00 with a 4 h cut-off: a shipment at 06:30 misses it (not rolled: it was never eligible).
    _, arrived, _, rolls = _run(_lane(booking_cutoff_h=4), [(5.9, 1, 0.01), (6.5, 1, 0.01)])
    assert arrived[0] == pytest.approx(13.0) and arrived[1] == pytest.approx(37.0)
    assert rolls.tolist() == [0, 0]


def test_tariff_volumetric_weight_block_space_and_cost_sharing() -> None:
    lane = _lane(
        container_payload_kg=1000,
        container_volume_m3=10,
        cost_per_container_cny=100,
        tariff={"per_kg_cny": 2.0, "volumetric_divisor_cm3_per_kg": 5000, "per_parcel_cny": 1.0},
        block_space={"kg": 50, "cny_per_kg": 1.5},
    )
    # job 0: 10 kg, 0.1 m3 -> volumetric 20 kg; job 1: 40 kg, 0.01 m3 -> 40 kg. Chargeable 60 kg.
    rows, _, cost, _ = _run(lane, [(1.0, 10.0, 0.1), (1.0, 40.0, 0.01)], until=20)
    row = rows.iloc[0]
    assert row["chargeable_kg"] == pytest.approx(60.0)
    expected = 100 * 1 + 50 * 1.5 + 2.0 * (60 - 50) + 1.0 * 2
    assert row["cost_cny"] == pytest.approx(expected)
    assert cost.sum() == pytest.approx(expected)
    assert cost[1] - 1.0 == pytest.approx(2 * (cost[0] - 1.0))  # shared by chargeable weight: 40 vs 20


def test_unused_block_space_is_paid_on_an_empty_departure() -> None:
    lane = _lane(block_space={"kg": 80, "cny_per_kg": 2.0})
    rows, _, _, _ = _run(lane, [], until=20)
    assert rows["cost_cny"].iloc[0] == pytest.approx(160.0)
    assert rows["block_unused_kg"].iloc[0] == pytest.approx(80.0)


def test_closed_lane_carries_nothing_during_its_closure() -> None:
    closure = LaneClosed(kind="lane_closed", lane="air", start_h=0, end_h=48)
    rows, arrived, _, _ = _run(_lane(), [(1.0, 1, 0.01), (30.0, 1, 0.01)], closures=[closure])
    inside = rows[(rows["departure_h"] >= 0) & (rows["departure_h"] < 48)]
    assert inside["cancelled"].all() and (inside["shipments"] == 0).all()
    assert np.allclose(arrived, [61.0, 61.0])  # both leave on the first departure after the closure


def test_on_demand_lane_waits_hold_h_and_keeps_to_its_capacity() -> None:
    lane = _lane(departures=None, hold_h=2.0)  # one 100 kg container a departure
    rows, arrived, _, rolls = _run(lane, [(1.0, 80, 0.5), (1.5, 80, 0.5), (5.0, 10, 0.1)], until=20)
    # 3.0: the first 80 kg (the second does not fit); 5.0 (hold_h later): the second and the 10 kg
    assert list(rows["departure_h"]) == [3.0, 5.0]
    assert list(rows["containers"]) == [1, 1] and list(rows["shipments"]) == [1, 2]
    assert np.allclose(arrived, [6.0, 8.0, 8.0]) and rolls.sum() == 0


def test_on_demand_departures_never_exceed_their_capacity() -> None:
    rng = np.random.default_rng(5)
    arrivals = [
        (float(t), float(w), 0.05)
        for t, w in zip(np.sort(rng.uniform(0, 48, 300)), rng.uniform(5, 60, 300), strict=True)
    ]
    for hold in (0.0, 1.5):
        rows, arrived, _, _ = _run(_lane(departures=None, hold_h=hold), arrivals, until=24 * 20)
        assert (rows["containers"] <= 1).all() and (rows["kg"] <= 100).all()
        assert not np.isnan(arrived).any()  # everything left in the end
        assert rows["kg"].sum() == pytest.approx(sum(a[1] for a in arrivals))


@pytest.mark.parametrize(("loading", "first_board"), [("fcfs", 1), ("first_fit", 2)])
def test_the_loading_rule_decides_who_boards_behind_a_shipment_that_does_not_fit(
    loading: str, first_board: int
) -> None:
    # 60 kg boards; 50 kg does not fit in the 40 kg left; 30 kg behind it would
    arrivals = [(1.0, 60.0, 0.1), (1.1, 50.0, 0.1), (1.2, 30.0, 0.1)]
    rows, arrived, _, rolls = _run(_lane(loading=loading), arrivals)
    assert rows.iloc[0]["shipments"] == first_board
    assert arrived[1] > arrived[0]  # the 50 kg goes the next day either way
    if loading == "fcfs":
        assert arrived[2] == arrived[1] and list(rolls) == [0, 1, 1]
    else:
        assert arrived[2] == arrived[0] and list(rolls) == [0, 1, 0]


def test_a_whole_container_takes_a_container_slot_however_light() -> None:
    lane = _lane(
        containers_per_departure=2, container_payload_kg=1000, container_volume_m3=60, cost_per_container_cny=100
    )
    arrivals = [(1.0, 5.0, 0.1), (1.1, 5.0, 0.1), (1.2, 5.0, 0.1)]  # three part-filled containers
    rows, arrived, cost, _ = _run(lane, arrivals, whole=bytearray([1, 1, 1]))
    first = rows.iloc[0]
    assert first["shipments"] == 2 and first["containers"] == 2 and first["rolled"] == 1
    assert np.isnan(arrived[2]) or arrived[2] > arrived[0]
    assert cost[0] == pytest.approx(100.0)  # one container's charge each


def test_several_timetables_make_one_schedule() -> None:
    lane = _lane(departures=[{"weekdays": [0], "hour": [10]}, {"weekdays": [1, 2], "hour": [6, 18]}])
    # Monday 10:00, Tuesday 06:00 and 18:00, Wednesday 06:00 and 18:00
    assert departure_times(lane.departures, START, 0.0, 72.0) == [10.0, 30.0, 42.0, 54.0, 66.0]  # type: ignore[arg-type]
