"""`check_design` and the exact cost of a design: recomputed from the problem's sites, lanes and markets and
the plan's assignments alone, not from the solver's model (whose inventory term is linearised)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from logistics.optimize.common import Check
from logistics.optimize.design.problem import DAYS_PER_YEAR, DesignProblem, distance_km

__all__ = ["Assignment", "Evaluation", "Stock", "check_design", "evaluate_design"]


@dataclass(frozen=True)
class Assignment:
    """A (market, SKU class) served by one mode from one site (for 1210, over one inbound lane mode)."""

    market: str
    sku_class: str
    mode: str
    site: str
    lane: str = ""


@dataclass(frozen=True)
class Stock:
    """Stock of one class at one bonded site replenished over one lane: mean daily demand pooled over its
    markets, cycle and safety stock (orders' worth of goods) and their holding cost per year."""

    site: str
    sku_class: str
    lane: str
    orders_per_day: float
    cycle_units: float
    safety_units: float
    holding_cny: float


@dataclass(frozen=True)
class Evaluation:
    """A design's exact figures: costs per year by kind, the share of eligible orders delivered within the
    promise, each site's load, the stock, and what breaks a rule."""

    fixed_cny: float
    flow_cny: float
    holding_cny: float
    total_cny: float
    service_share: float
    load_orders_per_day: dict[str, float]
    stock: tuple[Stock, ...]
    violations: tuple[str, ...]
    co2e_t_per_year: float = 0.0


def _order_cost_days(problem: DesignProblem, a: Assignment) -> tuple[float, float, float, float, float] | str:
    """(CNY per order, days to the customer, replenishment lead mean, sd, kg CO2e per order) of an assignment,
    or why it breaks a mode rule. Recomputed from the data: inbound or parcel tariff x weight, handling, last
    mile by distance; tonne-km of each leg x its mode's well-to-wheel factor."""
    sku = next((c for c in problem.sku_classes if c.id == a.sku_class), None)
    site = next((s for s in problem.sites if s.id == a.site), None)
    market = next((m for m in problem.markets if m.id == a.market), None)
    if sku is None or site is None or market is None:
        return f"{a.market}/{a.sku_class}: unknown market, class or site {a.site!r}"
    if sku.order_value_cny > problem.per_order_limit_cny:
        return (
            f"{a.market}/{a.sku_class}: an order worth {sku.order_value_cny:g} CNY is over the per-order retail "
            f"limit {problem.per_order_limit_cny:g} CNY: no cross-border retail mode may serve it"
        )

    def mile(point: tuple[float, float]) -> tuple[float, float]:
        km = distance_km(point, (market.lon, market.lat)) * problem.circuity
        return (
            problem.last_mile_cny_per_order + problem.last_mile_cny_per_km * km,
            problem.last_mile_days + km / problem.last_mile_km_per_day,
        )

    def wtw(mode: str) -> float:
        return problem.emission_factors[mode].wtw_kg_per_tkm

    tonnes = sku.order_weight_kg / 1000.0

    if a.mode == "1210":
        if site.kind != "bonded":
            return f"{a.market}/{a.sku_class}: 1210 needs stock in a bonded site, {site.id} is {site.kind}"
        lane = next(
            (x for x in problem.lanes if x.site == site.id and x.origin == sku.origin and x.mode == a.lane), None
        )
        if lane is None:
            return f"{a.market}/{a.sku_class}: no {a.lane!r} lane from {sku.origin} to {site.id}"
        cny, days = mile((site.lon, site.lat))
        road_km = lane.road_km + distance_km((site.lon, site.lat), (market.lon, market.lat)) * problem.circuity
        co2e = tonnes * ((lane.distance_km or 0.0) * wtw(lane.mode) + road_km * wtw("truck"))
        return (
            lane.cny_per_kg * sku.order_weight_kg + site.handling_cny_per_order + cny,
            site.handling_days + days,
            lane.transit_days,
            lane.transit_sd_days,
            co2e,
        )
    if a.mode == "9610":
        if site.kind != "overseas" or site.origin != sku.origin or site.gateway is None:
            return f"{a.market}/{a.sku_class}: 9610 ships from an overseas site at {sku.origin}, not {site.id}"
        cny, days = mile(site.gateway)
        flown_km = distance_km((site.lon, site.lat), site.gateway)
        road_km = distance_km(site.gateway, (market.lon, market.lat)) * problem.circuity
        return (
            site.parcel_cny_per_kg * sku.order_weight_kg + site.handling_cny_per_order + cny,
            site.handling_days + site.parcel_days + days,
            0.0,
            0.0,
            tonnes * (flown_km * wtw("air") + road_km * wtw("truck")),
        )
    return f"{a.market}/{a.sku_class}: unknown customs mode {a.mode!r} (1210 or 9610)"


def evaluate_design(problem: DesignProblem, open_sites: set[str], assignments: tuple[Assignment, ...]) -> Evaluation:
    """The exact yearly cost and the rules of a design: every eligible (market, class) with demand assigned
    once to an open site by an allowed mode, capacities, the service target; safety stock with the square root
    itself (not the model's linearisation)."""
    violations: list[str] = []
    demand = {(m.id, d.sku_class): d for m in problem.markets for d in m.demand if d.orders_per_day > 0}
    eligible_total = sum(d.orders_per_day for (_, k), d in demand.items() if problem.eligible(k))
    seen: set[tuple[str, str]] = set()
    load: dict[str, float] = defaultdict(float)
    pools: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    flow = on_time = co2e_kg = 0.0
    for a in assignments:
        key = (a.market, a.sku_class)
        if key in seen:
            violations.append(f"{a.market}/{a.sku_class}: assigned twice")
            continue
        seen.add(key)
        d = demand.get(key)
        if d is None:
            violations.append(f"{a.market}/{a.sku_class}: no demand to serve")
            continue
        got = _order_cost_days(problem, a)
        if isinstance(got, str):
            violations.append(got)
            continue
        if a.site not in open_sites:
            violations.append(f"{a.market}/{a.sku_class}: served from {a.site}, which is not open")
        cny, days, lead, lead_sd, co2e = got
        flow += cny * d.orders_per_day * DAYS_PER_YEAR
        co2e_kg += co2e * d.orders_per_day * DAYS_PER_YEAR
        load[a.site] += d.orders_per_day
        if days <= problem.promise_days + 1e-9:
            on_time += d.orders_per_day
        if a.mode == "1210":
            pool = pools[(a.site, a.sku_class, a.lane)]
            pool[0] += d.orders_per_day
            pool[1] += d.sd_per_day**2
            pool[2], pool[3] = lead, lead_sd
    for (m, k), d in demand.items():
        if problem.eligible(k) and (m, k) not in seen:
            violations.append(f"{m}/{k}: {d.orders_per_day:g} orders a day not served")
    for site_id, orders in load.items():
        cap = next(s.capacity_orders_per_day for s in problem.sites if s.id == site_id)
        if orders > cap * (1 + 1e-9):
            violations.append(f"{site_id}: {orders:,.1f} orders a day over its capacity {cap:,.1f}")
    share = on_time / eligible_total if eligible_total > 0 else 1.0
    if share < problem.service_target - 1e-9:
        violations.append(
            f"service: {share:.4f} of eligible orders within {problem.promise_days:g} days, "
            f"target {problem.service_target:.4f}"
        )
    co2e_cap = problem.max_co2e_t_per_year
    if co2e_cap is not None and co2e_kg / 1000.0 > co2e_cap * (1 + 1e-9):
        violations.append(f"emissions: {co2e_kg / 1000.0:,.1f} t CO2e a year over the cap {co2e_cap:,.1f}")
    z = problem.safety_z
    stock = []
    for (site_id, k, lane), (mean, var, lead, lead_sd) in sorted(pools.items()):
        value = next(c.order_value_cny for c in problem.sku_classes if c.id == k)
        cycle = mean * problem.review_days / 2
        safety = z * math.sqrt(lead * var + mean**2 * lead_sd**2)
        stock.append(Stock(site_id, k, lane, mean, cycle, safety, problem.holding_rate * value * (cycle + safety)))
    fixed = sum(s.fixed_cny for s in problem.sites if s.id in open_sites)
    holding = sum(s.holding_cny for s in stock)
    return Evaluation(
        fixed, flow, holding, fixed + flow + holding, share, dict(load), tuple(stock), tuple(violations), co2e_kg / 1e3
    )


def check_design(problem: DesignProblem, plan: object) -> Check:
    """Every rule of a design plan (a `DesignPlan`), recomputed: every eligible market and class served once
    by an allowed mode from an open site, capacities, the service target, nothing ineligible served; and the
    plan's stated cost equal to the cost recomputed here."""
    evaluation = evaluate_design(problem, set(plan.open_sites), plan.assignments)  # type: ignore[attr-defined]
    violations = list(evaluation.violations)
    stated = plan.cost_cny  # type: ignore[attr-defined]
    if not math.isclose(stated, evaluation.total_cny, rel_tol=1e-6, abs_tol=1e-3):
        violations.append(f"cost: the plan states {stated:,.2f} CNY a year, recomputed {evaluation.total_cny:,.2f}")
    stated_co2e = getattr(plan, "co2e_t_per_year", evaluation.co2e_t_per_year)
    if math.isfinite(stated_co2e) and not math.isclose(
        stated_co2e, evaluation.co2e_t_per_year, rel_tol=1e-6, abs_tol=1e-6
    ):
        violations.append(
            f"emissions: the plan states {stated_co2e:,.3f} t CO2e a year, recomputed {evaluation.co2e_t_per_year:,.3f}"
        )
    return Check(tuple(violations))
