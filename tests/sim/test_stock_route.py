"""One lane model: a bonded warehouse's stock containers ride the same scheduled lanes as every other flow's
shipments (whole-container jobs), so a lane can carry a 1210 flow's stock and a 9610 flow's parcels at once,
within one capacity; a 1210 route may name a lane group. Checked through scenario data -> run -> tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.analysis.kpis import run_kpis
from logistics.scenario.builtin import load_builtin
from logistics.scenario.scenario import Scenario
from logistics.sim.engine import simulate

SEA, TRUCK = "sea_incheon_qingdao", "truck_port_bonded"


def _bonded_small(horizon_h: float = 240.0) -> dict:
    base = load_builtin("bonded_import_small", [f"run.horizon_h={horizon_h}", "run.warmup_h=24"])
    return base.model_dump(by_alias=True, mode="json")


def _with_parcels_on_the_sea_lane(data: dict, containers_per_departure: int) -> Scenario:
    """bonded_import_small plus a 9610 import flow from Incheon whose parcels ride the bonded stock's sea lane
    and clear at an import checkpoint of Qingdao port."""
    lane = next(lane for lane in data["network"]["lanes"] if lane["id"] == SEA)
    lane["containers_per_departure"] = containers_per_departure
    data["customs"]["checkpoints"].append(
        {
            "id": "qingdao_port_mail",
            "node": "qingdao_port",
            "role": "import",
            "servers": 2,
            "service_time_min": {"kind": "deterministic", "value": 0.3},
            "inspection_probability": 0.05,
            "inspectors": 4,
            "inspection_time_min": {"kind": "deterministic", "value": 6},
        }
    )
    bonded = data["flows"][0]
    data["flows"].append(
        {
            "id": "incheon_mail",
            "mode": "9610",
            "direction": "import",
            "origin": "incheon",
            "route": [SEA],
            "checkpoints": ["qingdao_port_mail"],
            "demand": {"orders_per_day": 3000, "customers": 50000},
            "last_mile": bonded["last_mile"] | {"dispatch": None},
        }
    )
    return Scenario.model_validate(data)


def test_a_lane_carries_bonded_stock_and_parcels_within_one_capacity() -> None:
    scenario = _with_parcels_on_the_sea_lane(_bonded_small(), containers_per_departure=4)
    run = simulate(scenario)
    cons = run.consignments
    assert (cons["mode"] == "1210").all() and cons[f"done:lane:{SEA}"].notna().sum() > 0
    parcels = run.flow_orders
    assert parcels[f"done:lane:{SEA}"].notna().sum() > 0
    sea = run.departures[(run.departures["lane"] == SEA) & ~run.departures["cancelled"]]
    lane = next(lane for lane in scenario.network.lanes if lane.id == SEA)
    # one capacity for both: whole stock containers plus the parcels' containers never exceed the departure's
    assert (sea["containers"] <= lane.containers_per_departure).all()
    assert (sea["kg"] <= lane.capacity_kg + 1e-6).all()
    # at least one departure carried both kinds
    stock_arrivals = set(np.round(cons[f"done:lane:{SEA}"].dropna(), 9))
    parcel_arrivals = set(np.round(parcels[f"done:lane:{SEA}"].dropna(), 9))
    assert stock_arrivals & parcel_arrivals
    # the bonded warehouse received stock that came over the shared lane, and its orders were delivered
    assert cons["received_h"].notna().sum() > 0
    assert (run.orders["status"] == "delivered").sum() > 0
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["orders.created"] == len(run.orders) + len(run.flow_orders)


def test_parcels_on_a_full_lane_delay_the_stock_behind_them() -> None:
    """With room for one container, the parcels that queued first take part of it (first come, first served)
    and the stock container, which needs a whole one, rolls to a later departure."""
    roomy = simulate(_with_parcels_on_the_sea_lane(_bonded_small(), containers_per_departure=40))
    tight = simulate(_with_parcels_on_the_sea_lane(_bonded_small(), containers_per_departure=1))
    assert roomy.consignments["rolls"].sum() == 0
    assert tight.consignments["rolls"].sum() > 0  # (and parcels queued behind a rolled container roll too)
    sea = tight.departures[(tight.departures["lane"] == SEA) & ~tight.departures["cancelled"]]
    assert (sea["containers"] <= 1).all() and sea["rolled"].sum() > 0
    lead = "inbound.bonded_import.lead_time_h.mean"
    assert run_kpis(tight).set_index("kpi")["value"][lead] > run_kpis(roomy).set_index("kpi")["value"][lead]


def test_a_bonded_route_may_name_a_lane_group() -> None:
    data = _bonded_small()
    lanes = data["network"]["lanes"]
    sea = next(lane for lane in lanes if lane["id"] == SEA)
    fast = dict(sea, id="sea_fast", transit_time_h={"kind": "deterministic", "value": 14}, cost_per_container_cny=5000)
    fast["departures"] = {"weekdays": [1, 3, 5], "hour": 10}
    lanes.append(fast)
    data["network"]["lane_groups"] = [{"id": "sea_services", "lanes": [SEA, "sea_fast"]}]
    data["flows"][0]["route"] = ["sea_services", TRUCK]
    run = simulate(Scenario.model_validate(data))
    cons = run.consignments
    assert cons["done:lane:sea_services"].notna().sum() > 0 and cons["received_h"].notna().sum() > 0
    used = set(run.departures.loc[run.departures["shipments"] > 0, "lane"])
    assert {SEA, TRUCK} <= used or {"sea_fast", TRUCK} <= used


def test_dock_appointments_are_booked_for_containers_leaving_on_the_last_lane() -> None:
    run = simulate(load_builtin("bonded_import_peak", ["run.horizon_h=120", "run.warmup_h=24"]))
    if not run.floor or "dock_trucks" not in run.floor:
        pytest.skip("bonded_import_peak has no docks section")
    received = run.consignments["received_h"].notna().sum()
    assert run.floor["dock_trucks"] >= received > 0


def _two_bonded_warehouses(same_node: bool = False) -> dict:
    """bonded_import_small with a second 1210 flow and its own bonded warehouse, stocked over the same sea lane
    and first-line checkpoint, then its own truck lane."""
    data = _bonded_small()
    net = data["network"]
    node = "qingdao_bonded" if same_node else "qingdao_bonded_west"
    if not same_node:
        net["nodes"].append({"id": node, "kind": "bonded_warehouse", "name": "Qingdao west bonded centre"})
    truck = next(lane for lane in net["lanes"] if lane["id"] == TRUCK)
    net["lanes"].append(dict(truck, id="truck_port_west", to=node))
    exit_xray = next(c for c in data["customs"]["checkpoints"] if c["role"] == "second_line")
    data["customs"]["checkpoints"].append(dict(exit_xray, id="west_exit_xray", node=node))
    first = data["flows"][0]
    second = dict(first, id="bonded_west", route=[SEA, "truck_port_west"])
    second["checkpoints"] = [c if c != exit_xray["id"] else "west_exit_xray" for c in first["checkpoints"]]
    second["warehouse"] = dict(first["warehouse"], node=node)
    second["demand"] = dict(first["demand"], orders_per_day=first["demand"]["orders_per_day"] / 2)
    data["flows"].append(second)
    return data


def test_two_bonded_warehouses_each_serve_their_flow_from_their_own_stock() -> None:
    run = simulate(Scenario.model_validate(_two_bonded_warehouses()))
    orders = run.orders
    assert set(orders["flow"]) == {"bonded_import", "bonded_west"}
    assert orders["order_id"].is_unique
    by_flow = orders.groupby("flow")["status"].apply(lambda s: (s == "delivered").sum())
    assert (by_flow > 0).all()
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["orders.created"] == len(orders) == run.counts["created"]
    for flow in ("bonded_import", "bonded_west"):  # each warehouse is stocked by its own containers
        assert kpis[f"inbound.{flow}.received"] > 0
    names = set(run.resources["resource"])
    assert {"warehouse.pick", "bonded_west.warehouse.pick", "west_exit_xray.screening"} <= names
    # both warehouses' stock rode the shared sea lane within its capacity
    cons = run.consignments
    assert set(cons.loc[cons[f"done:lane:{SEA}"].notna(), "flow"]) == {"bonded_import", "bonded_west"}
    sea = run.departures[(run.departures["lane"] == SEA) & ~run.departures["cancelled"]]
    assert (sea["containers"] <= 10).all()
    # the west warehouse's orders are released only from its own stock: none before its first receipt
    west = orders[(orders["flow"] == "bonded_west") & (orders["stock_h"] > orders["created_h"])]
    first_receipt = cons.loc[cons["flow"] == "bonded_west", "received_h"].min()
    assert len(west) == 0 or (west["stock_h"] >= first_receipt - 1e-9).all()


def test_two_1210_flows_cannot_share_one_warehouse_node() -> None:
    with pytest.raises(Exception, match=r"flows\.1\.warehouse\.node.*already serves flow 'bonded_import'"):
        Scenario.model_validate(_two_bonded_warehouses(same_node=True))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 3000), st.floats(1e-3, 3.0), st.floats(0.01, 2_000.0)), min_size=1, max_size=12)
)
def test_packed_containers_never_exceed_payload_or_volume_and_keep_every_unit(items: list) -> None:
    from types import SimpleNamespace

    from logistics.sim.stock_route import pack_containers

    lane = SimpleNamespace(container_volume_m3=33.0, container_payload_kg=21_000.0)
    units = np.array([u for u, _, _ in items], dtype=np.int64)
    volume = np.array([v for _, v, _ in items])
    weight = np.array([w for _, _, w in items])
    skus = np.arange(len(items))
    packed = pack_containers(skus, units, volume, weight, lane)
    for ids, qty in packed:
        assert (qty >= 1).all()
        assert float(np.dot(qty, volume[ids])) <= lane.container_volume_m3 * (1 + 1e-9)
        assert float(np.dot(qty, weight[ids])) <= lane.container_payload_kg * (1 + 1e-9)
    got = np.zeros(len(items), dtype=np.int64)
    for ids, qty in packed:
        np.add.at(got, ids, qty)
    assert (got == units).all()
