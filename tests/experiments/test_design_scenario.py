"""The design -> scenario -> simulation loop: the design written as a scenario that runs, its flows exactly
the plan's, its demand and last-mile tariffs the design's (checked in the simulation's own output), and the
estimate-versus-simulation table through the command."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from logistics.cli import app
from logistics.experiments.design_scenario import (
    DesignScenarioParams,
    compare_with_simulation,
    design_scenario,
    fed_back,
    model_estimates,
    simulate_design,
)
from logistics.optimize.design import DesignParams, load_design, solve_design


@pytest.fixture(scope="module")
def designed() -> tuple:  # type: ignore[type-arg]
    problem = load_design("pilot_zone_small")
    plan = solve_design(problem, DesignParams(time_limit_s=30))
    assert plan.assignments
    return problem, plan


def test_the_scenario_has_one_flow_per_site_origin_and_lane_with_the_plans_demand(designed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    problem, plan = designed
    scenario = design_scenario(problem, plan, DesignScenarioParams(horizon_h=48, cooldown_h=96))
    demand = {(m.id, d.sku_class): d.orders_per_day for m in problem.markets for d in m.demand}
    expected: dict[str, float] = defaultdict(float)
    for a in plan.assignments:
        origin = problem.sku(a.sku_class).origin
        expected[f"{a.site}_{origin}_{a.lane if a.mode == '1210' else 'parcel'}"] += demand[(a.market, a.sku_class)]
    flows = {f["id"]: f for f in scenario["flows"]}
    assert set(flows) == set(expected)
    for flow_id, orders in expected.items():
        assert flows[flow_id]["demand"]["orders_per_day"] == pytest.approx(orders, abs=1e-3)
        assert sum(z["share"] for z in flows[flow_id]["last_mile"]["zones"]) == pytest.approx(1.0, abs=1e-9)

    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    records = [simulate_design((str(path), r)) for r in range(2)]
    kpis = [r["kpis"] for r in records]
    # the simulation's own counts: orders created over the 48-hour horizon at the design's rate
    created = sum(k["orders.created"] for k in kpis) / len(kpis)
    assert created == pytest.approx(2.0 * sum(expected.values()), rel=0.03)
    rows = {r["quantity"]: r for r in compare_with_simulation(model_estimates(problem, plan), kpis)}
    # the last mile is charged at the design's tariff per parcel: the same per order but for zone sampling
    mile = rows["last_mile_cny_per_order"]
    assert mile["simulation_mean"] == pytest.approx(mile["model"], rel=0.02)
    assert 0.0 <= rows["share_within_promise"]["simulation_mean"] <= 1.0
    assert rows["order_to_delivery_days"]["replications"] == 2

    # fed back: each open site's days before the last mile become the simulated ones, pooled over its flows
    again = fed_back(problem, plan, [r["flow_days"] for r in records])
    for site in problem.sites:
        new = again.site(site.id)
        if site.id not in plan.open_sites:
            assert new == site
            continue
        pooled = [r["flow_days"][f] for r in records for f in r["flow_days"] if f.startswith(f"{site.id}_")]
        expected_days = sum(d * n for d, n in pooled) / sum(n for _, n in pooled)
        assert new.handling_days == pytest.approx(expected_days) and new.handling_days != site.handling_days


@pytest.mark.slow
def test_the_design_command_simulates_the_design_and_sets_estimates_beside(tmp_path: Path) -> None:
    out = tmp_path / "d"
    done = CliRunner().invoke(
        app, ["design", "pilot_zone_small", "--out", str(out), "--time-limit", "30", "--simulate", "3", "--feedback"]
    )
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out / "estimate_vs_simulation.csv")
    assert set(table["quantity"]) >= {"share_within_promise", "order_to_delivery_days", "last_mile_cny_per_order"}
    assert (table["replications"] == 3).all() and table["simulation_mean"].notna().all()
    assert (out / "scenario.yaml").exists() and (out / "map.png").stat().st_size > 10_000
    assert (out / "design_fed_back.json").exists() and "re-optimised with them" in done.output


def test_an_open_overseas_warehouse_becomes_a_9610_flow_that_runs_and_feeds_back(tmp_path: Path) -> None:
    from dataclasses import replace

    problem = load_design("pilot_zone_small")
    dear = tuple(replace(s, fixed_cny=20 * s.fixed_cny) if s.kind == "bonded" else s for s in problem.sites)
    problem = replace(problem, sites=dear, service_target=0.0)  # bonded sites dear: direct mail pays somewhere
    plan = solve_design(problem, DesignParams(time_limit_s=30))
    overseas = [s for s in plan.open_sites if problem.site(s).kind == "overseas"]
    assert overseas, plan.open_sites
    scenario = design_scenario(problem, plan, DesignScenarioParams(horizon_h=24, cooldown_h=120))
    parcels = [f for f in scenario["flows"] if f["mode"] == "9610"]
    assert {f["id"] for f in parcels} == {f"{s}_{problem.site(s).origin}_parcel" for s in overseas}
    lanes = {x["id"]: x for x in scenario["network"]["lanes"]}
    for f in parcels:
        (air,) = [lanes[x] for x in f["route"]]
        site = problem.site(f["origin"])
        assert air["mode"] == "air" and air["tariff"]["per_kg_cny"] == site.parcel_cny_per_kg
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    run = simulate_design((str(path), 0))
    assert run["kpis"]["mode.9610.orders.delivered"] > 0
    again = fed_back(problem, plan, [run["flow_days"]])
    for s in overseas:
        days, _ = run["flow_days"][f"{s}_{problem.site(s).origin}_parcel"]
        assert again.site(s).parcel_days == pytest.approx(max(0.0, days - problem.site(s).handling_days))
