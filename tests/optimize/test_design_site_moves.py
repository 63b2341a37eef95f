"""The site moves of the design at scale (`logistics.optimize.design.site_moves`): a plan's cost kept current
as pairs move equals its exact cost recomputed from scratch, and every close, open and swap the search may keep
leaves a plan whose stated cost is exact and which keeps capacities, the service target and the emissions cap,
under random rules on the built-in China dataset."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.optimize.design import DesignProblem, load_design
from logistics.optimize.design.arrays import Arrays, arrays_of, plan_cost, plan_feasible, segment_argmin
from logistics.optimize.design.site_moves import PlanState, SiteMoves


@cache
def _china() -> DesignProblem:
    return load_design("pilot_zone_china")


def _ruled(cap_scale: float, target: float, co2e_share: float | None) -> tuple[Arrays, np.ndarray]:
    """The China dataset with capacities scaled, a service target and an optional emissions cap (a share of
    the cheapest-option plan's), as arrays, with a plan keeping them (a feasible start) or None."""
    base = _china()
    sites = tuple(replace(s, capacity_orders_per_day=s.capacity_orders_per_day * cap_scale) for s in base.sites)
    problem = replace(base, sites=sites, service_target=target)
    data = arrays_of(problem)
    cheapest = segment_argmin(data.linear, data.start[:-1])
    if co2e_share is not None:
        problem = replace(problem, max_co2e_t_per_year=float(data.co2e_t[cheapest].sum()) * co2e_share)
        data = arrays_of(problem)
    return data, cheapest


def _same(state: PlanState) -> None:
    exact = plan_cost(state.data, state.chosen)
    assert state.cost == pytest.approx(exact, rel=1e-9)
    assert state.feasible() == plan_feasible(state.data, state.chosen)
    load = np.bincount(state.data.site[state.chosen], weights=state.data.d, minlength=len(state.data.fixed))
    assert np.allclose(state.load, load)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), batches=st.integers(1, 12))
def test_the_kept_cost_is_the_exact_cost_after_any_moves(seed: int, batches: int) -> None:
    data, cheapest = _ruled(1.0, 0.85, 0.97)
    rng = np.random.default_rng(seed)
    state = PlanState(data, cheapest)
    _same(state)
    for _ in range(batches):
        pairs = rng.choice(data.n_pairs, size=int(rng.integers(1, data.n_pairs)), replace=False)
        options = data.start[pairs] + (rng.random(len(pairs)) * (data.start[pairs + 1] - data.start[pairs])).astype(int)
        state.assign(pairs, options)
        _same(state)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    cap_scale=st.floats(0.3, 3.0),
    target=st.floats(0.0, 1.0),
    co2e_share=st.one_of(st.none(), st.floats(0.9, 1.2)),
)
def test_every_move_is_exactly_costed_and_keeps_the_rules(seed: int, cap_scale: float, target: float, co2e_share):
    data, cheapest = _ruled(cap_scale, target, co2e_share)
    start = PlanState(data, cheapest)
    if not start.feasible():  # the moves start from a plan that keeps the rules
        return
    moves = SiteMoves(data)
    rng = np.random.default_rng(seed)
    state = start
    for _ in range(12):
        used = np.flatnonzero(state.used())
        unused = np.flatnonzero(~state.used())
        kind = rng.integers(3)
        if kind == 0 and len(used):
            k = int(rng.choice(used))
            trial = moves.close(state, k)
            if trial is not None:
                assert not trial.used()[k]
        elif kind == 1 and len(unused):
            j = int(rng.choice(unused))
            trial, sources = moves.open(state, j)
            if trial is not None:
                assert trial.used()[j]
                assert set(sources.tolist()) <= set(used.tolist())
        elif len(used) and len(unused):
            k, j = int(rng.choice(used)), int(rng.choice(unused))
            trial = moves.swap(state, k, j)
            if trial is not None:
                assert not trial.used()[k]
        else:
            continue
        if trial is None:
            continue
        _same(trial)
        assert trial.feasible()
        _same(state)  # the plan moved from is untouched
        state = trial


def test_closing_a_site_moves_its_pairs_to_their_cheapest_place_when_room_is_plenty() -> None:
    """With capacity to spare, a closed site's pairs each land on the option with the least cost of joining
    among the sites in use (so the move's cost is what a planner would compute by hand, pair by pair)."""
    data, cheapest = _ruled(100.0, 0.0, None)
    state = PlanState(data, cheapest)
    moves = SiteMoves(data)
    k = int(np.flatnonzero(state.used() & (data.fixed > 0))[0])
    trial = moves.close(state, k)
    assert trial is not None
    pairs = np.flatnonzero(data.site[state.chosen] == k)
    open_sites = (state.used() | (data.fixed <= 0)) & (np.arange(len(data.fixed)) != k)
    for p in pairs.tolist():
        best = math.inf
        for o in moves.cand[moves.cand_start[p] : moves.cand_start[p + 1]].tolist():
            if not open_sites[data.site[o]]:
                continue
            one = state.copy()
            before = one.cost
            one.assign(np.array([p]), np.array([o]))
            best = min(best, one.cost - before)
        moved = state.copy()
        before = moved.cost
        moved.assign(np.array([p]), np.array([trial.chosen[p]]))
        assert moved.cost - before == pytest.approx(best, rel=1e-9, abs=1e-6)


def test_the_transportation_step_sends_each_pair_to_its_cheapest_open_option_when_capacity_is_loose() -> None:
    from logistics.optimize.design.transport import UNITS_PER_ORDER, transport_assignment

    data, cheapest = _ruled(100.0, 0.0, None)
    moves = SiteMoves(data)
    rng = np.random.default_rng(3)
    open_mask = rng.random(len(data.fixed)) < 0.5
    open_mask[data.site[cheapest[0]]] = True
    cand = moves.cand
    price = data.linear[cand]
    got, _ = transport_assignment(data, cand, price, cheapest, open_mask)
    for p in range(data.n_pairs):
        here = cand[moves.cand_start[p] : moves.cand_start[p + 1]]
        here = here[open_mask[data.site[here]]]
        if not len(here) or round(data.d[p] * UNITS_PER_ORDER) == 0:
            assert got[p] == cheapest[p]  # nothing to carry its flow: kept
            continue
        assert data.linear[got[p]] == pytest.approx(data.linear[here].min(), rel=1e-6)
