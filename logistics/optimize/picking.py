"""Pick-path travel in a single-block warehouse: parallel aisles joined by a front and a back cross aisle,
the pick-and-drop point on the front cross aisle. Picks lie on aisle centre lines.

Routing policies: S-shape (traversal), return, midpoint, largest gap (Hall 1993; Roodbergen & de Koster 2001),
and the optimal tour for small pick lists (Held-Karp over the exact aisle-graph distances). Every policy
returns the length of a closed tour from and back to the pick-and-drop point, so none can be shorter than the
optimum. Multi-block layouts, the combined policy and Ratliff-Rosenthal for long lists are not here yet.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from logistics.optimize.problem import InvalidProblemError

__all__ = ["POLICIES", "Pick", "SingleBlockLayout", "pick_tour_m"]


@dataclass(frozen=True)
class Pick:
    """A pick in `aisle` (0 = leftmost) at `y_m` metres from the front cross aisle."""

    aisle: int
    y_m: float


@dataclass(frozen=True)
class SingleBlockLayout:
    """`aisles` parallel aisles of `aisle_length_m`, centre lines `aisle_spacing_m` apart; the pick-and-drop
    point at the front of x = `depot_x_m` (0 = the leftmost aisle's centre line)."""

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


def _by_aisle(picks: Sequence[Pick]) -> dict[int, list[float]]:
    out: dict[int, list[float]] = {}
    for p in picks:
        out.setdefault(p.aisle, []).append(p.y_m)
    return {a: sorted(ys) for a, ys in sorted(out.items())}


def _horizontal(layout: SingleBlockLayout, aisles: list[int]) -> float:
    left = min(layout.depot_x_m, layout.x(aisles[0]))
    right = max(layout.depot_x_m, layout.x(aisles[-1]))
    return 2.0 * (right - left)


def return_policy(layout: SingleBlockLayout, picks: Sequence[Pick]) -> float:
    """Enter every aisle with picks from the front and come back."""
    rows = _by_aisle(picks)
    if not rows:
        return 0.0
    return _horizontal(layout, list(rows)) + sum(2.0 * ys[-1] for ys in rows.values())


def s_shape(layout: SingleBlockLayout, picks: Sequence[Pick]) -> float:
    """Traverse every aisle with picks entirely; with an odd count, the last one is entered and left from the
    front."""
    rows = _by_aisle(picks)
    if not rows:
        return 0.0
    aisles = list(rows)
    length = layout.aisle_length_m
    vertical = length * len(aisles)
    if len(aisles) % 2 == 1:
        vertical += 2.0 * rows[aisles[-1]][-1] - length
    return _horizontal(layout, aisles) + vertical


def _split_policy(layout: SingleBlockLayout, picks: Sequence[Pick], use_gap: bool) -> float:
    rows = _by_aisle(picks)
    if len(rows) <= 1:
        return return_policy(layout, picks)
    aisles = list(rows)
    length = layout.aisle_length_m
    vertical = 2.0 * length  # up the first aisle with picks, down the last one
    for a in aisles[1:-1]:
        ys = rows[a]
        if use_gap:
            gaps = [ys[0]] + [b - c for c, b in itertools.pairwise(ys)] + [length - ys[-1]]
            vertical += 2.0 * (length - max(gaps))
        else:
            front = [y for y in ys if y <= length / 2]
            back = [y for y in ys if y > length / 2]
            vertical += (2.0 * max(front) if front else 0.0) + (2.0 * (length - min(back)) if back else 0.0)
    return _horizontal(layout, aisles) + vertical


def midpoint(layout: SingleBlockLayout, picks: Sequence[Pick]) -> float:
    """Traverse the first and last aisles with picks; in the others, front-half picks from the front and
    back-half picks from the back."""
    return _split_policy(layout, picks, use_gap=False)


def largest_gap(layout: SingleBlockLayout, picks: Sequence[Pick]) -> float:
    """Traverse the first and last aisles with picks; in the others, leave out the largest gap between
    adjacent picks (or an aisle end)."""
    return _split_policy(layout, picks, use_gap=True)


def _distance(layout: SingleBlockLayout, a: tuple[float, float, int], b: tuple[float, float, int]) -> float:
    """Shortest walk between two points on aisle centre lines (x, y, aisle; the depot is at y = 0)."""
    (xa, ya, aa), (xb, yb, ab) = a, b
    if aa == ab:
        return abs(ya - yb)
    length = layout.aisle_length_m
    return abs(xa - xb) + min(ya + yb, 2.0 * length - ya - yb)


MAX_EXACT = 14


def optimal(layout: SingleBlockLayout, picks: Sequence[Pick]) -> float:
    """The shortest closed tour (Held-Karp, exact), for at most `MAX_EXACT` picks."""
    points = sorted({(layout.x(p.aisle), p.y_m, p.aisle) for p in picks})
    if not points:
        return 0.0
    if len(points) > MAX_EXACT:
        raise InvalidProblemError(
            "picks", f"the exact route handles at most {MAX_EXACT} distinct picks, got {len(points)}"
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


POLICIES = {
    "s_shape": s_shape,
    "return": return_policy,
    "midpoint": midpoint,
    "largest_gap": largest_gap,
    "optimal": optimal,
}


def pick_tour_m(layout: SingleBlockLayout, picks: Sequence[Pick], policy: str = "largest_gap") -> float:
    """Walking distance (m) of a pick tour under a routing policy (see `POLICIES`)."""
    layout.check(picks)
    try:
        route = POLICIES[policy]
    except KeyError:
        raise InvalidProblemError(
            "policy", f"unknown routing policy {policy!r} (known: {', '.join(POLICIES)})"
        ) from None
    return route(layout, picks)
