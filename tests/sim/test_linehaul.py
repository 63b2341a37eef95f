"""Line-haul space allocation on a lane group: one queue for alternative lanes, capacity never exceeded, the
optimizer trades cost against promised dates, FCFS as the baseline; the MIP on toy cases."""

from __future__ import annotations

import numpy as np
import pytest

from logistics.analysis.kpis import run_kpis
from logistics.core.errors import ScenarioError
from logistics.policies.linehaul import ALLOCATION, Departure, Queue
from logistics.scenario import load_builtin
from logistics.sim import simulate

SHORT = ["run.horizon_h=72", "run.cooldown_h=120", "disruptions=[]"]
FCFS = "network.lane_groups.kix_hgh.allocation={name: fcfs}"


def _dep(lane: str, t: float, transit: float, per_kg: float, cap: float = 100.0) -> Departure:
    return Departure(lane, t, t + transit, 0.0, cap, 10.0, 0.0, per_kg, 0.0, 0.006)


def test_mip_sends_urgent_parcels_fast_and_the_rest_cheap() -> None:
    # now: an express departure (fast, dear); in 12 h: air (slow, cheap). Parcel 0 is due soon, parcel 1 later.
    departures = [_dep("express", 0.0, 3.0, 50.0), _dep("air", 12.0, 6.0, 10.0)]
    queue = Queue(np.zeros(2), np.array([1.0, 1.0]), np.array([0.001, 0.001]), np.array([20.0, 100.0]))
    policy = ALLOCATION.make("optimized", {"late_penalty_cny_per_h": 10.0, "allowance_h": 10.0, "bucket_h": 1.0})
    assert policy.board(0.0, departures, queue, eligible=2) == [0]
    assert ALLOCATION.make("fcfs").board(0.0, departures, queue, eligible=2) == [0, 1]


def test_mip_respects_the_capacity_it_plans_with() -> None:
    departures = [_dep("now", 0.0, 3.0, 10.0, cap=2.0), _dep("next", 24.0, 3.0, 10.0, cap=100.0)]
    queue = Queue(np.zeros(5), np.ones(5), np.full(5, 0.001), np.full(5, 10.0))
    chosen = ALLOCATION.make("optimized", {"bucket_h": 1.0}).board(0.0, departures, queue, eligible=5)
    assert len(chosen) == 2  # everyone is late either way: as many as fit go now


@pytest.mark.parametrize("policy", [[], [FCFS]])
def test_group_lanes_share_one_queue_and_never_exceed_capacity(policy: list[str]) -> None:
    run = simulate(load_builtin("direct_mail_two_services", [*SHORT, *policy]))
    dep = run.departures
    flown = dep[~dep["cancelled"] & dep["lane"].isin(["air_kix_hgh", "express_kix_hgh"])]
    assert (flown["kg"] <= flown["capacity_kg"] + 1e-6).all() and (flown["m3"] <= flown["capacity_m3"] + 1e-6).all()
    assert set(flown.loc[flown["shipments"] > 0, "lane"]) == {"air_kix_hgh", "express_kix_hgh"}
    carried = run.flow_orders["done:lane:kix_hgh"].notna().sum()
    assert flown["shipments"].sum() == carried  # every shipment rode exactly one of the group's departures
    assert run.counts["flows.created"] == len(run.flow_orders)


def test_the_optimizer_spends_less_on_transport_than_fcfs_without_more_late_parcels() -> None:
    optimized = run_kpis(simulate(load_builtin("direct_mail_two_services", SHORT))).set_index("kpi")["value"]
    fcfs = run_kpis(simulate(load_builtin("direct_mail_two_services", [*SHORT, FCFS]))).set_index("kpi")["value"]
    assert optimized["mode.9610.cost_per_kg.transport_cny"] < 0.97 * fcfs["mode.9610.cost_per_kg.transport_cny"]
    assert optimized["mode.9610.late_parcels"] <= fcfs["mode.9610.late_parcels"] * 1.02 + 20
    assert optimized["lane.express_kix_hgh.shipments"] < fcfs["lane.express_kix_hgh.shipments"]


def test_group_validation_names_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"flows\.0\.route\.1.*belongs to lane group 'kix_hgh'"):
        load_builtin("direct_mail_two_services", ["flows.osaka_to_hangzhou.route=[truck_osaka_kix, air_kix_hgh]"])
    with pytest.raises(ScenarioError, match=r"network\.lane_groups\.0\.lanes.*same two nodes"):
        load_builtin("direct_mail_two_services", ["network.lane_groups.kix_hgh.lanes=[air_kix_hgh, truck_osaka_kix]"])
    with pytest.raises(ScenarioError, match=r"network\.lane_groups\.0\.allocation.*no line-haul allocation policy"):
        simulate(load_builtin("direct_mail_two_services", [*SHORT, "network.lane_groups.kix_hgh.allocation={name: x}"]))
