"""The cross-border flows in the simulation: every order accounted for, risk-based inspection rates by credit
tier, outcomes, rolling at capacity, closures, 9810 stock, determinism and shared lanes."""

from __future__ import annotations

import numpy as np
import pytest

from logistics.analysis.kpis import run_kpis
from logistics.scenario import load_builtin
from logistics.sim import simulate
from logistics.sim.result import order_table

RATES_TIERS = ("advanced_aeo", "general_aeo", "general", "discredited")
SHORT = ["run.horizon_h=48", "run.cooldown_h=96", "disruptions=[]"]


@pytest.mark.parametrize(
    "name", ["direct_mail_import", "direct_mail_export", "b2b_direct_export", "overseas_warehouse_export"]
)
def test_each_mode_runs_and_accounts_for_every_order(name: str) -> None:
    scenario = load_builtin(name, SHORT)
    run = simulate(scenario)
    orders = order_table(run)  # every order, whichever part served it
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert len(orders) == kpis["orders.created"] > 0
    assert kpis["orders.delivered"] + kpis["orders.in_system"] + kpis["orders.ended"] == len(orders)
    delivered = orders[orders["status"] == "delivered"]
    assert (delivered["delivered_h"] >= delivered["created_h"]).all()
    assert (orders.loc[orders["status"] == "in_system", "stage"] != "").all()
    mode = scenario.flows[0].mode
    assert kpis[f"mode.{mode}.orders.created"] == len(orders)
    assert kpis[f"mode.{mode}.orders.delivered"] > 0


def test_mixed_pilot_zone_runs_all_four_modes() -> None:
    run = simulate(load_builtin("pilot_zone_mixed", SHORT))
    assert run.modes == ("1210", "9610", "9710", "9810")
    assert set(run.flow_orders["mode"].unique()) == {"9610", "9710"}  # shipped from their origin
    assert set(run.orders["mode"].unique()) == {"1210", "9810"}  # served from a warehouse's stock
    assert set(order_table(run)["mode"].unique()) == {"1210", "9610", "9710", "9810"}
    assert run.counts["created"] > 0 and run.counts["flows.created"] > 0
    # the Frankfurt flight is shared by the 9610 export parcels and the 9710 shipments
    tao_fra = run.flow_orders[run.flow_orders["done:lane:air_tao_fra"].notna()]
    assert set(tao_fra["mode"].unique()) == {"9610", "9710"}
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["cost.transport_cny"] > 0 and kpis["mode.9610.tax_cny"] > 0


def test_same_seed_same_results_other_seed_differs() -> None:
    a = simulate(load_builtin("direct_mail_import", SHORT)).flow_orders
    b = simulate(load_builtin("direct_mail_import", SHORT)).flow_orders
    c = simulate(load_builtin("direct_mail_import", [*SHORT, "run.seed=1"])).flow_orders
    assert a.equals(b)
    assert not a["created_h"].equals(c["created_h"])


def test_inspection_rate_by_credit_tier_matches_the_configured_rate() -> None:
    rates = {"advanced_aeo": 0.01, "general_aeo": 0.05, "general": 0.15, "discredited": 0.8}
    sets = [f"customs.checkpoints.hgh_airport_clearance.risk.inspection_by_tier.{t}={r}" for t, r in rates.items()]
    sets += [
        "customs.checkpoints.hgh_airport_clearance.risk.goods_factor={}",
        "customs.checkpoints.hgh_airport_clearance.risk.random_rate=0.02",
        "customs.checkpoints.hgh_airport_clearance.risk.demote_on_failure=false",
        "flows.osaka_to_hangzhou.traders={tmall_global_jp: 0.4, cross_border_seller_a: 0.2, small_jp_shops: 0.2, "
        "flagged_reseller: 0.2}",
    ]
    run = simulate(load_builtin("direct_mail_import", [*SHORT, *sets]))
    clear = run.clearances
    for tier, rate in rates.items():
        checked = clear[clear["credit_tier"] == tier]
        p = 1 - (1 - rate) * (1 - 0.02)
        se = np.sqrt(p * (1 - p) / len(checked))
        assert len(checked) > 500
        assert abs(checked["inspected"].mean() - p) < 4 * se, tier


def test_goods_factor_raises_the_rate_of_risky_goods() -> None:
    sets = [
        "customs.checkpoints.hgh_airport_clearance.risk.goods_factor={food: 5.0}",
        "customs.checkpoints.hgh_airport_clearance.risk.random_rate=0",
        "customs.checkpoints.hgh_airport_clearance.risk.demote_on_failure=false",
    ]
    run = simulate(load_builtin("direct_mail_import", [*SHORT, *sets]))
    clear = run.clearances.merge(run.flow_orders[["order_id", "goods"]], left_on="job", right_on="order_id")
    general = clear[clear["credit_tier"] == "general"]
    food = general[general["goods"] == "food"]["inspected"].mean()
    other = general[general["goods"] != "food"]["inspected"].mean()
    assert food == pytest.approx(0.5, abs=0.08) and other == pytest.approx(0.1, abs=0.03)


HOLD_ALL = "customs.checkpoints.hgh_airport_clearance.outcomes={hold: 1, hold_time_h: {kind: deterministic, value: 30}}"


def test_outcomes_hold_return_and_destroy() -> None:
    base = [*SHORT, "customs.checkpoints.hgh_airport_clearance.lab=null"]
    held = simulate(
        load_builtin(
            "direct_mail_import",
            [
                *base,
                HOLD_ALL,
            ],
        )
    )
    c = held.clearances
    assert (c.loc[c["inspected"] == 1, "outcome"] == "held").all()
    assert (c.loc[c["inspected"] == 1, "clearance_h"] >= 30).all()
    assert (c.loc[c["inspected"] == 0, "outcome"] == "released").all()
    returned = simulate(
        load_builtin("direct_mail_import", [*base, "customs.checkpoints.hgh_airport_clearance.outcomes={return: 1.0}"])
    )
    inspected = returned.clearances[returned.clearances["inspected"] == 1]["job"]
    ended = returned.flow_orders.set_index("order_id").loc[inspected]
    assert (ended["end_reason"] == "returned").all() and ended["delivered_h"].isna().all()
    assert returned.counts["flows.trader_demotions"] > 0  # failures demote traders
    kpis = run_kpis(returned).set_index("kpi")["value"]
    by_tier = sum(kpis.get(f"checkpoint.hgh_airport_clearance.not_released.{t}", 0) for t in RATES_TIERS)
    assert by_tier == (returned.clearances["outcome"] == "returned").sum() == len(inspected)


def test_a_full_flight_rolls_parcels_and_never_flies_overweight() -> None:
    sets = ["network.lanes.air_kix_hgh.containers_per_departure=1", "network.lanes.air_kix_hgh.block_space=null"]
    run = simulate(load_builtin("direct_mail_import", [*SHORT, *sets]))
    air = run.departures[(run.departures["lane"] == "air_kix_hgh") & ~run.departures["cancelled"]]
    assert (air["kg"] <= air["capacity_kg"] + 1e-6).all() and (air["m3"] <= air["capacity_m3"] + 1e-6).all()
    assert air["fill_rate"].max() > 0.95
    assert air["rolled"].sum() > 0 and run.flow_orders["rolls"].max() > 0
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["mode.9610.rolled_parcels"] > 0


def test_a_closed_flight_carries_nothing() -> None:
    sets = ["disruptions=[{kind: lane_closed, lane: air_kix_hgh, start_h: 20, end_h: 44}]"]
    run = simulate(load_builtin("direct_mail_import", [*SHORT, *sets]))
    air = run.departures[run.departures["lane"] == "air_kix_hgh"]
    window = air[(air["departure_h"] >= 20) & (air["departure_h"] < 44)]
    assert len(window) == 2 and window["cancelled"].all() and (window["shipments"] == 0).all()
    # nothing lands from the closed flights: every arrival is within a transit time of a flight that flew
    flown = air.loc[~air["cancelled"], ["departure_h", "arrival_h"]].to_numpy()
    arrived = run.flow_orders["done:lane:air_kix_hgh"].dropna().to_numpy()
    assert np.isin(arrived, flown[:, 1]).all()
    assert not ((flown[:, 0] >= 20) & (flown[:, 0] < 44)).any()


def test_overseas_warehouse_stock_is_replenished_by_rail() -> None:
    run = simulate(load_builtin("overseas_warehouse_export"))
    cons = run.consignments
    assert len(cons) > 0 and (cons["outcome"] == "received").any() and (cons["mode"] == "9810").all()
    received = cons[cons["outcome"] == "received"]
    assert (received["received_h"] - received["ordered_h"] > 360).all()  # rail takes at least 15 days
    assert run.counts["flows.consignments"] == len(cons)
    # ordered at a departure's booking cut-off (24 h), the stock makes that departure
    rail = run.departures[(run.departures["lane"] == "rail_qingdao_duisburg") & (run.departures["shipments"] > 0)]
    assert rail["departure_h"].min() == pytest.approx(cons["ordered_h"].min() + 24)
    kpis = run_kpis(run).set_index("kpi")["value"]
    flow = str(cons["flow"].iloc[0])
    assert kpis[f"inbound.{flow}.containers"] == len(cons)
    assert kpis[f"inbound.{flow}.received"] == len(received)
