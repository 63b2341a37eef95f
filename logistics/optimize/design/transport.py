"""Every pair re-assigned at once over fixed open sites, as a transportation problem: each pair's demand sent to
sites through its candidate options at a price per order (linear cost plus the safety stock it adds to its pool
at the plan's current pool sizes), within the sites' capacities, solved exactly as a minimum-cost flow
(OR-Tools); each pair then takes the option that carries most of its flow (an optimal flow splits at most as
many pairs as there are sites, minus one). Where single-sourcing overfills a site, the caller repairs.

Moving pairs one at a time (best response) cannot exchange two pairs between two full sites; the flow can,
which is why a plan that site moves and best response have left alone often still improves here (the
classical transportation step of capacitated facility-location heuristics).
"""

from __future__ import annotations

import numpy as np

from logistics.optimize.design.arrays import Arrays

__all__ = ["transport_assignment"]

UNITS_PER_ORDER = 100
"""Flow units per order a day (demand resolved to 0.01 order a day)."""
COST_SCALE = 10_000.0
"""Integer cost units per CNY a year per flow unit."""


def transport_assignment(
    data: Arrays, cand: np.ndarray, price: np.ndarray, chosen: np.ndarray, open_mask: np.ndarray
) -> tuple[np.ndarray, int]:
    """The option per pair (positions in the option table) that the least-cost flow of every pair's demand
    through `cand` (options grouped by pair, at `price` CNY a year for the pair's whole demand) to the sites in
    `open_mask` within their capacities gives most of the pair's flow; pairs too small to carry a unit keep
    `chosen`; and how many pairs the flow split between options. `chosen` unchanged when no flow fits."""
    from ortools.graph.python import min_cost_flow

    pair, site = data.pair[cand], data.site[cand]
    keep = open_mask[site]
    cand, pair, site, price = cand[keep], pair[keep], site[keep], price[keep]
    n_pairs, n_sites = data.n_pairs, len(data.fixed)
    supply = np.rint(data.d * UNITS_PER_ORDER).astype(np.int64)
    per_unit = price / np.maximum(data.d[pair] * UNITS_PER_ORDER, 1e-12)
    unit_cost = np.rint(per_unit * COST_SCALE).astype(np.int64)
    sink = n_pairs + n_sites
    flow = min_cost_flow.SimpleMinCostFlow()
    total = int(supply.sum())
    arcs = flow.add_arcs_with_capacity_and_unit_cost(pair, n_pairs + site, np.full(len(cand), total), unit_cost)
    sites = np.flatnonzero(open_mask)
    room = np.floor(data.cap[sites] * UNITS_PER_ORDER).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        n_pairs + sites, np.full(len(sites), sink), room, np.zeros(len(sites), dtype=np.int64)
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_pairs] = supply
    supplies[sink] = -total
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return chosen.copy(), 0
    carried = flow.flows(arcs)
    order = np.lexsort((-carried, pair))  # per pair, the option with most flow first
    first = np.searchsorted(pair[order], np.arange(n_pairs))
    out = chosen.copy()
    has = (first < len(order)) & (np.bincount(pair, weights=carried, minlength=n_pairs) > 0)
    out[has] = cand[order[first[has]]]
    split = int((np.bincount(pair, weights=(carried > 0).astype(float), minlength=n_pairs) > 1).sum())
    return out, split
