"""Pick-path travel in multi-block layouts: parallel aisles crossed by several cross aisles (front, middle ones,
back), the pick-and-drop point on the front cross aisle.

Distances are exact shortest walks on the aisle graph: between two aisles a picker leaves along one cross aisle,
so d = |dx| + min over cross aisles c of (|y1 - Y_c| + |Y_c - y2|); within an aisle, |y1 - y2|.
Policies: `optimal` (Held-Karp, exact, up to `MAX_EXACT` distinct picks; beyond that an OR-Tools TSP on the
same distances under a time limit, reported as not proven), and the multi-block heuristics of Roodbergen & de
Koster (2001) as visiting orders: `s_shape` (blocks from the back to the front, aisles with picks in serpentine
order, each walked in the travel direction), `largest_gap` and `combined`. A heuristic's length is the walk
through its visiting order by shortest paths, so it is never below the optimum. Return and midpoint have no
standard multi-block form and are single-block only. Single-block layouts have the
vectorised policies and the exact Ratliff-Rosenthal tour in `logistics.optimize.picking.single_block`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.picking.single_block import Pick

__all__ = ["MAX_EXACT", "MULTIBLOCK_POLICIES", "MultiBlockLayout", "TourResult", "multiblock_tour"]

MAX_EXACT = 12


@dataclass(frozen=True)
class MultiBlockLayout:
    """`aisles` parallel aisles `aisle_spacing_m` apart; cross-aisle centre lines at `cross_y_m` (front first,
    increasing); the pick-and-drop point at x = `depot_x_m` on the front cross aisle."""

    aisles: int
    aisle_spacing_m: float
    cross_y_m: tuple[float, ...]
    depot_x_m: float = 0.0

    def __post_init__(self) -> None:
        if self.aisles < 1:
            raise InvalidProblemError("aisles", f"must be >= 1, got {self.aisles}")
        if not self.aisle_spacing_m > 0:
            raise InvalidProblemError("aisle_spacing_m", f"must be > 0, got {self.aisle_spacing_m}")
        ys = np.asarray(self.cross_y_m, dtype=float)
        if len(ys) < 2 or not np.all(np.diff(ys) > 0):
            raise InvalidProblemError("cross_y_m", "needs at least two strictly increasing cross-aisle positions")

    def check(self, picks: Sequence[Pick]) -> None:
        """Raise `InvalidProblemError` for a pick outside the layout."""
        lo, hi = self.cross_y_m[0], self.cross_y_m[-1]
        for i, p in enumerate(picks):
            if not 0 <= p.aisle < self.aisles:
                raise InvalidProblemError(f"picks[{i}].aisle", f"must be in [0, {self.aisles}), got {p.aisle}")
            if not lo <= p.y_m <= hi:
                raise InvalidProblemError(f"picks[{i}].y_m", f"must be in [{lo}, {hi}], got {p.y_m}")

    def block(self, y_m: float) -> int:
        """Block index of a position (0 = front block)."""
        return min(int(np.searchsorted(self.cross_y_m, y_m, side="right")) - 1, len(self.cross_y_m) - 2)

    def distance_m(self, a: tuple[int, float], b: tuple[int, float]) -> float:
        """Shortest walk between (aisle, y) points; aisle -1 is the pick-and-drop point (y on the front cross
        aisle)."""
        (aa, ya), (ab, yb) = a, b
        if aa == ab and aa >= 0:
            return abs(ya - yb)
        xa = self.depot_x_m if aa < 0 else aa * self.aisle_spacing_m
        xb = self.depot_x_m if ab < 0 else ab * self.aisle_spacing_m
        if aa < 0 or ab < 0:  # the depot is on the front cross aisle: along it, then up the aisle
            return abs(xa - xb) + abs(ya - yb)
        vertical = min(abs(ya - c) + abs(c - yb) for c in self.cross_y_m)
        return abs(xa - xb) + vertical


@dataclass(frozen=True)
class TourResult:
    """A tour: its length, the visiting order (indices into the distinct picks) and whether it is proven
    shortest."""

    length_m: float
    order: tuple[int, ...]
    proven_optimal: bool


def _points(picks: Sequence[Pick]) -> list[tuple[int, float]]:
    return sorted({(p.aisle, float(p.y_m)) for p in picks})


def _length(layout: MultiBlockLayout, points: list[tuple[int, float]], order: Sequence[int]) -> float:
    depot = (-1, layout.cross_y_m[0])
    route = [depot, *(points[i] for i in order), depot]
    return sum(layout.distance_m(a, b) for a, b in itertools.pairwise(route))


def _held_karp(layout: MultiBlockLayout, points: list[tuple[int, float]]) -> TourResult:
    n = len(points)
    depot = (-1, layout.cross_y_m[0])
    d0 = [layout.distance_m(depot, p) for p in points]
    d = [[layout.distance_m(p, q) for q in points] for p in points]
    best: dict[tuple[int, int], tuple[float, int]] = {(1 << j, j): (d0[j], -1) for j in range(n)}
    for size in range(2, n + 1):
        for subset in itertools.combinations(range(n), size):
            mask = sum(1 << j for j in subset)
            for j in subset:
                prev = mask ^ (1 << j)
                best[(mask, j)] = min((best[(prev, i)][0] + d[i][j], i) for i in subset if i != j)
    full = (1 << n) - 1
    length, last = min((best[(full, j)][0] + d0[j], j) for j in range(n))
    order, mask = [], full
    while last >= 0:
        order.append(last)
        last, mask = best[(mask, last)][1], mask ^ (1 << last)
    return TourResult(length, tuple(reversed(order)), True)


def _ortools_tsp(layout: MultiBlockLayout, points: list[tuple[int, float]], time_limit_s: float) -> TourResult:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    nodes = [(-1, layout.cross_y_m[0]), *points]
    matrix = [[round(1000 * layout.distance_m(a, b)) for b in nodes] for a in nodes]
    manager = pywrapcp.RoutingIndexManager(len(nodes), 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(1000 * time_limit_s)))
    solution = routing.SolveWithParameters(params)
    order, index = [], routing.Start(0)
    index = solution.Value(routing.NextVar(index))
    while not routing.IsEnd(index):
        order.append(manager.IndexToNode(index) - 1)
        index = solution.Value(routing.NextVar(index))
    return TourResult(_length(layout, points, order), tuple(order), False)


def _optimal(layout: MultiBlockLayout, points: list[tuple[int, float]], time_limit_s: float) -> TourResult:
    if not points:
        return TourResult(0.0, (), True)
    if len(points) <= MAX_EXACT:
        return _held_karp(layout, points)
    return _ortools_tsp(layout, points, time_limit_s)


def _by_block(layout: MultiBlockLayout, points: list[tuple[int, float]]) -> dict[int, dict[int, list[int]]]:
    """Point indices by block (farthest first) and aisle, each aisle's picks by y ascending."""
    blocks: dict[int, dict[int, list[int]]] = {}
    for i, (a, y) in enumerate(points):
        blocks.setdefault(layout.block(y), {}).setdefault(a, []).append(i)
    return {
        b: {a: sorted(ids, key=lambda i: points[i][1]) for a, ids in sorted(blocks[b].items())}
        for b in sorted(blocks, reverse=True)
    }


def _s_shape(layout: MultiBlockLayout, points: list[tuple[int, float]], time_limit_s: float) -> TourResult:
    order: list[int] = []
    going_right, going_up = True, True
    for aisles in _by_block(layout, points).values():
        for a in sorted(aisles, reverse=not going_right):
            order += aisles[a] if going_up else aisles[a][::-1]
            going_up = not going_up
        going_right = not going_right
    return TourResult(_length(layout, points, order), tuple(order), False)


def _largest_gap(layout: MultiBlockLayout, points: list[tuple[int, float]], time_limit_s: float) -> TourResult:
    """Up the left pick aisle to the farthest block; then block by block from the back: along the block's back
    cross aisle, each aisle entered from the back down to its largest gap; the last aisle walked through; back
    along the front cross aisle for the picks below the gaps (Roodbergen & de Koster 2001, as a visiting
    order)."""
    order: list[int] = []
    going_right = True
    for n_block, (b, aisles) in enumerate(_by_block(layout, points).items()):
        front, back = layout.cross_y_m[b], layout.cross_y_m[b + 1]
        sequence = sorted(aisles, reverse=not going_right)
        lower: list[list[int]] = []
        if n_block == 0 and len(sequence) > 1:  # the left pick aisle is walked up to the farthest block
            order += aisles[sequence[0]]
            sequence = sequence[1:]
        for a in sequence[:-1]:
            ys = [points[i][1] for i in aisles[a]]
            edges = [front, *ys, back]
            gap = max(range(len(edges) - 1), key=lambda k: edges[k + 1] - edges[k])
            lower.append(aisles[a][:gap])
            order += aisles[a][gap:][::-1]  # from the back, down to the gap
        order += aisles[sequence[-1]][::-1]  # the last aisle, back to front
        for ids in reversed(lower):  # along the front, up to each gap
            order += ids
        if not any(lower):
            going_right = not going_right
    return TourResult(_length(layout, points, order), tuple(order), False)


def _combined(layout: MultiBlockLayout, points: list[tuple[int, float]], time_limit_s: float) -> TourResult:
    """Block by block from the back, aisles in serpentine order; in each block a dynamic programme chooses per
    aisle to walk through it or to enter and leave on the side the picker is on, ending at the block's front
    (Roodbergen & de Koster 2001, as a visiting order)."""
    order: list[int] = []
    going_right = True
    for n_block, (b, aisles) in enumerate(_by_block(layout, points).items()):
        front, back = layout.cross_y_m[b], layout.cross_y_m[b + 1]
        length = back - front
        sequence = sorted(aisles, reverse=not going_right)
        # cost[side], side 0 = front, 1 = back: the picker reaches the farthest block from its front (up the
        # first aisle) and every other block from its back.
        cost = [0.0, np.inf] if n_block == 0 else [np.inf, 0.0]
        choices: list[list[tuple[int, str]]] = [[], []]
        for a in sequence:
            ys = [points[i][1] for i in aisles[a]]
            stay_front = cost[0] + 2 * (max(ys) - front)
            stay_back = cost[1] + 2 * (back - min(ys))
            new_front = min((stay_front, 0, "return"), (cost[1] + length, 1, "through"))
            new_back = min((stay_back, 1, "return"), (cost[0] + length, 0, "through"))
            choices = [
                choices[new_front[1]] + [(a, f"{new_front[2]}-f")],
                choices[new_back[1]] + [(a, f"{new_back[2]}-b")],
            ]
            cost = [new_front[0], new_back[0]]
        plan = choices[0] if cost[0] <= cost[1] + length else choices[1]
        for a, move in plan:
            ids = aisles[a]
            # Ending at the back after walking through from the front: ascending; everything else descending
            # when the picker is at the back side, ascending at the front.
            if move in ("through-b", "return-f"):
                order += ids
            else:
                order += ids[::-1]
        going_right = not going_right
    return TourResult(_length(layout, points, order), tuple(order), False)


MULTIBLOCK_POLICIES = {"s_shape": _s_shape, "largest_gap": _largest_gap, "combined": _combined, "optimal": _optimal}


def multiblock_tour(
    layout: MultiBlockLayout, picks: Sequence[Pick], policy: str = "optimal", time_limit_s: float = 1.0
) -> TourResult:
    """The tour of a pick list under a policy (see `MULTIBLOCK_POLICIES`); `time_limit_s` bounds the OR-Tools
    search used by `optimal` above `MAX_EXACT` distinct picks."""
    layout.check(picks)
    try:
        route = MULTIBLOCK_POLICIES[policy]
    except KeyError:
        raise InvalidProblemError(
            "policy", f"unknown multi-block policy {policy!r} (known: {', '.join(MULTIBLOCK_POLICIES)})"
        ) from None
    return route(layout, _points(picks), time_limit_s)
