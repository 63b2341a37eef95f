"""The design's emissions (ISO 14083 / GLEC factors): a design's CO2e recomputed by hand from its legs'
tonne-km, the cap kept by the solver and checked independently, and the cost-against-CO2e front."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.optimize.design import (
    Demand,
    DesignParams,
    DesignProblem,
    InboundLane,
    Market,
    Site,
    SkuClass,
    check_design,
    load_design,
    solve_design,
    solve_emission_front,
)
from logistics.optimize.design.problem import distance_km

AIR, SEA, TRUCK = 0.498, 0.01266, 0.08825 + 0.01875  # the published defaults (kg CO2e / t-km), typed by hand


def _tiny() -> DesignProblem:
    """One class, one market; a bonded site fed by sea, and an overseas site flying parcels."""
    return DesignProblem(
        name="tiny",
        sku_classes=(SkuClass("k", "origin", 200.0, 2.0),),
        sites=(
            Site("b", "bonded", 121.0, 31.0, 1e5, 1e4, 3.0),
            Site(
                "o",
                "overseas",
                127.0,
                37.5,
                1e5,
                1e4,
                3.0,
                origin="origin",
                gateway=(122.0, 37.5),
                parcel_days=2.0,
                parcel_cny_per_kg=20.0,
            ),
        ),
        lanes=(InboundLane("origin", "b", "sea", 3.0, 1.0, 0.5, distance_km=900.0, road_km=40.0),),
        markets=(Market("m", 116.4, 39.9, (Demand("k", 100.0, 20.0),)),),
        promise_days=10.0,
        service_target=0.0,
    )


def test_a_designs_emissions_recomputed_by_hand() -> None:
    p = _tiny()
    plan = solve_design(p, DesignParams(time_limit_s=10))
    assert check_design(p, plan).ok
    (a,) = plan.assignments
    tonnes_a_year = 2.0 / 1000 * 100.0 * 365.0
    road_b = distance_km((121.0, 31.0), (116.4, 39.9)) * 1.2
    road_o = distance_km((122.0, 37.5), (116.4, 39.9)) * 1.2
    flown = distance_km((127.0, 37.5), (122.0, 37.5))
    by_hand = {
        "1210": tonnes_a_year * (900.0 * SEA + (40.0 + road_b) * TRUCK) / 1000.0,
        "9610": tonnes_a_year * (flown * AIR + road_o * TRUCK) / 1000.0,
    }
    assert plan.co2e_t_per_year == pytest.approx(by_hand[a.mode], rel=1e-9)
    # under a cap below the cheaper plan's emissions the other mode serves, checked against the cap
    other = "9610" if a.mode == "1210" else "1210"
    if by_hand[other] < by_hand[a.mode]:
        capped = replace_cap(p, (by_hand[other] + by_hand[a.mode]) / 2)
        plan2 = solve_design(capped, DesignParams(time_limit_s=10))
        assert plan2.assignments[0].mode == other and check_design(capped, plan2).ok
        assert plan2.cost_cny >= plan.cost_cny - 1e-6
    # a plan over the cap is named by the checker
    assert any("emissions" in v for v in check_design(replace_cap(p, 0.5 * min(by_hand.values())), plan).violations)


def replace_cap(p: DesignProblem, cap: float) -> DesignProblem:
    from dataclasses import replace

    return replace(p, max_co2e_t_per_year=cap)


def test_the_cost_against_co2e_front_trades_cost_for_emissions() -> None:
    spec = load_design("pilot_zone_small")
    front = solve_emission_front(spec, 4, DesignParams(time_limit_s=10))
    assert front[0][0] == math.inf and len(front) == 4
    solved = [(cap, p) for cap, p in front if p.assignments]
    for cap, p in solved:
        assert p.co2e_t_per_year <= cap * (1 + 1e-6)
        assert check_design(replace_cap(spec, cap) if math.isfinite(cap) else spec, p).ok
    # a tighter cap never lowers the least cost by more than the model's linearisation allows (stated gap)
    assert min(p.co2e_t_per_year for _, p in solved[1:]) < front[0][1].co2e_t_per_year


def test_the_design_command_writes_the_co2e_front(tmp_path: Path) -> None:
    out = tmp_path / "d"
    args = ["design", "pilot_zone_small", "--out", str(out), "--time-limit", "5", "--co2e-front", "3"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "co2e_front.csv")
    assert len(table) == 3 and {"co2e_cap_t_per_year", "co2e_t_per_year", "cost_cny", "checked"} <= set(table)
    assert "emissions (t CO2e/year)" in result.output
