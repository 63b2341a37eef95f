"""A cross-border network design problem: where to hold bonded stock (1210) and which demand to serve by
direct mail (9610) from an overseas consolidation warehouse.

Units: money in CNY per year, demand in orders per day, times in days, distances in km (great circle between
lon/lat, times the problem's circuity). Pure data; `solve_design` optimises it, `check_design` checks a plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from logistics.core.emissions import EmissionFactor, emission_factors
from logistics.optimize.common import InvalidProblemError
from logistics.optimize.design.options import Option, OptionTable, distance_km, option_table

__all__ = [
    "DAYS_PER_YEAR",
    "Demand",
    "DesignProblem",
    "InboundLane",
    "Market",
    "Option",
    "Site",
    "SkuClass",
    "distance_km",
]

DAYS_PER_YEAR = 365.0
MAX_NUMBER = 1e12
"""The largest number a design takes (costs, capacities, demand): the solver's model stays well scaled."""
SiteKind = Literal["bonded", "overseas"]
Mode = Literal["1210", "9610"]


@dataclass(frozen=True)
class SkuClass:
    """Goods alike for the design: the origin they are bought in, an order's value and weight."""

    id: str
    origin: str
    order_value_cny: float
    order_weight_kg: float


@dataclass(frozen=True)
class Site:
    """A candidate site. `bonded`: a bonded warehouse in a pilot zone holding stock for 1210 (its lon/lat is
    where parcels leave for the last mile). `overseas`: a consolidation warehouse at an origin shipping each
    order as a parcel (9610) to `gateway` (lon, lat: the port or airport of entry) in `parcel_days` at
    `parcel_cny_per_kg`. Fixed cost per year; capacity in orders per day; handling per order."""

    id: str
    kind: SiteKind
    lon: float
    lat: float
    fixed_cny: float
    capacity_orders_per_day: float
    handling_cny_per_order: float
    handling_days: float = 0.5
    origin: str = ""  # overseas: the origin it consolidates
    gateway: tuple[float, float] | None = None  # overseas: where its parcels enter China (lon, lat)
    parcel_days: float = 0.0
    parcel_cny_per_kg: float = 0.0


@dataclass(frozen=True)
class InboundLane:
    """Bulk inbound from an origin to a bonded site (sea, air, rail, truck): transit (replenishment lead time,
    with its standard deviation) and tariff per kg; for its emissions, the km by its mode (`distance_km`, None:
    not known, not counted) and any road km on to the site (`road_km`, at the truck factor)."""

    origin: str
    site: str
    mode: str
    transit_days: float
    transit_sd_days: float
    cny_per_kg: float
    distance_km: float | None = None
    road_km: float = 0.0


@dataclass(frozen=True)
class Demand:
    """Orders per day of one SKU class in one market, with the standard deviation of a day's orders."""

    sku_class: str
    orders_per_day: float
    sd_per_day: float


@dataclass(frozen=True)
class Market:
    """A market (province or city) and its demand by SKU class."""

    id: str
    lon: float
    lat: float
    demand: tuple[Demand, ...]


@dataclass(frozen=True)
class DesignProblem:
    """Sites, lanes, markets, SKU classes and the rules: a retail import (1210 or 9610) is allowed only for an
    order worth at most `per_order_limit_cny` (demand of a class over it is ineligible and left out, reported);
    `promise_days` and `service_target`: at least that share of eligible orders delivered within the promise;
    stock at each bonded site per class: cycle stock (half a `review_days` order) plus safety stock
    z(`service_level`) x sqrt(L sigma_d^2 + d^2 sigma_L^2), pooled over the markets the site serves, held at
    `holding_rate` of its value per year. Last mile: `last_mile_cny_per_order` + `last_mile_cny_per_km` x km,
    `last_mile_days` + km / `last_mile_km_per_day` days.

    Emissions (kg CO2e per order, ISO 14083 / GLEC: tonnes x km x the mode's factor, `emission_factors` by mode,
    defaults with sources in `logistics.core.emissions`): 1210, the inbound lane's `distance_km` at its mode plus
    its `road_km` at the truck factor; 9610, the parcel's flight from the overseas site to its gateway (great
    circle) at the air factor; both, the domestic km to the market at the truck factor. With
    `max_co2e_t_per_year`, a design may emit at most that (tonnes CO2e a year)."""

    name: str
    sku_classes: tuple[SkuClass, ...]
    sites: tuple[Site, ...]
    lanes: tuple[InboundLane, ...]
    markets: tuple[Market, ...]
    per_order_limit_cny: float = 5000.0
    promise_days: float = 5.0
    service_target: float = 0.9
    service_level: float = 0.95
    review_days: float = 7.0
    holding_rate: float = 0.25
    last_mile_cny_per_order: float = 6.0
    last_mile_cny_per_km: float = 0.004
    last_mile_days: float = 1.0
    last_mile_km_per_day: float = 800.0
    circuity: float = 1.2
    max_co2e_t_per_year: float | None = None
    emission_factors: dict[str, EmissionFactor] = field(default_factory=emission_factors, compare=False)

    def __post_init__(self) -> None:
        for attr in ("sku_classes", "sites", "lanes", "markets"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        self._validate()

    def _validate(self) -> None:
        def unique(items: tuple[SkuClass | Site | Market, ...], what: str) -> set[str]:
            seen: set[str] = set()
            for i, item in enumerate(items):
                if item.id in seen:
                    raise InvalidProblemError(f"{what}[{i}].id", f"{item.id!r} appears twice")
                seen.add(item.id)
            return seen

        classes = unique(self.sku_classes, "sku_classes")
        sites = unique(self.sites, "sites")
        unique(self.markets, "markets")
        if not self.sites:
            raise InvalidProblemError("sites", "at least one candidate site is needed")
        for i, c in enumerate(self.sku_classes):
            if c.order_value_cny <= 0 or c.order_weight_kg <= 0:
                raise InvalidProblemError(f"sku_classes[{i}]", "order_value_cny and order_weight_kg must be > 0")
        for i, s in enumerate(self.sites):
            where = f"sites[{i}]"
            if s.capacity_orders_per_day <= 0 or s.fixed_cny < 0 or s.handling_cny_per_order < 0:
                raise InvalidProblemError(where, "capacity_orders_per_day must be > 0, costs >= 0")
            if s.kind == "overseas" and (s.gateway is None or not s.origin):
                raise InvalidProblemError(where, "an overseas site needs its origin and gateway (lon, lat)")
        numbers = [
            *((f"sites[{i}]", vars(s)) for i, s in enumerate(self.sites)),
            *((f"lanes[{i}]", vars(x)) for i, x in enumerate(self.lanes)),
            *((f"sku_classes[{i}]", vars(c)) for i, c in enumerate(self.sku_classes)),
            *(
                (f"markets[{i}].demand[{j}]", vars(d))
                for i, m in enumerate(self.markets)
                for j, d in enumerate(m.demand)
            ),
        ]
        for where, values in numbers:
            for name, value in values.items():
                if isinstance(value, float | int) and not abs(value) <= MAX_NUMBER:
                    raise InvalidProblemError(
                        f"{where}.{name}", f"must be a finite number up to {MAX_NUMBER:g}, got {value}"
                    )
        lanes_seen: set[tuple[str, str, str]] = set()
        for i, lane in enumerate(self.lanes):
            key = (lane.origin, lane.site, lane.mode)
            if key in lanes_seen:
                raise InvalidProblemError(f"lanes[{i}]", f"a second {lane.mode} lane from {lane.origin} to {lane.site}")
            lanes_seen.add(key)
            if lane.site not in sites:
                raise InvalidProblemError(f"lanes[{i}].site", f"unknown site {lane.site!r}")
            if lane.transit_days < 0 or lane.transit_sd_days < 0 or lane.cny_per_kg < 0:
                raise InvalidProblemError(f"lanes[{i}]", "transit_days, transit_sd_days and cny_per_kg must be >= 0")
        for i, m in enumerate(self.markets):
            for j, d in enumerate(m.demand):
                if d.sku_class not in classes:
                    raise InvalidProblemError(f"markets[{i}].demand[{j}].sku_class", f"unknown {d.sku_class!r}")
                if d.orders_per_day < 0 or d.sd_per_day < 0:
                    raise InvalidProblemError(f"markets[{i}].demand[{j}]", "orders_per_day and sd_per_day >= 0")
        if not 0 <= self.service_target <= 1:
            raise InvalidProblemError("service_target", f"must be a share in [0, 1], got {self.service_target}")
        if not 0.5 <= self.service_level < 1:
            raise InvalidProblemError("service_level", f"must be in [0.5, 1), got {self.service_level}")

    # --- derived -----------------------------------------------------------------------------
    def sku(self, class_id: str) -> SkuClass:
        """The SKU class of an id."""
        return next(c for c in self.sku_classes if c.id == class_id)

    def site(self, site_id: str) -> Site:
        """The site of an id."""
        return next(s for s in self.sites if s.id == site_id)

    def eligible(self, class_id: str) -> bool:
        """Whether an order of this class may be a cross-border retail import (its value within the limit)."""
        return self.sku(class_id).order_value_cny <= self.per_order_limit_cny

    def last_mile(self, origin: tuple[float, float], market: Market) -> tuple[float, float]:
        """(CNY per order, days) of the last mile from a point to a market."""
        km = distance_km(origin, (market.lon, market.lat)) * self.circuity
        return (
            self.last_mile_cny_per_order + self.last_mile_cny_per_km * km,
            self.last_mile_days + km / self.last_mile_km_per_day,
        )

    def lane_co2e_kg(self, weight_kg: float, lane: InboundLane) -> float:
        """kg CO2e of `weight_kg` on an inbound lane: its km at its mode's factor, its road km at the truck's."""
        own = (lane.distance_km or 0.0) * self.emission_factors[lane.mode].wtw_kg_per_tkm
        return weight_kg / 1000.0 * (own + lane.road_km * self.emission_factors["truck"].wtw_kg_per_tkm)

    def road_co2e_kg(self, weight_kg: float, origin: tuple[float, float], market: Market) -> float:
        """kg CO2e of `weight_kg` by road from a point to a market (great circle x circuity, truck factor)."""
        km = distance_km(origin, (market.lon, market.lat)) * self.circuity
        return weight_kg / 1000.0 * km * self.emission_factors["truck"].wtw_kg_per_tkm

    @cached_property
    def safety_z(self) -> float:
        """The standard normal quantile of `service_level`: safety stock is z x the lead-time demand's sd."""
        from scipy.stats import norm

        return float(norm.ppf(self.service_level))

    @cached_property
    def option_table(self) -> OptionTable:
        """Every way to serve every eligible (market, class) with positive demand, as columns (built once)."""
        return option_table(self)

    @cached_property
    def options(self) -> tuple[Option, ...]:
        """Every way to serve every eligible (market, class) with positive demand, one object each (built once
        from `option_table`; a large problem's solver reads the columns instead)."""
        table = self.option_table
        return tuple(table.option(self, i) for i in range(len(table)))
