"""Multi-block pick paths: exact distances, exact tours, the heuristic never beats them, and one block agrees
with the single-block Ratliff-Rosenthal tour."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.optimize import InvalidProblemError
from logistics.optimize.picking.layout import Zone, ZoneBand, generate_layout
from logistics.optimize.picking.multiblock import MultiBlockLayout, multiblock_tour
from logistics.optimize.picking.single_block import Pick, SingleBlockLayout, pick_tour_m
from logistics.optimize.slotting import SkuTable, SlottingParams, SlottingProblem, history_travel_m, solve_slotting
from logistics.optimize.slotting.examples import generate_orders

THREE = MultiBlockLayout(aisles=6, aisle_spacing_m=3.0, cross_y_m=(0.0, 12.0, 24.0, 36.0), depot_x_m=0.0)
points = st.tuples(st.integers(0, 5), st.floats(0, 36))


def test_known_distances() -> None:
    assert THREE.distance_m((0, 5.0), (0, 30.0)) == pytest.approx(25.0)  # along the aisle
    assert THREE.distance_m((0, 5.0), (2, 7.0)) == pytest.approx(6.0 + 5.0 + 7.0)  # via the front cross aisle
    assert THREE.distance_m((0, 10.0), (1, 14.0)) == pytest.approx(3.0 + 4.0)  # via the middle cross aisle
    assert THREE.distance_m((-1, 0.0), (1, 14.0)) == pytest.approx(3.0 + 14.0)  # from the depot


@settings(max_examples=200, deadline=None)
@given(points, points, points)
def test_distances_are_a_metric(a: tuple, b: tuple, c: tuple) -> None:
    assert THREE.distance_m(a, b) == pytest.approx(THREE.distance_m(b, a))
    assert THREE.distance_m(a, c) <= THREE.distance_m(a, b) + THREE.distance_m(b, c) + 1e-9


@settings(max_examples=150, deadline=None)
@given(st.lists(points, max_size=8))
def test_heuristics_never_beat_the_exact_tour(raw: list) -> None:
    picks = [Pick(a, y) for a, y in raw]
    best = multiblock_tour(THREE, picks, "optimal")
    assert best.proven_optimal
    for policy in ("s_shape", "largest_gap", "combined"):
        tour = multiblock_tour(THREE, picks, policy)
        assert tour.length_m >= best.length_m - 1e-9
        assert sorted(tour.order) == list(range(len(set(raw))))  # every pick visited once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.floats(0, 20)), max_size=8), st.sampled_from([0.0, 6.0, 15.0]))
def test_one_block_agrees_with_ratliff_rosenthal(raw: list, depot_x: float) -> None:
    picks = [Pick(a, y) for a, y in raw]
    multi = MultiBlockLayout(6, 3.0, (0.0, 20.0), depot_x)
    single = SingleBlockLayout(6, 20.0, 3.0, depot_x)
    assert multiblock_tour(multi, picks, "optimal").length_m == pytest.approx(pick_tour_m(single, picks, "optimal"))


def test_long_lists_use_the_tsp_and_stay_close() -> None:
    rng = np.random.default_rng(2)
    picks = [Pick(int(a), float(y)) for a, y in zip(rng.integers(0, 6, 25), rng.uniform(0, 36, 25), strict=True)]
    tour = multiblock_tour(THREE, picks, "optimal", time_limit_s=0.5)
    assert not tour.proven_optimal and sorted(tour.order) == list(range(len(set((p.aisle, p.y_m) for p in picks))))
    assert tour.length_m <= multiblock_tour(THREE, picks, "s_shape").length_m + 1e-9


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InvalidProblemError, match=r"picks\[0\]\.y_m"):
        multiblock_tour(THREE, [Pick(0, 40.0)])
    with pytest.raises(InvalidProblemError, match="cross_y_m"):
        MultiBlockLayout(3, 3.0, (0.0,))
    with pytest.raises(InvalidProblemError, match="policy"):
        multiblock_tour(THREE, [Pick(0, 1.0)], "midpoint")


def test_history_travel_on_a_two_block_warehouse() -> None:
    layout = generate_layout([ZoneBand(Zone("z"), 4)], bays_per_block=5, levels=2, blocks=2)
    n = 60
    skus = SkuTable.build([f"s{i}" for i in range(n)], np.arange(n, 0, -1.0), [10.0] * n, [1.0] * n)
    problem = SlottingProblem(layout, skus)
    orders = generate_orders(skus, 200, np.random.default_rng(0), mean_lines=2.0)
    best = history_travel_m(problem, solve_slotting(problem), orders, "optimal")
    rand = history_travel_m(problem, solve_slotting(problem, SlottingParams("random")), orders, "optimal")
    assert len(best) == 200 and best.mean() < rand.mean()
    assert (history_travel_m(problem, solve_slotting(problem), orders, "s_shape") >= best - 1e-9).all()


def test_heuristics_on_one_block_are_no_longer_than_the_single_block_rules() -> None:
    rng = np.random.default_rng(7)
    multi = MultiBlockLayout(8, 3.0, (0.0, 20.0), 0.0)
    single = SingleBlockLayout(8, 20.0, 3.0, 0.0)
    for _ in range(200):
        k = int(rng.integers(1, 15))
        picks = [Pick(int(a), float(y)) for a, y in zip(rng.integers(0, 8, k), rng.uniform(0, 20, k), strict=True)]
        for policy in ("s_shape", "largest_gap", "combined"):
            # Same visiting rule; the walk between picks is the shortest, so never longer than the textbook path.
            assert multiblock_tour(multi, picks, policy).length_m <= pick_tour_m(single, picks, policy) + 1e-9
