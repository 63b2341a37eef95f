"""Site moves for a design plan at scale: close a site, open one, or swap one for another, each built and
evaluated on the pairs it touches only, with the exact cost change and the rules (capacities, the service
target, the emissions cap) checked, so that a pass over every site costs about what one full re-assignment of
every pair does.

A close moves the site's pairs to their cheapest option at the other open sites (linear cost plus the safety
stock they add to the pool they join, at the pools' current size), within the sites' room; an open moves to
the new site every pair it serves more cheaply than where the pair is (the safety stock of the new pools
estimated from the pairs joining, in a few rounds), up to its capacity; a swap opens one site and then closes
another. A move is kept when its exact cost change is negative and the plan still keeps every rule. These are
the classical add, drop and swap moves of facility location, evaluated incrementally.
"""

from __future__ import annotations

import math

import numpy as np

from logistics.optimize.design.arrays import SHORTLIST, Arrays, plan_cost, pooled, safety_at, segment_argmin, shortlist

__all__ = ["PlanState", "SiteMoves"]


class PlanState:
    """A plan (one option per pair) with what its exact cost and its rules read kept current as pairs move: the
    pools' pooled daily mean and variance, the sites' loads and pair counts, the demand within the promise, the
    t CO2e a year, and the cost."""

    def __init__(self, data: Arrays, chosen: np.ndarray) -> None:
        self.data = data
        self.chosen = chosen.copy()
        self.big_d, self.big_v = pooled(data, chosen)
        self.load = np.bincount(data.site[chosen], weights=data.d, minlength=len(data.fixed))
        self.count = np.bincount(data.site[chosen], minlength=len(data.fixed))
        self.reach_d = float(data.d[data.reach[chosen]].sum())
        self.co2e_t = float(data.co2e_t[chosen].sum())
        self.cost = plan_cost(data, chosen)

    def copy(self) -> PlanState:
        """An independent copy (the arrays are small: per pair, per pool and per site)."""
        other = object.__new__(PlanState)
        other.data = self.data
        other.chosen, other.big_d, other.big_v = self.chosen.copy(), self.big_d.copy(), self.big_v.copy()
        other.load, other.count = self.load.copy(), self.count.copy()
        other.reach_d, other.co2e_t, other.cost = self.reach_d, self.co2e_t, self.cost
        return other

    def assign(self, pairs: np.ndarray, options: np.ndarray) -> None:
        """Move each of `pairs` (distinct) to the option beside it, updating the cost exactly on the pools and
        sites touched."""
        data = self.data
        if not len(pairs):
            return
        old = self.chosen[pairs]
        d, q = data.d[pairs], data.q[pairs]
        p_old, p_new = data.pool[old], data.pool[options]
        pools = np.unique(np.concatenate((p_old[p_old >= 0], p_new[p_new >= 0])))
        before = safety_at(data, pools, self.big_d[pools], self.big_v[pools]).sum() if len(pools) else 0.0
        on_old, on_new = p_old >= 0, p_new >= 0
        np.subtract.at(self.big_d, p_old[on_old], d[on_old])
        np.subtract.at(self.big_v, p_old[on_old], q[on_old])
        np.add.at(self.big_d, p_new[on_new], d[on_new])
        np.add.at(self.big_v, p_new[on_new], q[on_new])
        if len(pools):
            self.big_d[pools] = np.maximum(self.big_d[pools], 0.0)  # rounding when a pool empties
            self.big_v[pools] = np.maximum(self.big_v[pools], 0.0)
        after = safety_at(data, pools, self.big_d[pools], self.big_v[pools]).sum() if len(pools) else 0.0
        s_old, s_new = data.site[old], data.site[options]
        sites = np.unique(np.concatenate((s_old, s_new)))
        used_before = self.count[sites] > 0
        np.subtract.at(self.count, s_old, 1)
        np.add.at(self.count, s_new, 1)
        np.subtract.at(self.load, s_old, d)
        np.add.at(self.load, s_new, d)
        fixed = float((data.fixed[sites] * ((self.count[sites] > 0).astype(float) - used_before)).sum())
        self.reach_d += float((d * (data.reach[options].astype(float) - data.reach[old])).sum())
        self.co2e_t += float((data.co2e_t[options] - data.co2e_t[old]).sum())
        self.cost += fixed + float((data.linear[options] - data.linear[old]).sum()) + float(after - before)
        self.chosen[pairs] = options

    def over(self) -> np.ndarray:
        """The sites over their capacity."""
        return self.load > self.data.cap * (1 + 1e-9)

    def reach_ok(self) -> bool:
        data = self.data
        return self.reach_d >= data.target - 1e-9 * max(1.0, data.target)

    def co2e_ok(self) -> bool:
        return self.co2e_t <= self.data.co2e_cap_t * (1 + 1e-9)

    def feasible(self) -> bool:
        """Capacities, the service target and the emissions cap kept."""
        return not self.over().any() and self.reach_ok() and self.co2e_ok()

    def used(self) -> np.ndarray:
        return self.count > 0


def _segments(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the concatenated segments [starts[i], ends[i]) (none empty), and each segment's start
    in that concatenation."""
    lengths = ends - starts
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    positions = np.arange(int(lengths.sum())) - np.repeat(offsets, lengths) + np.repeat(starts, lengths)
    return positions, offsets


class SiteMoves:
    """The site moves of one problem: each pair's shortlist over every site (its `k` cheapest options
    and as many of the cheapest within the promise, and with an emissions cap as many of the greenest), and
    every option by site."""

    def __init__(self, data: Arrays, k: int = SHORTLIST) -> None:
        self.data = data
        self.cand = shortlist(data, data.by_cost, k)  # grouped by pair (the table is)
        self.cand_start = np.searchsorted(data.pair[self.cand], np.arange(data.n_pairs + 1))
        self.by_site = np.lexsort((data.pair, data.site))  # every option, by site then pair
        self.site_start = np.searchsorted(data.site[self.by_site], np.arange(len(data.fixed) + 1))

    # --- prices ----------------------------------------------------------------------------------------
    def _join(self, state: PlanState, options: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        """What each option would cost its pair to join at the pools' current size (linear + the safety stock
        added to its pool; 9610 options have none)."""
        data = self.data
        pool = data.pool[options]
        on = pool >= 0
        p = np.maximum(pool, 0)
        big_d, big_v = state.big_d[p], state.big_v[p]
        add = safety_at(data, p, big_d + data.d[pairs], big_v + data.q[pairs]) - safety_at(data, p, big_d, big_v)
        return data.linear[options] + np.where(on, add, 0.0)

    def _leave(self, state: PlanState, pairs: np.ndarray) -> np.ndarray:
        """What each pair's current option costs it (linear + the safety stock its pool would save without it)."""
        data = self.data
        options = state.chosen[pairs]
        pool = data.pool[options]
        on = pool >= 0
        p = np.maximum(pool, 0)
        big_d, big_v = state.big_d[p], state.big_v[p]
        rest_d = np.maximum(big_d - data.d[pairs], 0.0)
        rest_v = np.maximum(big_v - data.q[pairs], 0.0)
        saved = safety_at(data, p, big_d, big_v) - safety_at(data, p, rest_d, rest_v)
        return data.linear[options] + np.where(on, saved, 0.0)

    # --- moves -----------------------------------------------------------------------------------------
    def close(self, state: PlanState, k: int) -> PlanState | None:
        """The plan with site `k` closed, its pairs at their cheapest options elsewhere among the sites in
        use (and those at no fixed cost) within their room; None when the rules cannot be kept so."""
        data = self.data
        pairs = np.flatnonzero(data.site[state.chosen] == k)
        if not len(pairs):
            return state.copy()
        positions, offsets = _segments(self.cand_start[pairs], self.cand_start[pairs + 1])
        options = self.cand[positions]
        owner = np.repeat(np.arange(len(pairs)), self.cand_start[pairs + 1] - self.cand_start[pairs])
        site = data.site[options]
        allowed = (state.used() | (data.fixed <= 0))[site] & (site != k)
        price = self._join(state, options, pairs[owner])
        was_reaching = data.reach[state.chosen[pairs]]
        for strict in (False, True):  # second try: keep each pair's reach and emissions no worse
            ok = allowed.copy()
            if strict:
                ok &= data.reach[options] | ~was_reaching[owner]
                ok &= data.co2e_t[options] <= data.co2e_t[state.chosen[pairs]][owner] * (1 + 1e-12)
            moved = self._place(state.load, options, owner, pairs, np.where(ok, price, np.inf), offsets)
            if moved is None:
                return None
            attempt = state.copy()
            attempt.assign(pairs, moved)
            if attempt.feasible():
                return attempt
        return None

    def _place(
        self,
        load: np.ndarray,
        options: np.ndarray,
        owner: np.ndarray,
        pairs: np.ndarray,
        price: np.ndarray,
        offsets: np.ndarray,
    ) -> np.ndarray | None:
        """Each pair's cheapest option (price inf: not allowed) within the sites' room: all at once when their
        best fit together, else one by one, the pairs with most to lose from their second best first; None
        when a pair is left with no option that has room."""
        data = self.data
        d = data.d[pairs]
        tol = 1e-9 * np.maximum(data.cap, 1.0)
        room = data.cap - load
        price = np.where(d[owner] <= room[data.site[options]] + tol[data.site[options]], price, np.inf)
        at = segment_argmin(price, offsets)
        if not np.isfinite(price[at]).all():
            return None
        site = data.site[options[at]]
        if np.all(np.bincount(site, weights=d, minlength=len(room)) <= room + tol):
            return options[at]
        second = price.copy()
        second[at] = np.inf
        regret = price[segment_argmin(second, offsets)] - price[at]
        ends = np.append(offsets[1:], len(options))
        chosen = np.empty(len(pairs), dtype=np.int64)
        for i in np.argsort(-regret, kind="stable").tolist():
            here = options[offsets[i] : ends[i]]
            fits = d[i] <= room[data.site[here]] + tol[data.site[here]]
            mine = np.where(fits, price[offsets[i] : ends[i]], np.inf)
            a = int(np.argmin(mine))
            if not math.isfinite(mine[a]):
                return None
            chosen[i] = here[a]
            room[data.site[here[a]]] -= d[i]
        return chosen

    def open(self, state: PlanState, j: int, rounds: int = 3) -> tuple[PlanState | None, np.ndarray]:
        """The plan with site `j` opened (or more used): the pairs it serves more cheaply than where they are
        move there, up to its capacity; None when no pair gains or the rules cannot be kept. Also the sites the
        movers come from, by the demand they bring (most first), for swaps."""
        data = self.data
        options = self.by_site[self.site_start[j] : self.site_start[j + 1]]
        none = np.zeros(0, dtype=np.int64)
        if not len(options):
            return None, none
        pairs_all = data.pair[options]
        first = np.flatnonzero(np.concatenate(([True], pairs_all[1:] != pairs_all[:-1])))
        pairs = pairs_all[first]
        leave = self._leave(state, pairs)
        owner = np.repeat(np.arange(len(pairs)), np.diff(np.append(first, len(options))))
        pool = data.pool[options]
        on = pool >= 0
        p = np.maximum(pool, 0)
        mine = state.chosen[pairs][owner] == options
        dd, qq = data.d[pairs_all], data.q[pairs_all]
        movers = np.zeros(len(pairs), dtype=bool)
        target = options[first]
        gain = np.zeros(len(pairs))
        for _ in range(rounds):  # the new pools' safety stock from the pairs joining them, re-estimated
            big_d, big_v = state.big_d.copy(), state.big_v.copy()
            joining = movers[owner] & (target[owner] == options) & on & ~mine
            np.add.at(big_d, p[joining], data.d[pairs_all[joining]])
            np.add.at(big_v, p[joining], data.q[pairs_all[joining]])
            inside = joining | mine
            with_d = np.where(inside, big_d[p], big_d[p] + dd)
            with_v = np.where(inside, big_v[p], big_v[p] + qq)
            without_d = np.maximum(with_d - dd, 0.0)
            without_v = np.maximum(with_v - qq, 0.0)
            add = safety_at(data, p, with_d, with_v) - safety_at(data, p, without_d, without_v)
            price = data.linear[options] + np.where(on, add, 0.0)
            masked = np.where(mine, np.inf, price)
            at = segment_argmin(masked, first)
            target = options[at]
            gain = np.where(np.isfinite(masked[at]), leave - masked[at], -np.inf)
            new_movers = gain > 1e-9 * np.maximum(np.abs(leave), 1.0)
            if np.array_equal(new_movers, movers):
                break
            movers = new_movers
        if not movers.any():
            return None, none
        chosen_idx = np.flatnonzero(movers)
        # the capacity: the movers with most gain per order first
        chosen_idx = chosen_idx[np.argsort(-gain[chosen_idx] / np.maximum(data.d[pairs[chosen_idx]], 1e-12))]
        at_j = data.site[state.chosen[pairs[chosen_idx]]] == j
        room = data.cap[j] - state.load[j] + data.d[pairs[chosen_idx]][at_j].sum()
        fits = np.cumsum(data.d[pairs[chosen_idx]]) <= room + 1e-9 * max(data.cap[j], 1.0)
        chosen_idx = chosen_idx[fits]
        if not len(chosen_idx):
            return None, none
        move_pairs, move_to = pairs[chosen_idx], target[chosen_idx]
        trial = state.copy()
        trial.assign(move_pairs, move_to)
        if not trial.feasible():  # keep only the movers that lose neither reach nor emissions
            old = state.chosen[move_pairs]
            keep = (data.reach[move_to] | ~data.reach[old]) & (data.co2e_t[move_to] <= data.co2e_t[old] * (1 + 1e-12))
            move_pairs, move_to = move_pairs[keep], move_to[keep]
            trial = state.copy()
            trial.assign(move_pairs, move_to)
            if not len(move_pairs) or not trial.feasible():
                return None, none
        sources = data.site[state.chosen[move_pairs]]
        brought = np.bincount(sources, weights=data.d[move_pairs], minlength=len(data.fixed))
        order = np.argsort(-brought, kind="stable")
        return trial, order[brought[order] > 0]

    def swap(self, state: PlanState, k: int, j: int) -> PlanState | None:
        """Open `j`, then close `k` (its remaining pairs to their cheapest options, `j` among them)."""
        opened, _ = self.open(state, j)
        if opened is None:
            return None
        return self.close(opened, k)
