"""The design problem as arrays for the solvers at scale: per option, per pair ((market, class)), per site and
per stock pool, with a plan's exact cost and its rules evaluated on them (a plan: one option per pair).

The checker (`evaluate_design`) stays independent of these: it reads the problem per assignment. The
Lagrangian search and the site moves evaluate thousands of candidate plans here, and every plan they return is
re-costed and re-checked by the checker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from logistics.optimize.design.problem import DAYS_PER_YEAR, DesignProblem

__all__ = [
    "SHORTLIST",
    "Arrays",
    "arrays_of",
    "plan_cost",
    "plan_feasible",
    "pooled",
    "safety_at",
    "safety_cny",
    "segment_argmin",
    "shortlist",
]


@dataclass(frozen=True)
class Arrays:
    """The problem as arrays: per option (`pair`, `site`, `pool`, linear cost per year, reaching the promise,
    t CO2e a year, the pool's linear sd term), per pair (orders a day, variance), per site, per pool."""

    pair: np.ndarray
    site: np.ndarray
    pool: np.ndarray  # -1: 9610 (no stock)
    start: np.ndarray  # first option of each pair, and the end
    linear: np.ndarray  # flow + cycle stock, CNY a year
    reach: np.ndarray  # bool: delivered within the promise
    co2e_t: np.ndarray  # t CO2e a year
    d: np.ndarray  # per pair: orders a day
    q: np.ndarray  # per pair: variance of a day's orders
    fixed: np.ndarray  # per site
    cap: np.ndarray  # per site, orders a day
    pool_site: np.ndarray
    pool_a: np.ndarray  # per pool: holding per order's worth x z
    pool_lead: np.ndarray
    pool_lead_sd: np.ndarray
    target: float  # orders a day within the promise, at least
    co2e_cap_t: float  # t a year (inf: no cap)
    by_cost: np.ndarray  # the options by pair, then linear cost
    cost_key: np.ndarray  # pair + linear cost / cost_norm, in that order (< pair + 1)
    cost_norm: float
    cost_top: float  # the largest linear cost / cost_norm

    @property
    def n_pairs(self) -> int:
        return len(self.d)


def arrays_of(problem: DesignProblem) -> Arrays:
    """The arrays of the relaxation; pairs that no option serves are left out (reported apart), but their demand
    counts in the service target's base, as in the MIP and the checker."""
    t = problem.option_table
    classes = {c.id: c for c in problem.sku_classes}
    places = zip(t.pair_market.tolist(), t.pair_entry.tolist(), strict=True)
    entries_all = [problem.markets[m].demand[e] for m, e in places]
    eligible = sum(x.orders_per_day for x in entries_all)
    has = np.bincount(t.pair, minlength=len(entries_all)) > 0
    renumber = np.cumsum(has) - 1
    entries = [x for x, h in zip(entries_all, has.tolist(), strict=True) if h]
    pair = renumber[t.pair]
    d = np.array([x.orders_per_day for x in entries])
    q = np.array([x.sd_per_day**2 for x in entries])
    per_unit = np.array([problem.holding_rate * classes[x.sku_class].order_value_cny for x in entries])
    class_pos = {c.id: k for k, c in enumerate(problem.sku_classes)}
    pair_class = np.array([class_pos[x.sku_class] for x in entries], dtype=np.int64)
    stocked = t.lane >= 0
    pool = np.full(len(t), -1, dtype=np.int64)
    key = (t.site * max(1, len(problem.lanes)) + t.lane) * len(problem.sku_classes) + pair_class[pair]
    keys, pool[stocked] = np.unique(key[stocked], return_inverse=True)
    first = np.zeros(len(keys), dtype=np.int64)
    first[pool[stocked][::-1]] = np.flatnonzero(stocked)[::-1]  # one option of each pool
    dd = d[pair]
    linear = t.cny_per_order * dd * DAYS_PER_YEAR + np.where(stocked, per_unit[pair] * problem.review_days / 2 * dd, 0)
    cap_t = problem.max_co2e_t_per_year
    target = problem.service_target * eligible
    by_cost = np.lexsort((linear, pair))
    top = float(linear.max()) if len(linear) else 0.0
    norm = top * (1 + 1e-6) + 1.0
    return Arrays(
        pair=pair, site=t.site, pool=pool, start=np.searchsorted(pair, np.arange(len(entries) + 1)), linear=linear,
        reach=t.days <= problem.promise_days + 1e-9,
        co2e_t=t.co2e_kg_per_order * dd * DAYS_PER_YEAR / 1000.0, d=d, q=q,
        fixed=np.array([s.fixed_cny for s in problem.sites]),
        cap=np.array([s.capacity_orders_per_day for s in problem.sites]),
        pool_site=t.site[first], pool_a=per_unit[pair[first]] * problem.safety_z,
        pool_lead=t.lead_days[first], pool_lead_sd=t.lead_sd_days[first],
        target=target if target > 1e-9 * eligible else 0.0, co2e_cap_t=math.inf if cap_t is None else cap_t,
        by_cost=by_cost, cost_key=pair[by_cost] + linear[by_cost] / norm, cost_norm=norm, cost_top=top / norm,
    )  # fmt: skip


def safety_cny(data: Arrays, big_d: np.ndarray, big_v: np.ndarray) -> np.ndarray:
    """The exact holding cost of the safety stock of each pool at pooled mean `big_d` and variance `big_v`."""
    return safety_at(data, np.arange(len(data.pool_a)), big_d, big_v)


def pooled(data: Arrays, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D, V) of every pool under a plan (one option per pair)."""
    pool = data.pool[chosen]
    on = pool >= 0
    n = len(data.pool_a)
    big_d = np.bincount(pool[on], weights=data.d[on], minlength=n)
    big_v = np.bincount(pool[on], weights=data.q[on], minlength=n)
    return big_d, big_v


def plan_cost(data: Arrays, chosen: np.ndarray) -> float:
    """The exact yearly cost of a plan (one option per pair): fixed costs of the sites used, flows, stock."""
    used = np.bincount(data.site[chosen], minlength=len(data.fixed)) > 0
    big_d, big_v = pooled(data, chosen)
    return float(data.fixed[used].sum() + data.linear[chosen].sum() + safety_cny(data, big_d, big_v).sum())


def plan_feasible(data: Arrays, chosen: np.ndarray) -> bool:
    """Capacities, the service target and the emissions cap kept by a plan."""
    load = np.bincount(data.site[chosen], weights=data.d, minlength=len(data.fixed))
    if np.any(load > data.cap * (1 + 1e-9)):
        return False
    if data.d[data.reach[chosen]].sum() < data.target - 1e-9 * max(1.0, data.target):
        return False
    return bool(data.co2e_t[chosen].sum() <= data.co2e_cap_t * (1 + 1e-9))


def safety_at(data: Arrays, pool: np.ndarray, big_d: np.ndarray, big_v: np.ndarray) -> np.ndarray:
    """The safety stock's holding cost of the given pools at (D, V)."""
    return data.pool_a[pool] * np.sqrt(data.pool_lead[pool] * big_v + (data.pool_lead_sd[pool] * big_d) ** 2)


def segment_argmin(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The position of the first least value of each segment (segments begin at `starts`, none empty)."""
    lengths = np.diff(np.append(starts, len(values)))
    least = np.minimum.reduceat(values, starts)
    positions = np.arange(len(values))
    return np.minimum.reduceat(np.where(values == np.repeat(least, lengths), positions, len(values)), starts)


SHORTLIST = 16
"""Options tried per pair and per kind: the cheapest (linear cost), the cheapest reaching the promise, and (with
an emissions cap) the lowest-emission ones."""


def shortlist(data: Arrays, options: np.ndarray, k: int, also: np.ndarray | None = None) -> np.ndarray:
    """Positions (grouped by pair) of each pair's `k` cheapest of `options` (given by pair, then linear cost),
    its `k` cheapest reaching the promise, with an emissions cap its `k` lowest-emission ones, and `also`."""
    parts = [_first_per_pair(data, options, k), _first_per_pair(data, options[data.reach[options]], k)]
    if math.isfinite(data.co2e_cap_t):
        greenest = options[np.lexsort((data.co2e_t[options], data.pair[options]))]
        parts.append(_first_per_pair(data, greenest, k))
    if also is not None:
        parts.append(also)
    mark = np.zeros(len(data.pair), dtype=bool)
    for part in parts:
        mark[part] = True
    return np.flatnonzero(mark)


def _first_per_pair(data: Arrays, options: np.ndarray, k: int) -> np.ndarray:
    """The first `k` of each pair's options in `options` (grouped by pair, in the order wanted)."""
    pair = data.pair[options]
    first = np.searchsorted(pair, np.arange(data.n_pairs))
    return options[np.arange(len(options)) - first[pair] < k]
