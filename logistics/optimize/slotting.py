"""SKU slotting: which storage slots each SKU gets, to minimise expected picking travel.

Model. SKU i needs `slots[i]` slots (by its demand), each holding a load of `volume_l[i]` and `weight_kg[i]`;
it is picked `picks[i]` times a period, spread evenly over its slots. A slot s has a travel cost `c_s` (round trip
from the pick-and-drop point plus an ergonomic penalty outside the golden zone, see `WarehouseLayout`). A plan
costs sum_i sum_{s in S_i} picks_i / slots_i * c_s metres a period: the cube-per-order-index rule generalised to
any mix of constraints. A slot takes an SKU if the load fits (volume, weight) and the zone matches: bonded goods
only in bonded zones (and general-trade goods only outside them), the temperature band equal, hazardous goods
only in hazardous zones and nothing else there, and the SKU's own zone list if it has one.

Exact method. Slots with the same zone, limits and travel cost are interchangeable ("classes"). The plan is a
min-cost flow SKU -> class -> sink solved with OR-Tools on a growing subset of the SKU-class arcs (column
generation): after each solve, node potentials from the residual graph price every omitted arc, found with the
product structure of the costs in one vectorised pass; the loop stops when no arc has negative reduced cost,
which proves the plan optimal over all arcs. Costs are scaled to integers (relative precision about 1e-7).
When not everything fits, the flow places as much as possible at least cost and the status names what does
not fit.

Baselines: random storage, ABC class-based storage (random within class regions), and the COI greedy (SKUs by
picks per slot, each taking the cheapest free fitting slots). `improve_affinity` moves SKUs that are ordered
together into the same aisle at a bounded loss of the travel objective; `reslot` finds the best plan reachable
from the current one with at most K moves.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.picking.layout import TEMPERATURES, WarehouseLayout
from logistics.optimize.picking.multiblock import MultiBlockLayout, multiblock_tour
from logistics.optimize.picking.single_block import Pick, PickLists, pick_tours_m
from logistics.optimize.textio import csv_reader, parse_float, parse_int

__all__ = [
    "METHODS",
    "OrderHistory",
    "SkuTable",
    "SlottingCheck",
    "SlottingPlan",
    "SlottingProblem",
    "check_slotting",
    "history_travel_m",
    "improve_affinity",
    "read_skus_csv",
    "reslot",
    "solve_slotting",
]


@dataclass(frozen=True, eq=False)
class SkuTable:
    """SKUs as aligned arrays. `zones` holds, per SKU, the zone names it may use ("" = any compatible)."""

    sku_id: np.ndarray
    picks: np.ndarray
    volume_l: np.ndarray
    weight_kg: np.ndarray
    slots: np.ndarray
    bonded: np.ndarray
    temperature: np.ndarray
    hazardous: np.ndarray
    zones: np.ndarray

    @classmethod
    def build(
        cls,
        sku_id: Sequence[str],
        picks: Sequence[float] | np.ndarray,
        volume_l: Sequence[float] | np.ndarray,
        weight_kg: Sequence[float] | np.ndarray,
        slots: Sequence[int] | np.ndarray | None = None,
        bonded: Sequence[bool] | np.ndarray | None = None,
        temperature: Sequence[str] | None = None,
        hazardous: Sequence[bool] | np.ndarray | None = None,
        zones: Sequence[str] | None = None,
    ) -> SkuTable:
        """Arrays from sequences, with defaults: one slot, bonded, ambient, not hazardous, any zone."""
        n = len(sku_id)
        return cls(
            sku_id=np.asarray(sku_id, dtype=str),
            picks=np.asarray(picks, dtype=float),
            volume_l=np.asarray(volume_l, dtype=float),
            weight_kg=np.asarray(weight_kg, dtype=float),
            slots=np.asarray(slots if slots is not None else np.ones(n), dtype=np.int64),
            bonded=np.asarray(bonded if bonded is not None else np.ones(n), dtype=bool),
            temperature=np.asarray(temperature if temperature is not None else ["ambient"] * n, dtype=str),
            hazardous=np.asarray(hazardous if hazardous is not None else np.zeros(n), dtype=bool),
            zones=np.asarray(zones if zones is not None else [""] * n, dtype=str),
        )

    def __len__(self) -> int:
        return len(self.sku_id)


@dataclass(frozen=True, eq=False)
class SlottingProblem:
    """A layout and the SKUs to place in it. Validated on construction: errors name the SKU and field."""

    layout: WarehouseLayout
    skus: SkuTable
    slot_type: np.ndarray = field(init=False, repr=False)
    sku_type: np.ndarray = field(init=False, repr=False)
    feasible: np.ndarray = field(init=False, repr=False)  # (sku types, slot types) bool

    def __post_init__(self) -> None:
        s = self.skus
        n = len(s)
        for name in ("picks", "volume_l", "weight_kg", "slots", "bonded", "temperature", "hazardous", "zones"):
            if len(getattr(s, name)) != n:
                raise InvalidProblemError(f"skus.{name}", f"has {len(getattr(s, name))} entries for {n} SKUs")
        ids, counts = np.unique(s.sku_id, return_counts=True)
        if (counts > 1).any():
            raise InvalidProblemError("skus.sku_id", f"duplicate SKU id {ids[counts > 1][0]!r}")
        zone_names = {z.name for z in self.layout.zones}
        checks = [
            ("picks", np.isfinite(s.picks) & (s.picks >= 0), "must be a finite number >= 0"),
            ("volume_l", np.isfinite(s.volume_l) & (s.volume_l > 0), "must be a finite number > 0"),
            ("weight_kg", np.isfinite(s.weight_kg) & (s.weight_kg >= 0), "must be a finite number >= 0"),
            ("slots", s.slots >= 1, "must be >= 1"),
            ("temperature", np.isin(s.temperature, TEMPERATURES), f"must be one of {TEMPERATURES}"),
        ]
        for name, ok, message in checks:
            bad = np.flatnonzero(~ok)
            if len(bad):
                i = int(bad[0])
                raise InvalidProblemError(f"skus[{s.sku_id[i]}].{name}", f"{message}, got {getattr(s, name)[i]!r}")
        for i, zs in enumerate(s.zones):
            unknown = [z for z in str(zs).split(";") if z and z not in zone_names]
            if unknown:
                raise InvalidProblemError(
                    f"skus[{s.sku_id[i]}].zones",
                    f"unknown zone {unknown[0]!r} (known: {', '.join(sorted(zone_names))})",
                )
        slots = self.layout.slots
        slot_keys = np.stack([slots.zone.astype(float), slots.volume_l, slots.max_weight_kg], axis=1)
        slot_types, slot_type = np.unique(slot_keys, axis=0, return_inverse=True)
        # SKUs are grouped by the set of slot types they fit: the only thing about them the solver needs.
        zones = self.layout.zones
        compat_keys = list(
            zip(s.bonded.tolist(), s.temperature.tolist(), s.hazardous.tolist(), s.zones.tolist(), strict=True)
        )
        compat_index: dict[tuple, int] = {}
        compat_of = np.fromiter((compat_index.setdefault(k, len(compat_index)) for k in compat_keys), np.int64, n)
        zone_ok = np.zeros((len(compat_index), len(zones)), dtype=bool)
        for (b, t, h, zs), c in compat_index.items():
            allowed = {z for z in zs.split(";") if z}
            for zi, zone in enumerate(zones):
                zone_ok[c, zi] = (
                    zone.bonded == b
                    and zone.temperature == t
                    and zone.hazardous == h
                    and (not allowed or zone.name in allowed)
                )
        type_zone = slot_types[:, 0].astype(np.int64)
        fits = (
            zone_ok[compat_of][:, type_zone]
            & (s.volume_l[:, None] <= slot_types[None, :, 1] + 1e-9)
            & (s.weight_kg[:, None] <= slot_types[None, :, 2] + 1e-9)
        )
        feasible, sku_type = np.unique(fits, axis=0, return_inverse=True)
        sku_type = sku_type.ravel().astype(np.int64)
        first = np.zeros(len(feasible), dtype=np.int64)
        first[sku_type[::-1]] = np.arange(n)[::-1]
        object.__setattr__(self, "_group_example", first)
        object.__setattr__(self, "slot_type", slot_type.ravel())
        object.__setattr__(self, "sku_type", sku_type)
        object.__setattr__(self, "feasible", feasible)

    def describe_sku_type(self, u: int) -> str:
        """A readable description of a group of SKUs that fit the same slots."""
        s = self.skus
        i = int(self._group_example[u])  # type: ignore[attr-defined]
        members = self.sku_type == u
        parts = ["bonded" if s.bonded[i] else "general trade", str(s.temperature[i])]
        if s.hazardous[i]:
            parts.append("hazardous")
        parts.append(f"loads {s.volume_l[members].min():g}-{s.volume_l[members].max():g} l")
        parts.append(f"{s.weight_kg[members].min():g}-{s.weight_kg[members].max():g} kg")
        if s.zones[i]:
            parts.append(f"zones {s.zones[i]}")
        return ", ".join(parts)


@dataclass(frozen=True, eq=False)
class SlottingPlan:
    """Who is where: `sku_of_slot[s]` is the SKU index in slot s (-1 = empty). `objective_m` is the expected
    picking travel (m a period) of the plan; `unplaced` the units of each SKU that found no slot."""

    method: str
    status: str  # optimal | feasible | infeasible
    sku_of_slot: np.ndarray
    objective_m: float
    unplaced: dict[str, int]
    message: str = ""
    stats: dict = field(default_factory=dict)

    def slots_of(self, sku: int) -> np.ndarray:
        """Slot indices held by SKU index `sku`."""
        return np.flatnonzero(self.sku_of_slot == sku)


def plan_objective_m(problem: SlottingProblem, sku_of_slot: np.ndarray) -> float:
    """Expected picking travel (m a period) of an assignment."""
    used = sku_of_slot >= 0
    s = problem.skus
    per_slot = s.picks[sku_of_slot[used]] / s.slots[sku_of_slot[used]]
    return float(per_slot @ problem.layout.travel_cost_m[used])


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
        # Price every SKU-class pair: reduced cost w(i, k) + d_i - d_k, per SKU type and slot type.
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
        timing["pricing_s"] += time.perf_counter() - t2
        new = [a for a in new if a not in arcs]
        if not new:
            break
        arcs.update(new)
    # Class flows to slots: kept placements stay in their own slots, the rest fill free slots of the class.
    sku_of_slot = np.full(len(problem.layout.slots), -1, dtype=np.int64)
    n_pairs = len(pairs)
    kept = flow[len(tail) - len(stay_sku) :] if len(stay_sku) else flow[:0]
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


def _random_fill(
    problem: SlottingProblem, rng: np.random.Generator, tier: np.ndarray, region: np.ndarray, n_tiers: int
) -> np.ndarray:
    """Each SKU (most constrained groups first, random order within) takes random free fitting slots, from its
    own region first (tier t prefers region t, then the nearest others)."""
    n_types = problem.feasible.shape[1]
    pools: dict[tuple[int, int], list[int]] = {}
    for t in range(n_types):
        for r in range(n_tiers):
            members = np.flatnonzero((problem.slot_type == t) & (region == r))
            pools[(t, r)] = rng.permutation(members).tolist()
    fitting = (problem.feasible * np.bincount(problem.slot_type, minlength=n_types)[None, :]).sum(axis=1)
    order = np.lexsort((rng.random(len(problem.skus)), fitting[problem.sku_type], tier))
    sku_of_slot = np.full(len(problem.layout.slots), -1, dtype=np.int64)
    for i in order.tolist():
        types = np.flatnonzero(problem.feasible[problem.sku_type[i]]).tolist()
        own = int(tier[i])
        preference = sorted(range(n_tiers), key=lambda r: (abs(r - own), r))
        for _ in range(int(problem.skus.slots[i])):
            for r in preference:
                free = np.array([float(len(pools[(t, r)])) for t in types])
                if free.sum() > 0:
                    t = int(types[rng.choice(len(types), p=free / free.sum())])
                    sku_of_slot[pools[(t, r)].pop()] = i
                    break
    return sku_of_slot


def _baseline(
    problem: SlottingProblem, rng: np.random.Generator, method: str, tier: np.ndarray, region: np.ndarray, n: int
) -> SlottingPlan:
    sku_of_slot = _random_fill(problem, rng, tier, region, n)
    placed = int((sku_of_slot >= 0).sum())
    stats: dict = {}
    if placed < _max_placeable(problem)[0]:  # random filling stranded loads a plan could place: use the flow
        value = np.array([100.0, 10.0, 1.0])[np.minimum(tier, 2)] * rng.uniform(0.5, 1.5, len(problem.skus))
        cost = region * 1000.0 + rng.integers(1, 201, len(problem.layout.slots))
        sku_of_slot, stats, _ = _solve_flow(problem, value, cost)
        stats["fallback"] = "random filling stranded loads; placed by a min-cost flow with random costs"
    return _finish(problem, method, sku_of_slot, "feasible", stats)


def _random(problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
    """Random storage: every SKU in random fitting slots."""
    n_slots = len(problem.layout.slots)
    return _baseline(problem, rng, "random", np.zeros(len(problem.skus), np.int64), np.zeros(n_slots, np.int64), 1)


def _abc(problem: SlottingProblem, rng: np.random.Generator, shares: tuple[float, float] = (0.8, 0.95)) -> SlottingPlan:
    """Class-based storage: A SKUs make the first 80% of picks, B the next 15%, C the rest; the slots are split
    into regions by travel cost in proportion to each class's slot loads; random storage within a region."""
    skus = problem.skus
    order = np.argsort(-skus.picks, kind="stable")
    cum = np.cumsum(skus.picks[order]) / max(float(skus.picks.sum()), 1e-12)
    tier = np.empty(len(skus), dtype=np.int64)
    tier[order] = np.minimum(np.searchsorted(np.asarray(shares), cum - 1e-12, side="left"), 2)
    loads = np.bincount(tier, weights=skus.slots, minlength=3)
    n_slots = len(problem.layout.slots)
    cost_rank = np.empty(n_slots, dtype=np.int64)
    cost_rank[np.argsort(problem.layout.travel_cost_m, kind="stable")] = np.arange(n_slots)
    bounds = np.cumsum(loads)[:2] / loads.sum() * n_slots
    region = np.searchsorted(bounds, cost_rank, side="right")
    plan = _baseline(problem, rng, "abc", tier, region, 3)
    plan.stats["classes_abc"] = {k: int((tier == i).sum()) for i, k in enumerate("ABC")}
    return plan


def _coi_greedy(problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
    """Cube-per-order index greedy: SKUs by picks per slot (highest first), each taking the cheapest free slots
    that fit it. Not optimal when constraints bind: the flow model is."""
    value = problem.skus.picks / problem.skus.slots
    sku_of_slot = _greedy(problem, value, problem.layout.travel_cost_m)
    return _finish(problem, "coi_greedy", sku_of_slot, "feasible", {})


METHODS = {"optimal": _optimal, "random": _random, "abc": _abc, "coi_greedy": _coi_greedy}


def solve_slotting(problem: SlottingProblem, method: str = "optimal", seed: int = 0) -> SlottingPlan:
    """Assign SKUs to slots by `method` (see `METHODS`): "optimal" is the proven-optimal flow model; the others
    are the baselines. A plan whose status is "infeasible" places what fits and names what does not."""
    try:
        run = METHODS[method]
    except KeyError:
        raise InvalidProblemError(
            "method", f"unknown slotting method {method!r} (known: {', '.join(METHODS)})"
        ) from None
    t0 = time.perf_counter()
    plan = run(problem, np.random.default_rng(seed))
    plan.stats["wall_s"] = time.perf_counter() - t0
    return plan


# --- checking --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlottingCheck:
    """What `check_slotting` found: `ok` when there is no violation."""

    violations: tuple[str, ...]
    objective_m: float

    @property
    def ok(self) -> bool:
        return not self.violations


def check_slotting(problem: SlottingProblem, plan: SlottingPlan) -> SlottingCheck:
    """Check a plan against every rule from the raw data (not the solver's slot and SKU types): one SKU a slot,
    each SKU its number of slots (less only where reported unplaced), load volume and weight within the slot's
    limits, bonded/temperature/hazardous/zone-list compatibility, and the reported objective."""
    skus, slots, zones = problem.skus, problem.layout.slots, problem.layout.zones
    out: list[str] = []
    a = plan.sku_of_slot
    if len(a) != len(slots):
        return SlottingCheck((f"plan covers {len(a)} slots, the layout has {len(slots)}",), float("nan"))
    if ((a < -1) | (a >= len(skus))).any():
        out.append("plan names SKU indices outside the SKU table")
        return SlottingCheck(tuple(out), float("nan"))
    held = np.bincount(a[a >= 0], minlength=len(skus))
    for i in np.flatnonzero(held != skus.slots).tolist():
        missing = plan.unplaced.get(str(skus.sku_id[i]), 0)
        if held[i] + missing != skus.slots[i]:
            out.append(
                f"SKU {skus.sku_id[i]} holds {held[i]} slot(s), needs {skus.slots[i]} ({missing} reported unplaced)"
            )
    for s in np.flatnonzero(a >= 0):
        i = int(a[s])
        zone = zones[int(slots.zone[s])]
        where = f"SKU {skus.sku_id[i]} in slot {slots.slot_id[s]}"
        if skus.volume_l[i] > slots.volume_l[s] + 1e-9:
            out.append(f"{where}: load {skus.volume_l[i]} l exceeds the slot's {slots.volume_l[s]} l")
        if skus.weight_kg[i] > slots.max_weight_kg[s] + 1e-9:
            out.append(f"{where}: load {skus.weight_kg[i]} kg exceeds the slot's {slots.max_weight_kg[s]} kg")
        if bool(skus.bonded[i]) != zone.bonded:
            out.append(f"{where}: {'bonded' if skus.bonded[i] else 'general-trade'} goods in zone {zone.name}")
        if str(skus.temperature[i]) != zone.temperature:
            out.append(f"{where}: {skus.temperature[i]} goods in {zone.temperature} zone {zone.name}")
        if bool(skus.hazardous[i]) != zone.hazardous:
            out.append(f"{where}: hazardous flag does not match zone {zone.name}")
        allowed = [z for z in str(skus.zones[i]).split(";") if z]
        if allowed and zone.name not in allowed:
            out.append(f"{where}: zone {zone.name} not in the SKU's zones {allowed}")
        if len(out) > 50:
            break
    travel = 2.0 * (np.abs(slots.aisle * problem.layout.aisle_spacing_m - problem.layout.depot_x_m) + slots.y_m)
    travel = travel + np.where(slots.golden, 0.0, problem.layout.ergonomic_penalty_m)
    used = a >= 0
    objective = float((skus.picks[a[used]] / skus.slots[a[used]]) @ travel[used])
    if not np.isclose(objective, plan.objective_m, rtol=1e-9, atol=1e-6):
        out.append(f"reported objective {plan.objective_m} differs from the recomputed {objective}")
    return SlottingCheck(tuple(out), objective)


# --- order history: travel evaluation and affinity --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OrderHistory:
    """Orders in CSR form: order k has SKU indices `sku[ptr[k]:ptr[k+1]]` (distinct within an order)."""

    ptr: np.ndarray
    sku: np.ndarray

    def __len__(self) -> int:
        return len(self.ptr) - 1

    @classmethod
    def from_lists(cls, orders: Sequence[Sequence[int]]) -> OrderHistory:
        """Pack lists of SKU indices (duplicates within an order are merged)."""
        rows = [sorted(set(o)) for o in orders]
        ptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
        return cls(ptr, np.fromiter((s for r in rows for s in r), dtype=np.int64, count=int(ptr[-1])))


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
    improved = _finish(problem, "affinity", sku_of_slot, "feasible", {})
    travel_before = float(history_travel_m(problem, plan, orders, policy).sum())
    travel_after = float(history_travel_m(problem, improved, orders, policy).sum())
    stats = {
        "moves": moves,
        "objective_loss_pct": 100.0 * (improved.objective_m - before) / before if before else 0.0,
        "history_travel_before_m": travel_before,
        "history_travel_after_m": travel_after,
        "pairs": len(a_arr),
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


# --- re-slotting -----------------------------------------------------------------------------------------------


def count_moves(current: np.ndarray, proposed: np.ndarray) -> int:
    """Slot loads that change place: every slot whose SKU now differs, counting only slots held now."""
    held = current >= 0
    return int((proposed[held] != current[held]).sum())


def reslot(problem: SlottingProblem, current: np.ndarray, max_moves: int, max_solves: int = 16) -> SlottingPlan:
    """The best plan reachable from `current` (SKU index per slot, -1 empty) moving at most `max_moves` slot
    loads. Lagrangian: each kept load earns a bonus; the bonus is searched so the plan uses at most
    `max_moves`; a plan found this way is optimal among all plans with no more moves than it makes. Loads that
    no longer fit their slot, or of SKUs no longer listed, must move and count."""
    if max_moves < 0:
        raise InvalidProblemError("max_moves", f"must be >= 0, got {max_moves}")
    if len(current) != len(problem.layout.slots):
        raise InvalidProblemError("current", f"has {len(current)} entries for {len(problem.layout.slots)} slots")
    current = np.asarray(current, dtype=np.int64)
    if ((current < -1) | (current >= len(problem.skus))).any():
        raise InvalidProblemError("current", "names SKU indices outside the SKU table")
    held = np.flatnonzero(current >= 0)
    fits = problem.feasible[problem.sku_type[current[held]], problem.slot_type[held]]
    counts = np.bincount(current[held], minlength=len(problem.skus))
    too_many = counts[current[held]] > problem.skus.slots[current[held]]
    keepable = current.copy()
    keepable[held[~fits | too_many]] = -1  # these must move
    forced = int((~fits | too_many).sum())
    value = problem.skus.picks / problem.skus.slots
    cost = problem.layout.travel_cost_m
    t0 = time.perf_counter()
    if max_moves == 0 and forced == 0:
        plan = _finish(problem, "reslot", current.copy(), "optimal", {"moves": 0, "solves": 0})
        return SlottingPlan(
            plan.method,
            plan.status,
            plan.sku_of_slot,
            plan.objective_m,
            plan.unplaced,
            "no moves allowed: the current plan",
            plan.stats,
        )
    free_plan, stats, arcs = _solve_flow(problem, value, cost, keepable, 0)
    best_plan: np.ndarray | None
    best_plan, best_stats, best_bonus = free_plan, stats, 0
    solves = 1
    if count_moves(current, free_plan) > max_moves:
        lo, hi = 0, int(COST_RESOLUTION // 10_000)
        best_plan = None
        while solves < max_solves:
            candidate, cstats, arcs = _solve_flow(problem, value, cost, keepable, hi, arcs)
            solves += 1
            if count_moves(current, candidate) <= max_moves:
                best_plan, best_stats, best_bonus = candidate, cstats, hi
                break
            lo, hi = hi, hi * 8
            if hi > 4 * COST_RESOLUTION:
                break
        while best_plan is not None and solves < max_solves and hi - lo > max(1, hi // 100):
            mid = (lo + hi) // 2
            candidate, cstats, arcs = _solve_flow(problem, value, cost, keepable, mid, arcs)
            solves += 1
            if count_moves(current, candidate) <= max_moves:
                best_plan, best_stats, best_bonus, hi = candidate, cstats, mid, mid
            else:
                lo = mid
        if best_plan is None:
            best_plan, best_stats = _solve_flow(problem, value, cost, keepable, int(4 * COST_RESOLUTION), arcs)[:2]
    moves = count_moves(current, best_plan)
    stats = {
        **best_stats,
        "moves": moves,
        "forced_moves": forced,
        "bonus": best_bonus,
        "solves": solves,
        "wall_s": time.perf_counter() - t0,
        "objective_current_m": plan_objective_m(
            problem, np.where(fits.all() and not too_many.any(), current, keepable)
        ),
    }
    if moves > max_moves:
        return _finish(
            problem,
            "reslot",
            best_plan,
            "infeasible",
            stats,
            f"{forced} loads must move (no longer fit their slot), more than max_moves={max_moves}",
        )
    status = "optimal" if best_bonus == 0 or moves == max_moves else "feasible"
    message = (
        ""
        if status == "optimal"
        else (
            f"optimal among plans with at most {moves} moves; "
            f"the Lagrangian search found no plan using exactly {max_moves}"
        )
    )
    return _finish(problem, "reslot", best_plan, status, stats, message)


# --- files -------------------------------------------------------------------------------------------------------

_SKU_COLUMNS = {
    "sku_id": None,
    "picks": None,
    "volume_l": None,
    "weight_kg": None,
    "slots": "1",
    "bonded": "true",
    "temperature": "ambient",
    "hazardous": "false",
    "zones": "",
}


def read_skus_csv(path: str | Path) -> SkuTable:
    """Load an SKU table (columns sku_id, picks, volume_l, weight_kg; optional slots, bonded, temperature,
    hazardous, zones as "a;b"); errors name the line and column."""
    cols: dict[str, list] = {c: [] for c in _SKU_COLUMNS}
    truthy, falsy = ("true", "1", "yes"), ("false", "0", "no")
    reader = csv_reader(path)
    fields = reader.fieldnames or []
    missing = [c for c, default in _SKU_COLUMNS.items() if default is None and c not in fields]
    if missing:
        raise InvalidProblemError(f"{path}:1", f"missing column(s) {', '.join(missing)}")
    unknown = [c for c in fields if c not in _SKU_COLUMNS]
    if unknown:
        raise InvalidProblemError(
            f"{path}:1", f"unknown column(s) {', '.join(unknown)} (known: {', '.join(_SKU_COLUMNS)})"
        )
    for line, row in enumerate(reader, start=2):
        for c, default in _SKU_COLUMNS.items():
            raw = (row.get(c) or "").strip() or (default or "")
            where = f"{path}:{line}: {c}"
            try:
                if c in ("sku_id", "temperature", "zones"):
                    if c == "sku_id" and not raw:
                        raise ValueError(raw)
                    cols[c].append(raw)
                elif c in ("bonded", "hazardous"):
                    if raw.lower() not in truthy + falsy:
                        raise ValueError(raw)
                    cols[c].append(raw.lower() in truthy)
                elif c == "slots":
                    cols[c].append(parse_int(raw))
                else:
                    cols[c].append(parse_float(raw))
            except ValueError:
                raise InvalidProblemError(where, f"not a valid value: {raw!r}") from None
    return SkuTable.build(**cols)
