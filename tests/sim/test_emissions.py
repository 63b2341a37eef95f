"""Emissions (ISO 14083 / GLEC): a built-in scenario's run recomputed by hand from its lanes' tonne-km and the
published factors, the last mile of routed vans by the km each parcel rode, factors set in the scenario, and
what the report says it did not measure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.analysis.kpis import run_kpis
from logistics.cli import app
from logistics.core.errors import ScenarioError
from logistics.scenario import load_builtin
from logistics.sim import simulate

SHORT = ["run.horizon_h=48", "run.cooldown_h=96", "disruptions=[]"]
# The default factors (kg CO2e per tonne-km) as published, typed here by hand from the sources:
AIR_TTW = 0.498  # GLEC Framework v3.0 Table 1, freighter > 1,500 km (no WTT in the defaults)
TRUCK_WTW = 0.08825 + 0.01875  # Defra/DECC 2012 Annex 7 Table 7e, all artics: direct + indirect
LAST_MILE_WTW = 0.58542 + 0.12436  # same table, rigid 3.5-7.5 t
# direct_mail_import: its lanes' distances and its zones' van leg, as the scenario file states them
KM = {"truck_osaka_kix": 50.0, "air_kix_hgh": 1466.0}
FACTOR = {"truck_osaka_kix": TRUCK_WTW, "air_kix_hgh": AIR_TTW}
ZONE_KM = 25.0


def test_a_builtin_runs_emissions_recomputed_by_hand(tmp_path: Path) -> None:
    out = tmp_path / "run"
    sets = [x for s in SHORT for x in ("--set", s)]
    result = CliRunner().invoke(app, ["run", "direct_mail_import", *sets, "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    departures = pd.read_csv(out / "departures.csv")
    orders = pd.read_parquet(out / "orders.parquet")
    kpis = pd.read_csv(out / "kpis.csv").set_index("kpi")["value"]
    ran = departures[~departures["cancelled"] & (departures["shipments"] > 0)]
    by_hand_lanes = 0.0
    for lane, part in ran.groupby("lane"):
        tonne_km = part["kg"].sum() / 1000.0 * KM[lane]
        co2e = tonne_km * FACTOR[lane]
        assert kpis[f"emissions.lane.{lane}.tonne_km"] == pytest.approx(tonne_km, rel=1e-9)
        assert kpis[f"emissions.lane.{lane}.co2e_kg"] == pytest.approx(co2e, rel=1e-9)
        by_hand_lanes += co2e
    assert by_hand_lanes > 0
    # the last mile: every dispatched parcel rides its zone's 25 km at the last-mile factor
    dispatched = orders["dispatched_h"].notna()
    by_hand_last_mile = orders.loc[dispatched, "weight_kg"].sum() / 1000.0 * ZONE_KM * LAST_MILE_WTW
    assert kpis["emissions.last_mile.co2e_kg"] == pytest.approx(by_hand_last_mile, rel=1e-9)
    assert kpis["emissions.co2e_kg"] == pytest.approx(by_hand_lanes + by_hand_last_mile, rel=1e-9)
    # every kg of the lanes is some order's: the orders' emissions add up to the run's
    assert orders["co2e_kg"].sum() == pytest.approx(kpis["emissions.co2e_kg"], rel=1e-9)
    assert kpis["emissions.ttw_only.air"] == 1  # the report says air is tank-to-wheel only
    assert "tank-to-wheel only for air" in (out / "report.md").read_text()


def test_routed_vans_emissions_are_the_tonne_km_each_parcel_rode() -> None:
    run = simulate(load_builtin("pilot_zone_mixed", SHORT))
    kpis = run_kpis(run).set_index("kpi")["value"]
    routed = pd.concat([f[f["routed"]] for f in (run.orders, run.flow_orders)])
    assert len(run.routes) and len(routed)
    # the vans' tonne-km (load x km driven with it) at the last-mile factor are the routed parcels' emissions
    assert routed["last_mile_co2e_kg"].sum() == pytest.approx(run.routes["tonne_km"].sum() * LAST_MILE_WTW, rel=1e-9)
    # a parcel rides at most its route: no more than the route's km
    assert (run.routes["tonne_km"] <= run.routes["km"] * 1.0 + 1e-9).all()  # vans carry < 1 t here
    # stock goes by sea and rail as consignments, parcels by air: lanes = orders' lanes + consignments
    lanes = float(np.nansum(run.departures["co2e_kg"]))
    assert lanes == pytest.approx(run.flow_orders["lane_co2e_kg"].sum() + run.consignments["co2e_kg"].sum(), rel=1e-9)
    assert kpis["emissions.lanes.co2e_kg"] == pytest.approx(lanes)
    flows = [k for k in kpis.index if k.startswith("emissions.flow.") and k.endswith(".co2e_kg")]
    assert sum(kpis[k] for k in flows) == pytest.approx(kpis["emissions.co2e_kg"], rel=1e-9)
    # every carrier zone of this scenario states its van and trunk km: no parcel goes unmeasured
    assert kpis["emissions.parcels_without_distance"] == 0


def test_a_carrier_zones_trunk_haul_is_counted_at_the_truck_factor(tmp_path: Path) -> None:
    out = tmp_path / "run"
    trunk = ["flows.0.last_mile.zones.0.linehaul_km=400"]
    sets = [x for s in [*SHORT, *trunk] for x in ("--set", s)]
    result = CliRunner().invoke(app, ["run", "direct_mail_import", *sets, "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    orders = pd.read_parquet(out / "orders.parquet")
    kpis = pd.read_csv(out / "kpis.csv").set_index("kpi")["value"]
    dispatched = orders["dispatched_h"].notna()
    flow = load_builtin("direct_mail_import", SHORT).flows[0]
    first_zone = dispatched & (orders["zone"].astype(str) == f"{flow.id}/{flow.last_mile.zones[0].id}")
    assert first_zone.any() and (dispatched & ~first_zone).any()
    van = orders.loc[dispatched, "weight_kg"].sum() / 1000.0 * ZONE_KM * LAST_MILE_WTW
    haul = orders.loc[first_zone, "weight_kg"].sum() / 1000.0 * 400.0 * TRUCK_WTW
    assert kpis["emissions.last_mile.co2e_kg"] == pytest.approx(van + haul, rel=1e-9)


def test_factors_set_in_the_scenario_replace_the_defaults() -> None:
    base = simulate(load_builtin("direct_mail_import", SHORT))
    own = ["emissions.factors.air={ttw_kg_per_tkm: 0.996, wtt_kg_per_tkm: 0.2, source: test}"]
    doubled = simulate(load_builtin("direct_mail_import", SHORT + own))
    a = run_kpis(base).set_index("kpi")["value"]
    b = run_kpis(doubled).set_index("kpi")["value"]
    assert b["emissions.lane.air_kix_hgh.co2e_kg"] == pytest.approx(
        a["emissions.lane.air_kix_hgh.co2e_kg"] * (0.996 + 0.2) / AIR_TTW, rel=1e-9
    )
    assert b["emissions.lane.truck_osaka_kix.co2e_kg"] == pytest.approx(a["emissions.lane.truck_osaka_kix.co2e_kg"])
    assert "emissions.ttw_only.air" not in b  # air now has its upstream part


def test_a_lane_without_distance_is_reported_not_silently_zero() -> None:
    run = simulate(load_builtin("direct_mail_import", [*SHORT, "network.lanes.0.distance_km=null"]))
    kpis = run_kpis(run).set_index("kpi")["value"]
    assert kpis["emissions.lanes_without_distance"] == 1
    assert "emissions.lane.truck_osaka_kix.co2e_kg" not in kpis
    assert kpis["emissions.lane.air_kix_hgh.co2e_kg"] > 0


def test_a_bad_factor_names_its_field() -> None:
    with pytest.raises(ScenarioError, match=r"emissions\.factors"):
        load_builtin("direct_mail_import", ["emissions.factors.boat={ttw_kg_per_tkm: 0.01, source: x}"])
    with pytest.raises(ScenarioError, match=r"emissions\.factors\.air\.ttw_kg_per_tkm"):
        load_builtin("direct_mail_import", ["emissions.factors.air={ttw_kg_per_tkm: -1, source: x}"])
