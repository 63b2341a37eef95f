"""A network design written as a scenario the simulation runs: the design -> scenario half of the design ->
scenario -> simulation loop.

Every open bonded site becomes one 1210 flow per (origin, inbound mode) it is replenished over: the origin, an
entry node at the site's city (port, airport or rail terminal) with its first-line checkpoint, a truck to the
bonded warehouse (receiving, pick, pack, base-stock replenishment from the design's stock), the exit X-ray, and
one last-mile zone per market it serves. A site replenished from several origins is one warehouse area per
flow (the simulation keeps a flow's stock, staff and floor its own), so its staff are not pooled across them.
Every open overseas warehouse becomes one 9610 flow: fulfilment at the origin, a flight twice a day to its
gateway airport with an import checkpoint, sorting, and a zone per market.

What the design fixes is kept as it is: demand per flow and zone (orders a day and shares), inbound transit
(mean and standard deviation: a symmetric triangular distribution, clipped at a tenth of the mean), tariffs
(CNY per kg), last-mile days (a triangular distribution with the design's mean) and cost per parcel, the promise,
the base-stock cover (lead time + review period + safety stock, in days of demand) and the starting stock (lead
time + half a review period + safety stock, so that the first replenishment arrives before the stock runs out).
What the design does not model is set at stated round levels (`DesignScenarioParams`): staff sized to a
utilisation, customs service and inspection times, departures (sea three a week, rail two, air daily), the
run's length; a planner edits the written file to change them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from logistics.optimize.design import DesignPlan, DesignProblem, Option, Site
from logistics.optimize.design.problem import distance_km

__all__ = [
    "COMPARED",
    "DesignScenarioParams",
    "SimulatedDesign",
    "compare_with_simulation",
    "design_scenario",
    "fed_back",
    "model_estimates",
    "simulate_design",
    "simulate_plan",
]

ENTRY_KIND = {"sea": "port", "rail": "rail_terminal", "air": "airport", "truck": "checkpoint"}
DEPARTURES: dict[str, dict[str, Any] | None] = {
    "sea": {"weekdays": [0, 2, 4], "hour": 18},
    "rail": {"weekdays": [1, 4], "hour": 10},
    "air": {"weekdays": [0, 1, 2, 3, 4, 5, 6], "hour": [9, 21]},
    "truck": None,
}
TAX = [{"name": "general", "vat_rate": 0.13, "consumption_tax_rate": 0.0, "import_duty_rate": 0.08}]
PAYLOAD_KG = {"sea": 26_000.0, "rail": 26_000.0, "air": 1_500.0, "truck": 8_000.0}
DAYS_BETWEEN = {"sea": 7 / 3, "rail": 3.5, "air": 0.5, "truck": 0.5}
HOUR_OF_DAY = [0.9, 0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 0.9, 1.2, 1.4, 1.3]
HOUR_OF_DAY += [1.2, 1.3, 1.4, 1.3, 1.2, 1.1, 1.2, 1.5, 1.8, 1.9, 1.7, 1.3]  # quiet nights, an evening peak


@dataclass(frozen=True)
class DesignScenarioParams:
    """What the scenario needs beyond the design (round levels; edit the written file for more)."""

    horizon_h: float = 168.0
    cooldown_h: float = 168.0
    seed: int = 1
    start: str = "2026-03-02T00:00:00"
    utilisation: float = 0.7  # the staff and inspectors each station gets, at its mean load
    pick_min_per_order: float = 1.15
    pack_min_per_order: float = 2.0
    sort_min_per_order: float = 0.25
    labour_cny_per_worker_h: float = 32.0


def _flow_groups(problem: DesignProblem, plan: DesignPlan) -> dict[tuple[str, str, str], list[tuple[Option, float]]]:
    """The plan's flows: (site, origin, inbound mode or "parcel") -> each (option, orders a day) it serves."""
    options: dict[tuple[str, ...], Option] = {
        (o.market, o.sku_class, o.mode, o.site, o.lane): o for o in problem.options
    }
    demand = {(m.id, d.sku_class): d.orders_per_day for m in problem.markets for d in m.demand}
    groups: dict[tuple[str, str, str], list[tuple[Option, float]]] = defaultdict(list)
    for a in plan.assignments:
        origin = problem.sku(a.sku_class).origin
        groups[(a.site, origin, a.lane if a.mode == "1210" else "parcel")].append(
            (options[(a.market, a.sku_class, a.mode, a.site, a.lane)], demand[(a.market, a.sku_class)])
        )
    return dict(sorted(groups.items()))


def _flow_id(site: str, origin: str, lane: str) -> str:
    """The scenario's id of the flow of a site, origin and inbound mode (or "parcel")."""
    return f"{site}_{origin}_{lane}"


def _triangular_h(mean_days: float, sd_days: float) -> dict[str, Any]:
    """A symmetric triangular distribution (hours) with this mean and standard deviation, clipped at a tenth of
    the mean on the left (then no longer symmetric: its mean is a little above the design's)."""
    mean, half = 24.0 * mean_days, 24.0 * sd_days * math.sqrt(6.0)
    low = max(0.1 * mean, mean - half)
    high = max(mean + half, low + 0.1)
    if half <= 0:
        return {"kind": "constant", "value": round(mean, 3)}
    return {"kind": "triangular", "low": round(low, 3), "mode": round(mean, 3), "high": round(high, 3)}


def _mile_h(mean_days: float) -> dict[str, Any]:
    """Last-mile hours: a right-skewed triangular distribution whose mean is the design's days."""
    m = 24.0 * mean_days
    return {"kind": "triangular", "low": round(0.75 * m, 3), "mode": round(0.9 * m, 3), "high": round(1.35 * m, 3)}


def _staff(orders_per_day: float, minutes: float, share: float, hours: float, utilisation: float) -> int:
    """Workers for a shift that sees `share` of a day's orders in `hours`, each taking `minutes`."""
    return max(1, math.ceil(orders_per_day * share * minutes / (60.0 * hours * utilisation)))


def _parcel_checkpoint(
    id_: str,
    node: str,
    role: str,
    orders_per_day: float,
    inspected: float,
    inspection_min: float,
    scan_min: float,
    p: DesignScenarioParams,
) -> dict[str, Any]:
    """A checkpoint screening each parcel (X-ray lines) and inspecting a share `inspected` of them, with
    inspectors by shift sized to the utilisation (three quarters of a day's orders by day)."""
    hours = orders_per_day * inspected * inspection_min / 60.0  # inspector-hours a day
    return {
        "id": id_,
        "node": node,
        "role": role,
        "servers": 2,
        "service_time_min": {"kind": "triangular", "low": 0.7 * scan_min, "mode": scan_min, "high": 1.5 * scan_min},
        "inspection_probability": inspected,
        "inspectors": {
            "day": max(1, math.ceil(hours * 0.75 / (12 * p.utilisation))),
            "night": max(1, math.ceil(hours * 0.25 / (12 * p.utilisation))),
        },
        "inspection_time_min": {"kind": "lognormal", "mean": inspection_min, "sd": inspection_min / 2},
    }


@dataclass
class _Network:
    """The scenario's network and customs as the flows add to them: nodes (once each), lanes, checkpoints."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    lanes: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: dict[str, dict[str, Any]] = field(default_factory=dict)

    def node(self, id_: str, kind: str, name: str) -> str:
        self.nodes.setdefault(id_, {"id": id_, "kind": kind, "name": name})
        return id_


def design_scenario(problem: DesignProblem, plan: DesignPlan, params: DesignScenarioParams | None = None) -> dict:
    """The scenario (the dict a scenario file holds) that simulates `plan` (see the module's docstring): per
    (site, origin, lane) group of the plan's flows, its zones and orders, then its route by the site's kind."""
    p = params or DesignScenarioParams()
    stock = {(s.site, s.sku_class, s.lane): s for s in plan.stock}
    net = _Network()
    flows: list[dict[str, Any]] = []
    for (site_id, origin, lane_mode), served in sorted(_flow_groups(problem, plan).items()):
        site = problem.site(site_id)
        orders = sum(d for _, d in served)
        if orders <= 0:
            continue
        flow_id = _flow_id(site_id, origin, lane_mode)
        weight = sum(problem.sku(o.sku_class).order_weight_kg * d for o, d in served) / orders  # kg an order
        flow = _flow_orders(problem, site, flow_id, served, orders, weight)
        if site.kind == "bonded":
            classes = sorted({o.sku_class for o, _ in served})
            held = [stock[(site_id, k, lane_mode)] for k in classes if (site_id, k, lane_mode) in stock]
            flow |= _bonded_route(problem, net, site, origin, lane_mode, flow_id, orders, weight, held, p)
        else:
            flow |= _overseas_route(net, site, orders, weight, p)
        flows.append(flow)
    return _scenario(problem, plan, p, net, flows)


def _flow_orders(
    problem: DesignProblem,
    site: Site,
    flow_id: str,
    served: list[tuple[Option, float]],
    orders: float,
    weight: float,
) -> dict[str, Any]:
    """A flow's orders: its catalogue (the classes' mean weight and value), demand and last-mile zones (one per
    market, at the design's tariff, days and domestic road km)."""
    markets = {m.id: m for m in problem.markets}
    value = sum(problem.sku(o.sku_class).order_value_cny * d for o, d in served) / orders
    by_market: dict[str, float] = defaultdict(float)
    for o, d in served:
        by_market[o.market] += d
    zones: list[dict[str, Any]] = []
    for market_id, d in sorted(by_market.items()):
        where = site.gateway if site.kind == "overseas" and site.gateway else (site.lon, site.lat)
        mile_cny, mile_days = problem.last_mile((where[0], where[1]), markets[market_id])
        road_km = distance_km((where[0], where[1]), (markets[market_id].lon, markets[market_id].lat))
        zones.append(
            {
                "id": market_id,
                "share": round(d / orders, 6),
                "delivery_time_h": _mile_h(mile_days),
                "cost_per_parcel_cny": round(mile_cny, 3),
                "promise_h": 24.0 * problem.promise_days,
                "distance_km": round(road_km * problem.circuity, 3),  # the design's domestic road km
            }
        )
    shares: list[float] = [float(z["share"]) for z in zones]
    zones[shares.index(max(shares))]["share"] += round(1.0 - sum(shares), 6)  # shares sum to 1 exactly
    catalog = {
        "tax_categories": TAX,
        "generate": {
            "count": 50,
            "weight_kg": {"kind": "lognormal", "mean": round(weight, 4), "sd": round(0.3 * weight, 4)},
            "volume_l": {"kind": "lognormal", "mean": round(2.0 * weight, 4), "sd": round(0.6 * weight, 4)},
            "value_cny": {"kind": "lognormal", "mean": round(value, 2), "sd": round(0.3 * value, 2)},
            "tax_category_shares": {"general": 1.0},
        },
    }
    return {
        "id": flow_id,
        "direction": "import",
        "catalog": catalog,
        "demand": {
            "orders_per_day": round(orders, 3),
            "hour_of_day": HOUR_OF_DAY,
            "lines_per_order": {"kind": "empirical", "values": [1], "weights": [1]},
        },
        "last_mile": {"zones": zones},
    }


def _bonded_route(
    problem: DesignProblem,
    net: _Network,
    site: Site,
    origin: str,
    lane_mode: str,
    flow_id: str,
    orders: float,
    weight: float,
    held: list[Any],
    p: DesignScenarioParams,
) -> dict[str, Any]:
    """A 1210 flow's route and warehouse: the inbound lane (the design's transit, tariff and distance) to its
    entry, the drayage truck, the first-line checkpoint, the bonded warehouse with base-stock replenishment
    from the design's stock, the exit X-ray."""
    day_share, night_share = 0.75, 0.25
    lane_spec = next(x for x in problem.lanes if x.origin == origin and x.site == site.id and x.mode == lane_mode)
    src = net.node(f"{origin}_origin", "origin", f"{origin} (supplier)")
    entry = net.node(f"{site.id}_{lane_mode}_entry", ENTRY_KIND[lane_mode], f"{site.id}: {lane_mode} entry")
    # one warehouse area per flow (the simulation keeps each flow's stock, staff and floor apart)
    wh = net.node(flow_id, "bonded_warehouse", f"{site.id} bonded warehouse: goods from {origin} by {lane_mode}")
    kg_per_day = orders * weight
    payload = PAYLOAD_KG[lane_mode]
    containers = max(1, math.ceil(2.0 * kg_per_day * DAYS_BETWEEN[lane_mode] / payload))
    inbound = {
        "id": f"{origin}_{site.id}_{lane_mode}",
        "from": src,
        "to": entry,
        "mode": lane_mode,
        "transit_time_h": _triangular_h(lane_spec.transit_days, lane_spec.transit_sd_days),
        **({"distance_km": lane_spec.distance_km} if lane_spec.distance_km else {}),
        "containers_per_departure": containers,
        "container_payload_kg": payload,
        "tariff": {"per_kg_cny": lane_spec.cny_per_kg, "volumetric_divisor_cm3_per_kg": 1_000_000},
    }
    if DEPARTURES[lane_mode] is not None:
        inbound["departures"] = DEPARTURES[lane_mode]
    else:
        inbound["hold_h"] = 12
    net.lanes.append(inbound)
    drayage = f"{flow_id}_truck"
    net.lanes.append(
        {"id": drayage, "from": entry, "to": wh, "mode": "truck",
         "transit_time_h": {"kind": "uniform", "low": 1, "high": 3}, "containers_per_departure": containers,
         "container_payload_kg": payload, **({"distance_km": lane_spec.road_km} if lane_spec.road_km else {})}
    )  # fmt: skip
    first = f"{entry}_first_line"
    net.checkpoints.setdefault(
        first,
        {"id": first, "node": entry, "role": "first_line", "servers": {"office": 2},
         "service_time_min": {"kind": "triangular", "low": 20, "mode": 40, "high": 90},
         "inspection_probability": 0.1, "inspectors": {"office": 2},
         "inspection_time_min": {"kind": "uniform", "low": 90, "high": 240}},
    )  # fmt: skip
    exit_ = f"{flow_id}_exit_xray"
    net.checkpoints.setdefault(exit_, _parcel_checkpoint(exit_, wh, "second_line", orders, 0.055, 6.0, 0.1, p))
    safety_days = sum(s.safety_units for s in held) / orders
    return {
        "mode": "1210",
        "origin": src,
        "route": [inbound["id"], drayage],
        "checkpoints": [first, exit_],
        "warehouse": {
            "node": wh,
            "receiving": {"teams": {"day": 2, "night": 1}, "workers_per_team": 4,
                          "time_per_container_h": {"kind": "lognormal", "mean": 2.5, "sd": 0.8}},
            "pick": {"workers": {"day": _staff(orders, p.pick_min_per_order, day_share, 12, p.utilisation),
                                 "night": _staff(orders, p.pick_min_per_order, night_share, 12, p.utilisation)},
                     "time_per_order_min": {"kind": "lognormal", "mean": 0.6, "sd": 0.3},
                     "time_per_line_min": 0.55},
            "pack": {"workers": {"day": _staff(orders, p.pack_min_per_order, day_share, 12, p.utilisation),
                                 "night": _staff(orders, p.pack_min_per_order, night_share, 12, p.utilisation)},
                     "time_per_order_min": {"kind": "lognormal", "mean": p.pack_min_per_order, "sd": 0.8}},
            "replenishment": {
                "policy": "base_stock",
                "cover_days": round(lane_spec.transit_days + problem.review_days + safety_days, 3),
                "initial_cover_days": round(
                    lane_spec.transit_days + problem.review_days / 2 + safety_days + 1.0, 3
                ),
            },
            "carrier_pickups_h": [10, 14, 18, 22],
        },
    }  # fmt: skip


def _overseas_route(net: _Network, site: Site, orders: float, weight: float, p: DesignScenarioParams) -> dict[str, Any]:
    """A 9610 flow from an overseas consolidation warehouse: parcels flown to the gateway (the design's days,
    tariff and great-circle km), the import checkpoint, fulfilment and sort staffed to the volume."""
    day_share, night_share = 0.75, 0.25
    gateway = net.node(f"{site.id}_gateway", "airport", f"{site.id}: gateway airport")
    hub = net.node(site.id, "origin", f"{site.id} overseas consolidation warehouse")
    air = {
        "id": f"{site.id}_parcels",
        "from": hub,
        "to": gateway,
        "mode": "air",
        "departures": DEPARTURES["air"],
        "transit_time_h": _triangular_h(site.parcel_days, 0.2 * site.parcel_days),
        "distance_km": round(distance_km((site.lon, site.lat), site.gateway), 3) if site.gateway else None,
        "containers_per_departure": max(1, math.ceil(2.0 * orders * weight * 0.5 / PAYLOAD_KG["air"])),
        "container_payload_kg": PAYLOAD_KG["air"],
        "tariff": {"per_kg_cny": site.parcel_cny_per_kg},
    }
    net.lanes.append(air)
    clearance = f"{gateway}_import"
    net.checkpoints.setdefault(clearance, _parcel_checkpoint(clearance, gateway, "import", orders, 0.1, 8.0, 0.35, p))
    return {
        "mode": "9610",
        "origin": hub,
        "route": [air["id"]],
        "checkpoints": [clearance],
        "fulfilment": {
            "workers": {"day": _staff(orders, 2.2, day_share, 12, p.utilisation),
                        "night": _staff(orders, 2.2, night_share, 12, p.utilisation)},
            "time_per_order_min": {"kind": "lognormal", "mean": 2.2, "sd": 0.8},
        },
        "sort": {
            "workers": {"day": _staff(orders, p.sort_min_per_order, day_share, 12, p.utilisation),
                        "night": _staff(orders, p.sort_min_per_order, night_share, 12, p.utilisation)},
            "time_per_order_min": {"kind": "uniform", "low": 0.15, "high": 0.35},
        },
    }  # fmt: skip


def _scenario(
    problem: DesignProblem, plan: DesignPlan, p: DesignScenarioParams, net: _Network, flows: list[dict[str, Any]]
) -> dict:
    """The whole scenario around the flows: run, calendar, network, customs, costs, emissions."""
    nodes, lanes, checkpoints = net.nodes, net.lanes, net.checkpoints
    return {
        "schema_version": 2,
        "name": f"{problem.name}_design",
        "description": (
            f"The network design of {problem.name} ({plan.method}, {len(plan.open_sites)} sites open) as a "
            "scenario: one flow per open site and inbound lane (logistics.experiments.design_scenario)."
        ),
        "run": {"start": p.start, "horizon_h": p.horizon_h, "cooldown_h": p.cooldown_h, "warmup_h": 0,
                "seed": p.seed, "replications": 1, "sample_interval_min": 60},
        "calendar": {"shifts": [{"name": "day", "start_h": 8, "end_h": 20},
                                {"name": "night", "start_h": 20, "end_h": 8},
                                {"name": "office", "start_h": 8, "end_h": 18, "weekdays": [0, 1, 2, 3, 4, 5]}]},
        "catalog": {"tax_categories": TAX,
                    "generate": {"count": 20, "weight_kg": {"kind": "lognormal", "mean": 0.5, "sd": 0.2},
                                 "volume_l": {"kind": "lognormal", "mean": 1.0, "sd": 0.4},
                                 "value_cny": {"kind": "lognormal", "mean": 200, "sd": 80},
                                 "tax_category_shares": {"general": 1.0}}},
        "network": {"nodes": list(nodes.values()), "lanes": lanes},
        "customs": {
            "documents": {"payment_delay_min": {"kind": "lognormal", "mean": 4, "sd": 8},
                          "waybill_delay_min": {"kind": "lognormal", "mean": 25, "sd": 30},
                          "check_time_min": {"kind": "uniform", "low": 0.5, "high": 3},
                          "mismatch_probability": 0.005,
                          "correction_time_h": {"kind": "lognormal", "mean": 4, "sd": 3}},
            "checkpoints": list(checkpoints.values()),
        },
        "flows": flows,
        "costs": {"labour_cny_per_worker_h": p.labour_cny_per_worker_h, "storage_cny_per_m3_day": 1.5,
                  "inspection_cny_per_parcel": 20, "inspection_cny_per_consignment": 800,
                  "packaging_cny_per_order": 1.2},
        "service_level": {"dispatch_within_h": 48},
        "emissions": {"factors": {"last_mile": _road_factor(problem)}},
    }  # fmt: skip


def _road_factor(problem: DesignProblem) -> dict[str, Any]:
    """The design's domestic road km are at the truck factor: the scenario's zones (the domestic road from the
    site or gateway to the province) take it as their last-mile factor, so both count the same leg alike."""
    truck = problem.emission_factors["truck"]
    source = f"the design's domestic road at the truck factor ({truck.what}; {truck.ttw_source})"
    return {"ttw_kg_per_tkm": truck.ttw_kg_per_tkm, "wtt_kg_per_tkm": truck.wtt_kg_per_tkm, "source": source}


def model_estimates(problem: DesignProblem, plan: DesignPlan) -> dict[str, float]:
    """The design model's figures that the simulation also measures, demand-weighted over the plan's orders:
    share within the promise, mean days from order to delivery, and per order the last mile, the inbound or
    parcel transport and the handling (CNY)."""
    markets = {m.id: m for m in problem.markets}
    total = days = mile = transport = handling = co2e = 0.0
    for (site_id, _, _), served in _flow_groups(problem, plan).items():
        site = problem.site(site_id)
        where = site.gateway if site.kind == "overseas" and site.gateway else (site.lon, site.lat)
        for o, d in served:
            mile_cny, _ = problem.last_mile((where[0], where[1]), markets[o.market])
            total += d
            days += d * o.days
            mile += d * mile_cny
            handling += d * site.handling_cny_per_order
            co2e += d * o.co2e_kg_per_order
            transport += d * (o.cny_per_order - mile_cny - site.handling_cny_per_order)
    if total <= 0:
        return {}
    return {
        "share_within_promise": plan.service_share,
        "order_to_delivery_days": days / total,
        "last_mile_cny_per_order": mile / total,
        "transport_cny_per_order": transport / total,
        "handling_cny_per_order": handling / total,
        "co2e_kg_per_order": co2e / total,
    }


COMPARED = (
    # (quantity, the simulation's KPI, its scale to the model's unit, what the static model cannot see)
    ("share_within_promise", "service.on_time_delivery_rate", 1.0,
     "queues at customs and in the warehouse, departures' timetables, stockouts"),
    ("order_to_delivery_days", "lead_time.end_to_end_h.mean", 1 / 24,
     "the same; the model counts handling days and the last mile only"),
    ("last_mile_cny_per_order", "cost_per_order.last_mile_cny", 1.0, "none: the same tariff per parcel"),
    ("transport_cny_per_order", "cost_per_order.transport_cny", 1.0,
     "containers and ULDs partly filled at each departure, the drayage truck"),
    ("handling_cny_per_order", "cost_per_order.labour_cny", 1.0,
     "the simulation pays staff by the hour (sized to a utilisation), the model a rate per order"),
    ("co2e_kg_per_order", "emissions.co2e_kg_per_order_handled", 1.0,
     "stock shipped in the run for orders after it (and goods on their way at the end), drawn order weights"),
)  # fmt: skip


def compare_with_simulation(estimates: dict[str, float], kpis: list[dict[str, float]]) -> list[dict[str, Any]]:
    """The model's estimate beside the simulation's mean over replications with a t interval, the difference,
    whether the interval holds the estimate (None with fewer than two replications), and what explains a gap.
    The intervals are simultaneous: each at 1 - 0.05 / (quantities compared) (Bonferroni), so that all of them
    hold together with 95% confidence. The share within the promise counts the orders resolved by the end of
    the run (delivered, late or failed); orders still undelivered and not yet due are not counted."""
    import numpy as np

    from logistics.analysis.stats import t_quantile

    confidence = 1.0 - 0.05 / len(COMPARED)
    rows = []
    for quantity, kpi, scale, why in COMPARED:
        values = np.array([k.get(kpi, float("nan")) * scale for k in kpis], dtype=float)
        values = values[np.isfinite(values)]
        n = len(values)
        mean = float(values.mean()) if n else float("nan")
        half = t_quantile(confidence, n - 1) * float(values.std(ddof=1)) / math.sqrt(n) if n >= 2 else math.nan
        model = estimates.get(quantity, float("nan"))
        low, high = mean - half, mean + half
        rows.append(
            {
                "quantity": quantity,
                "model": model,
                "simulation_mean": mean,
                "ci_low": low,
                "ci_high": high,
                "confidence": confidence,
                "replications": n,
                "difference": mean - model,
                "model_within_interval": bool(low <= model <= high) if math.isfinite(half) else None,
                "what_the_model_cannot_see": why,
            }
        )
    return rows


def simulate_design(task: tuple[str, int]) -> dict[str, Any]:
    """One replication of a design's scenario (`(path, replication)`): its KPIs (`kpis`: name -> value, as
    `logistics run` writes them) and per flow the mean days from an order to its dispatch to the last mile over
    the orders dispatched, with their count (`flow_days`: flow -> (days, orders))."""
    import numpy as np

    from logistics.analysis.kpis import run_kpis
    from logistics.scenario.builtin import load_named
    from logistics.sim.engine import simulate
    from logistics.sim.result import order_table

    path, replication = task
    result = simulate(load_named(path, []), replication=replication)
    table = run_kpis(result)
    kpis = {str(k): float(v) for k, v in zip(table["kpi"], table["value"], strict=True)}
    orders = order_table(result)
    flow_days: dict[str, tuple[float, int]] = {}
    for flow, rows in orders.groupby("flow", observed=True):
        days = (rows["dispatched_h"] - rows["created_h"]).to_numpy(dtype=float) / 24.0
        days = days[np.isfinite(days)]
        if len(days):
            flow_days[str(flow)] = (float(days.mean()), len(days))
    return {"kpis": kpis, "flow_days": flow_days}


def fed_back(problem: DesignProblem, plan: DesignPlan, flow_days: list[dict[str, tuple[float, int]]]) -> DesignProblem:
    """The design problem with each open site's days before the last mile replaced by what the simulation
    measured (`simulate_design`'s `flow_days` over replications, pooled by orders): a bonded site's `handling_days`
    becomes its flows' mean days from order to dispatch (the warehouse's queues, the exit checkpoint, the
    carriers' pick-up times); an overseas warehouse's `parcel_days` becomes that mean less its handling. Sites
    the plan did not open keep the figures they had: the simulation has seen nothing of them."""
    from dataclasses import replace

    site_of = {_flow_id(*key): key[0] for key in _flow_groups(problem, plan)}
    pooled: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # site -> [sum of days, orders]
    for replication in flow_days:
        for flow, (days, n) in replication.items():
            if flow in site_of:
                pooled[site_of[flow]][0] += days * n
                pooled[site_of[flow]][1] += n
    sites = []
    for s in problem.sites:
        if s.id in pooled and pooled[s.id][1] > 0 and s.id in plan.open_sites:
            days = pooled[s.id][0] / pooled[s.id][1]
            if s.kind == "bonded":
                s = replace(s, handling_days=days)
            else:
                s = replace(s, parcel_days=max(0.0, days - s.handling_days))
        sites.append(s)
    return replace(problem, sites=tuple(sites))


@dataclass(frozen=True)
class SimulatedDesign:
    """A design's scenario simulated: the model-against-simulation rows (`compare_with_simulation`), each
    replication's per-flow days (`simulate_design`) and how many replications lost their worker process."""

    rows: list[dict[str, Any]]
    flow_days: list[dict[str, tuple[float, int]]]
    lost: int


def simulate_plan(
    problem: DesignProblem, plan: DesignPlan, scenario_path: str, replications: int, workers: int | None = None
) -> SimulatedDesign:
    """Simulate the design's scenario file (written from `design_scenario`) `replications` times on a local
    process pool (the executor layer) and set the model's estimates beside the simulation's."""
    from logistics.experiments.pool import WorkerLost, map_in_order, open_pool

    pool = open_pool("local", workers)
    try:
        records = map_in_order(pool, simulate_design, [(scenario_path, r) for r in range(replications)])
    finally:
        pool.close()
    done = [r for r in records if not isinstance(r, WorkerLost)]
    rows = compare_with_simulation(model_estimates(problem, plan), [r["kpis"] for r in done])
    return SimulatedDesign(rows, [r["flow_days"] for r in done], len(records) - len(done))
