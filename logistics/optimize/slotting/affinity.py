"""Order-history travel of a plan, and `improve_affinity`: SKUs ordered together moved into the same aisle at a
bounded loss of the travel objective."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict

import numpy as np

from logistics.optimize.picking.multiblock import MultiBlockLayout, multiblock_tour
from logistics.optimize.picking.single_block import Pick, PickLists, pick_tours_m
from logistics.optimize.slotting.flow import _finish
from logistics.optimize.slotting.problem import OrderHistory, SlottingPlan, SlottingProblem

__all__ = ["history_travel_m", "improve_affinity"]


def _line_slots(problem: SlottingProblem, plan: SlottingPlan, orders: OrderHistory) -> np.ndarray:
    """The slot each order line is picked from (-1 if the SKU has none). An SKU in several slots is picked
    from them in turn by a fixed hash of (order, SKU), so plans compare under common random numbers."""
    sku_of_slot = plan.sku_of_slot
    held = np.flatnonzero(sku_of_slot >= 0)
    order = np.argsort(sku_of_slot[held], kind="stable")
    slots_sorted = held[order]
    first = np.searchsorted(sku_of_slot[held][order], np.arange(len(problem.skus) + 1))
    count = np.diff(first)
    owner = np.repeat(np.arange(len(orders)), np.diff(orders.ptr))
    line_count = count[orders.sku]
    pick = (owner * 2654435761 + orders.sku * 40503) % np.maximum(line_count, 1)
    return np.where(line_count > 0, slots_sorted[np.minimum(first[orders.sku] + pick, len(slots_sorted) - 1)], -1)


def history_travel_m(
    problem: SlottingProblem, plan: SlottingPlan, orders: OrderHistory, policy: str = "largest_gap"
) -> np.ndarray:
    """Walking distance (m) of every order of the history, picked alone under a routing policy, with the
    plan's slots (vectorised pick-path evaluation on single-block layouts; tour by tour on multi-block ones,
    where the policies are those of `MULTIBLOCK_POLICIES`). Lines of SKUs without a slot are left out."""
    slot = _line_slots(problem, plan, orders)
    keep = slot >= 0
    owner = np.repeat(np.arange(len(orders)), np.diff(orders.ptr))[keep]
    ptr = np.searchsorted(owner, np.arange(len(orders) + 1)).astype(np.int64)
    slots = problem.layout.slots
    lists = PickLists(ptr, slots.aisle[slot[keep]], slots.y_m[slot[keep]])
    geometry = problem.layout.routing()
    if isinstance(geometry, MultiBlockLayout):  # one tour at a time on the aisle graph
        return np.array(
            [
                multiblock_tour(
                    geometry,
                    [Pick(int(a), float(y)) for a, y in zip(lists.aisle[lo:hi], lists.y_m[lo:hi], strict=True)],
                    policy,
                ).length_m
                for lo, hi in itertools.pairwise(ptr.tolist())
            ]
        )
    return pick_tours_m(geometry, lists, policy)


def _pair_weights(orders: OrderHistory, n_skus: int, max_lines: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How often each pair of SKUs is ordered together (orders of 2..max_lines lines): (a, b, count), a < b."""
    sizes = np.diff(orders.ptr)
    keys = []
    for m in range(2, max_lines + 1):
        rows = np.flatnonzero(sizes == m)
        if len(rows) == 0:
            continue
        block = orders.sku[orders.ptr[rows][:, None] + np.arange(m)[None, :]]
        i, j = np.triu_indices(m, 1)
        a, b = np.minimum(block[:, i], block[:, j]).ravel(), np.maximum(block[:, i], block[:, j]).ravel()
        keys.append(a * n_skus + b)
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    uniq, counts = np.unique(np.concatenate(keys), return_counts=True)
    return uniq // n_skus, uniq % n_skus, counts


def improve_affinity(
    problem: SlottingProblem,
    plan: SlottingPlan,
    orders: OrderHistory,
    max_loss: float = 0.01,
    max_pairs: int = 20_000,
    candidates: int = 6,
    policy: str = "largest_gap",
) -> SlottingPlan:
    """Place SKUs often ordered together in the same aisle: for the most frequent pairs in different aisles,
    move one SKU into a same-type slot (empty, or swapped with a single-slot SKU) in its partner's aisle, taking
    the candidate that joins most co-ordered pairs; the expected-travel objective may worsen by at most
    `max_loss` (share) in all. Kept only if the history's picking travel under `policy` goes down."""
    t0 = time.perf_counter()
    n = len(problem.skus)
    slots = problem.layout.slots
    cost = problem.layout.travel_cost_m
    value = problem.skus.picks / problem.skus.slots
    a_arr, b_arr, w_arr = _pair_weights(orders, n)
    neighbours: dict[int, dict[int, int]] = defaultdict(dict)
    for a, b, w in zip(a_arr.tolist(), b_arr.tolist(), w_arr.tolist(), strict=True):
        neighbours[a][b] = w
        neighbours[b][a] = w
    sku_of_slot = plan.sku_of_slot.copy()
    held = np.bincount(sku_of_slot[sku_of_slot >= 0], minlength=n)
    slot_of = np.full(n, -1, dtype=np.int64)
    singles = np.flatnonzero(sku_of_slot >= 0)
    slot_of[sku_of_slot[singles]] = singles  # meaningful for single-slot SKUs only
    aisle_of = np.where(slot_of >= 0, slots.aisle[np.maximum(slot_of, 0)], -1)
    pools: dict[tuple[int, int], np.ndarray] = {}
    for key in set(zip(problem.slot_type.tolist(), slots.aisle.tolist(), strict=True)):
        members = np.flatnonzero((problem.slot_type == key[0]) & (slots.aisle == key[1]))
        pools[key] = members[np.argsort(cost[members], kind="stable")]

    def together(x: int, aisle: int, exclude: int) -> int:
        return sum(w for y, w in neighbours[x].items() if y != exclude and aisle_of[y] == aisle)

    before = plan.objective_m
    budget = max_loss * before
    spent = 0.0
    moves = 0
    top = np.argsort(-w_arr, kind="stable")[:max_pairs]
    for p in top.tolist():
        pair = (int(a_arr[p]), int(b_arr[p]))
        if aisle_of[pair[0]] == aisle_of[pair[1]]:
            continue
        best: tuple[float, float, int, int] | None = None  # (-gain, loss, mover, target slot)
        for mover, anchor in (pair, pair[::-1]):
            if held[mover] != 1 or slot_of[mover] < 0 or aisle_of[anchor] < 0:
                continue
            src = int(slot_of[mover])
            a_from, a_to = int(aisle_of[mover]), int(aisle_of[anchor])
            pool = pools.get((int(problem.slot_type[src]), a_to))
            if pool is None or len(pool) == 0:
                continue
            at = int(np.searchsorted(cost[pool], cost[src]))
            for dst in pool[max(0, at - candidates // 2) : at + candidates // 2 + 1].tolist():
                other = int(sku_of_slot[dst])
                if other >= 0 and held[other] != 1:
                    continue
                gain = together(mover, a_to, other) - together(mover, a_from, other)
                loss = value[mover] * (cost[dst] - cost[src])
                if other >= 0:
                    gain += together(other, a_from, mover) - together(other, a_to, mover)
                    gain -= 2 * neighbours[mover].get(other, 0)
                    loss += value[other] * (cost[src] - cost[dst])
                if gain <= 0 or spent + loss > budget:
                    continue
                if best is None or (-gain, loss) < best[:2]:
                    best = (-gain, loss, mover, dst)
        if best is None:
            continue
        _, loss, mover, dst = best
        src = int(slot_of[mover])
        other = int(sku_of_slot[dst])
        sku_of_slot[dst], sku_of_slot[src] = mover, other
        slot_of[mover], aisle_of[mover] = dst, slots.aisle[dst]
        if other >= 0:
            slot_of[other], aisle_of[other] = src, slots.aisle[src]
        spent += loss
        moves += 1
    return _kept_if_shorter(problem, plan, sku_of_slot, orders, policy, moves, len(a_arr), t0)


def _kept_if_shorter(
    problem: SlottingProblem,
    plan: SlottingPlan,
    sku_of_slot: np.ndarray,
    orders: OrderHistory,
    policy: str,
    moves: int,
    pairs: int,
    t0: float,
) -> SlottingPlan:
    """The moved plan if the history's picking travel under `policy` is shorter with it, else `plan` as it was
    (both with the moves' statistics)."""
    before = plan.objective_m
    improved = _finish(problem, "affinity", sku_of_slot, "feasible", {})
    travel_before = float(history_travel_m(problem, plan, orders, policy).sum())
    travel_after = float(history_travel_m(problem, improved, orders, policy).sum())
    stats = {
        "moves": moves,
        "objective_loss_pct": 100.0 * (improved.objective_m - before) / before if before else 0.0,
        "history_travel_before_m": travel_before,
        "history_travel_after_m": travel_after,
        "pairs": pairs,
        "wall_s": time.perf_counter() - t0,
    }
    if travel_after >= travel_before:
        return SlottingPlan(
            "affinity",
            plan.status,
            plan.sku_of_slot,
            plan.objective_m,
            plan.unplaced,
            "no affinity move shortened the history's travel; plan unchanged",
            stats,
        )
    return SlottingPlan("affinity", "feasible", sku_of_slot, improved.objective_m, improved.unplaced, "", stats)
