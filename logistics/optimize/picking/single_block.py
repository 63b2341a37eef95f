"""Pick-path travel in a single-block warehouse: parallel aisles joined by a front and a back cross aisle,
the pick-and-drop point on the front cross aisle. Picks lie on aisle centre lines.

Routing policies: S-shape (traversal), return, midpoint, largest gap (Hall 1993), combined (per aisle, traverse
or enter-and-return, chosen by dynamic programming; Roodbergen & de Koster 2001) and optimal (Ratliff &
Rosenthal 1983: a dynamic programme over aisles on the degree parity and connectivity of partial tour
subgraphs, exact for any number of picks). Every policy returns the length of a closed tour from and back to
the pick-and-drop point, so none can be shorter than the optimum.

Everything is vectorised over many pick lists at once (`PickLists`, CSR form) so whole order histories are
evaluated in one call: the per-aisle statistics are dense (lists x aisles) arrays and the dynamic programmes
step aisle by aisle over all lists together. `held_karp_tour_m` is an independent exact check for short lists.
Multi-block layouts are in `logistics.optimize.picking.multiblock`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from logistics.optimize.common import InvalidProblemError

__all__ = [
    "POLICIES",
    "Pick",
    "PickLists",
    "SingleBlockLayout",
    "held_karp_tour_m",
    "pick_tour_m",
    "pick_tours_m",
]


@dataclass(frozen=True)
class Pick:
    """A pick in `aisle` (0 = leftmost) at `y_m` metres from the front cross aisle."""

    aisle: int
    y_m: float


@dataclass(frozen=True)
class SingleBlockLayout:
    """`aisles` parallel aisles of `aisle_length_m` (front to back cross-aisle centre lines), centre lines
    `aisle_spacing_m` apart; the pick-and-drop point at the front of x = `depot_x_m` (0 = the leftmost aisle's
    centre line)."""

    aisles: int
    aisle_length_m: float
    aisle_spacing_m: float
    depot_x_m: float = 0.0

    def __post_init__(self) -> None:
        if self.aisles < 1:
            raise InvalidProblemError("aisles", f"must be >= 1, got {self.aisles}")
        if not self.aisle_length_m > 0:
            raise InvalidProblemError("aisle_length_m", f"must be > 0, got {self.aisle_length_m}")
        if not self.aisle_spacing_m > 0:
            raise InvalidProblemError("aisle_spacing_m", f"must be > 0, got {self.aisle_spacing_m}")
        if not np.isfinite(self.depot_x_m):
            raise InvalidProblemError("depot_x_m", f"must be finite, got {self.depot_x_m}")

    def x(self, aisle: int) -> float:
        """Centre line of an aisle."""
        return aisle * self.aisle_spacing_m

    def check(self, picks: Sequence[Pick]) -> None:
        """Raise `InvalidProblemError` for a pick outside the layout."""
        for i, p in enumerate(picks):
            if not 0 <= p.aisle < self.aisles:
                raise InvalidProblemError(f"picks[{i}].aisle", f"must be in [0, {self.aisles}), got {p.aisle}")
            if not 0 <= p.y_m <= self.aisle_length_m:
                raise InvalidProblemError(f"picks[{i}].y_m", f"must be in [0, {self.aisle_length_m}], got {p.y_m}")


@dataclass(frozen=True)
class PickLists:
    """Many pick lists in CSR form: list k holds picks `ptr[k]:ptr[k+1]` of `aisle` and `y_m`."""

    ptr: np.ndarray
    aisle: np.ndarray
    y_m: np.ndarray

    @classmethod
    def from_lists(cls, lists: Sequence[Sequence[Pick]]) -> PickLists:
        """Pack Python pick lists."""
        sizes = np.fromiter((len(p) for p in lists), dtype=np.int64, count=len(lists))
        ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        aisle = np.fromiter((p.aisle for ps in lists for p in ps), dtype=np.int64, count=int(ptr[-1]))
        y = np.fromiter((p.y_m for ps in lists for p in ps), dtype=np.float64, count=int(ptr[-1]))
        return cls(ptr, aisle, y)

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def check(self, layout: SingleBlockLayout) -> None:
        """Raise `InvalidProblemError` naming the first pick outside the layout."""
        if len(self.aisle) != len(self.y_m) or int(self.ptr[-1]) != len(self.aisle) or np.any(np.diff(self.ptr) < 0):
            raise InvalidProblemError("ptr", "must be non-decreasing and end at the number of picks")
        bad = np.flatnonzero((self.aisle < 0) | (self.aisle >= layout.aisles))
        if len(bad):
            i = int(bad[0])
            raise InvalidProblemError(f"picks[{i}].aisle", f"must be in [0, {layout.aisles}), got {self.aisle[i]}")
        bad = np.flatnonzero(~((self.y_m >= 0) & (self.y_m <= layout.aisle_length_m)))
        if len(bad):
            i = int(bad[0])
            raise InvalidProblemError(f"picks[{i}].y_m", f"must be in [0, {layout.aisle_length_m}], got {self.y_m[i]}")


@dataclass(frozen=True)
class _Columns:
    """Dense per (list, column) statistics. Columns are the aisles in x order plus, when the pick-and-drop
    point is not on an aisle, a pseudo column for it (no corridor: only its front vertex can be visited)."""

    x: np.ndarray  # (C,)
    is_aisle: np.ndarray  # (C,) bool
    count: np.ndarray  # (n, C) picks in the column (the depot counts as a pick at y = 0)
    ymin: np.ndarray  # (n, C)
    ymax: np.ndarray  # (n, C)
    inner_gap: np.ndarray  # (n, C) largest gap between adjacent picks (0 with fewer than 2)
    front_max: np.ndarray  # (n, C) farthest pick in the front half (-inf if none)
    back_min: np.ndarray  # (n, C) nearest pick in the back half (+inf if none)
    real: np.ndarray  # (n, C) picks excluding the depot
    empty: np.ndarray  # (n,) lists without picks


def _columns(layout: SingleBlockLayout, lists: PickLists, with_depot: bool) -> _Columns:
    n = len(lists)
    length = layout.aisle_length_m
    xs = np.arange(layout.aisles, dtype=float) * layout.aisle_spacing_m
    on_aisle = np.isclose(xs, layout.depot_x_m, atol=1e-9)
    if on_aisle.any():
        depot_col = int(np.flatnonzero(on_aisle)[0])
        x, is_aisle, col_of = xs, np.ones(len(xs), bool), np.arange(layout.aisles)
    else:
        depot_col = int(np.searchsorted(xs, layout.depot_x_m))
        x = np.insert(xs, depot_col, layout.depot_x_m)
        is_aisle = np.insert(np.ones(len(xs), bool), depot_col, False)
        col_of = np.arange(layout.aisles) + (np.arange(layout.aisles) >= depot_col)
    cols = len(x)
    sizes = np.diff(lists.ptr)
    owner = np.repeat(np.arange(n), sizes)
    col = col_of[lists.aisle]
    y = lists.y_m.astype(float)
    real = np.zeros((n, cols), dtype=np.int64)
    np.add.at(real, (owner, col), 1)
    empty = sizes == 0
    if with_depot:
        keep = ~empty
        owner = np.concatenate([owner, np.flatnonzero(keep)])
        col = np.concatenate([col, np.full(int(keep.sum()), depot_col)])
        y = np.concatenate([y, np.zeros(int(keep.sum()))])
    order = np.lexsort((y, col, owner))
    owner, col, y = owner[order], col[order], y[order]
    count = np.zeros((n, cols), dtype=np.int64)
    np.add.at(count, (owner, col), 1)
    ymin = np.full((n, cols), np.inf)
    ymax = np.full((n, cols), -np.inf)
    np.minimum.at(ymin, (owner, col), y)
    np.maximum.at(ymax, (owner, col), y)
    inner = np.zeros((n, cols))
    if len(y) > 1:
        same = (owner[1:] == owner[:-1]) & (col[1:] == col[:-1])
        np.maximum.at(inner, (owner[1:][same], col[1:][same]), np.diff(y)[same])
    front = y <= length / 2
    front_max = np.full((n, cols), -np.inf)
    back_min = np.full((n, cols), np.inf)
    np.maximum.at(front_max, (owner[front], col[front]), y[front])
    np.minimum.at(back_min, (owner[~front], col[~front]), y[~front])
    return _Columns(x, is_aisle, count, ymin, ymax, inner, front_max, back_min, real, empty)


def _span(c: _Columns, depot_x: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last column with real picks per list, and the horizontal walk (there and back)."""
    has = c.real > 0
    cols = has.shape[1]
    first = np.argmax(has, axis=1)
    last = cols - 1 - np.argmax(has[:, ::-1], axis=1)
    left = np.minimum(depot_x, c.x[first])
    right = np.maximum(depot_x, c.x[last])
    return first, last, np.where(c.empty, 0.0, 2.0 * (right - left))


def _real_stats(layout: SingleBlockLayout, lists: PickLists) -> tuple[_Columns, np.ndarray, np.ndarray, np.ndarray]:
    c = _columns(layout, lists, with_depot=False)
    first, last, horizontal = _span(c, layout.depot_x_m)
    return c, first, last, horizontal


def _return(layout: SingleBlockLayout, lists: PickLists) -> np.ndarray:
    c, _, _, horizontal = _real_stats(layout, lists)
    vertical = np.where(c.real > 0, 2.0 * c.ymax, 0.0).sum(axis=1)
    return horizontal + vertical


def _s_shape(layout: SingleBlockLayout, lists: PickLists) -> np.ndarray:
    c, _, last, horizontal = _real_stats(layout, lists)
    length = layout.aisle_length_m
    aisles = (c.real > 0).sum(axis=1)
    rows = np.arange(len(lists))
    odd_extra = np.where(aisles % 2 == 1, 2.0 * c.ymax[rows, last] - length, 0.0)
    return np.where(c.empty, 0.0, horizontal + length * aisles + odd_extra)


def _split(layout: SingleBlockLayout, lists: PickLists, use_gap: bool) -> np.ndarray:
    c, first, last, horizontal = _real_stats(layout, lists)
    length = layout.aisle_length_m
    cols = np.arange(c.real.shape[1])
    middle = (c.real > 0) & (cols[None, :] > first[:, None]) & (cols[None, :] < last[:, None])
    if use_gap:
        largest = np.maximum(np.maximum(c.ymin, length - c.ymax), c.inner_gap)
        inside = 2.0 * (length - largest)
    else:
        inside = np.where(np.isfinite(c.front_max), 2.0 * c.front_max, 0.0) + np.where(
            np.isfinite(c.back_min), 2.0 * (length - c.back_min), 0.0
        )
    vertical = 2.0 * length + np.where(middle, inside, 0.0).sum(axis=1)
    single = first == last  # one aisle: in and out from the front (the return policy)
    returned = horizontal + np.where(c.real > 0, 2.0 * c.ymax, 0.0).sum(axis=1)
    return np.where(single, returned, horizontal + vertical)


def _midpoint(layout: SingleBlockLayout, lists: PickLists) -> np.ndarray:
    return _split(layout, lists, use_gap=False)


def _largest_gap(layout: SingleBlockLayout, lists: PickLists) -> np.ndarray:
    return _split(layout, lists, use_gap=True)


def _combined(layout: SingleBlockLayout, lists: PickLists) -> np.ndarray:
    """Left to right over the aisles with picks; each is traversed or entered and left on the side the picker
    is on, whichever the dynamic programme finds shorter overall; back to the front at the end."""
    c, _, _, horizontal = _real_stats(layout, lists)
    length = layout.aisle_length_m
    n = len(lists)
    front = np.zeros(n)  # cost so far, picker at the front cross aisle
    back = np.full(n, np.inf)  # ... at the back cross aisle
    for j in range(c.real.shape[1]):
        has = c.real[:, j] > 0
        new_front = np.minimum(front + 2.0 * c.ymax[:, j], back + length)
        from_back = np.where(has, back + 2.0 * (length - np.where(has, c.ymin[:, j], 0.0)), np.inf)
        new_back = np.minimum(front + length, from_back)
        front = np.where(has, new_front, front)
        back = np.where(has, new_back, back)
    return np.where(c.empty, 0.0, horizontal + np.minimum(front, back + length))


# Ratliff-Rosenthal states: (degree of the front vertex, of the back vertex, same component) with degrees coded
# 0 = not in the subgraph, 1 = odd, 2 = even and positive; "same" only when both are present.
_STATES = [(0, 0, 0), (1, 0, 0), (2, 0, 0), (0, 1, 0), (0, 2, 0)] + [
    (a, b, s) for a in (1, 2) for b in (1, 2) for s in (0, 1)
]
_INDEX = {s: i for i, s in enumerate(_STATES)}


def _add(p: int, k: int) -> int:
    if k == 0:
        return p
    if p == 0:
        return 1 if k % 2 else 2
    odd = (p == 1) != (k % 2 == 1)
    return 1 if odd else 2


def _components(state: tuple[int, int, int]) -> int:
    a, b, same = state
    return int(a > 0) + int(b > 0) - int(a > 0 and b > 0 and same == 1)


def _cross_moves() -> list[tuple[int, int, int]]:
    """(from, to, number of cross-aisle edges) between adjacent columns."""
    moves = []
    for state in _STATES:
        a, b, same = state
        comps = _components(state)
        for cb, ct in itertools.product((0, 1, 2), repeat=2):
            if (a == 0 and cb) or (b == 0 and ct):
                continue  # a dead end to an unrequired vertex is never shorter
            if (a == 1 and cb != 1) or (a == 2 and cb == 1) or (b == 1 and ct != 1) or (b == 2 and ct == 1):
                continue  # the vertex left behind must end with an even degree
            if comps == 0:
                moves.append((_INDEX[state], _INDEX[(0, 0, 0)], 0))
                continue
            if a and b and same and not (cb or ct):
                continue  # the only component would close while the tour goes on
            if a and b and not same and not (cb and ct):
                continue
            if (a and not b and not cb) or (b and not a and not ct):
                continue
            to = (cb, ct, int(bool(cb and ct and same)))
            moves.append((_INDEX[state], _INDEX[to], cb + ct))
    return moves


_VERTICAL = ("none", "traverse", "traverse_twice", "front", "back", "gap")


def _vertical_moves() -> list[tuple[int, int, str]]:
    """(from, to, configuration) of the edges inside one aisle (Ratliff & Rosenthal's six configurations)."""
    moves = []
    for state in _STATES:
        a, b, same = state
        for config in _VERTICAL:
            if config == "none":
                to = state
            elif config in ("traverse", "traverse_twice"):
                k = 1 if config == "traverse" else 2
                to = (_add(a, k), _add(b, k), 1)
            elif config == "front":
                to = (_add(a, 2), b, int(bool(a and b and same)))
            elif config == "back":
                to = (a, _add(b, 2), int(bool(a and b and same)))
            else:
                to = (_add(a, 2), _add(b, 2), int(bool(a and b and same)))
            if to[0] == 0 or to[1] == 0:
                to = (to[0], to[1], 0)
            moves.append((_INDEX[state], _INDEX[to], config))
    return moves


_CROSS = _cross_moves()
_VERTICAL_MOVES = _vertical_moves()
_ENDS = [_INDEX[s] for s in _STATES if _components(s) == 1 and s[0] in (0, 2) and s[1] in (0, 2)]


def _optimal(layout: SingleBlockLayout, lists: PickLists) -> np.ndarray:
    """Ratliff-Rosenthal: the shortest closed tour through every pick and the pick-and-drop point."""
    c = _columns(layout, lists, with_depot=True)
    length = layout.aisle_length_m
    n, cols = c.count.shape
    last = cols - 1 - np.argmax((c.count > 0)[:, ::-1], axis=1)
    best = np.zeros(n)
    cur = np.full((len(_STATES), n), np.inf)
    cur[_INDEX[(0, 0, 0)]] = 0.0
    for j in range(cols):
        has = c.count[:, j] > 0
        if c.is_aisle[j]:
            cost = {
                "none": np.where(has, np.inf, 0.0),
                "traverse": np.full(n, length),
                "traverse_twice": np.full(n, 2.0 * length),
                "front": np.where(has, 2.0 * c.ymax[:, j], np.inf),
                "back": np.where(has, 2.0 * (length - c.ymin[:, j]), np.inf),
                "gap": np.where(c.count[:, j] >= 2, 2.0 * (length - c.inner_gap[:, j]), np.inf),
            }
        else:  # the depot's pseudo column: its front vertex only
            inf = np.full(n, np.inf)
            cost = {k: inf for k in _VERTICAL}
            cost["none"] = np.where(has, np.inf, 0.0)
            cost["front"] = np.where(has, 0.0, np.inf)
        plus = np.full_like(cur, np.inf)
        for s, t, config in _VERTICAL_MOVES:
            np.minimum(plus[t], cur[s] + cost[config], out=plus[t])
        ending = last == j
        if ending.any():
            best[ending] = plus[_ENDS][:, ending].min(axis=0)
        if j + 1 == cols:
            break
        dx = c.x[j + 1] - c.x[j]
        cur = np.full_like(cur, np.inf)
        for s, t, edges in _CROSS:
            np.minimum(cur[t], plus[s] + edges * dx, out=cur[t])
    return np.where(c.empty, 0.0, best)


POLICIES: dict[str, Callable[[SingleBlockLayout, PickLists], np.ndarray]] = {
    "s_shape": _s_shape,
    "return": _return,
    "midpoint": _midpoint,
    "largest_gap": _largest_gap,
    "combined": _combined,
    "optimal": _optimal,
}


def _policy(policy: str) -> Callable[[SingleBlockLayout, PickLists], np.ndarray]:
    try:
        return POLICIES[policy]
    except KeyError:
        raise InvalidProblemError(
            "policy", f"unknown routing policy {policy!r} (known: {', '.join(POLICIES)})"
        ) from None


def pick_tours_m(layout: SingleBlockLayout, lists: PickLists, policy: str = "largest_gap") -> np.ndarray:
    """Walking distance (m) of every pick list under a routing policy (see `POLICIES`), in one vectorised
    pass: use it to evaluate an order history."""
    route = _policy(policy)
    lists.check(layout)
    if len(lists) == 0:
        return np.zeros(0)
    return route(layout, lists)


def pick_tour_m(layout: SingleBlockLayout, picks: Sequence[Pick], policy: str = "largest_gap") -> float:
    """Walking distance (m) of one pick tour under a routing policy (see `POLICIES`)."""
    layout.check(picks)
    route = _policy(policy)
    return float(route(layout, PickLists.from_lists([picks]))[0])


def _distance(layout: SingleBlockLayout, a: tuple[float, float, int], b: tuple[float, float, int]) -> float:
    """Shortest walk between two points on aisle centre lines (x, y, aisle; the depot is at y = 0)."""
    (xa, ya, aa), (xb, yb, ab) = a, b
    if aa == ab:
        return abs(ya - yb)
    length = layout.aisle_length_m
    return abs(xa - xb) + min(ya + yb, 2.0 * length - ya - yb)


MAX_HELD_KARP = 14


def held_karp_tour_m(layout: SingleBlockLayout, picks: Sequence[Pick]) -> float:
    """The shortest closed tour by Held-Karp over point-to-point aisle distances, for at most `MAX_HELD_KARP`
    distinct picks: an independent check of the Ratliff-Rosenthal programme."""
    layout.check(picks)
    points = sorted({(layout.x(p.aisle), p.y_m, p.aisle) for p in picks})
    if not points:
        return 0.0
    if len(points) > MAX_HELD_KARP:
        raise InvalidProblemError(
            "picks", f"Held-Karp handles at most {MAX_HELD_KARP} distinct picks, got {len(points)}"
        )
    depot = (layout.depot_x_m, 0.0, -1)
    n = len(points)
    d0 = [_distance(layout, depot, p) for p in points]
    d = [[_distance(layout, p, q) for q in points] for p in points]
    best = {(1 << j, j): d0[j] for j in range(n)}
    for size in range(2, n + 1):
        for subset in itertools.combinations(range(n), size):
            mask = sum(1 << j for j in subset)
            for j in subset:
                prev = mask ^ (1 << j)
                best[(mask, j)] = min(best[(prev, i)] + d[i][j] for i in subset if i != j)
    full = (1 << n) - 1
    return min(best[(full, j)] + d0[j] for j in range(n))
