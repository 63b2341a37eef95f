"""The tables, costs and counts of the cross-border flows at the end of a run: one row per order, per stock
container (of every warehouse stocked over a route, the bonded one included), per lane departure and per
checkpoint visit; the live counters of every step are checked against
the order table first, so that every order is accounted for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from logistics.scenario.customs import CREDIT_TIERS
from logistics.scenario.modes import CUSTOMS_MODES, MODES
from logistics.sim.accounting import check_accounting
from logistics.sim.checkpoint import LOG_COLUMNS, OUTCOMES, visit_table
from logistics.sim.emissions import last_mile_co2e_kg
from logistics.sim.flows import Flows
from logistics.sim.lanes import DEPARTURE_COLUMNS
from logistics.sim.monitor import END_REASONS
from logistics.sim.shifts import staffed_hours
from logistics.sim.station import Station

__all__ = ["FlowResults", "flow_results"]


@dataclass(frozen=True)
class FlowResults:
    """What the flows produced: one row per order (`orders`), per stock container (`consignments`), per lane
    departure (`departures`) and per checkpoint visit (`clearances`), resource statistics, costs and counts."""

    orders: pd.DataFrame
    consignments: pd.DataFrame
    departures: pd.DataFrame
    clearances: pd.DataFrame
    resources: list[Station]
    costs_cny: dict[str, float]
    counts: dict[str, int]
    labour_h: float
    waves: pd.DataFrame  # last-mile dispatch waves of the flows' depots (column `flow`)
    routes: pd.DataFrame  # routes their vans drove
    route_stops: pd.DataFrame  # the stops of those routes, planned and driven
    optimizer_s: float  # wall time in their dispatch optimizers


def flow_results(self: Flows) -> FlowResults:
    """Tables, costs and counts at the end of the run (checks that every order is accounted for)."""
    s, end_h = self.scenario, self.end_h
    flows = self.flows
    ended = self.end_reason > 0
    delivered = ~ended & (self.delivered_h <= end_h)
    alive = ~ended & ~delivered & ~np.isnan(self.created_h)
    last_mile = alive & ~np.isnan(self.dispatched_h)

    stage = _stages(self, alive, last_mile)

    orders = slice(0, self.n_orders)
    flow_of = self.flow_of[orders]
    modes = np.array([f.mode for f in flows])[flow_of]
    costs = s.costs
    clear = _clearances(self)
    clearance_cost = np.zeros(self.n_jobs)
    np.add.at(clearance_cost, clear["job"].to_numpy(), clear["cost_cny"].to_numpy())

    zones = _zones(self, flow_of)
    dispatched = ~np.isnan(self.dispatched_h[orders])
    depots = _depots(self, np.where(dispatched, zones.cost_cny, 0.0))
    last_mile_cost, routed = depots.cost_cny, depots.routed
    last_mile_co2e = _last_mile_co2e(self, dispatched)
    tax = np.where(dispatched, self.tax_cny[orders], 0.0)
    stage_columns, packed = _stage_columns(self)
    packaging = np.where(packed, costs.packaging_cny_per_order, 0.0)
    trader_names = [t.id for t in s.customs.traders]
    status = np.where(ended, "ended", np.where(delivered, "delivered", "in_system"))[orders]
    table = pd.DataFrame(
        {
            "order_id": np.arange(self.n_orders, dtype=np.int64),
            **{name: column[orders] for name, column in self.source_ids.items()},
            "flow": pd.Categorical.from_codes(flow_of, [f.id for f in flows]),
            "mode": pd.Categorical(modes, list(MODES)),
            "direction": np.array([f.direction for f in flows] or ["import"])[flow_of],
            "n_lines": self.n_lines[orders],
            "n_units": self.units[orders],
            "value_cny": self.value_cny[orders],
            "weight_kg": self.weight_kg[orders],
            "volume_m3": self.volume_m3[orders],
            "goods": pd.Categorical.from_codes(self.goods[orders], self.goods_names),
            "trader": pd.Categorical.from_codes(self.trader[orders], trader_names),
            "over_limit": self.over_limit[orders],
            "zone": pd.Categorical.from_codes(zones.code, zones.names),
            "delivery_promise_h": zones.promise_h,
            "created_h": self.created_h[orders],
            "documents_h": self.ready_h[orders],
            **stage_columns,
            "dispatched_h": self.dispatched_h[orders],
            "delivered_h": self.delivered_h[orders],
            "ended_h": self.ended_h[orders],
            "status": pd.Categorical(status, ["delivered", "in_system", "ended"]),
            "stage": stage[orders],
            "end_reason": pd.Categorical.from_codes(self.end_reason[orders], list(END_REASONS)),
            "rolls": self.rolls[orders],
            "transport_cny": self.transport_cny[orders],
            "clearance_cny": clearance_cost[orders],
            "routed": routed,
            "last_mile_cny": last_mile_cost,
            "packaging_cny": packaging,
            "lane_co2e_kg": self.co2e_kg[orders],
            "last_mile_co2e_kg": last_mile_co2e,
            "co2e_kg": self.co2e_kg[orders] + last_mile_co2e,
            "tax_cny": tax,
        }
    )

    table.attrs["stages"] = {
        flows[p.flow].id: [step.label for step in p.steps] for p in self.programs if p.kind == "orders"
    }
    consignments = _consignment_table(self, clear)
    departures = pd.DataFrame([row for lane in self.all_lanes for row in lane.rows], columns=list(DEPARTURE_COLUMNS))

    labour_h = sum(staffed_hours(st.schedule, s.run.horizon_h) for st, _ in self.labour)
    cost = {
        "transport": float(departures["cost_cny"].sum()) if len(departures) else 0.0,
        "labour": labour_h * costs.labour_cny_per_worker_h,
        "storage": 0.0,  # every stock is a warehouse's: its part pays its storage
        "inspection": float(clear["cost_cny"].sum()),
        "packaging": float(packaging.sum()),
        "last_mile": float(last_mile_cost.sum()),
        "tax": float(tax.sum()),
    }
    counts = _counts(self, delivered, alive, ended)
    resources = self.resources
    return FlowResults(
        orders=table,
        consignments=consignments,
        departures=departures,
        clearances=clear,
        resources=resources,
        costs_cny=cost,
        counts=counts,
        labour_h=labour_h,
        waves=_stack(depots.waves),
        routes=_stack(depots.routes),
        route_stops=_stack(depots.stops),
        optimizer_s=depots.optimizer_s,
    )


def _counts(self: Flows, delivered: np.ndarray, alive: np.ndarray, ended: np.ndarray) -> dict[str, int]:
    """The flows' counts: orders by where they are, consignments, stock rolled or skipped, trader demotions,
    allocation solves stopped by the wall-clock cap (0: the run replays bit for bit)."""
    orders = slice(0, self.n_orders)
    flows = self.flows
    return {
        "created": int(np.count_nonzero(~np.isnan(self.created_h[orders]))),
        "delivered": int(delivered[orders].sum()),
        "in_system": int(alive[orders].sum()),
        "ended": int(ended[orders].sum()),
        "consignments": len(self.containers),
        **{f"rolled_units.{flows[k].id}": r.rolled_units for k, r in self.stock_routes.items()},
        **{f"departures_skipped.{flows[k].id}": r.departures_skipped for k, r in self.stock_routes.items()},
        "trader_demotions": self.tiers.demotions if self.tiers is not None else 0,
        # allocation solves stopped by the wall-clock cap, not their work limit (0: the run replays bit for bit)
        "allocation_time_cap_hits": sum(
            getattr(g.policy, "stats", {}).get("time_cap_hits", 0) for g in self.groups.values()
        ),
    }


def _clearances(self: Flows) -> pd.DataFrame:
    """Every checkpoint's visit log, one row per visit (cost per parcel for modes declared per parcel), with
    each visit's flow, mode and whether it is an order's."""
    flows, costs = self.flows, self.scenario.costs
    declared_per_parcel = np.array([CUSTOMS_MODES[f.mode].declared_per_parcel for f in flows] or [False])

    def per_parcel(jobs: np.ndarray) -> np.ndarray:
        return declared_per_parcel[self.flow_of[jobs]] & (jobs < self.n_orders)

    logs = [visit_table(step.clearance, costs, per_parcel) for step in self.checkpoints.values()]
    clear = pd.concat(logs, ignore_index=True) if logs else _no_visits()
    job_flow = self.flow_of[clear["job"].to_numpy()]
    is_order = clear["job"].to_numpy() < self.n_orders
    clear["flow"] = pd.Categorical.from_codes(job_flow, [f.id for f in flows])
    clear["mode"] = np.array([f.mode for f in flows])[job_flow] if flows else []
    clear["order"] = is_order
    return clear


@dataclass(frozen=True)
class _Zones:
    """Each order's last-mile zone (coded over every flow's zones, named flow/zone), price and promise."""

    cost_cny: np.ndarray
    promise_h: np.ndarray
    code: np.ndarray
    names: list[str]


def _zones(self: Flows, flow_of: np.ndarray) -> _Zones:
    orders = slice(0, self.n_orders)
    zones_cost = np.zeros(self.n_orders)
    promise = np.zeros(self.n_orders)
    zone_names: list[str] = []
    zone_code = np.zeros(self.n_orders, dtype=np.int64)
    for k, f in enumerate(self.flows):
        mask = flow_of == k
        zc = np.array([z.cost_per_parcel_cny for z in f.last_mile.zones])
        zp = np.array([z.promise_h for z in f.last_mile.zones])
        zones_cost[mask] = zc[self.zone[orders][mask]]
        promise[mask] = zp[self.zone[orders][mask]]
        names = [f"{f.id}/{z.id}" for z in f.last_mile.zones]
        zone_code[mask] = self.zone[orders][mask] + len(zone_names)
        zone_names += names
    return _Zones(zones_cost, promise, zone_code, zone_names)


@dataclass(frozen=True)
class _Depots:
    """The last mile of the flows' depots: each order's last-mile cost (a routed parcel its share of the routes
    driven), whether it was routed, and the depots' wave, route and stop tables."""

    cost_cny: np.ndarray
    routed: np.ndarray
    waves: list[pd.DataFrame]
    routes: list[pd.DataFrame]
    stops: list[pd.DataFrame]
    optimizer_s: float


def _depots(self: Flows, zone_cost_cny: np.ndarray) -> _Depots:
    last_mile_cost = zone_cost_cny.copy()
    routed = np.zeros(self.n_orders, dtype=bool)
    wave_tables, route_tables, stop_tables, optimizer_s = [], [], [], 0.0
    for k, (depot, offset) in self.depots.items():  # routed parcels carry their share of the routes driven
        sl = slice(offset, offset + len(depot.routed))
        routed[sl] = depot.routed
        last_mile_cost[sl] = np.where(depot.routed, depot.parcel_cost_cny, last_mile_cost[sl])
        waves, routes, route_stops = depot.tables()
        wave_tables.append(waves.assign(flow=self.flows[k].id))
        route_tables.append(routes.assign(flow=self.flows[k].id))
        stop_tables.append(route_stops.assign(flow=self.flows[k].id))
        optimizer_s += depot.optimizer_s
    return _Depots(last_mile_cost, routed, wave_tables, route_tables, stop_tables, optimizer_s)


def _stack(tables: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def _stages(self: Flows, alive: np.ndarray, last_mile: np.ndarray) -> np.ndarray:
    """Where each live job is, by step (its label; "last_mile" once dispatched), checked against the steps'
    own counters (an `AccountingError` if any job is lost)."""
    pos = np.frombuffer(bytes(self.pos), dtype=np.uint8)
    derived: dict[str, int] = {}
    stage = np.full(self.n_jobs, "", dtype=object)
    for program in self.programs:
        sl = slice(program.offset, program.offset + program.count)
        here = alive[sl] & ~last_mile[sl]
        for p, step in enumerate(program.steps):
            at = here & (pos[sl] == p)
            stage[sl][at] = step.label
            derived[step.name] = derived.get(step.name, 0) + int(at.sum())
    stage[last_mile] = "last_mile"
    live = {name: c for step in self._all_steps() if (c := step.live) is not None for name in [step.name]}
    check_accounting(
        {"created": 0, "delivered": 0, "in_system": 0, "ended": 0, **derived},
        {name: live[name] for name in live},
    )
    return stage


def _last_mile_co2e(self: Flows, dispatched: np.ndarray) -> np.ndarray:
    """kg CO2e of each order's last mile, flow by flow (a flow's orders are contiguous, as its depot's are):
    by its zone's km, or by the km it rode on its depot's vans."""
    last_mile_co2e = np.zeros(self.n_orders)
    factor, truck = self.emission_factors["last_mile"], self.emission_factors["truck"]
    for k, f in enumerate(self.flows):
        sl = slice(self.offsets[k], self.offsets[k] + len(self.books[k]))
        depot = self.depots[k][0] if k in self.depots else None
        last_mile_co2e[sl] = last_mile_co2e_kg(
            self.weight_kg[sl], self.zone[sl], list(f.last_mile.zones), dispatched[sl], depot, factor, truck
        )
    return last_mile_co2e


def _stage_columns(self: Flows) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each order's time at the end of each step of its flow (`done:<step>`), and whether it was packed."""
    packed_label = {"fulfilment", "pack"}
    packed = np.zeros(self.n_orders, dtype=bool)
    stage_columns: dict[str, np.ndarray] = {}
    for program in self.programs:
        if program.kind != "orders":
            continue
        sl = slice(program.offset, program.offset + program.count)
        finished = program.done
        for p, step in enumerate(program.steps[:-1]):
            column = stage_columns.setdefault(f"done:{step.label}", np.full(self.n_orders, np.nan))
            column[sl] = finished[p]
            if step.label in packed_label:
                packed[sl] |= ~np.isnan(finished[p])
    return stage_columns, packed


def _consignment_table(self: Flows, clear: pd.DataFrame) -> pd.DataFrame:
    """One row per stock container: its flow and mode, when it was ordered, what it carries, whether a checkpoint
    inspected it, the time it finished each step of its route (`done:<step>`), rolls, cost, outcome, receipt."""
    jobs = np.array(sorted(self.containers), dtype=np.int64)
    if not len(jobs):
        return pd.DataFrame()
    flows = self.flows
    inspected = np.zeros(self.n_jobs, dtype=bool)
    inspected[clear["job"].to_numpy()[clear["inspected"].to_numpy() > 0]] = True
    flow_of = self.flow_of[jobs]
    table: dict[str, object] = {
        "mode": [flows[k].mode for k in flow_of],
        "flow": [flows[k].id for k in flow_of],
        "consignment": jobs - np.array(self.container_offsets)[flow_of],  # numbered within its flow
        "job": jobs,
        "ordered_h": self.created_h[jobs],
        "skus": [len(self.containers[j][0]) for j in jobs],
        "units": self.units[jobs],
        "weight_kg": self.weight_kg[jobs],
        "volume_m3": self.volume_m3[jobs],
        "inspected": inspected[jobs],
    }
    done: dict[str, np.ndarray] = {}
    for program in self.programs:
        if program.kind != "consignments":
            continue
        mine = (jobs >= program.offset) & (jobs < program.offset + program.count)
        finished = program.done
        for p, step in enumerate(program.steps[:-1]):
            column = done.setdefault(f"done:{step.label}", np.full(len(jobs), np.nan))
            column[mine] = finished[p, jobs[mine] - program.offset]
    table.update(done)
    table.update(
        rolls=self.rolls[jobs],
        transport_cny=self.transport_cny[jobs],
        co2e_kg=self.co2e_kg[jobs],
        outcome=[self.container_outcome[j] for j in jobs],
        received_h=self.delivered_h[jobs],
    )
    return pd.DataFrame(table)


def _no_visits() -> pd.DataFrame:
    """The visit table of a run whose checkpoints logged nothing (same columns)."""
    frame = pd.DataFrame({"checkpoint": [], "role": [], **{name: np.zeros(0) for name in LOG_COLUMNS}})
    frame["job"] = frame["job"].astype(np.int64)
    frame["cost_cny"] = np.zeros(0)
    frame["clearance_h"] = np.zeros(0)
    frame["credit_tier"] = pd.Categorical.from_codes(np.zeros(0, dtype=np.int64), list(CREDIT_TIERS))
    frame["outcome"] = pd.Categorical.from_codes(np.zeros(0, dtype=np.int64), list(OUTCOMES))
    return frame
