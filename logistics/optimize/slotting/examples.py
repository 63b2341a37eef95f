"""Generated slotting instances: a bonded warehouse layout with the usual zones, an SKU table with Zipf
popularity and realistic requirements, and an order history with correlated pairs. Used by the benchmark, the
tests and `logistics optimize slots --generate`."""

from __future__ import annotations

import numpy as np

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.picking.layout import WarehouseLayout, Zone, ZoneBand, generate_layout
from logistics.optimize.slotting.problem import OrderHistory, SkuTable

__all__ = ["OrderHistory", "bonded_layout", "generate_orders", "generate_skus"]

BONDED = Zone("bonded", "bonded_storage")
FAST = Zone("fast_pick", "fast_pick")
COLD = Zone("cold", "cold", temperature="chilled")
HAZ = Zone("hazmat", "hazardous", hazardous=True)
GENERAL = Zone("general", "general", bonded=False)


def bonded_layout(aisles: int = 40, bays_per_block: int = 63, levels: int = 5) -> WarehouseLayout:
    """A bonded warehouse: fast-pick aisles next to the pick-and-drop point, bonded storage, a chilled zone, a
    hazardous-goods aisle and general-trade aisles; big floor slots, golden levels 1-2, small top slots.
    Defaults: 40 aisles x 2 sides x 63 bays x 5 levels = 25,200 slots."""
    fractions = [(FAST, 0.15), (BONDED, 0.55), (COLD, 0.1), (HAZ, 0.05), (GENERAL, 0.15)]
    if aisles < len(fractions):
        raise InvalidProblemError("aisles", f"needs at least {len(fractions)} (one per zone), got {aisles}")
    counts = [max(1, round(f * aisles)) for _, f in fractions]
    counts[1] += aisles - sum(counts)
    bands = [ZoneBand(z, c) for (z, _), c in zip(fractions, counts, strict=True)]
    base_volume = [400.0, 150.0, 150.0, 100.0] + [60.0] * max(0, levels - 4)
    base_weight = [500.0, 60.0, 60.0, 40.0] + [25.0] * max(0, levels - 4)
    return generate_layout(
        bands,
        bays_per_block=bays_per_block,
        levels=levels,
        level_volume_l=base_volume[:levels],
        level_max_weight_kg=base_weight[:levels],
        golden_levels=(1, 2),
    )


def generate_skus(
    layout: WarehouseLayout, n: int, rng: np.random.Generator, zipf_s: float = 1.0, lines_per_day: float = 50_000.0
) -> SkuTable:
    """`n` SKUs whose requirements follow the layout's zones in proportion to their slots (so the instance is
    feasible when loads are below ~85% of slots): Zipf(`zipf_s`) popularity, lognormal load volumes and
    weights, `picks` = lines a day; one slot each except fast movers that need two or three."""
    zones = layout.zones
    share = np.bincount(layout.slots.zone, minlength=len(zones)) / len(layout.slots)
    counts = np.floor(share * n).astype(np.int64)
    counts[np.argmax(share)] += n - counts.sum()
    zone_of = rng.permutation(np.repeat(np.arange(len(zones)), counts))  # exact shares: no zone over-filled
    rank = rng.permutation(n) + 1
    weights = 1.0 / rank**zipf_s
    picks = np.round(lines_per_day * weights / weights.sum(), 4)
    volume = np.minimum(np.round(rng.lognormal(np.log(40), 0.6, n), 1), 380.0)
    weight = np.minimum(np.round(volume * rng.uniform(0.1, 0.4, n), 1), 450.0)
    slots = np.where(rank <= n * 0.02, 3, np.where(rank <= n * 0.06, 2, 1))
    return SkuTable.build(
        sku_id=[f"SKU{i:06d}" for i in range(n)],
        picks=picks,
        volume_l=volume,
        weight_kg=weight,
        slots=slots,
        bonded=[zones[z].bonded for z in zone_of],
        temperature=[zones[z].temperature for z in zone_of],
        hazardous=[zones[z].hazardous for z in zone_of],
    )


def generate_orders(
    skus: SkuTable,
    n_orders: int,
    rng: np.random.Generator,
    mean_lines: float = 3.0,
    pair_probability: float = 0.5,
) -> OrderHistory:
    """Orders of 1 + Poisson(`mean_lines` - 1) lines drawn by the SKUs' pick frequencies within one goods group
    (bonded or general trade, temperature band, hazardous): a cross-border order is cleared under one regime
    and cold or hazardous goods are picked on their own. Each SKU has a partner in its group (SKUs bought
    together), added to the order with `pair_probability`."""
    n = len(skus)
    keys = list(zip(skus.bonded.tolist(), skus.temperature.tolist(), skus.hazardous.tolist(), strict=True))
    group_index: dict[tuple, int] = {}
    group = np.fromiter((group_index.setdefault(k, len(group_index)) for k in keys), np.int64, n)
    share = np.bincount(group, weights=skus.picks, minlength=len(group_index))
    order_group = rng.choice(len(group_index), size=n_orders, p=share / share.sum())
    lines = 1 + rng.poisson(mean_lines - 1, n_orders)
    partner = np.arange(n)
    owners, drawn = [], []
    for g in range(len(group_index)):
        members = np.flatnonzero(group == g)
        partner[members] = rng.permutation(members)
        mine = np.flatnonzero(order_group == g)
        count = lines[mine]
        p = skus.picks[members] / skus.picks[members].sum()
        drawn.append(members[rng.choice(len(members), size=int(count.sum()), p=p)])
        owners.append(np.repeat(mine, count))
    owner, sku = np.concatenate(owners), np.concatenate(drawn)
    add = rng.random(len(sku)) < pair_probability
    sku = np.concatenate([sku, partner[sku[add]]])
    owner = np.concatenate([owner, owner[add]])
    key = np.unique(owner * n + sku)
    owner, sku = key // n, key % n
    ptr = np.searchsorted(owner, np.arange(n_orders + 1))
    return OrderHistory(ptr.astype(np.int64), sku.astype(np.int64))
