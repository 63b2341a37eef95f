"""Last-mile dispatch in the simulation: plans pass the routing checker, time limits hold, a wave that cannot
take everything dispatches what it can, failed deliveries come back, every parcel is accounted for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logistics.analysis.kpis import run_kpis
from logistics.core.errors import ScenarioError
from logistics.scenario import load_builtin
from logistics.sim import simulate

SHORT = ["run.horizon_h=24", "run.cooldown_h=48"]


def _run(sets: list[str]):  # type: ignore[no-untyped-def]
    return simulate(load_builtin("last_mile_city", [*SHORT, *sets]))


@pytest.mark.parametrize("policy", ["nearest_neighbour", "fixed_zone", "ortools"])
def test_every_plan_passes_the_checker_and_routes_are_driven_as_planned(policy: str) -> None:
    params = "{time_limit_s: 1, solution_limit: 50}" if policy == "ortools" else "{}"
    run = _run([f"last_mile.dispatch.policy={{name: {policy}, params: {params}}}"])
    planned = run.waves[run.waves["status"] != "skipped"]
    assert len(planned) > 0 and planned["feasible"].astype(bool).all()
    routes = run.routes
    assert (routes["delivered"] + routes["failed"] == routes["stops"]).all()
    assert routes["sequence"].str.split().map(len).eq(routes["stops"]).all()
    assert routes["stops"].sum() == (routes["delivered"].sum() + routes["failed"].sum())
    city = run.orders[run.orders["zone"] == "qingdao_city"]
    delivered = city[city["status"] == "delivered"]
    assert (delivered["delivered_h"] > delivered["dispatched_h"]).all()


def test_the_wave_time_limit_holds_and_optimizer_time_is_reported_apart() -> None:
    run = _run(["last_mile.dispatch.policy={name: ortools, params: {time_limit_s: 1.0}}"])
    planned = run.waves[run.waves["status"] != "skipped"]
    assert len(planned) >= 2
    assert (planned["solve_wall_s"] <= 1.1 * planned["time_limit_s"]).all()
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["dispatch.optimizer_s"] == pytest.approx(planned["solve_wall_s"].sum())
    assert kpis["dispatch.simulation_s"] >= 0


def test_a_wave_too_big_for_the_fleet_dispatches_what_it_can_and_reports_the_rest() -> None:
    fleet = "[{id: van, count: 1, capacity_parcels: 15, shift_start_h: 8, shift_end_h: 20}]"
    run = _run([f"last_mile.dispatch.fleet={fleet}", "last_mile.dispatch.policy={name: nearest_neighbour}"])
    busy = run.waves[(run.waves["status"] != "skipped") & (run.waves["waiting"] > 15)]
    assert len(busy) > 0
    assert (busy["status"] == "infeasible").all()
    assert (busy["planned"] <= 15).all() and (busy["planned"] > 0).all()
    assert (busy["planned"] + busy["unassigned"] == busy["waiting"]).all()
    assert run.counts["in_system"] > 0  # the rest are still waiting at the depot: accounted, not lost


def test_failed_deliveries_come_back_and_go_to_the_sender_after_the_last_attempt() -> None:
    run = _run(["last_mile.dispatch.failure_probability=1.0", "last_mile.dispatch.max_attempts=2",
                "last_mile.dispatch.policy={name: nearest_neighbour}"])  # fmt: skip
    city = run.orders[run.orders["zone"] == "qingdao_city"]
    assert (city["status"] != "delivered").all()
    assert (city["end_reason"] == "delivery_failed").sum() > 0
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["dispatch.failed_delivery_rate"] == 1.0
    assert kpis["dispatch.returned_to_sender"] == (city["end_reason"] == "delivery_failed").sum()


def test_an_unknown_dispatch_policy_names_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"last_mile\.dispatch\.policy.*no dispatch policy called 'teleport'"):
        _run(["last_mile.dispatch.policy={name: teleport}"])


def test_booked_slots_are_never_served_early() -> None:
    from logistics.sim.engine import CrossBorderModel

    sets = [*SHORT, "last_mile.dispatch.slot_share=1.0", "last_mile.dispatch.policy={name: nearest_neighbour}"]
    model = CrossBorderModel(load_builtin("last_mile_city", sets))
    run = model.run()
    depot = model.bonded.depot  # type: ignore[union-attr]
    assert depot is not None
    city = run.orders[(run.orders["zone"] == "qingdao_city") & (run.orders["status"] == "delivered")]
    assert len(city) > 0
    clock = city["delivered_h"].to_numpy() % 24.0  # the run starts at midnight
    assert (clock >= depot.slot_open[city["order_id"].to_numpy()] - 1e-9).all()
    assert np.allclose(depot.slot_close - depot.slot_open, 2.0)


def test_a_flow_routes_its_zone_through_its_own_depot(tmp_path: Path) -> None:
    """A depot on a cross-border flow's last mile (9610 import): the zone's parcels ride to it, wait for a
    wave and are delivered by its vans; every parcel is accounted for and a failed one ends as
    delivery_failed like on the bonded import's last mile."""
    from typer.testing import CliRunner

    from logistics.cli import app

    dispatch = (
        "flows.0.last_mile.dispatch={zones: [zhejiang], areas: {zhejiang: {centre_km: [0, 0], radius_km: 8}}, "
        "fleet: [{id: van, count: 6, capacity_parcels: 80, capacity_kg: 600, shift_start_h: 8, shift_end_h: 20}], "
        "waves_h: [9, 14], failure_probability: 0.3, max_attempts: 1, policy: nearest_neighbour}"
    )
    sets = ["run.horizon_h=48", "run.cooldown_h=48", "flows.0.demand.orders_per_day*=0.1", dispatch]
    out = tmp_path / "out"
    args = ["run", "direct_mail_import", "--out", str(out), "-q"] + [x for s in sets for x in ("--set", s)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    orders = pd.read_parquet(out / "orders.parquet")
    waves, routes = pd.read_csv(out / "waves.csv"), pd.read_csv(out / "routes.csv")
    kpis = pd.read_csv(out / "kpis.csv").set_index("kpi")["value"]
    routed = orders[orders["routed"]]
    assert len(routed) > 50 and set(routed["zone"].astype(str)) == {"osaka_to_hangzhou/zhejiang"}
    assert set(waves["flow"]) == {"osaka_to_hangzhou"} and kpis["dispatch.waves"] == len(
        waves[waves["status"] != "skipped"]
    )
    # delivered by a van: inside the vans' shift, after a wave; failed deliveries end at the first attempt
    delivered = routed[routed["status"] == "delivered"]
    clock = (delivered["delivered_h"] % 24).to_numpy()
    assert len(delivered) and ((clock >= 9) & (clock <= 20)).all()
    assert (routed["end_reason"] == "delivery_failed").sum() == routes["failed"].sum() > 0
    assert routes["delivered"].sum() == len(delivered)


@pytest.mark.slow
def test_addresses_on_the_map_give_a_stop_table_and_a_routes_map(tmp_path: Path) -> None:
    from logistics.experiments.replications import write_outputs
    from logistics.optimize.routing.problem import great_circle_m

    run = _run(["last_mile.dispatch.depot_lat_lon=[36.16, 120.43]"])
    stops = run.route_stops
    assert {"lat", "lon", "planned_arrival_h", "arrival_h", "stop_no", "outcome"} <= set(stops.columns)
    # one row per stop driven, numbered in driving order on each route
    assert len(stops) == run.routes["stops"].sum()
    for _, route in stops.groupby(["wave_h", "vehicle_type", "vehicle"]):
        assert route["stop_no"].tolist() == list(range(1, len(route) + 1))
    assert (stops["outcome"] == "delivered").sum() == run.routes["delivered"].sum()
    # every address within its area: the disc of 10 km around (6, 4) km east/north of the depot
    depot = np.array([[36.16, 120.43]])
    metres = great_circle_m(np.vstack([depot, stops[["lat", "lon"]].to_numpy()]))[0, 1:]
    assert (metres <= (np.hypot(6.0, 4.0) + 10.0) * 1000.0 * 1.001).all()
    # planned on the map: arrivals differ from the plan only by traffic and chance, not by kilometres
    assert (stops["arrival_h"] >= stops["wave_h"]).all()
    ratio = (stops["arrival_h"] - stops["wave_h"]).sum() / (stops["planned_arrival_h"] - stops["wave_h"]).sum()
    assert 0.5 < ratio < 2.0
    written = write_outputs([run], tmp_path)
    assert written["route_stops"].exists() and (tmp_path / "routes_map.png").exists()
    assert "Last-mile routes on the map" in (tmp_path / "report.html").read_text()


def test_a_depot_off_the_map_is_named() -> None:
    with pytest.raises(ScenarioError, match="depot_lat_lon"):
        load_builtin("last_mile_city", ["last_mile.dispatch.depot_lat_lon=[95, 120]"])


@pytest.mark.slow
def test_replanning_waves_re_route_vans_on_the_road_and_every_parcel_is_delivered_once() -> None:
    run = _run(["last_mile.dispatch.replan=true"])
    again = _run(["last_mile.dispatch.replan=true"])
    planned = run.waves[run.waves["status"] != "skipped"]
    assert planned["feasible"].astype(bool).all()
    assert (run.waves["replanned_vans"] > 0).any()  # some waves found vans on the road to re-plan
    replanned = run.routes[run.routes["replans"] > 0]
    assert len(replanned) > 0
    assert (run.routes["delivered"] + run.routes["failed"] == run.routes["stops"]).all()
    # a parcel is carried by one van at a time: each attempt is one stop row, in one route's sequence
    attempts = run.route_stops.groupby("order").size()
    sequences = run.routes["sequence"].str.split().explode().str[1:].astype(int).value_counts()
    assert attempts.sort_index().equals(sequences.sort_index().rename(None).astype(attempts.dtype))
    assert (run.route_stops.groupby("order")["outcome"].apply(lambda o: (o == "delivered").sum()) <= 1).all()
    # the first wave is the same plan with or without re-planning (nobody is on the road yet)
    scratch = _run([])
    first = run.routes[run.routes["wave_h"] == run.routes["wave_h"].min()]["vehicle"].sort_values().tolist()
    assert (
        first
        == scratch.routes[scratch.routes["wave_h"] == scratch.routes["wave_h"].min()]["vehicle"].sort_values().tolist()
    )
    # a reproducible policy replays a re-planning run bit for bit
    assert run.routes["km"].tolist() == again.routes["km"].tolist()
    assert run.route_stops["arrival_h"].tolist() == again.route_stops["arrival_h"].tolist()
