"""Disruptions: a closed lane carries nothing during its closure, a delayed lane arrives later, a demand surge
multiplies the orders of its window; bad disruptions name the field."""

from __future__ import annotations

import pytest

from logistics.analysis.kpis import kpi_table
from logistics.core.errors import ScenarioError
from logistics.scenario.builtin import load_builtin
from logistics.scenario.scenario import Scenario
from logistics.sim.engine import simulate

SEA, TRUCK = "sea_incheon_qingdao", "truck_port_bonded"


def _scenario(disruptions: list[dict], horizon_h: float = 336.0) -> Scenario:
    base = load_builtin("bonded_import_small", [f"run.horizon_h={horizon_h}"])
    data = base.model_dump(by_alias=True, mode="json")
    data["disruptions"] = disruptions
    return Scenario.model_validate(data)


def test_a_closed_lane_carries_nothing_during_its_closure() -> None:
    open_run = simulate(_scenario([]), replication=0)
    closed_run = simulate(
        _scenario(
            [
                {"kind": "lane_closed", "lane": SEA, "start_h": 0, "end_h": 150},
                {"kind": "lane_closed", "lane": TRUCK, "start_h": 200, "end_h": 260},
            ]
        ),
        replication=0,
    )
    opened = open_run.departures
    sea_open = opened[(opened["lane"] == SEA) & (opened["departure_h"] < 150)]
    assert (sea_open["shipments"] > 0).any()  # without the closure the lane carries stock in the window
    dep = closed_run.departures
    sea = dep[dep["lane"] == SEA]
    window = sea["departure_h"] < 150
    assert sea[window]["cancelled"].all() and (sea[window]["shipments"] == 0).all()
    assert (sea[~window]["shipments"] > 0).any()
    truck = dep[(dep["lane"] == TRUCK) & (dep["shipments"] > 0)]
    assert len(truck) > 0 and not ((truck["departure_h"] >= 200) & (truck["departure_h"] < 260)).any()
    kpis = kpi_table([closed_run]).set_index("kpi")["value"]
    assert kpis["disruption.departures_cancelled"] == len(sea_open) == int(window.sum())
    # nothing is ordered onto a cancelled departure: the first containers are those of the first open one
    assert closed_run.consignments["ordered_h"].min() >= 150
    assert kpis["inbound.bonded_import.departures_skipped"] == len(sea_open)


def test_a_delayed_lane_arrives_later() -> None:
    normal = simulate(_scenario([]), 0)
    run = simulate(_scenario([{"kind": "lane_delayed", "lane": SEA, "start_h": 0, "end_h": 336, "delay_h": 48}]), 0)
    sea = run.departures[run.departures["lane"] == SEA]
    assert len(sea) > 0 and (sea["delay_h"] == 48).all() and ((sea["arrival_h"] - sea["departure_h"]) >= 48).all()
    kpis = kpi_table([run]).set_index("kpi")["value"]
    assert kpis["disruption.departures_delayed"] == len(sea)
    # the containers' lead time from order to the end of the sea lane grows by the delay
    lead = (run.consignments[f"done:lane:{SEA}"] - run.consignments["ordered_h"]).min()
    normal_lead = (normal.consignments[f"done:lane:{SEA}"] - normal.consignments["ordered_h"]).min()
    assert lead >= 48 and normal_lead < 48


def test_a_demand_surge_multiplies_the_orders_of_its_window() -> None:
    base = simulate(_scenario([], horizon_h=96.0), 0).orders["created_h"]
    surged = simulate(_scenario([{"kind": "demand_surge", "start_h": 24, "end_h": 48, "multiplier": 3}], 96.0), 0)
    created = surged.orders["created_h"]
    inside = ((created >= 24) & (created < 48)).sum() / ((base >= 24) & (base < 48)).sum()
    outside = ((created < 24) | (created >= 48)).sum() / ((base < 24) | (base >= 48)).sum()
    assert inside == pytest.approx(3.0, rel=0.1)
    assert outside == pytest.approx(1.0, rel=0.05)


def test_bad_disruptions_name_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"disruptions\.0\.lane.*no lane with id 'ferry'"):
        _scenario([{"kind": "lane_closed", "lane": "ferry", "start_h": 0, "end_h": 5}])
    with pytest.raises(Exception, match="end_h"):
        _scenario([{"kind": "demand_surge", "start_h": 10, "end_h": 5, "multiplier": 2}])


def test_a_checkpoint_system_outage_stops_clearance_but_not_pay() -> None:
    normal = simulate(_scenario([], horizon_h=96.0), 0)
    down = simulate(
        _scenario([{"kind": "checkpoint_down", "checkpoint": "bonded_exit_xray", "start_h": 30, "end_h": 42}], 96.0),
        0,
    )
    starts = down.orders["xray_start_h"].dropna()
    assert not ((starts >= 30) & (starts < 42)).any()
    assert ((normal.orders["xray_start_h"] >= 30) & (normal.orders["xray_start_h"] < 42)).any()
    assert (starts >= 42).any()  # work resumes after the outage
    assert down.counts["labour_h"] == normal.counts["labour_h"]
    with pytest.raises(ScenarioError, match=r"disruptions\.0\.checkpoint"):
        _scenario([{"kind": "checkpoint_down", "checkpoint": "nowhere", "start_h": 0, "end_h": 5}])


def test_with_outages_zeroes_capacity_inside_windows() -> None:
    from logistics.sim.shifts import with_outages

    changes = [(0.0, 2), (8.0, 4), (16.0, 1)]
    assert with_outages(changes, [(6.0, 10.0)]) == [(0.0, 2), (6.0, 0), (10.0, 4), (16.0, 1)]
    assert with_outages(changes, []) == changes


@pytest.mark.slow
def test_a_lane_at_capacity_rolls_goods_and_never_carries_more() -> None:
    week = ["run.horizon_h=96", "run.warmup_h=12", "run.cooldown_h=48"]
    roomy = simulate(load_builtin("bonded_import_peak", week), 0)
    rolled = "inbound.bonded_import.rolled_units"
    sea = roomy.departures[roomy.departures["lane"] == SEA]
    assert sea["containers"].max() > 1 and kpi_table([roomy]).set_index("kpi")["value"][rolled] == 0
    capped = simulate(
        load_builtin("bonded_import_peak", [*week, "network.lanes.sea_incheon_qingdao.containers_per_departure=1"]), 0
    )
    sea = capped.departures[capped.departures["lane"] == SEA]
    assert (sea["containers"] <= 1).all() and (sea["containers"] == 1).any()
    # what did not fit was ordered again at a later departure
    assert kpi_table([capped]).set_index("kpi")["value"][rolled] > 0
