"""Pick-path policies: known values, and no heuristic ever beats the exact tour."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.optimize import InvalidProblemError
from logistics.optimize.picking.single_block import (
    POLICIES,
    Pick,
    PickLists,
    SingleBlockLayout,
    held_karp_tour_m,
    pick_tour_m,
    pick_tours_m,
)

LAYOUT = SingleBlockLayout(aisles=10, aisle_length_m=20.0, aisle_spacing_m=3.0)


def test_known_values() -> None:
    picks = [Pick(0, 5.0), Pick(2, 15.0)]
    # Horizontal 2 x 6 m both ways; return: 2 x 5 + 2 x 15; S-shape: two traversals of 20 m.
    assert pick_tour_m(LAYOUT, picks, "return") == pytest.approx(12 + 40)
    assert pick_tour_m(LAYOUT, picks, "s_shape") == pytest.approx(12 + 40)
    assert pick_tour_m(LAYOUT, picks, "optimal") == pytest.approx(12 + 40)
    single = [Pick(1, 4.0)]
    assert pick_tour_m(LAYOUT, single, "s_shape") == pytest.approx(6 + 8)
    assert pick_tour_m(LAYOUT, single, "optimal") == pytest.approx(6 + 8)
    three = [Pick(0, 2.0), Pick(1, 18.0), Pick(1, 3.0), Pick(2, 10.0)]
    # Largest gap in aisle 1: 3 -> 18 (15 m) skipped: 2 x (20 - 15) = 10; first and last traversed: 40.
    assert pick_tour_m(LAYOUT, three, "largest_gap") == pytest.approx(12 + 40 + 10)
    assert pick_tour_m(LAYOUT, three, "midpoint") == pytest.approx(12 + 40 + 2 * 3 + 2 * 2)


pick_lists = st.lists(
    st.tuples(st.integers(0, 9), st.one_of(st.just(0.0), st.just(20.0), st.floats(0, 20))), min_size=0, max_size=9
)
depots = st.one_of(st.sampled_from([0.0, 6.0, 27.0]), st.floats(-5, 32))


@settings(max_examples=300, deadline=None)
@given(pick_lists, depots)
def test_no_heuristic_beats_the_optimum(raw: list, depot_x: float) -> None:
    layout = SingleBlockLayout(10, 20.0, 3.0, depot_x_m=depot_x)
    picks = [Pick(a, y) for a, y in raw]
    best = pick_tour_m(layout, picks, "optimal")
    for name in POLICIES:
        assert pick_tour_m(layout, picks, name) >= best - 1e-6, name  # metres: float sums of a few aisles
    # The combined policy chooses per aisle among the moves S-shape and return make.
    combined = pick_tour_m(layout, picks, "combined")
    assert combined <= min(pick_tour_m(layout, picks, "s_shape"), pick_tour_m(layout, picks, "return")) + 1e-9


@settings(max_examples=300, deadline=None)
@given(pick_lists, depots, st.integers(1, 6))
def test_ratliff_rosenthal_equals_held_karp(raw: list, depot_x: float, aisles: int) -> None:
    layout = SingleBlockLayout(aisles, 20.0, 3.0, depot_x_m=depot_x)
    picks = [Pick(a % aisles, y) for a, y in raw]
    assert pick_tour_m(layout, picks, "optimal") == pytest.approx(held_karp_tour_m(layout, picks), abs=1e-6)


def test_vectorised_equals_one_by_one() -> None:
    rng = np.random.default_rng(3)
    lists = [
        [Pick(int(a), float(y)) for a, y in zip(rng.integers(0, 10, k), rng.uniform(0, 20, k), strict=True)]
        for k in rng.integers(0, 25, 200)
    ]
    packed = PickLists.from_lists(lists)
    for name in POLICIES:
        batch = pick_tours_m(LAYOUT, packed, name)
        assert batch == pytest.approx([pick_tour_m(LAYOUT, p, name) for p in lists]), name


def test_optimal_handles_long_lists() -> None:
    rng = np.random.default_rng(4)
    picks = [Pick(int(a), float(y)) for a, y in zip(rng.integers(0, 10, 60), rng.uniform(0, 20, 60), strict=True)]
    best = pick_tour_m(LAYOUT, picks, "optimal")
    # Sixty picks over ten aisles: every aisle is entered; no heuristic does better.
    assert 0 < best <= min(pick_tour_m(LAYOUT, picks, p) for p in POLICIES)


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InvalidProblemError, match=r"picks\[1\]\.aisle"):
        pick_tour_m(LAYOUT, [Pick(0, 1.0), Pick(12, 1.0)])
    with pytest.raises(InvalidProblemError, match="policy"):
        pick_tour_m(LAYOUT, [Pick(0, 1.0)], "zigzag")
    with pytest.raises(InvalidProblemError, match=r"picks\[0\]\.y_m"):
        pick_tours_m(LAYOUT, PickLists(np.array([0, 1]), np.array([0]), np.array([25.0])))
    with pytest.raises(InvalidProblemError, match="aisle_length_m"):
        SingleBlockLayout(3, 0.0, 2.0)
