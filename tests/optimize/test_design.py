"""Network design: the MIP against exhaustive enumeration of every assignment on a small instance (exact
costs), the independent checker catching each broken rule, the heuristics, and the command on the built-in."""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm
from typer.testing import CliRunner

from logistics.cli import app
from logistics.optimize.common import InvalidProblemError
from logistics.optimize.design import (
    Assignment,
    Demand,
    DesignParams,
    DesignProblem,
    InboundLane,
    Market,
    Site,
    SkuClass,
    builtin_design_path,
    check_design,
    evaluate_design,
    load_design,
    read_design,
    solve_design,
)


def small(seed: int) -> DesignProblem:
    """Three bonded sites, one overseas warehouse, three markets, two classes (one from each origin); lanes
    without transit variability, so the model's only approximation is the safety stock's interpolation."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sites = [
        Site(
            f"b{i}", "bonded", float(lon), float(lat), float(rng.uniform(1e6, 3e6)), float(rng.uniform(1500, 4000)), 5.0
        )
        for i, (lon, lat) in enumerate([(120.2, 30.3), (113.6, 34.8), (106.6, 29.6)])
    ]
    sites.append(
        Site(
            "o",
            "overseas",
            126.4,
            37.5,
            8e5,
            5000.0,
            3.0,
            origin="kr",
            gateway=(122.1, 37.5),
            parcel_days=1.5,
            parcel_cny_per_kg=float(rng.uniform(6, 16)),
        )
    )
    lanes = [
        InboundLane("kr", "b0", "sea", 4.0, 0.0, 0.8),
        InboundLane("kr", "b1", "air", 1.0, 0.0, 6.0),
        InboundLane("de", "b1", "air", 2.0, 0.0, 12.0),
        InboundLane("de", "b2", "rail", 16.0, 0.0, 4.0),
    ]
    markets = [
        Market(
            f"m{j}",
            float(lon),
            float(lat),
            tuple(
                Demand(k, float(rng.uniform(200, 1500)), float(rng.uniform(50, 400))) for k in ("kr_goods", "de_goods")
            ),
        )
        for j, (lon, lat) in enumerate([(121.5, 31.2), (113.3, 23.1), (104.1, 30.7)])
    ]
    return DesignProblem(
        "small",
        (SkuClass("kr_goods", "kr", 300.0, 0.6), SkuClass("de_goods", "de", 420.0, 2.0)),
        tuple(sites),
        tuple(lanes),
        tuple(markets),
        promise_days=4.0,
        service_target=0.7,
    )


def brute_force(problem: DesignProblem) -> float:
    """The least exact cost over every assignment of every (market, class) to one of its options (open sites:
    those used), by `evaluate_design`."""
    by_pair = defaultdict(list)
    for o in problem.options:
        by_pair[(o.market, o.sku_class)].append(Assignment(o.market, o.sku_class, o.mode, o.site, o.lane))
    best = math.inf
    for combo in itertools.product(*by_pair.values()):
        ev = evaluate_design(problem, {a.site for a in combo}, combo)
        if not ev.violations:
            best = min(best, ev.total_cny)
    return best


def interpolation_slack(problem: DesignProblem, segments: int) -> float:
    """The most the model's safety stock can be below the exact one, summed over the stock pools."""
    z = float(norm.ppf(problem.service_level))
    pools = defaultdict(float)
    lead = {}
    for o in problem.options:
        if o.mode == "1210":
            d = next(x for m in problem.markets if m.id == o.market for x in m.demand if x.sku_class == o.sku_class)
            pools[(o.site, o.sku_class, o.lane)] += d.sd_per_day**2
            lead[(o.site, o.sku_class, o.lane)] = o.lead_days
    return sum(
        problem.holding_rate * problem.sku(k).order_value_cny * z * math.sqrt(lead[(s, k, lane)] * v) / (4 * segments)
        for (s, k, lane), v in pools.items()
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_mip_matches_exhaustive_enumeration_within_its_stated_linearisation(seed: int) -> None:
    problem = small(seed)
    params = DesignParams(time_limit_s=30, relative_gap=0.0, segments=8)
    plan = solve_design(problem, params)
    assert plan.status.value == "optimal"
    assert check_design(problem, plan).ok, check_design(problem, plan).violations
    best = brute_force(problem)
    assert plan.cost_cny >= best - 1e-6 * best  # nothing beats the enumeration
    assert plan.cost_cny <= best + interpolation_slack(problem, params.segments) + 1e-6 * best


def test_the_checker_names_every_broken_rule() -> None:
    problem = small(0)
    plan = solve_design(problem, DesignParams(time_limit_s=30))
    assert check_design(problem, plan).ok
    first, *rest = plan.assignments

    def violations(**changes: object) -> str:
        return " | ".join(check_design(problem, replace(plan, **changes)).violations)

    assert "not served" in violations(assignments=tuple(rest))
    assert "assigned twice" in violations(assignments=(first, first, *rest))
    assert "cost" in violations(cost_cny=plan.cost_cny * 0.99)
    closed = tuple(s for s in plan.open_sites if s != first.site)
    assert "not open" in violations(open_sites=closed)
    wrong_mode = replace(first, mode="9610") if first.mode == "1210" else replace(first, mode="1210", lane="sea")
    assert "9610" in violations(assignments=(wrong_mode, *rest)) or "1210" in violations(
        assignments=(wrong_mode, *rest)
    )
    low_cap = replace(problem, sites=tuple(replace(s, capacity_orders_per_day=1.0) for s in problem.sites))
    assert "over its capacity" in " ".join(check_design(low_cap, plan).violations)
    strict = replace(problem, service_target=1.0, promise_days=0.1)
    assert "service" in " ".join(check_design(strict, plan).violations)


def test_an_order_over_the_retail_limit_is_left_out_and_never_served() -> None:
    problem = replace(small(1), per_order_limit_cny=350.0)  # de_goods (420 CNY an order) is over it
    plan = solve_design(problem, DesignParams(time_limit_s=30))
    assert {k for _, k, _ in plan.ineligible} == {"de_goods"}
    assert all(a.sku_class == "kr_goods" for a in plan.assignments)
    served_de = Assignment("m0", "de_goods", "1210", "b1", "air")
    assert "retail limit" in " ".join(
        check_design(problem, replace(plan, assignments=(*plan.assignments, served_de))).violations
    )


@pytest.mark.parametrize("method", ["single_hub", "greedy_add", "greedy_drop"])
def test_the_baselines_give_checked_plans_never_cheaper_than_the_mip(method: str) -> None:
    problem = load_design("pilot_zone_small")
    best = solve_design(problem, DesignParams(time_limit_s=60))
    plan = solve_design(problem, DesignParams(method=method, time_limit_s=60))
    if plan.assignments:
        assert check_design(problem, plan).ok
        slack = interpolation_slack(problem, 8) + best.cost_cny - best.model_cost_cny
        assert plan.cost_cny >= best.cost_cny - abs(slack) - 1.0
    else:  # a baseline may find no plan meeting the rules (single hub: the capacity or the promise)
        assert plan.status.value == "infeasible"


def test_the_built_in_design_is_solved_to_a_proven_gap_under_half_a_percent() -> None:
    problem = load_design("pilot_zone_small")
    plan = solve_design(problem, DesignParams(time_limit_s=60))
    assert plan.status.value == "optimal" and plan.gap < 0.005 and plan.runtime_s < 60
    assert check_design(problem, plan).ok


def test_the_design_command_writes_its_tables_and_answers_a_lower_retail_limit(tmp_path: Path) -> None:
    runner = CliRunner()
    base = runner.invoke(app, ["design", "pilot_zone_small", "--out", str(tmp_path / "a")])
    assert base.exit_code == 0, base.output
    lower = runner.invoke(
        app, ["design", "pilot_zone_small", "--out", str(tmp_path / "b"), "--set", "per_order_limit_cny=2000"]
    )
    assert lower.exit_code == 0, lower.output
    a = json.loads((tmp_path / "a" / "design.json").read_text())
    assert a["status"] == "optimal"
    left = pd.read_csv(tmp_path / "b" / "left_out.csv")
    assert set(left["sku_class"]) == {"handbags", "watches"}  # 3,500 and 6,000 CNY orders are over 2,000
    assigned = pd.read_csv(tmp_path / "b" / "assignments.csv")
    assert "handbags" not in set(assigned["sku_class"])
    sites = pd.read_csv(tmp_path / "a" / "sites.csv")
    problem = load_design("pilot_zone_small")
    eligible = sum(d.orders_per_day for m in problem.markets for d in m.demand if problem.eligible(d.sku_class))
    assert sites.loc[sites["open"], "orders_per_day"].sum() == pytest.approx(eligible)  # every eligible order
    assert (sites.loc[~sites["open"], "orders_per_day"] == 0).all()


def test_bad_input_names_the_field(tmp_path: Path) -> None:
    text = builtin_design_path("pilot_zone_small").read_text()
    bad = text.replace("cosmetics: {orders_per_day: 1800", "cosmetics: {orders_per_day: -5", 1)
    with pytest.raises(InvalidProblemError) as info:
        read_design(bad)
    assert "markets[0].demand.cosmetics.orders_per_day" in str(info.value)
    runner = CliRunner()
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace("site: hangzhou_bonded, mode: sea", "site: nowhere, mode: sea", 1))
    result = runner.invoke(app, ["design", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "lanes[0].site" in result.output


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d["sites"][0].update(capacity_orders_per_day=float("inf")), "sites[0].capacity_orders_per_day"),
        (lambda d: d["sites"][0].update(fixed_cny=1e300), "sites[0].fixed_cny"),
        (lambda d: d["lanes"].append(dict(d["lanes"][0])), "lanes[8]"),
        (lambda d: d["markets"][0]["demand"]["cosmetics"].update(orders_per_day=float("nan")), "orders_per_day"),
    ],
)
def test_fuzzed_designs_are_refused_naming_the_field(edit: object, field: str) -> None:
    import yaml

    data = yaml.safe_load(builtin_design_path("pilot_zone_small").read_text())
    edit(data)  # type: ignore[operator]
    with pytest.raises(InvalidProblemError) as info:
        read_design(yaml.safe_dump(data))
    assert field in str(info.value)


@pytest.mark.parametrize("method", ["mip", "lagrangian", "single_hub", "greedy_add", "greedy_drop"])
def test_a_design_with_nothing_to_serve_opens_nothing_and_costs_nothing(method: str) -> None:
    problem = replace(load_design("pilot_zone_small"), markets=())
    plan = solve_design(problem, DesignParams(method=method, time_limit_s=10))
    assert plan.open_sites == () and plan.cost_cny == 0.0 and check_design(problem, plan).ok


@pytest.mark.parametrize("method", ["mip", "lagrangian"])
def test_no_option_within_the_promise_is_infeasible_not_a_crash(method: str) -> None:
    problem = replace(load_design("pilot_zone_small"), promise_days=0.01, service_target=1.0)
    plan = solve_design(problem, DesignParams(method=method, time_limit_s=10))
    assert plan.status.value == "infeasible" and not check_design(problem, plan).ok


def test_a_solver_without_a_plan_in_its_limit_returns_the_checked_starting_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Out of time before it has a plan of its own (here: SCIP given no time at all), the design is the greedy
    starting plan, feasible and checked, with no proven gap: never 'no plan' while a feasible one is known."""
    from datetime import timedelta

    from ortools.math_opt.python import mathopt

    real = mathopt.solve

    def no_time(model, solver, *, params, **kw):  # type: ignore[no-untyped-def]
        return real(model, solver, params=mathopt.SolveParameters(time_limit=timedelta(0), threads=1), **kw)

    monkeypatch.setattr(mathopt, "solve", no_time)
    problem = load_design("pilot_zone_small")
    plan = solve_design(problem, DesignParams(time_limit_s=10))
    assert plan.status.value == "feasible" and "starting plan" in str(plan.stats["plan"])
    assert plan.gap == float("inf") and check_design(problem, plan).ok
