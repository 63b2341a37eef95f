"""The exact slotting method: a min-cost flow SKU -> slot class -> sink solved with OR-Tools by column
generation (see the package docstring), and the fill of slots from a class assignment."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from logistics.optimize.slotting.problem import SlottingPlan, SlottingProblem, plan_objective_m

__all__ = ["COST_RESOLUTION", "PRICING_WINDOW", "SEED_WINDOW"]


# --- the exact solver ----------------------------------------------------------------------------------------


@dataclass
class _Classes:
    type: np.ndarray  # slot type of the class
    cost: np.ndarray  # travel cost (m)
    count: np.ndarray
    members: list[np.ndarray]  # slot indices, in a stable order
    by_type: list[np.ndarray]  # class indices of each slot type, by cost


def _classes(problem: SlottingProblem, cost: np.ndarray) -> tuple[_Classes, np.ndarray]:
    keys = np.stack([problem.slot_type.astype(float), np.round(cost, 6)], axis=1)  # equal up to a micrometre
    uniq, class_of = np.unique(keys, axis=0, return_inverse=True)
    class_of = class_of.ravel()
    order = np.argsort(class_of, kind="stable")
    bounds = np.searchsorted(class_of[order], np.arange(len(uniq) + 1))
    members = [order[bounds[k] : bounds[k + 1]] for k in range(len(uniq))]
    types = uniq[:, 0].astype(np.int64)
    by_type = [np.flatnonzero(types == t) for t in range(problem.feasible.shape[1])]  # uniq is sorted by cost
    return _Classes(types, uniq[:, 1], np.diff(bounds), members, by_type), class_of


def _potentials(n_nodes: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Shortest distances from a virtual root joined to every node by a zero arc (Bellman-Ford, vectorised)."""
    d = np.zeros(n_nodes, dtype=np.int64)
    if len(tail) == 0:
        return d
    order = np.argsort(head, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]])
    heads = head[starts]
    for _ in range(n_nodes + 1):
        best = np.minimum.reduceat(d[tail] + cost, starts)
        improved = best < d[heads]
        if not improved.any():
            return d
        d[heads[improved]] = best[improved]
    raise RuntimeError("negative cycle in the residual graph: the flow was not optimal")


COST_RESOLUTION = 1e10  # the largest arc cost after scaling to integers
SEED_WINDOW = 1
PRICING_WINDOW = 2


def _seed_arcs(
    problem: SlottingProblem, value: np.ndarray, cost: np.ndarray, classes: _Classes
) -> set[tuple[int, int]]:
    """Starting arcs: the greedy plan (highest value first, cheapest fitting slot) gives each SKU a cost level;
    the SKU gets arcs to the classes around that level in every slot type it fits."""
    greedy = _greedy(problem, value, cost)
    n = len(problem.skus)
    level = np.full(n, np.inf)
    held = greedy >= 0
    np.minimum.at(level, greedy[held], cost[held])
    level[~np.isfinite(level)] = float(cost.max(initial=0.0))
    arcs: set[tuple[int, int]] = set()
    for u in range(problem.feasible.shape[0]):
        members = np.flatnonzero(problem.sku_type == u)
        for t in np.flatnonzero(problem.feasible[u]):
            ks = classes.by_type[t]
            if len(ks) == 0:
                continue
            at = np.searchsorted(classes.cost[ks], level[members])
            for offset in range(-SEED_WINDOW, SEED_WINDOW + 1):
                k = ks[np.clip(at + offset, 0, len(ks) - 1)]
                arcs.update(zip(members.tolist(), k.tolist(), strict=True))
    return arcs


def _greedy(problem: SlottingProblem, value: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """SKUs by value (highest first), each taking the cheapest free slots that fit it."""
    skus = problem.skus
    n_types = problem.feasible.shape[1]
    queues = [np.flatnonzero(problem.slot_type == t) for t in range(n_types)]
    queues = [qq[np.argsort(cost[qq], kind="stable")] for qq in queues]
    head = np.zeros(n_types, dtype=np.int64)
    sku_of_slot = np.full(len(cost), -1, dtype=np.int64)
    for i in np.argsort(-value, kind="stable"):
        types = np.flatnonzero(problem.feasible[problem.sku_type[i]])
        for _ in range(int(skus.slots[i])):
            best_t, best_c = -1, np.inf
            for t in types.tolist():
                if head[t] < len(queues[t]) and cost[queues[t][head[t]]] < best_c:
                    best_t, best_c = t, cost[queues[t][head[t]]]
            if best_t < 0:
                break
            sku_of_slot[queues[best_t][head[best_t]]] = i
            head[best_t] += 1
    return sku_of_slot


def _solve_flow(
    problem: SlottingProblem,
    value: np.ndarray,
    cost: np.ndarray,
    current: np.ndarray | None = None,
    bonus: int = 0,
    arcs: set[tuple[int, int]] | None = None,
) -> tuple[np.ndarray, dict, set[tuple[int, int]]]:
    """Minimise sum value_i * cost_s over assignments (column generation on OR-Tools min-cost flow).

    With `current` (the SKU of each slot now), a placement kept in its slot earns `bonus` integer cost units.
    Returns the SKU of each slot (-1 empty), statistics and the arc set (to warm-start a related solve)."""
    skus = problem.skus
    n = len(skus)
    classes, class_of = _classes(problem, cost)
    q = len(classes.cost)
    units = skus.slots.astype(np.int64)
    target, _ = _max_placeable(problem)
    # When not everything fits, every placement earns a reward above any travel cost, so the flow places the
    # most valuable loads (the fastest movers) and leaves out the slowest; with room for all it changes nothing.
    shift = float(cost.max(initial=0.0)) + 1.0 if target < units.sum() else 0.0
    level = classes.cost - shift
    top = float(value.max(initial=0.0)) * float(np.abs(level).max(initial=0.0))
    scale = COST_RESOLUTION / top if top > 0 else 1.0
    scaled_value = value * scale

    def weight(i: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.rint(scaled_value[i] * level[k]).astype(np.int64)

    source, sink = n + q, n + q + 1  # node numbering: SKUs, classes, source, sink
    feasible_types = [np.flatnonzero(problem.feasible[u]) for u in range(problem.feasible.shape[0])]
    if arcs is None:
        arcs = _seed_arcs(problem, value, cost, classes)
    if current is not None:
        held = current >= 0
        pair_keys, stay_units = np.unique(current[held] * q + class_of[held], return_counts=True)
        stay_sku, stay_class = pair_keys // q, pair_keys % q
    else:
        stay_sku = stay_class = stay_units = np.zeros(0, dtype=np.int64)
    rounds = 0
    priced = 0
    timing = {"flow_s": 0.0, "potentials_s": 0.0, "pricing_s": 0.0}
    t0 = time.perf_counter()
    while True:
        rounds += 1
        t1 = time.perf_counter()
        pairs = np.array(sorted(arcs), dtype=np.int64).reshape(-1, 2)
        tail = np.concatenate([pairs[:, 0], np.arange(q) + n, np.full(n, source), stay_sku]).astype(np.int64)
        head = np.concatenate([pairs[:, 1] + n, np.full(q, sink), np.arange(n), stay_class + n]).astype(np.int64)
        cap = np.concatenate([units[pairs[:, 0]], classes.count, units, stay_units]).astype(np.int64)
        arc_cost = np.concatenate(
            [weight(pairs[:, 0], pairs[:, 1]), np.zeros(q + n, np.int64), weight(stay_sku, stay_class) - bonus]
        ).astype(np.int64)
        flow_solver = min_cost_flow.SimpleMinCostFlow()
        flow_solver.add_arcs_with_capacity_and_unit_cost(tail, head, cap, arc_cost)
        flow_solver.set_node_supply(source, int(units.sum()))
        flow_solver.set_node_supply(sink, -int(units.sum()))
        status = flow_solver.solve_max_flow_with_min_cost()
        if status != flow_solver.OPTIMAL:
            raise RuntimeError(f"min-cost flow returned status {status}")
        flow = flow_solver.flows(np.arange(len(tail)))
        timing["flow_s"] += time.perf_counter() - t1
        placed = int(flow_solver.maximum_flow())
        if placed < target:  # the arc subset cannot place all that fits: open every class to the short SKUs
            short = np.flatnonzero(flow[len(pairs) + q : len(pairs) + q + n] < units)
            for i in short.tolist():
                for t in feasible_types[problem.sku_type[i]]:
                    arcs.update((i, int(k)) for k in classes.by_type[t])
            continue
        # Residual graph and potentials.
        forward = flow < cap
        backward = flow > 0
        res_tail = np.concatenate([tail[forward], head[backward]])
        res_head = np.concatenate([head[forward], tail[backward]])
        res_cost = np.concatenate([arc_cost[forward], -arc_cost[backward]])
        t1 = time.perf_counter()
        d = _potentials(n + q + 2, res_tail, res_head, res_cost).astype(float)
        t2 = time.perf_counter()
        timing["potentials_s"] += t2 - t1
        new, count = _priced_arcs(problem, feasible_types, classes, scaled_value, level, d, n)
        priced += count
        timing["pricing_s"] += time.perf_counter() - t2
        new = [a for a in new if a not in arcs]
        if not new:
            break
        arcs.update(new)
    sku_of_slot = _slots_of(problem, classes, current, stay_sku, stay_class, pairs, flow, len(tail))
    placed_units = np.bincount(sku_of_slot[sku_of_slot >= 0], minlength=n)
    stats = {
        "rounds": rounds,
        "arcs": len(arcs),
        "classes": q,
        "priced_pairs": priced,
        "solve_s": time.perf_counter() - t0,
        "unplaced_units": int(units.sum() - placed_units.sum()),
        "scale": scale,
        **timing,
    }
    return sku_of_slot, stats, arcs


def _priced_arcs(
    problem: SlottingProblem,
    feasible_types: list[np.ndarray],
    classes: Any,
    scaled_value: np.ndarray,
    level: np.ndarray,
    d: np.ndarray,
    n: int,
) -> tuple[list[tuple[int, int]], int]:
    """Price every SKU-class pair: reduced cost w(i, k) + d_i - d_k, per SKU type and slot type; the arcs of
    negative reduced cost (and their neighbours within PRICING_WINDOW classes) and how many pairs were priced."""
    priced = 0
    new: list[tuple[int, int]] = []
    for u, types in enumerate(feasible_types):
        members = np.flatnonzero(problem.sku_type == u)
        for t in types:
            ks = classes.by_type[t]
            if len(ks) == 0 or len(members) == 0:
                continue
            chunk = max(1, 4_000_000 // len(ks))
            for lo in range(0, len(members), chunk):
                rows = members[lo : lo + chunk]
                reduced = np.rint(scaled_value[rows][:, None] * level[ks][None, :])
                reduced += d[rows][:, None]
                reduced -= d[n + ks][None, :]
                priced += reduced.size
                best = np.argmin(reduced, axis=1)
                negative = reduced[np.arange(len(rows)), best] < 0
                for offset in range(-PRICING_WINDOW, PRICING_WINDOW + 1):
                    at = np.clip(best[negative] + offset, 0, len(ks) - 1)
                    new.extend(zip(rows[negative].tolist(), ks[at].tolist(), strict=True))
    return new, priced


def _slots_of(
    problem: SlottingProblem,
    classes: Any,
    current: np.ndarray | None,
    stay_sku: np.ndarray,
    stay_class: np.ndarray,
    pairs: np.ndarray,
    flow: np.ndarray,
    n_arcs: int,
) -> np.ndarray:
    """Class flows to slots: kept placements stay in their own slots, the rest fill free slots of the class
    (with a current plan, slots nobody holds now first). The SKU of each slot, -1 empty."""
    sku_of_slot = np.full(len(problem.layout.slots), -1, dtype=np.int64)
    n_pairs = len(pairs)
    kept = flow[n_arcs - len(stay_sku) :] if len(stay_sku) else flow[:0]
    for i, k, f in zip(stay_sku.tolist(), stay_class.tolist(), kept.tolist(), strict=True):
        if f:
            assert current is not None  # SKUs stay only where a current plan exists
            members = classes.members[k]
            mine = members[current[members] == i]
            sku_of_slot[mine[:f]] = i
    for (i, k), f in zip(pairs.tolist(), flow[:n_pairs].tolist(), strict=True):
        if f:
            members = classes.members[k]
            free = members[sku_of_slot[members] < 0]
            if current is not None:  # prefer slots nobody holds now, then any
                free = free[np.argsort(current[free] >= 0, kind="stable")]
            sku_of_slot[free[:f]] = i
    return sku_of_slot


def _max_placeable(problem: SlottingProblem) -> tuple[int, str]:
    """Type-level max flow (SKU groups -> slot types): how many slot loads can be placed at all, and a message
    naming the SKU groups left over with the slots that fit them ("" when everything fits)."""
    u_count, t_count = problem.feasible.shape
    need = np.bincount(problem.sku_type, weights=problem.skus.slots, minlength=u_count).astype(np.int64)
    have = np.bincount(problem.slot_type, minlength=t_count).astype(np.int64)
    solver = max_flow.SimpleMaxFlow()
    source, sink = u_count + t_count, u_count + t_count + 1
    uu, tt = np.nonzero(problem.feasible)
    tails = np.concatenate([np.full(u_count, source), uu, u_count + np.arange(t_count)])
    heads = np.concatenate([np.arange(u_count), u_count + tt, np.full(t_count, sink)])
    caps = np.concatenate([need, np.full(len(uu), int(need.sum())), have])
    solver.add_arcs_with_capacity(tails, heads, caps)
    if solver.solve(source, sink) != solver.OPTIMAL:
        raise RuntimeError("max flow failed")
    value = int(solver.optimal_flow())
    if value >= need.sum():
        return value, ""
    flows = solver.flows(np.arange(u_count))
    lines = []
    for u in np.flatnonzero(flows < need).tolist():
        fitting = int(have[problem.feasible[u]].sum())
        n_skus = int((problem.sku_type == u).sum())
        lines.append(
            f"{need[u] - flows[u]} of {need[u]} slot loads of {n_skus} SKU(s) ({problem.describe_sku_type(u)}) "
            f"do not fit: {fitting} compatible slots in all, shared with other SKUs"
        )
    return value, "; ".join(lines)


def _finish(
    problem: SlottingProblem, method: str, sku_of_slot: np.ndarray, status: str, stats: dict, message: str = ""
) -> SlottingPlan:
    skus = problem.skus
    placed = np.bincount(sku_of_slot[sku_of_slot >= 0], minlength=len(skus))
    short = skus.slots - placed
    unplaced = {str(skus.sku_id[i]): int(short[i]) for i in np.flatnonzero(short > 0)}
    if unplaced:
        status = "infeasible"
        if not message:
            message = f"{sum(unplaced.values())} slot loads of {len(unplaced)} SKU(s) found no free fitting slot"
    return SlottingPlan(method, status, sku_of_slot, plan_objective_m(problem, sku_of_slot), unplaced, message, stats)


def _optimal(problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
    value = problem.skus.picks / problem.skus.slots
    sku_of_slot, stats, _ = _solve_flow(problem, value, problem.layout.travel_cost_m)
    message = _max_placeable(problem)[1] if stats["unplaced_units"] else ""
    return _finish(problem, "optimal", sku_of_slot, "optimal", stats, message)
