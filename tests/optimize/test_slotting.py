"""Slotting: the exact flow model against scipy's assignment, constraints, infeasibility, baselines, affinity,
re-slotting, and the independent checker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.optimize import InvalidProblemError
from logistics.optimize.picking.layout import Zone, ZoneBand, generate_layout
from logistics.optimize.picking.single_block import Pick, pick_tour_m
from logistics.optimize.slotting import (
    METHODS,
    OrderHistory,
    SkuTable,
    SlottingParams,
    SlottingPlan,
    SlottingProblem,
    check_slotting,
    count_moves,
    history_travel_m,
    improve_affinity,
    read_skus_csv,
    reslot,
    solve_slotting,
)
from logistics.optimize.slotting.examples import bonded_layout, generate_orders, generate_skus

linear_sum_assignment = pytest.importorskip("scipy.optimize").linear_sum_assignment

AMBIENT = Zone("ambient")
COLD = Zone("cold", "cold", temperature="chilled")
GENERAL = Zone("general", "general", bonded=False)


def _units_cost(problem: SlottingProblem, forbid: bool) -> tuple[np.ndarray, np.ndarray]:
    """The dense unit x slot cost matrix of a problem (one row per slot load), forbidden pairs at a huge cost."""
    skus = problem.skus
    rows = np.repeat(np.arange(len(skus)), skus.slots)
    value = skus.picks[rows] / skus.slots[rows]
    cost = np.outer(value, problem.layout.travel_cost_m)
    if forbid:
        ok = problem.feasible[problem.sku_type[rows]][:, problem.slot_type]
        cost = np.where(ok, cost, 1e12)
    return cost, rows


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 5), st.integers(1, 3), st.floats(0, 6), st.integers(0, 10**6), st.booleans())
def test_exact_matches_linear_sum_assignment(
    aisles: int, bays: int, levels: int, penalty: float, seed: int, multi: bool
) -> None:
    layout = generate_layout(
        [ZoneBand(AMBIENT, aisles)], bays_per_block=bays, levels=levels, ergonomic_penalty_m=penalty
    )
    rng = np.random.default_rng(seed)
    n_slots = len(layout.slots)
    slots = rng.integers(1, 3, n_slots) if multi else np.ones(n_slots, dtype=int)
    n = int(rng.integers(1, n_slots + 1))
    keep = np.cumsum(slots[:n]) <= n_slots
    n = max(1, int(keep.sum()))
    skus = SkuTable.build(
        [f"s{i}" for i in range(n)], rng.integers(0, 50, n).astype(float), [10.0] * n, [1.0] * n, slots=slots[:n]
    )
    problem = SlottingProblem(layout, skus)
    plan = solve_slotting(problem)
    cost, _ = _units_cost(problem, forbid=False)
    r, c = linear_sum_assignment(cost)
    assert plan.status == "optimal"
    assert plan.objective_m == pytest.approx(cost[r, c].sum(), rel=1e-7, abs=1e-6)
    assert check_slotting(problem, plan).ok


def _mixed_problem(seed: int, n: int = 40) -> SlottingProblem:
    """Three zones, two slot sizes by level, SKUs of every kind: constraints that bind."""
    layout = generate_layout(
        [ZoneBand(AMBIENT, 2), ZoneBand(COLD, 1), ZoneBand(GENERAL, 1)],
        bays_per_block=4,
        levels=2,
        level_volume_l=[200.0, 50.0],
        level_max_weight_kg=[300.0, 20.0],
    )
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, n, p=[0.6, 0.2, 0.2])
    big = rng.random(n) < 0.3
    return SlottingProblem(
        layout,
        SkuTable.build(
            [f"s{i}" for i in range(n)],
            rng.integers(1, 100, n).astype(float),
            np.where(big, 150.0, 30.0),
            np.where(big, 100.0, 10.0),
            slots=np.where(rng.random(n) < 0.1, 2, 1),
            bonded=kind != 2,
            temperature=np.where(kind == 1, "chilled", "ambient"),
        ),
    )


@pytest.mark.parametrize("seed", range(6))
def test_constrained_exact_matches_assignment_and_beats_baselines(seed: int) -> None:
    problem = _mixed_problem(seed)
    plans = {m: solve_slotting(problem, SlottingParams(m, seed)) for m in METHODS}
    for m, plan in plans.items():
        report = check_slotting(problem, plan)
        assert report.ok, (m, report.violations)
    best = plans["optimal"]
    if best.status == "optimal":
        cost, _ = _units_cost(problem, forbid=True)
        r, c = linear_sum_assignment(cost)
        assert best.objective_m == pytest.approx(cost[r, c].sum(), rel=1e-7)
        for m, plan in plans.items():
            if plan.status != "infeasible":
                assert best.objective_m <= plan.objective_m + 1e-6, m


def test_more_skus_than_fitting_slots_names_what_does_not_fit() -> None:
    layout = generate_layout([ZoneBand(AMBIENT, 2), ZoneBand(COLD, 1)], bays_per_block=3, levels=2)
    n_cold_slots = int((layout.slots.zone == 1).sum())
    n = n_cold_slots + 5
    skus = SkuTable.build(
        [f"c{i}" for i in range(n)], np.arange(n, 0, -1.0), [10.0] * n, [1.0] * n, temperature=["chilled"] * n
    )
    problem = SlottingProblem(layout, skus)
    plan = solve_slotting(problem)
    assert plan.status == "infeasible"
    assert "5 of" in plan.message and "chilled" in plan.message
    assert sum(plan.unplaced.values()) == 5
    # The slots that exist are used, by the fastest movers, and nothing breaks a rule.
    assert (plan.sku_of_slot[layout.slots.zone == 1] >= 0).all()
    assert set(plan.unplaced) == {f"c{i}" for i in range(n - 5, n)}
    assert check_slotting(problem, plan).ok


def test_checker_finds_violations() -> None:
    problem = _mixed_problem(1)
    plan = solve_slotting(problem)
    wrong = plan.sku_of_slot.copy()
    cold_sku = int(np.flatnonzero(problem.skus.temperature == "chilled")[0])
    ambient_slot = int(np.flatnonzero(problem.layout.slots.zone == 0)[0])
    wrong[wrong == cold_sku] = -1
    wrong[ambient_slot] = cold_sku
    bad = SlottingPlan("x", "feasible", wrong, plan.objective_m, {})
    report = check_slotting(problem, bad)
    text = " ".join(report.violations)
    assert not report.ok
    assert "chilled goods in ambient zone" in text and "reported objective" in text
    assert "holds" in text  # the SKU that lost its slot without being reported unplaced


def test_bad_input_names_the_field(tmp_path: Path) -> None:
    layout = generate_layout([ZoneBand(AMBIENT, 1)], bays_per_block=2, levels=1)
    with pytest.raises(InvalidProblemError, match=r"skus\[b\]\.picks"):
        SlottingProblem(layout, SkuTable.build(["a", "b"], [1.0, -2.0], [1.0, 1.0], [1.0, 1.0]))
    with pytest.raises(InvalidProblemError, match=r"skus\[a\]\.zones.*'attic'"):
        SlottingProblem(layout, SkuTable.build(["a"], [1.0], [1.0], [1.0], zones=["attic"]))
    with pytest.raises(InvalidProblemError, match=r"skus\.sku_id.*duplicate"):
        SlottingProblem(layout, SkuTable.build(["a", "a"], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]))
    with pytest.raises(InvalidProblemError, match="method"):
        solve_slotting(SlottingProblem(layout, SkuTable.build(["a"], [1.0], [1.0], [1.0])), SlottingParams("clever"))
    path = tmp_path / "skus.csv"
    path.write_text("sku_id,picks,volume_l,weight_kg,temperature\na,3,10,1,ambient\nb,x,10,1,ambient\n")
    with pytest.raises(InvalidProblemError, match=r"skus.csv:3: picks"):
        read_skus_csv(path)
    path.write_text("sku_id,picks,volume,weight_kg\n")
    with pytest.raises(InvalidProblemError, match=r"skus.csv:1.*missing column.*volume_l"):
        read_skus_csv(path)
    path.write_text("sku_id,picks,volume_l,weight_kg,slots,hazardous\na,3,10,1,2,no\n")
    table = read_skus_csv(path)
    assert table.slots.tolist() == [2] and table.bonded.tolist() == [True] and table.hazardous.tolist() == [False]


def _generated(seed: int = 0, aisles: int = 8, bays: int = 12) -> tuple[SlottingProblem, OrderHistory]:
    layout = bonded_layout(aisles=aisles, bays_per_block=bays, levels=3)
    skus = generate_skus(layout, int(len(layout.slots) * 0.7), np.random.default_rng(seed))
    problem = SlottingProblem(layout, skus)
    return problem, generate_orders(skus, 3000, np.random.default_rng(seed + 1), mean_lines=2.0, pair_probability=0.7)


def test_history_travel_is_the_pick_path_of_each_order() -> None:
    problem, orders = _generated()
    plan = solve_slotting(problem)
    travel = history_travel_m(problem, plan, orders, "optimal")
    geometry = problem.layout.routing()
    for k in range(0, len(orders), 300):
        picks = []
        for sku in orders.sku[orders.ptr[k] : orders.ptr[k + 1]]:
            slots = plan.slots_of(int(sku))
            if len(slots) == 1:
                picks.append(Pick(int(problem.layout.slots.aisle[slots[0]]), float(problem.layout.slots.y_m[slots[0]])))
        if len(picks) == orders.ptr[k + 1] - orders.ptr[k]:
            assert travel[k] == pytest.approx(pick_tour_m(geometry, picks, "optimal"))


def test_optimal_slotting_cuts_history_travel_and_affinity_cuts_more() -> None:
    problem, orders = _generated()
    random_plan = solve_slotting(problem, SlottingParams("random", 3))
    best = solve_slotting(problem)
    affinity = improve_affinity(problem, best, orders, max_loss=0.02)
    t_random = history_travel_m(problem, random_plan, orders, "optimal").sum()
    t_best = history_travel_m(problem, best, orders, "optimal").sum()
    t_aff = history_travel_m(problem, affinity, orders, "largest_gap").sum()
    assert t_best < 0.9 * t_random
    assert t_aff < history_travel_m(problem, best, orders, "largest_gap").sum()
    assert affinity.objective_m <= best.objective_m * 1.02 + 1e-6
    assert check_slotting(problem, affinity).ok


def test_reslot_respects_the_move_budget() -> None:
    problem, _ = _generated(aisles=6, bays=8)
    current = solve_slotting(problem, SlottingParams("random", 1)).sku_of_slot
    best = solve_slotting(problem)
    previous = np.inf
    for k in (0, 5, 20, 80, 10_000):
        plan = reslot(problem, current, k)
        assert count_moves(current, plan.sku_of_slot) <= k
        assert check_slotting(problem, plan).ok
        assert plan.objective_m <= previous + 1e-6
        previous = plan.objective_m
    assert previous == pytest.approx(best.objective_m, rel=1e-7)
    with pytest.raises(InvalidProblemError, match="max_moves"):
        reslot(problem, current, -1)
