"""The warehouse floor inside the simulation: picker travel equals the pick-path module's distance, policies
are selected by name (a new one registered here runs from a scenario file), waves, zones, docks, re-slotting,
and every order is accounted for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from logistics.analysis.kpis import run_kpis
from logistics.core.errors import ScenarioError
from logistics.optimize.picking.single_block import Pick, pick_tour_m
from logistics.policies.batching import BATCHING, Pool
from logistics.scenario import builtin_text, load_builtin, load_scenario
from logistics.sim import simulate
from logistics.sim.engine import CrossBorderModel

SHORT = ["run.horizon_h=24", "run.cooldown_h=48"]


def _model(sets: list[str]) -> CrossBorderModel:
    model = CrossBorderModel(load_builtin("bonded_import_peak", [*SHORT, *sets]))
    assert model.bonded is not None and model.bonded.floor is not None
    model.bonded.floor.keep_slots = True
    return model


@pytest.mark.parametrize("routing", ["s_shape", "return", "midpoint", "largest_gap", "combined", "optimal"])
def test_simulated_travel_equals_the_pick_path_module(routing: str) -> None:
    model = _model([f"warehouse.floor.pick_routing.name={routing}"])
    model.run()
    floor = model.bonded.floor  # type: ignore[union-attr]
    slots = floor.layout.slots
    geometry = floor.layout.routing()
    assert len(floor.list_slots) > 100
    for k in range(0, len(floor.list_slots), 37):
        picks = [Pick(int(slots.aisle[s]), float(slots.y_m[s])) for s in floor.list_slots[k]]
        assert floor.list_travel_m[k] == pytest.approx(pick_tour_m(geometry, picks, routing), abs=1e-9)


def test_single_order_lists_use_precomputed_tours_that_match_too() -> None:
    model = _model(["warehouse.floor.batching.name=single_order", "warehouse.floor.batching.params={}"])
    model.run()
    floor = model.bonded.floor  # type: ignore[union-attr]
    assert floor.single_fast and max(len(o) for o in floor.lists_orders) == 1
    slots, geometry = floor.layout.slots, floor.layout.routing()
    for k in range(0, len(floor.lists_orders), 97):
        o = floor.lists_orders[k][0]
        skus = floor.line_sku[floor.line_start[o] : floor.line_start[o + 1]]
        picks = [Pick(int(slots.aisle[s]), float(slots.y_m[s])) for s in floor.slot_of_sku[skus]]
        assert floor.list_travel_m[k] == pytest.approx(pick_tour_m(geometry, picks, "largest_gap"))


def test_every_order_is_accounted_for_and_picked_once() -> None:
    run = simulate(load_builtin("bonded_import_peak", SHORT))
    orders = run.orders
    picked = orders["pick_end_h"].notna()
    assert (orders.loc[picked, "pick_end_h"] >= orders.loc[picked, "released_h"]).all()
    assert run.pick_lists["lines"].sum() == orders.loc[orders["released_h"].notna(), "n_lines"].sum()
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["warehouse.travel_m_per_line"] > 0 and kpis["warehouse.lines_per_picker_h"] > 0
    assert 0 < kpis["warehouse.slot_occupancy"] <= 1


def test_better_slotting_and_routing_walk_less() -> None:
    baseline = ["warehouse.floor.slotting.name=random", "warehouse.floor.pick_routing.name=s_shape"]
    worse = run_kpis(simulate(load_builtin("bonded_import_peak", [*SHORT, *baseline])))
    better = run_kpis(
        simulate(load_builtin("bonded_import_peak", [*SHORT, "warehouse.floor.pick_routing.name=optimal"]))
    )
    w, b = worse.set_index("kpi")["value"], better.set_index("kpi")["value"]
    assert b["warehouse.travel_m_per_line"] < 0.6 * w["warehouse.travel_m_per_line"]
    assert b["warehouse.picker_busy_h"] < w["warehouse.picker_busy_h"]


def test_waves_hold_orders_until_the_next_wave() -> None:
    model = _model(["warehouse.floor.wave_release={name: fixed_interval, params: {interval_min: 120}}"])
    run = model.run()
    floor = model.bonded.floor  # type: ignore[union-attr]
    starts = np.frombuffer(floor.list_start_h)
    assert len(starts) > 0
    orders = run.orders[run.orders["pick_start_h"].notna()]
    next_wave = np.ceil(orders["released_h"] / 2.0) * 2.0
    assert (orders["pick_start_h"] >= next_wave - 1e-9).all()


@pytest.mark.slow
def test_zone_batching_keeps_each_list_in_one_zone() -> None:
    bands = "[{zone: fast, kind: fast_pick, aisles: 4}, {zone: slow, aisles: 6}]"
    model = _model([f"warehouse.floor.layout.bands={bands}", "warehouse.floor.batching={name: zone}"])
    run = model.run()
    floor = model.bonded.floor  # type: ignore[union-attr]
    zones = floor.layout.slots.zone
    assert all(len(set(zones[s].tolist())) == 1 for s in floor.list_slots)
    assert (run.orders["pick_end_h"].dropna() >= run.orders["pick_start_h"].dropna()).all()


def test_docks_one_door_never_unloads_two_trucks() -> None:
    sets = ["warehouse.floor.docks.doors=1", "warehouse.floor.docks.no_show_probability=0.5"]
    run = simulate(load_builtin("bonded_import_peak", sets))
    res = run.resources.set_index("resource")
    assert res.loc["warehouse.receiving", "utilisation"] <= 1.0
    assert run.floor["dock_trucks"] > 0 and run.floor["dock_no_shows"] > 0
    busy = run.series["warehouse.receiving.busy"].max()
    assert busy <= 1


def test_periodic_reslotting_moves_skus_and_costs_labour() -> None:
    periodic = "warehouse.floor.reslotting={name: periodic, params: {interval_h: 8, max_moves: 30}}"
    model = _model(["warehouse.floor.slotting.name=random", periodic])
    run = model.run()
    assert 0 < run.floor["reslot_moves"] <= 30 * 8
    assert run.floor["replenishment_busy_h"] > 0


def test_unknown_policy_or_parameter_names_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"warehouse\.floor\.batching.*no batching policy called 'nope'"):
        simulate(load_builtin("bonded_import_peak", [*SHORT, "warehouse.floor.batching.name=nope"]))
    with pytest.raises(ScenarioError, match=r"warehouse\.floor\.pick_routing.*has no parameter 'speed'"):
        simulate(load_builtin("bonded_import_peak", [*SHORT, "warehouse.floor.pick_routing.params={speed: 2}"]))


def test_a_layout_too_small_for_the_skus_is_an_error() -> None:
    with pytest.raises(ScenarioError, match=r"warehouse\.floor\.layout.*do not all fit"):
        simulate(load_builtin("bonded_import_peak", [*SHORT, "warehouse.floor.layout.bays_per_block=2"]))


class Pairs:
    """A batching policy defined here, outside the package: two orders per pick list."""

    def __init__(self, window_min: float = 5.0) -> None:
        self.window_h = window_min / 60.0

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        return [
            np.arange(pool.line_ptr[k], pool.line_ptr[min(k + 2, len(pool.orders))])
            for k in range(0, len(pool.orders), 2)
        ]


def test_a_policy_registered_in_a_test_file_runs_from_a_scenario_file(tmp_path: Path) -> None:
    BATCHING.register("test_pairs", Pairs)
    try:
        data = yaml.safe_load(builtin_text("bonded_import_peak"))
        data["run"].update(horizon_h=24, cooldown_h=48)
        data["flows"][0]["warehouse"]["floor"]["batching"] = {"name": "test_pairs", "params": {"window_min": 15}}
        path = tmp_path / "pairs.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        model = CrossBorderModel(load_scenario(path))
        run = model.run()
        floor = model.bonded.floor  # type: ignore[union-attr]
        sizes = [len(o) for o in floor.lists_orders]
        assert max(sizes) == 2 and sizes.count(2) > 0.8 * len(sizes)
        assert run.counts["in_system.pick"] == 0
    finally:
        BATCHING.unregister("test_pairs")


@pytest.mark.parametrize("policy", [pytest.param("appointments", marks=pytest.mark.slow), "optimized"])
def test_booked_trucks_never_take_a_door_before_their_appointment(policy: str) -> None:
    sets = [f"warehouse.floor.docks.policy.name={policy}", "warehouse.floor.docks.doors=1"]
    model = CrossBorderModel(load_builtin("bonded_import_peak", sets))
    run = model.run()
    yard = model.bonded.yard  # type: ignore[union-attr]
    assert yard is not None and len(yard.door_h) > 0
    for job, start in yard.door_h.items():
        assert start >= np.floor(yard.appointment_h[job]) - 1e-9  # the slot of the appointment, at the earliest
    assert run.floor["dock_wait_h_mean"] >= 0


def test_parcels_are_sorted_to_their_carriers_dock_and_leave_at_its_cutoffs() -> None:
    carriers = "[{id: sf, zones: [shandong, east_china], pickups_h: [23]}]"
    run = simulate(load_builtin("bonded_import_small", [f"warehouse.carriers={carriers}"]))
    orders = run.orders[run.orders["dispatched_h"].notna()]
    clock = np.round(orders["dispatched_h"] % 24, 6)  # the run starts at midnight
    sf = orders["zone"].isin(["shandong", "east_china"])
    assert set(clock[sf]) == {23.0}
    assert set(clock[~sf]) <= {10.0, 14.0, 18.0, 22.0}
    with pytest.raises(ScenarioError, match=r"warehouse\.carriers\.0\.zones\.0.*no zone 'mars'"):
        load_builtin("bonded_import_small", ["warehouse.carriers=[{id: x, zones: [mars], pickups_h: [9]}]"])


@pytest.mark.parametrize(
    "routing",
    ["s_shape", "largest_gap", pytest.param("optimal", marks=pytest.mark.slow)],  # optimal: 90 s
)
def test_a_floor_with_cross_aisles_walks_its_pick_lists(routing: str) -> None:
    """Two blocks (one cross aisle): pick paths come from the multi-block router (found by the type checker: the
    floor read an attribute the router's result does not have)."""
    run = simulate(
        load_builtin(
            "bonded_import_peak",
            [*SHORT, "warehouse.floor.layout.blocks=2", f"warehouse.floor.pick_routing.name={routing}"],
        )
    )
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["warehouse.travel_m_per_line"] > 0 and kpis["warehouse.pick_lists"] > 0
