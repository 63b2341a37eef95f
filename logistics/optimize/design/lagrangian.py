"""The network design at scale: a Lagrangian relaxation for a proven lower bound, and a Lagrangian heuristic with
local search for the plan, on the option columns (`OptionTable`), so that millions of options cost arrays.

Relaxed (multipliers, by subgradient ascent with Polyak steps towards the best plan's cost): the assignment
rows (each eligible (market, class) served once, lambda free), the capacity rows (load / capacity <= open,
mu >= 0), the service row and the emissions cap (nu, rho >= 0). What stays decomposes by site: a site is open
when its value (fixed cost - mu + the best subset of its options at their reduced costs) is negative.

The stock of each (bonded site, class, lane) pool costs, exactly, a x sqrt(L V + sL^2 D^2) for its safety
stock (a: holding per order's worth x z; D, V: the pooled mean and variance of daily demand; L, sL: the lead
time's mean and sd) plus cycle stock linear in D. For the bound, sqrt(L V + sL^2 D^2) >= cos t sqrt(L V) +
sin t sL D for any t in [0, pi/2] (Cauchy-Schwarz; t per pool, from the best plan's pool); then the best subset
of a pool minimises sum(b_i x_i) + alpha sqrt(sum(q_i x_i)), which a prefix of its negative-cost options in
increasing b_i / q_i solves (Shen, Coullard and Daskin, "A joint location-inventory model", Transportation
Science 37(1), 2003). Every bound is therefore a valid lower bound on the exact cost, and the stated gap is
the exact cost of the plan against the best bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from logistics.optimize.design.arrays import (
    SHORTLIST,
    Arrays,
    arrays_of,
    plan_cost,
    plan_feasible,
    pooled,
    safety_cny,
    segment_argmin,
    shortlist,
)
from logistics.optimize.design.problem import DesignProblem
from logistics.optimize.design.site_moves import PlanState, SiteMoves
from logistics.optimize.design.transport import transport_assignment

__all__ = ["Relaxed", "solve_lagrangian"]


@dataclass(frozen=True)
class Relaxed:
    """What the Lagrangian solve found: the chosen option per pair (positions in the option table; empty when
    no plan was found), its exact cost, the best lower bound, and the search's counts."""

    chosen: np.ndarray
    cost_cny: float
    bound_cny: float
    iterations: int
    plans_tried: int
    optimal: bool
    trace: tuple[tuple[float, float, float], ...] = ()  # (s, bound, cost) as either improved
    infeasible: str = ""  # why no plan can exist, when that is proven (then `chosen` is empty)


# --- the bound ---------------------------------------------------------------------------------------------
@dataclass
class _Multipliers:
    lam: np.ndarray  # per pair, free
    mu: np.ndarray  # per site, >= 0 (capacity rows scaled by the capacity)
    nu: float  # >= 0 (the service row scaled by its target)
    rho: float  # >= 0 (the emissions row scaled by the cap)


def _active(data: Arrays, m: _Multipliers) -> np.ndarray:
    """The options whose reduced cost can be negative at these multipliers: every other one's is at least its
    linear cost - lambda - the service row's reward >= 0 (the capacity, emission and lead-time terms only add),
    so it is never taken and leaving it out changes nothing in the bound. A prefix of each pair's options by
    linear cost."""
    thr = m.lam.copy()
    if m.nu > 0 and data.target > 0:
        thr += m.nu * data.d / data.target
    pairs = np.arange(data.n_pairs)
    key = pairs + np.clip(thr / data.cost_norm, 0.0, data.cost_top) + 1e-12
    end = np.searchsorted(data.cost_key, key)
    start = data.start[:-1]
    lengths = np.maximum(end - start, 0)
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(start - (np.cumsum(lengths) - lengths), lengths)
    return data.by_cost[offsets + np.arange(total)]


def _dual(data: Arrays, m: _Multipliers, cos_t: np.ndarray, sin_t: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """The Lagrangian function at the multipliers: (its value, a lower bound on the exact cost; the options
    taken, as positions; the sites open)."""
    act = _active(data, m)
    pair, site, pool = data.pair[act], data.site[act], data.pool[act]
    dd = data.d[pair]
    b = data.linear[act] - m.lam[pair] + m.mu[site] * dd / data.cap[site]
    if m.nu > 0 and data.target > 0:
        b = b - np.where(data.reach[act], m.nu * dd / data.target, 0.0)
    if m.rho > 0 and math.isfinite(data.co2e_cap_t):
        b = b + m.rho * data.co2e_t[act] / data.co2e_cap_t
    stocked = pool >= 0
    ps = np.maximum(pool, 0)
    b = b + np.where(stocked, data.pool_a[ps] * sin_t[ps] * data.pool_lead_sd[ps] * dd, 0.0)
    n_sites = len(data.fixed)
    value = data.fixed - m.mu
    neg = b < 0
    parcel = neg & ~stocked
    taken = [act[parcel]]
    value += np.bincount(site[parcel], weights=b[parcel], minlength=n_sites)
    idx = np.flatnonzero(neg & stocked)
    if len(idx):
        pools = pool[idx]
        qi = data.q[pair[idx]]
        with np.errstate(divide="ignore"):
            ratio = np.where(qi > 0, b[idx] / np.where(qi > 0, qi, 1.0), -np.inf)
        order = np.lexsort((ratio, pools))
        idx, pools, qi = idx[order], pools[order], qi[order]
        bi = b[idx]
        starts = np.flatnonzero(np.diff(pools, prepend=-1))
        lengths = np.diff(np.append(starts, len(idx)))
        cb, cq = np.cumsum(bi), np.cumsum(qi)
        base_b = np.repeat(cb[starts] - bi[starts], lengths)
        base_q = np.repeat(cq[starts] - qi[starts], lengths)
        seg_pool = pools[starts]
        alpha = data.pool_a[seg_pool] * cos_t[seg_pool] * np.sqrt(data.pool_lead[seg_pool])
        val = (cb - base_b) + np.repeat(alpha, lengths) * np.sqrt(np.maximum(cq - base_q, 0.0))
        seg_min = np.minimum.reduceat(val, starts)
        positions = np.arange(len(idx))
        at_min = np.where(val == np.repeat(seg_min, lengths), positions, len(idx))
        first_min = np.minimum.reduceat(at_min, starts)
        keep = (positions <= np.repeat(first_min, lengths)) & np.repeat(seg_min < 0, lengths)
        taken.append(act[idx[keep]])
        value += np.bincount(data.pool_site[seg_pool], weights=np.minimum(seg_min, 0.0), minlength=n_sites)
    opened = value < 0
    chosen = np.concatenate(taken)
    chosen = chosen[opened[data.site[chosen]]]
    bound = float(m.lam.sum() + m.nu - m.rho + np.minimum(value, 0.0).sum())
    return bound, chosen, opened


def _subgradient(data: Arrays, taken: np.ndarray, opened: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The relaxed rows' violations at the Lagrangian's solution (assignment, capacity, service, emissions)."""
    n_sites = len(data.fixed)
    g_lam = 1.0 - np.bincount(data.pair[taken], minlength=data.n_pairs)
    dd = data.d[data.pair[taken]]
    g_mu = np.bincount(data.site[taken], weights=dd, minlength=n_sites) / data.cap - opened
    g_nu = 1.0 - dd[data.reach[taken]].sum() / np.float64(data.target) if data.target > 0 else 0.0
    g_rho = data.co2e_t[taken].sum() / np.float64(data.co2e_cap_t) - 1.0 if math.isfinite(data.co2e_cap_t) else 0.0
    with np.errstate(over="ignore"):  # a run-away row shows as inf and stops the ascent
        return g_lam, g_mu, float(g_nu), float(g_rho)


def _angles(data: Arrays, chosen: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The bound's angle per pool, tight at the plan's pooled (D, V) (unused pools: at all their markets)."""
    n = len(data.pool_a)
    on = data.pool >= 0
    all_d = np.bincount(data.pool[on], weights=data.d[data.pair[on]], minlength=n)
    all_v = np.bincount(data.pool[on], weights=data.q[data.pair[on]], minlength=n)
    if chosen is not None:
        big_d, big_v = pooled(data, chosen)
        used = big_d > 0
        all_d, all_v = np.where(used, big_d, all_d), np.where(used, big_v, all_v)
    t = np.arctan2(data.pool_lead_sd * all_d, np.sqrt(data.pool_lead * all_v))
    return np.cos(t), np.sin(t)


# --- plans -------------------------------------------------------------------------------------------------


def _shortlist(data: Arrays, open_mask: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """The options a plan on these open sites tries (`SHORTLIST` of each kind, and each pair's current option),
    grouped by pair."""
    at_open = data.by_cost[open_mask[data.site[data.by_cost]]]
    return shortlist(data, at_open, SHORTLIST, chosen[open_mask[data.site[chosen]]])


class _Plan:
    """A plan being improved over the options of a set of open sites: the chosen option per pair, the pools'
    pooled (D, V) and the sites' loads kept current as pairs move."""

    def __init__(self, data: Arrays, open_mask: np.ndarray, chosen: np.ndarray, m: _Multipliers | None = None):
        self.data = data
        self.cand = _shortlist(data, open_mask, chosen)  # options at open sites worth trying, grouped by pair
        # the relaxation's prices of the service and emission rows, steering the moves (not the cost); its
        # capacity prices steer the first assignment (`settle`)
        dd = data.d[data.pair[self.cand]]
        self.bonus = np.zeros(len(self.cand))
        self.congestion_per_order = np.zeros(len(data.fixed))  # the relaxation's capacity prices, per site
        if m is not None and m.nu > 0 and data.target > 0:
            self.bonus += np.where(data.reach[self.cand], m.nu * dd / data.target, 0.0)
        if m is not None and m.rho > 0 and math.isfinite(data.co2e_cap_t):
            self.bonus -= m.rho * data.co2e_t[self.cand] / data.co2e_cap_t
        if m is not None:
            self.congestion_per_order = m.mu / data.cap
        pair = data.pair[self.cand]
        self.starts = np.searchsorted(pair, np.arange(data.n_pairs))
        ends = np.searchsorted(pair, np.arange(data.n_pairs), side="right")
        self.ok = bool(np.all(ends > self.starts))
        # what pricing reads per candidate, gathered once: its pair's demand and variance, its pool and that
        # pool's constants (a = 0 for 9610: no stock), its linear cost and site
        self.pair_c, self.site_c, self.d_c, self.q_c = pair, data.site[self.cand], dd, data.q[pair]
        pool = data.pool[self.cand]
        self.pool_c = np.maximum(pool, 0)
        self.a_c = np.where(pool >= 0, data.pool_a[self.pool_c], 0.0)
        self.lead_c = data.pool_lead[self.pool_c]
        self.sd2_c = data.pool_lead_sd[self.pool_c] ** 2
        self.linear_c = data.linear[self.cand]
        self.chosen = chosen.copy()
        if self.ok:
            stranded = ~open_mask[data.site[self.chosen]]
            if stranded.any():  # pairs at a closed site: their cheapest open option
                best = self.cand[segment_argmin(self.linear_c, self.starts)]
                self.chosen[stranded] = best[stranded]

    def load(self) -> np.ndarray:
        data = self.data
        return np.bincount(data.site[self.chosen], weights=data.d, minlength=len(data.fixed))

    def prices(self) -> tuple[np.ndarray, np.ndarray]:
        """Per candidate option, what the pair would cost there given every other pair where it is (linear
        cost + the pool's safety stock added), with the pair's own option at what keeping it costs; and the
        price of each pair's current option."""
        data = self.data
        big_d, big_v = pooled(data, self.chosen)
        now = safety_cny(data, big_d, big_v)[self.pool_c]
        mine = self.chosen[self.pair_c] == self.cand
        sign = np.where(mine, -1.0, 1.0)
        d_new = big_d[self.pool_c] + sign * self.d_c
        v_new = big_v[self.pool_c] + sign * self.q_c
        other = self.a_c * np.sqrt(np.maximum(self.lead_c * v_new + self.sd2_c * d_new * d_new, 0.0))
        price = self.linear_c + sign * (other - now) - self.bonus
        current = np.full(data.n_pairs, np.nan)
        current[self.pair_c[mine]] = price[mine]
        return price, current

    def settle(self, rounds: int = 40) -> None:
        """Every pair to its cheapest option at prices that include a price per order a day of each site's
        capacity, raised on the sites over it and lowered on the others (from the relaxation's capacity
        prices, by diminishing steps): the sites' own small dual ascent, so that the assignment starts close to
        the capacities' fractional optimum before `repair` and `improve` make it feasible and better."""
        data = self.data
        per_order = float(np.median(self.linear_c / np.maximum(self.d_c, 1e-12)))
        toll = self.congestion_per_order.copy()
        for k in range(rounds):
            price, _ = self.prices()
            self.chosen = self.cand[segment_argmin(price + toll[self.site_c] * self.d_c, self.starts)]
            over = (self.load() - data.cap) / data.cap
            toll = np.maximum(0.0, toll + 0.05 / math.sqrt(k + 1) * per_order * np.clip(over, -1.0, 1.0))

    def cost(self) -> float:
        """The plan's exact yearly cost."""
        return plan_cost(self.data, self.chosen)

    def improve(self, deadline: float, rounds: int = 12) -> None:
        """Best-response rounds: every pair to its cheapest option with room given the others, the moves of a
        round kept when they lower the exact cost (else the larger-gain half of them, and so on)."""
        data = self.data
        best_cost = plan_cost(data, self.chosen)
        was_feasible = plan_feasible(data, self.chosen)
        for _ in range(rounds):
            if time.perf_counter() > deadline:
                return
            price, current = self.prices()
            room = data.cap - self.load()
            fits = room[self.site_c] >= self.d_c
            fits |= self.chosen[self.pair_c] == self.cand
            at = segment_argmin(np.where(fits, price, np.inf), self.starts)
            target = self.cand[at]
            gain = current - price[at]
            moving = np.flatnonzero((target != self.chosen) & (gain > 1e-9 * np.maximum(np.abs(current), 1.0)))
            if not len(moving):
                return
            moving = moving[np.argsort(-gain[moving])]
            improved = False
            while len(moving):
                trial = self.chosen.copy()
                trial[moving] = target[moving]
                cost = plan_cost(data, trial)
                if cost < best_cost - 1e-9 * abs(best_cost) and (plan_feasible(data, trial) or not was_feasible):
                    self.chosen, best_cost, improved = trial, cost, True
                    break
                moving = moving[: len(moving) // 2]
            if not improved:
                return

    def repair(self) -> bool:
        """Capacities, then the service target, then the emissions cap, by the cheapest moves per unit of what
        is short; False when they cannot all be kept with these sites."""
        data = self.data
        for _ in range(3):
            if not self._shed():
                return False
            if not self._reach() or not self._cut_co2e():
                return False
            if plan_feasible(data, self.chosen):
                return True
        return False

    def _greedy(self, pairs: np.ndarray, allowed: np.ndarray, worth: np.ndarray, short: float) -> float:
        """Move `pairs` to their cheapest allowed other option (with room), cheapest per unit of `worth` (per
        pair: what a move removes of the shortfall) first, until `short` is covered; the moves' options are
        re-priced after each pass. Returns what is still short."""
        data = self.data
        while short > 0:
            room = data.cap - self.load()
            fits = allowed & (room[self.site_c] >= self.d_c)
            target, delta = self._moves(pairs, fits)
            order = np.argsort(delta / np.maximum(worth, 1e-12))
            moved = 0
            for k in order:
                if short <= 0:
                    break
                p, o = int(pairs[k]), int(target[k])
                if not math.isfinite(delta[k]) or worth[k] <= 0 or room[data.site[o]] < data.d[p]:
                    continue
                room[data.site[self.chosen[p]]] += data.d[p]
                self.chosen[p] = o
                room[data.site[o]] -= data.d[p]
                short -= worth[k]
                moved += 1
            if not moved:
                break
            keep = self.chosen[pairs] != target  # those moved leave the list
            pairs, worth = pairs[keep], worth[keep]
        return short

    def _moves(self, pairs: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each of `pairs`, its cheapest allowed other option and the price difference of moving there."""
        price, current = self.prices()
        masked = np.where(allowed & (self.chosen[self.pair_c] != self.cand), price, np.inf)
        at = segment_argmin(masked, self.starts)[pairs]
        return self.cand[at], masked[at] - current[pairs]

    def _shed(self) -> bool:
        """Every site over its capacity at once: its pairs to their cheapest other option with room, cheapest
        per order a day first, re-priced after each pass."""
        data = self.data
        for _ in range(50):
            load = self.load()
            over = load > data.cap * (1 + 1e-9)
            if not over.any():
                return True
            pairs = np.flatnonzero(over[data.site[self.chosen]])
            room = data.cap - load
            target, delta = self._moves(pairs, ~over[self.site_c] & (room[self.site_c] >= self.d_c))
            excess = load - data.cap * (1 + 1e-12)
            moved = 0
            for k in np.argsort(delta / np.maximum(data.d[pairs], 1e-12)):
                p, o = int(pairs[k]), int(target[k])
                s = data.site[self.chosen[p]]
                if excess[s] <= 0 or not math.isfinite(delta[k]) or room[data.site[o]] < data.d[p]:
                    continue
                self.chosen[p] = o
                room[data.site[o]] -= data.d[p]
                excess[s] -= data.d[p]
                moved += 1
            if not moved:
                return False
        return not bool(np.any(self.load() > data.cap * (1 + 1e-9)))

    def _reach(self) -> bool:
        data = self.data
        short = data.target - data.d[data.reach[self.chosen]].sum() - 1e-12 * max(1.0, data.target)
        if short <= 0:
            return True
        pairs = np.flatnonzero(~data.reach[self.chosen])
        return self._greedy(pairs, data.reach[self.cand], data.d[pairs], short) <= 0

    def _cut_co2e(self) -> bool:
        data = self.data
        if not math.isfinite(data.co2e_cap_t):
            return True
        excess = data.co2e_t[self.chosen].sum() - data.co2e_cap_t * (1 - 1e-12)
        if excess <= 0:
            return True
        reached = data.reach[self.chosen]
        for _ in range(20):  # the saving per move depends on the option it lands on: re-rank after each pass
            pairs = np.arange(data.n_pairs)
            mine = data.co2e_t[self.chosen][self.pair_c]
            keeps_reach = data.reach[self.cand] | ~reached[self.pair_c]
            allowed = (data.co2e_t[self.cand] < mine) & keeps_reach
            target, _ = self._moves(pairs, allowed)
            saved = data.co2e_t[self.chosen] - data.co2e_t[target]
            before = excess
            excess = self._greedy(pairs, allowed, np.where(np.isfinite(saved), saved, 0.0), excess)
            if excess <= 0 or excess >= before:
                break
        return bool(excess <= 0)


# --- the search --------------------------------------------------------------------------------------------
class _Search:
    """The best plan so far and the best bound, over the Lagrangian iterations and the local search."""

    def __init__(self, data: Arrays, deadline: float) -> None:
        self.data = data
        self.deadline = deadline
        self.chosen: np.ndarray | None = None
        self.cost = math.inf
        self.bound = -math.inf
        self.tried = 0
        self.seen: set[bytes] = set()  # the relaxation's open sets already tried
        self.began = time.perf_counter()
        self.trace: list[tuple[float, float, float]] = []  # (s, bound, cost) whenever either improves
        self.cheapest = segment_argmin(data.linear, data.start[:-1])  # each pair's cheapest option

    def offer(
        self, open_mask: np.ndarray, start: np.ndarray, m: _Multipliers | None = None, settle: bool = True
    ) -> bool:
        """Build a plan on these open sites from `start` (settled at the relaxation's prices when given and
        `settle`; else only the pairs at closed sites move), repaired and improved; kept when it is the best."""
        self.tried += 1
        plan = _Plan(self.data, open_mask, start, m)
        if not plan.ok:
            return False
        if m is not None and settle:
            plan.settle()
        if not plan.repair():
            return False
        plan.improve(self.deadline)
        cost = plan.cost()
        if cost < self.cost and plan_feasible(self.data, plan.chosen):
            self.chosen, self.cost = plan.chosen, cost
            self.note()
            return True
        return False

    def transport(self, m: _Multipliers | None) -> bool:
        """The best plan's pairs re-assigned all at once on its sites (`transport_assignment`, at the plan's
        prices), repaired and improved; kept when it is better."""
        if self.chosen is None or time.perf_counter() > self.deadline:
            return False
        data = self.data
        used = (np.bincount(data.site[self.chosen], minlength=len(data.fixed)) > 0) | (data.fixed <= 0)
        plan = _Plan(data, used, self.chosen, m)
        if not plan.ok:
            return False
        price, _ = plan.prices()
        plan.chosen, _ = transport_assignment(data, plan.cand, price, plan.chosen, used)
        if not plan.repair():
            return False
        plan.improve(self.deadline)
        cost = plan.cost()
        if cost < self.cost - 1e-9 * abs(self.cost) and plan_feasible(data, plan.chosen):
            self.chosen, self.cost = plan.chosen, cost
            self.note()
            return True
        return False

    def note(self) -> None:
        self.trace.append((round(time.perf_counter() - self.began, 2), self.bound, self.cost))

    def closed(self, gap: float) -> bool:
        return math.isfinite(self.cost) and self.cost - self.bound <= gap * abs(self.cost)


def _relax(
    search: _Search, gap: float, until: float, m: _Multipliers | None = None
) -> tuple[_Multipliers, np.ndarray, int]:
    """Subgradient ascent on the multipliers (Polyak steps towards the best plan's cost, the step halved when
    the bound stalls; from `m` if given), a plan tried from the Lagrangian's open sites every few iterations.
    Returns the last multipliers, the sites by how often the relaxation opened them (most first) and the
    iterations."""
    data = search.data
    if m is None:
        m = _Multipliers(data.linear[search.cheapest].copy(), np.zeros(len(data.fixed)), 0.0, 0.0)
        step = 2.0
    else:  # restarted (the angles move with the plan; tried: carrying the step over stalls the bound)
        step = 0.5
    cos_t, sin_t = _angles(data, search.chosen)
    stall, it = 0, 0
    spent = {"dual": 0.0, "plans": 0.0}  # plans get at most the time the bound gets
    seen = search.seen
    votes = np.zeros(len(data.fixed))
    while time.perf_counter() < until and step > 1e-2 and not search.closed(gap):
        began = time.perf_counter()
        bound, taken, opened = _dual(data, m, cos_t, sin_t)
        spent["dual"] += time.perf_counter() - began
        if math.isnan(bound):
            break
        it += 1
        votes += opened
        if not math.isfinite(search.bound) or bound > search.bound + 1e-9 * abs(search.bound):
            search.bound, stall = bound, 0
            if not search.trace or bound > search.trace[-1][1] + 1e-4 * abs(bound):
                search.note()
        else:
            stall += 1
            if stall >= 20:
                step, stall = step / 2, 0
        key = opened.tobytes()
        if it % 5 == 0 and key not in seen and spent["plans"] <= spent["dual"]:
            seen.add(key)
            began = time.perf_counter()
            once = np.bincount(data.pair[taken], minlength=data.n_pairs) == 1
            start = search.cheapest.copy()
            start[data.pair[taken][once[data.pair[taken]]]] = taken[once[data.pair[taken]]]
            if search.offer(opened | (data.fixed <= 0), start, m):
                cos_t, sin_t = _angles(data, search.chosen)
            spent["plans"] += time.perf_counter() - began
        g_lam, g_mu, g_nu, g_rho = _subgradient(data, taken, opened)
        g_mu = np.where((m.mu > 0) | (g_mu > 0), g_mu, 0.0)
        g_nu = g_nu if m.nu > 0 or g_nu > 0 else 0.0
        g_rho = g_rho if m.rho > 0 or g_rho > 0 else 0.0
        with np.errstate(over="ignore"):
            norm2 = float((g_lam**2).sum() + (g_mu**2).sum() + np.float64(g_nu) ** 2 + np.float64(g_rho) ** 2)
        if not math.isfinite(norm2):
            break
        if norm2 <= 0:  # the relaxation's solution is feasible and complementary: the bound is the optimum
            break
        target = search.cost if math.isfinite(search.cost) else abs(bound) * 1.05 + 1.0
        t = step * max(target - bound, 1e-9 * abs(target)) / norm2
        after = _Multipliers(
            m.lam + t * g_lam, np.maximum(0.0, m.mu + t * g_mu), max(0.0, m.nu + t * g_nu), max(0.0, m.rho + t * g_rho)
        )
        if not (np.isfinite(after.lam).all() and np.isfinite(after.mu).all() and math.isfinite(after.nu + after.rho)):
            break  # no plan to aim at and the multipliers running away (an infeasible problem): stop here
        m = after
    return m, np.argsort(-votes, kind="stable"), it


def _local(search: _Search, moves: SiteMoves, attractive: np.ndarray, m: _Multipliers, gap: float) -> bool:
    """Passes of site moves on the best plan (`SiteMoves`): close each site in use (the least loaded for its
    fixed cost first), open each site not in use (those the relaxation opened most first) or else swap it for
    one of the three sites its pairs would come from; a move is kept when it lowers the exact cost and keeps
    the rules. Whenever the plan is better than the best, every pair is re-assigned at the exact cost on its
    sites (`offer`) and the search goes on from the best; when no move gains, every pair at once by the
    transportation problem (`_Search.transport`), and the passes go on if that gained. Whether the best plan
    improved."""
    data = search.data
    assert search.chosen is not None
    state = PlanState(data, search.chosen)
    any_better, improved = False, True

    def better(trial: PlanState | None) -> bool:
        nonlocal state, improved
        if trial is None or trial.cost >= state.cost - 1e-9 * abs(state.cost):
            return False
        state, improved = trial, True
        return True

    def out_of_time() -> bool:
        return time.perf_counter() > search.deadline or search.closed(gap)

    while improved and not out_of_time():
        improved = False
        used = state.used()
        if not used.any():
            break
        for k in sorted(np.flatnonzero(used & (data.fixed > 0)).tolist(), key=lambda k: state.load[k] / data.fixed[k]):
            if out_of_time():
                break
            if state.used()[k]:
                better(moves.close(state, k))
        for j in attractive.tolist():
            if out_of_time():
                break
            if state.used()[j]:
                continue
            opened, sources = moves.open(state, j)
            if better(opened):
                continue
            for k in sources[:3].tolist():
                if state.used()[k] and data.fixed[k] > 0 and better(moves.swap(state, k, j)):
                    break
        if state.cost < search.cost - 1e-9 * abs(search.cost):
            search.offer(state.used() | (data.fixed <= 0), state.chosen, m, settle=False)
            exact = plan_cost(data, state.chosen) if search.cost > state.cost else search.cost
            if exact < search.cost and plan_feasible(data, state.chosen):  # when the polish could not add
                search.chosen, search.cost = state.chosen.copy(), exact
                search.note()
            state = PlanState(data, search.chosen)
            any_better = True
        if not improved and not out_of_time() and search.transport(m):  # no site move left: re-assign all
            state, improved, any_better = PlanState(data, search.chosen), True, True
    return any_better


FIRST_ASCENT = 0.2
"""The share of the time limit the first subgradient ascent may take before the site moves start (every later
ascent: a quarter of the time left): a good plan early gives the Polyak steps a close target."""


def _impossible(data: Arrays) -> str:
    """Why no plan can keep the rules, when simple totals prove it: the demand that can be served within the
    promise below the target, all capacity below all demand, or every pair's lowest-emission option over the
    cap; "" otherwise (a plan may still not exist: the search then ends without one)."""
    reach = np.bincount(data.pair[data.reach], minlength=data.n_pairs) > 0
    if data.d[reach].sum() < data.target * (1 - 1e-9):
        return "no plan meets the service target: too little demand can be served within the promise"
    if data.cap.sum() < data.d.sum() * (1 - 1e-9):
        return "no plan fits: the capacity of every site together is less than the demand"
    if math.isfinite(data.co2e_cap_t):
        least = np.minimum.reduceat(data.co2e_t, data.start[:-1]) if len(data.co2e_t) else np.zeros(0)
        if least.sum() > data.co2e_cap_t * (1 + 1e-9):
            return "no plan keeps the emissions cap: every market by its lowest-emission option is over it"
    return ""


def solve_lagrangian(problem: DesignProblem, time_limit_s: float, gap: float, started: float) -> Relaxed:
    """Solve the design by Lagrangian relaxation and local search (see the module) within `time_limit_s` of
    `started`, stopping early once the proven gap is at most `gap`."""
    deadline = started + time_limit_s
    data = arrays_of(problem)
    if data.n_pairs == 0:
        return Relaxed(np.zeros(0, dtype=np.int64), 0.0, 0.0, 0, 0, True)
    why = _impossible(data)
    if why:
        return Relaxed(np.zeros(0, dtype=np.int64), math.inf, math.inf, 0, 0, False, infeasible=why)
    search = _Search(data, deadline)
    search.offer(np.ones(len(data.fixed), dtype=bool), search.cheapest)
    moves = SiteMoves(data)
    m, iterations, idle = None, 0, 0
    while time.perf_counter() < deadline and not search.closed(gap):  # the bound, then plans, while time lasts
        before = (search.bound, search.cost)
        left = deadline - time.perf_counter()
        m, attractive, it = _relax(search, gap, time.perf_counter() + (FIRST_ASCENT if m is None else 0.25) * left, m)
        iterations += it
        if search.chosen is not None:
            _local(search, moves, attractive, m, gap)
        idle = idle + 1 if (search.bound, search.cost) == before else 0
        if idle >= 2:  # neither the bound nor the plan moved twice running
            break
    if search.chosen is None:
        return Relaxed(
            np.zeros(0, dtype=np.int64), math.inf, search.bound, iterations, search.tried, False, tuple(search.trace)
        )
    return Relaxed(
        search.chosen, search.cost, search.bound, iterations, search.tried, search.closed(gap), tuple(search.trace)
    )
