"""One warehouse model: a 9810 flow's overseas warehouse is the same part as a 1210 flow's bonded one, so it can
have the floor in detail (slots, pick lists, pick paths, docks), receiving teams and carriers; its short form
(`overseas_warehouse`) is the same warehouse without them. Checked through scenario data -> run -> tables."""

from __future__ import annotations

from logistics.analysis.kpis import run_kpis
from logistics.scenario.builtin import load_builtin
from logistics.scenario.scenario import Scenario
from logistics.sim.engine import simulate
from logistics.sim.result import order_table

SHORT = ["run.horizon_h=240", "run.cooldown_h=96"]


def _overseas_with_floor() -> Scenario:
    """overseas_warehouse_export with its warehouse written in full: receiving teams, carriers' pickup hours,
    and bonded_import_peak's floor (layout, slots, pick lists, docks) with general-trade bands."""
    base = load_builtin("overseas_warehouse_export", ["run.horizon_h=600", "run.cooldown_h=96"])
    data = base.model_dump(by_alias=True, mode="json")
    floor = load_builtin("bonded_import_peak").model_dump(by_alias=True, mode="json")["flows"][0]["warehouse"]["floor"]
    for band in floor["layout"]["bands"]:
        band["bonded"] = False  # goods abroad are no longer under bond
    flow = data["flows"][0]
    short = flow.pop("overseas_warehouse")
    flow["warehouse"] = {
        "node": short["node"],
        "receiving": {"teams": 2, "workers_per_team": 3, "time_per_container_h": short["receiving_time_h"]},
        "pick": short["pick"],
        "pack": short["pack"],
        "replenishment": {
            "policy": short["policy"],
            "cover_days": short["cover_days"],
            "initial_cover_days": short["initial_cover_days"],
        },
        "carrier_pickups_h": [9, 17],
        "floor": floor,
    }
    return Scenario.model_validate(data)


def test_an_overseas_warehouse_can_have_the_floor_in_detail() -> None:
    run = simulate(_overseas_with_floor())
    orders = order_table(run)
    assert set(orders["mode"]) == {"9810"} and (orders["status"] == "delivered").sum() > 0
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["warehouse.pick_lists"] > 0 and kpis["warehouse.travel_m_per_line"] > 0
    assert kpis["warehouse.dock_trucks"] >= kpis["inbound.duisburg_overseas_warehouse.received"] > 0
    # carriers collect at their pickup hours: every dispatch at 09:00 or 17:00 (the run starts at midnight)
    dispatched = orders["dispatched_h"].dropna() % 24
    assert set(dispatched.round(6).unique()) <= {9.0, 17.0}
    # its receiving teams are paid labour, its resources are named after its flow
    names = set(run.resources["resource"])
    assert "duisburg_overseas_warehouse.warehouse.receiving" in names
    assert "duisburg_overseas_warehouse.warehouse.pick" in names


def test_the_short_form_is_the_same_warehouse_without_floor_teams_or_pickups() -> None:
    run = simulate(load_builtin("overseas_warehouse_export", SHORT))
    orders = order_table(run)
    packed = orders.dropna(subset=["pack_end_h", "dispatched_h"])
    assert len(packed) > 0 and (packed["dispatched_h"] == packed["pack_end_h"]).all()  # handed over at once
    # receiving without a team limit is not a resource; nothing is declared or cleared at the warehouse
    assert not any(name.endswith("warehouse.receiving") for name in run.resources["resource"])
    assert (orders["documents_h"] == orders["created_h"]).all() and not orders["inspected"].any()
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert "customs.parcels_inspected" not in kpis and "mode.9810.lead_time.second_line_checkpoint_h.mean" not in kpis
    assert kpis["mode.9810.lead_time.pick_h.mean"] > 0
