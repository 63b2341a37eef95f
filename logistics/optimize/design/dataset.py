"""The built-in China pilot-zone dataset (`data/china/`, sources in its README): the 35 cross-border e-commerce
pilot-zone cities of 2015-2018 as bonded-site candidates, the 31 provinces (2020 census population) as
markets, five origin hubs with an overseas consolidation warehouse each, SKU classes, and lane rates by origin
region and mode; `china_design` turns them into a design problem (the YAML/JSON form `read_design` reads).

Demand: the national cross-border e-commerce imports (CNY a year) divided by the classes' mean order value,
times the share the designed network carries (`seller_share`), spread over provinces by population and over
classes by `order_share`; a day's standard deviation is `demand_cv` of its mean. Lanes: air from every origin
to every city; sea to the seaport cities, and to an inland city through the nearest seaport within
`truck_max_km` (the truck leg's days and cost added); rail from Europe to the China-Europe rail hubs. Costs
and capacities of sites are illustrative round figures (README), for a planner to replace.

    python -m logistics.optimize.design.dataset > logistics/optimize/design/builtin/pilot_zone_china.yaml
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from logistics.optimize.design.problem import distance_km

__all__ = ["DATA", "ChinaDatasetParams", "china_design", "china_design_yaml", "read_table"]

DATA = Path(__file__).resolve().parent / "data" / "china"
TIER_ONE = ("beijing", "shanghai", "guangzhou", "shenzhen")


@dataclass(frozen=True)
class ChinaDatasetParams:
    """What the dataset leaves to the planner (defaults: README of `data/china/`)."""

    imports_cny_per_year: float = 548.3e9  # cross-border e-commerce imports, 2023 (GACC)
    seller_share: float = 0.005  # the share of those imports the network carries
    demand_cv: float = 0.3  # standard deviation of a day's orders over its mean (province x class)
    cities: tuple[str, ...] | None = None  # candidate bonded cities (None: all 35)
    bonded_fixed_cny: float = 2_000_000.0  # a year: rent, staff, systems of a bonded warehouse
    bonded_fixed_tier_one_cny: float = 2_800_000.0
    bonded_capacity_orders_per_day: float = 20_000.0
    bonded_handling_cny_per_order: float = 4.5
    bonded_handling_tier_one_cny_per_order: float = 5.5
    overseas_fixed_cny: float = 1_200_000.0
    overseas_capacity_orders_per_day: float = 30_000.0
    overseas_handling_cny_per_order: float = 3.0
    truck_max_km: float = 1000.0  # an inland city takes sea freight through a seaport this near (road km)
    truck_km_per_day: float = 600.0
    truck_cny_per_kg_per_1000_km: float = 0.4
    circuity: float = 1.2
    per_order_limit_cny: float = 5000.0
    promise_days: float = 4.0
    service_target: float = 0.85


def read_table(name: str) -> list[dict[str, str]]:
    """One of the dataset's CSV tables (`data/china/NAME.csv`) as rows."""
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _road_km(a: dict[str, str], b: dict[str, str], circuity: float) -> float:
    return circuity * distance_km((float(a["lon"]), float(a["lat"])), (float(b["lon"]), float(b["lat"])))


def _great_circle_km(a: dict[str, str], b: dict[str, str]) -> float:
    return distance_km((float(a["lon"]), float(a["lat"])), (float(b["lon"]), float(b["lat"])))


def _route_km(a: dict[str, str], b: dict[str, str], rate: dict[str, str]) -> float:
    """The km of a lane: its rate's `km_over_great_circle` x the great circle (README: estimates)."""
    return float(rate["km_over_great_circle"]) * _great_circle_km(a, b)


def _lane(
    origin: str,
    site: str,
    mode: str,
    rate: dict[str, str],
    extra_days: float,
    extra_cny_per_kg: float,
    km: float,
    road_km: float = 0.0,
) -> dict[str, Any]:
    lane = {
        "origin": origin,
        "site": site,
        "mode": mode,
        "transit_days": round(float(rate["transit_days"]) + extra_days, 2),
        "transit_sd_days": float(rate["transit_sd_days"]),
        "cny_per_kg": round(float(rate["cny_per_kg"]) + extra_cny_per_kg, 3),
        "distance_km": round(km),
    }
    if road_km:
        lane["road_km"] = round(road_km)
    return lane


def china_design(params: ChinaDatasetParams | None = None) -> dict[str, Any]:
    """The design problem built from the dataset's tables, as the dict a design file holds."""
    p = params or ChinaDatasetParams()
    cities = read_table("pilot_zone_cities")
    if p.cities is not None:
        unknown = sorted(set(p.cities) - {c["id"] for c in cities})
        if unknown:
            raise ValueError(f"cities: not pilot-zone cities of the dataset: {', '.join(unknown)}")
        cities = [c for c in cities if c["id"] in p.cities]
    all_cities = {c["id"]: c for c in read_table("pilot_zone_cities")}
    provinces = read_table("provinces")
    origins = {o["id"]: o for o in read_table("origins")}
    rates = {(r["region"], r["mode"]): r for r in read_table("lane_rates")}
    classes = read_table("sku_classes")
    used = sorted({c["origin"] for c in classes}, key=list(origins).index)

    sites = _sites(p, cities, all_cities, origins, used)
    lanes = _lanes(p, cities, all_cities, origins, rates, used)
    mean_value = sum(float(k["order_share"]) * float(k["order_value_cny"]) for k in classes)
    orders_per_day = p.imports_cny_per_year / mean_value / 365.0 * p.seller_share
    people = sum(int(x["population_2020"]) for x in provinces)
    markets = []
    for x in provinces:
        demand = {}
        for k in classes:
            mean = orders_per_day * float(k["order_share"]) * int(x["population_2020"]) / people
            demand[k["id"]] = {"orders_per_day": round(mean, 2), "sd_per_day": round(p.demand_cv * mean, 2)}
        markets.append({"id": x["id"], "lon": float(x["lon"]), "lat": float(x["lat"]), "demand": demand})

    return {
        "name": "pilot_zone_china" if p.cities is None else "pilot_zone_china_subset",
        "source": (
            "logistics/optimize/design/data/china (README: pilot-zone cities from the State Council approvals "
            "of 2015, 2016 and 2018; 2020 census population; GACC cross-border e-commerce imports 2023); site "
            "costs, capacities and lane rates are illustrative levels"
        ),
        "per_order_limit_cny": p.per_order_limit_cny,
        "promise_days": p.promise_days,
        "service_target": p.service_target,
        "circuity": p.circuity,
        "sku_classes": [
            {
                "id": k["id"],
                "origin": k["origin"],
                "order_value_cny": float(k["order_value_cny"]),
                "order_weight_kg": float(k["order_weight_kg"]),
            }
            for k in classes
        ],
        "sites": sites,
        "lanes": lanes,
        "markets": markets,
    }


def _sites(
    p: ChinaDatasetParams,
    cities: list[dict[str, str]],
    all_cities: dict[str, dict[str, str]],
    origins: dict[str, dict[str, str]],
    used: list[str],
) -> list[dict[str, Any]]:
    """A bonded site per candidate city (tier-one cities dearer) and an overseas warehouse per origin used."""
    sites: list[dict[str, Any]] = []
    for c in cities:
        tier_one = c["id"] in TIER_ONE
        sites.append(
            {
                "id": f"{c['id']}_bonded",
                "kind": "bonded",
                "lon": float(c["lon"]),
                "lat": float(c["lat"]),
                "fixed_cny": p.bonded_fixed_tier_one_cny if tier_one else p.bonded_fixed_cny,
                "capacity_orders_per_day": p.bonded_capacity_orders_per_day,
                "handling_cny_per_order": (
                    p.bonded_handling_tier_one_cny_per_order if tier_one else p.bonded_handling_cny_per_order
                ),
            }
        )
    for o in used:
        origin = origins[o]
        gateway = all_cities[origin["gateway_city"]]
        sites.append(
            {
                "id": f"{o}_cw",
                "kind": "overseas",
                "lon": float(origin["lon"]),
                "lat": float(origin["lat"]),
                "fixed_cny": p.overseas_fixed_cny,
                "capacity_orders_per_day": p.overseas_capacity_orders_per_day,
                "handling_cny_per_order": p.overseas_handling_cny_per_order,
                "origin": o,
                "gateway": [float(gateway["lon"]), float(gateway["lat"])],
                "parcel_days": float(origin["parcel_days"]),
                "parcel_cny_per_kg": float(origin["parcel_cny_per_kg"]),
            }
        )

    return sites


def _lanes(
    p: ChinaDatasetParams,
    cities: list[dict[str, str]],
    all_cities: dict[str, dict[str, str]],
    origins: dict[str, dict[str, str]],
    rates: dict[tuple[str, str], dict[str, str]],
    used: list[str],
) -> list[dict[str, Any]]:
    """Inbound lanes from every origin used to every candidate city: sea to a seaport (or through the nearest
    one within `truck_max_km`, the truck leg added), air everywhere, rail from Europe to the rail hubs."""
    seaports = [c for c in all_cities.values() if c["seaport"] == "1"]
    lanes: list[dict[str, Any]] = []
    for o in used:
        region = origins[o]["region"]
        for c in cities:
            site = f"{c['id']}_bonded"

            def lane(mode: str, km: float, extra_days: float = 0.0, extra_cny: float = 0.0, road: float = 0.0):
                return _lane(o, site, mode, rates[(region, mode)], extra_days, extra_cny, km, road)  # noqa: B023

            if (region, "sea") in rates:
                if c["seaport"] == "1":
                    lanes.append(lane("sea", _route_km(origins[o], c, rates[(region, "sea")])))
                else:
                    port = min(seaports, key=lambda s: _road_km(s, c, p.circuity))
                    km = _road_km(port, c, p.circuity)
                    if km <= p.truck_max_km:
                        days, cny = 0.5 + km / p.truck_km_per_day, p.truck_cny_per_kg_per_1000_km * km / 1000.0
                        lanes.append(lane("sea", _route_km(origins[o], port, rates[(region, "sea")]), days, cny, km))
            if (region, "air") in rates:
                lanes.append(lane("air", _route_km(origins[o], c, rates[(region, "air")])))
            if (region, "rail") in rates and c["rail_hub"] == "1":
                lanes.append(lane("rail", _route_km(origins[o], c, rates[(region, "rail")])))

    return lanes


def china_design_yaml(params: ChinaDatasetParams | None = None) -> str:
    """The built-in file's text: a header naming the dataset and the parameters, then the design."""
    import yaml

    p = params or ChinaDatasetParams()
    header = [
        "# Built from logistics/optimize/design/data/china (sources in its README) by",
        "#   python -m logistics.optimize.design.dataset > logistics/optimize/design/builtin/pilot_zone_china.yaml",
        "# Do not edit by hand: a test checks that this file is what the tables give. Parameters:",
        *(f"#   {k}: {v}" for k, v in asdict(p).items()),
    ]
    body = yaml.safe_dump(china_design(p), sort_keys=False, default_flow_style=None, width=200)
    return "\n".join(header) + "\n" + body


if __name__ == "__main__":
    import sys

    sys.stdout.write(china_design_yaml())
