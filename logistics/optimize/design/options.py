"""Every way to serve every eligible (market, SKU class) of a design problem, as columns: the one enumeration of
options. `_Problem.options` (one `Option` object each, for the MIP and the scenario writer) is read from
it; the Lagrangian solver works on the columns themselves, so that millions of options cost arrays, not
objects.

An option is a mode and a site and, for 1210, one inbound lane from the class's origin to a bonded site; for
9610, an overseas site at the class's origin with a gateway. Cost per order: inbound tariff (or parcel tariff) x
the order's weight, the site's handling, the last mile from the site (or the gateway) to the market; days from
order to delivery; the replenishment lead time (1210); kg CO2e per order (the legs' tonne-km x their factors).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from logistics.core.emissions import EmissionFactor

__all__ = ["Option", "OptionTable", "distance_km", "option_table"]

Mode = Literal["1210", "9610"]


class _Problem(Protocol):
    """What the enumeration reads of a `DesignProblem` (which imports this module, so it is not named here)."""

    @property
    def sku_classes(self) -> Sequence[Any]: ...

    @property
    def sites(self) -> Sequence[Any]: ...

    @property
    def lanes(self) -> Sequence[Any]: ...

    @property
    def markets(self) -> Sequence[Any]: ...

    @property
    def circuity(self) -> float: ...

    @property
    def last_mile_cny_per_order(self) -> float: ...

    @property
    def last_mile_cny_per_km(self) -> float: ...

    @property
    def last_mile_days(self) -> float: ...

    @property
    def last_mile_km_per_day(self) -> float: ...

    @property
    def emission_factors(self) -> Mapping[str, EmissionFactor]: ...

    def eligible(self, class_id: str) -> bool: ...


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (km) between two (lon, lat) points in degrees."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Option:
    """One way to serve a (market, class): mode and site, cost per order (inbound or parcel, handling, last
    mile; inventory is the model's separate term), days from order to delivery, and for 1210 the site's
    replenishment lead time (mean, sd)."""

    market: str
    sku_class: str
    mode: Mode
    site: str
    cny_per_order: float
    days: float
    lane: str = ""
    lead_days: float = 0.0
    lead_sd_days: float = 0.0
    co2e_kg_per_order: float = 0.0


@dataclass(frozen=True)
class OptionTable:
    """The options as columns, ordered by (market, demand entry, site, lane); `pair` numbers the eligible
    (market, class) pairs in the same order (`pair_market`, `pair_entry`: the market's position and the
    demand entry's position in it), `lane` is the problem's lane position or -1 for 9610."""

    pair: np.ndarray  # int64, per option
    site: np.ndarray  # int64, the site's position in problem.sites
    lane: np.ndarray  # int64, the lane's position in problem.lanes (-1: 9610, no lane)
    cny_per_order: np.ndarray
    days: np.ndarray
    lead_days: np.ndarray
    lead_sd_days: np.ndarray
    co2e_kg_per_order: np.ndarray
    pair_market: np.ndarray  # int64, per pair
    pair_entry: np.ndarray  # int64, per pair: the position of its `Demand` in the market's demand

    def __len__(self) -> int:
        return len(self.pair)

    def option(self, problem: _Problem, i: int) -> Option:
        """Option `i` as an `Option` object."""
        market = problem.markets[int(self.pair_market[self.pair[i]])]
        entry = market.demand[int(self.pair_entry[self.pair[i]])]
        site = problem.sites[int(self.site[i])]
        ln = int(self.lane[i])
        return Option(
            market.id, entry.sku_class, "1210" if ln >= 0 else "9610", site.id, float(self.cny_per_order[i]),
            float(self.days[i]), problem.lanes[ln].mode if ln >= 0 else "", float(self.lead_days[i]),
            float(self.lead_sd_days[i]), float(self.co2e_kg_per_order[i]),
        )  # fmt: skip

    @property
    def pair_start(self) -> np.ndarray:
        """The first option of each pair (options are contiguous by pair), and the end as a last entry."""
        return np.searchsorted(self.pair, np.arange(len(self.pair_market) + 1))


def _pairs(problem: _Problem) -> tuple[list[tuple[int, int, int]], dict[str, int]]:
    """(market position, demand entry position, class position) of every eligible pair with demand, in order."""
    class_of = {c.id: k for k, c in enumerate(problem.sku_classes)}
    pairs = []
    for i, m in enumerate(problem.markets):
        for j, d in enumerate(m.demand):
            if d.orders_per_day > 0 and problem.eligible(d.sku_class):
                pairs.append((i, j, class_of[d.sku_class]))
    return pairs, class_of


def _mile_km(problem: _Problem) -> np.ndarray:
    """Road km (great circle x circuity) from each site's dispatch point (a bonded site itself, an overseas
    site's gateway; NaN for an overseas site with none) to each market: the scalar formula the checker uses."""
    out = np.full((len(problem.sites), len(problem.markets)), np.nan)
    for s, site in enumerate(problem.sites):
        point = (site.lon, site.lat) if site.kind == "bonded" else site.gateway
        if point is None:
            continue
        for i, m in enumerate(problem.markets):
            out[s, i] = distance_km(point, (m.lon, m.lat)) * problem.circuity
    return out


def option_table(problem: _Problem) -> OptionTable:
    """Every option of every eligible (market, class) with positive demand (see the module)."""
    pairs, _ = _pairs(problem)
    n_pairs = len(pairs)
    p_market = np.array([p[0] for p in pairs], dtype=np.int64)
    p_entry = np.array([p[1] for p in pairs], dtype=np.int64)
    p_class = np.array([p[2] for p in pairs], dtype=np.int64)
    weight = np.array([c.order_weight_kg for c in problem.sku_classes])[p_class] if n_pairs else np.zeros(0)
    origin = [c.origin for c in problem.sku_classes]
    km = _mile_km(problem)
    truck = problem.emission_factors["truck"].wtw_kg_per_tkm
    air = problem.emission_factors["air"].wtw_kg_per_tkm
    site_pos = {s.id: k for k, s in enumerate(problem.sites)}
    of_origin = {o: np.flatnonzero(np.array([origin[k] == o for k in p_class], dtype=bool)) for o in set(origin)}
    none = np.zeros(0, dtype=np.int64)
    blocks: list[tuple[np.ndarray, ...]] = []

    def block(idx: np.ndarray, s: int, lane: int, cny, days, lead, lead_sd, co2e) -> None:
        n = len(idx)
        full = np.full
        blocks.append((idx, full(n, s), full(n, lane), cny, days, full(n, lead, float), full(n, lead_sd, float), co2e))

    for s, site in enumerate(problem.sites):
        road = km[s, p_market] if n_pairs else np.zeros(0)
        mile_cny = problem.last_mile_cny_per_order + problem.last_mile_cny_per_km * road
        mile_days = problem.last_mile_days + road / problem.last_mile_km_per_day
        road_co2e = weight / 1000.0 * road * truck
        if site.kind == "bonded":
            for ln, lane in enumerate(problem.lanes):
                if site_pos[lane.site] != s:
                    continue
                idx = of_origin.get(lane.origin, none)
                if not len(idx):
                    continue
                w = weight[idx]
                cny = lane.cny_per_kg * w + site.handling_cny_per_order + mile_cny[idx]
                own = (lane.distance_km or 0.0) * problem.emission_factors[lane.mode].wtw_kg_per_tkm
                lane_co2e = w / 1000.0 * (own + lane.road_km * truck)
                block(idx, s, ln, cny, site.handling_days + mile_days[idx], lane.transit_days,
                      lane.transit_sd_days, lane_co2e + road_co2e[idx])  # fmt: skip
        elif site.gateway is not None:
            idx = of_origin.get(site.origin, none)
            if not len(idx):
                continue
            w = weight[idx]
            cny = site.parcel_cny_per_kg * w + site.handling_cny_per_order + mile_cny[idx]
            flight_co2e = w / 1000.0 * distance_km((site.lon, site.lat), site.gateway) * air
            block(idx, s, -1, cny, site.handling_days + site.parcel_days + mile_days[idx], 0.0, 0.0,
                  flight_co2e + road_co2e[idx])  # fmt: skip
    if blocks:
        cols = [np.concatenate(c) for c in zip(*blocks, strict=True)]
    else:
        cols = [np.zeros(0, dtype=np.int64)] * 3 + [np.zeros(0)] * 5
    order = np.lexsort((cols[2], cols[1], cols[0]))  # by pair, then site, then lane
    pair, site, lane, cny, days, lead, lead_sd, co2e = (c[order] for c in cols)
    return OptionTable(
        pair.astype(np.int64), site.astype(np.int64), lane.astype(np.int64), cny, days, lead, lead_sd, co2e,
        p_market, p_entry,
    )  # fmt: skip
