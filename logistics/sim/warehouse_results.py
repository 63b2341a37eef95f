"""A warehouse's tables, costs and counts at the end of a run (1210 or 9810): one row per order, the visits of
the checkpoint its orders pass on the way out (1210: the second line), the floor's counters (its stock
containers are the flows' jobs: `flow_results`); the live counters are checked against the order table first,
so that every order is accounted for."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from logistics.core.units import HOURS_PER_DAY
from logistics.scenario.customs import CREDIT_TIERS
from logistics.sim.accounting import STAGES, check_accounting, order_status
from logistics.sim.checkpoint import visit_table
from logistics.sim.emissions import last_mile_co2e_kg
from logistics.sim.floor import WarehouseFloor
from logistics.sim.monitor import END_REASONS
from logistics.sim.order_draws import source_id_columns
from logistics.sim.result import RunResult
from logistics.sim.shifts import staffed_hours
from logistics.sim.station import resource_rows
from logistics.sim.warehouse import WarehouseOrders

__all__ = ["merge_warehouses", "warehouse_result"]


def _risk_columns(model: WarehouseOrders) -> dict[str, object]:
    """The declaring trader and its credit tier at the second-line check, when the flow names traders."""
    if model.trader_of_order is None:
        return {}
    traders = [t.id for t in model.scenario.customs.traders]
    if model.second_line is None:
        return {"trader": pd.Categorical.from_codes(model.trader_of_order, traders)}
    tier = model.second_line.per_job("tier", model.n, -1).astype(np.int64)
    return {
        "trader": pd.Categorical.from_codes(model.trader_of_order, traders),
        "credit_tier": pd.Categorical.from_codes(tier, list(CREDIT_TIERS)),  # -1 (not checked yet) -> NaN
    }


def _live_counts(model: WarehouseOrders) -> dict[str, int]:
    waiting_stock = model.inventory.orders_waiting
    return {
        "created": model._next,
        "ended": model.ended + (model.depot.returned if model.depot is not None else 0),
        "in_system.awaiting_stock": waiting_stock,
        "in_system.awaiting_documents": model.awaiting - waiting_stock,
        "in_system.pick": model.floor.in_picking if model.floor is not None else model.pick.in_station,
        "in_system.pack": model.pack.in_station,
        "in_system.second_line_checkpoint": model.second_line.in_checkpoint if model.second_line is not None else 0,
        "in_system.outbound": sum(len(c.buffer) for c in model.carriers),
        "in_system.last_mile": sum(c.dispatched for c in model.carriers)
        - int((model.cols.delivered_h <= model.end_h).sum())
        - (model.depot.returned if model.depot is not None else 0),
    }


def warehouse_result(model: WarehouseOrders, wall_s: float) -> RunResult:
    s, cols, run = model.scenario, model.cols, model.scenario.run
    status = order_status(cols, model.end_h)
    check_accounting(status.counts, _live_counts(model))
    zones = model.flow.last_mile.zones
    dispatched = ~np.isnan(cols.dispatched_h)
    packed = ~np.isnan(cols.pack_end_h)
    lastmile_cost = np.where(dispatched, np.array([z.cost_per_parcel_cny for z in zones])[model.zone], 0.0)
    if model.depot is not None:  # routed parcels carry their share of the routes driven
        lastmile_cost = np.where(model.depot.routed, model.depot.parcel_cost_cny, lastmile_cost)
    factors = s.emissions.table()
    last_mile_co2e = last_mile_co2e_kg(
        model.weight_kg, model.zone, zones, dispatched, model.depot, factors["last_mile"], factors["truck"]
    )
    visits = _visits(model)
    parcels = visits["order"].to_numpy()
    inspection_cost = np.zeros(model.n)  # each order's second-line visit: fee, lab, outcome
    np.add.at(inspection_cost, visits["job"].to_numpy()[parcels], visits["cost_cny"].to_numpy()[parcels])
    packaging_cost = np.where(packed, s.costs.packaging_cny_per_order, 0.0)
    tax = np.where(dispatched, model.tax_cny, 0.0)
    promise = np.array([z.promise_h for z in zones])[model.zone]
    second = model.second_line
    orders = pd.DataFrame(
        {
            "mode": model.flow.mode,
            "flow": model.flow.id,
            "order_id": np.arange(model.n, dtype=np.int64),
            "customer": model.book.customer,
            **source_id_columns(model.draws, model.n),
            "n_lines": model.book.n_lines,
            "n_units": model.units,
            "value_cny": model.value_cny,
            "weight_kg": model.weight_kg,
            "volume_m3": model.volume_m3,
            "over_limit": model.over_limit,
            "zone": pd.Categorical.from_codes(model.zone, [z.id for z in zones]),
            "delivery_promise_h": promise,
            "inspected": (second.per_job("inspected", model.n, 0.0) > 0) if second else np.zeros(model.n, bool),
            **_risk_columns(model),
            **cols.timestamps(),
            "status": pd.Categorical(status.status, ["delivered", "in_system", "ended"]),
            "stage": pd.Categorical(status.stage, ["", *STAGES]),
            "end_reason": pd.Categorical.from_codes(cols.end_reason, list(END_REASONS)),
            "tax_cny": tax,
            "routed": model.depot.routed if model.depot is not None else np.zeros(model.n, dtype=bool),
            "last_mile_cny": lastmile_cost,
            "last_mile_co2e_kg": last_mile_co2e,
            "co2e_kg": last_mile_co2e,  # its stock's inbound is the consignments' (`consignments.co2e_kg`)
            "inspection_cny": inspection_cost,
            "packaging_cny": packaging_cost,
        }
    )
    rows, labour_h = _resources_and_labour(model)
    model.costs["labour"] = labour_h * s.costs.labour_cny_per_worker_h
    model.costs["storage"] = model._storage_m3_h_at_horizon / HOURS_PER_DAY * s.costs.storage_cny_per_m3_day
    model.costs["inspection"] = float(visits["cost_cny"].sum())
    model.costs["packaging"] = float(packaging_cost.sum())
    model.costs["last_mile"] = float(lastmile_cost.sum())
    model.costs["tax"] = float(tax.sum())
    series = pd.DataFrame({"time_h": model.series.time_h, **model.series.values})
    counts = _counts(model, status.counts, labour_h)
    stock = {
        "peak_stored_m3": model.inventory.peak_stored_m3,
        "storage_m3_days": model._storage_m3_h_at_horizon / HOURS_PER_DAY,
        "units_available_at_end": float(sum(model.inventory.available)),
    }
    empty = (pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    waves, routes, route_stops = model.depot.tables() if model.depot is not None else empty
    if len(waves):  # the depot's tables name their flow, as the flows' depots' do
        waves, routes = waves.assign(flow=model.flow.id), routes.assign(flow=model.flow.id)
        route_stops = route_stops.assign(flow=model.flow.id)
    return RunResult(
        scenario=s.name,
        replication=model.replication,
        horizon_h=run.horizon_h,
        end_h=model.end_h,
        warmup_h=run.warmup_h,
        dispatch_promise_h=s.service_level.dispatch_within_h,
        orders=orders,
        resources=pd.DataFrame(rows),
        series=series,
        consignments=pd.DataFrame(),
        costs_cny=dict(model.costs),
        counts=counts,
        stock=stock,
        wall_s=wall_s,
        floor=_floor_stats(model),
        clearances=visits,
        waves=waves,
        routes=routes,
        route_stops=route_stops,
        optimizer_s=model.depot.optimizer_s if model.depot is not None else 0.0,
        pick_lists=_pick_list_table(model.floor).assign(flow=model.flow.id)
        if model.floor is not None
        else pd.DataFrame(),
    )


def _resources_and_labour(model: WarehouseOrders) -> tuple[list[dict[str, object]], float]:
    """The warehouse's resource rows (receiving only when its teams are limited) and the worker-hours paid
    (each paid station's staffed hours x its workers per server; customs staff are not the warehouse's)."""
    run, second = model.scenario.run, model.second_line
    wh = model.warehouse
    labour_h = 0.0
    paid = (
        (model.receiving, wh.receiving.workers_per_team, wh.receiving.teams is not None),
        (model.pick, 1, True),
        *(((model.floor.replenishers, 1, True), (model.floor.putaway, 1, True)) if model.floor is not None else ()),
        (model.pack, 1, True),
        *(((second.screening, 1, False), (second.inspection, 1, False)) if second is not None else ()),
    )
    # (receiving without a team limit is not a resource: no queue, no staff)
    limited = [st for st, _, _ in paid if st is not model.receiving or wh.receiving.teams is not None]
    rows = resource_rows(limited, model.end_h)
    for st, workers_per_server, is_paid in paid:
        if is_paid:
            labour_h += workers_per_server * staffed_hours(st.schedule, run.horizon_h)
    return rows, labour_h


def _counts(model: WarehouseOrders, by_status: dict[str, int], labour_h: float) -> dict[str, int]:
    """The warehouse's counts: orders by status and stage, backorders, lines, the second line's parcels
    inspected, failed and held, trader demotions, labour hours."""
    second = model.second_line
    counts = dict(by_status)
    counts.update(
        backordered_orders=model.inventory.backordered_orders,
        backordered_lines=model.inventory.backordered_lines,
        order_lines=len(model.book.line_sku),
        parcels_inspected=second.inspections if second is not None else 0,
        parcels_failed=second.failures if second is not None else 0,
        parcels_held=second.holds if second is not None else 0,
        trader_demotions=model.tiers.demotions
        if model.tiers is not None and model.second_config is not None and model.second_config.risk
        else 0,
        labour_h=round(labour_h),
    )
    return counts


def _visits(model: WarehouseOrders) -> pd.DataFrame:
    """The finished visits of the second line (parcels) in the one visit-log shape (`clearances.csv`), with
    their costs (the first line's are the flows': it clears stock containers)."""
    costs = model.scenario.costs
    if model.second_line is None:
        return pd.DataFrame({"job": np.zeros(0, dtype=np.int64), "cost_cny": np.zeros(0), "order": np.zeros(0, bool)})
    visits = visit_table(model.second_line, costs, lambda jobs: np.ones(len(jobs), dtype=bool))
    visits["order"] = True
    one = np.zeros(len(visits), dtype=np.int8)
    visits["flow"] = pd.Categorical.from_codes(one, [model.flow.id])
    visits["mode"] = pd.Categorical.from_codes(one, [model.flow.mode])
    return visits


def _floor_stats(model: WarehouseOrders) -> dict[str, float]:
    """The floor's counters, and the docks' waits (empty without a floor)."""
    if model.floor is None:
        return {}
    out = _floor_counters(model.floor)
    wage = model.scenario.costs.labour_cny_per_worker_h
    out["picker_busy_h"] = model.floor.pickers.busy_area
    out["picker_staffed_h"] = staffed_hours(model.floor.pickers.schedule, model.scenario.run.horizon_h)
    out["pick_labour_used_cny"] = model.floor.pickers.busy_area * wage
    out["replenishment_busy_h"] = model.floor.replenishers.busy_area
    if model.yard is not None:
        waits = model.yard.waits_h()
        out["dock_trucks"] = float(len(waits))
        out["dock_wait_h_mean"] = float(waits.mean()) if len(waits) else np.nan
        out["dock_wait_h_p95"] = float(np.quantile(waits, 0.95)) if len(waits) else np.nan
        out["dock_no_shows"] = float(model.yard.no_shows)
        doors = model.warehouse.floor.docks.doors  # type: ignore[union-attr]
        out["door_busy_h"], out["door_h"] = model.receiving.busy_area, doors * model.end_h
        out["door_utilisation"] = model.receiving.busy_area / (doors * model.end_h)
    return out


def _pick_list_table(floor: WarehouseFloor) -> pd.DataFrame:
    """One row per pick list: orders, lines, units, walking metres, service hours, start and end."""
    return pd.DataFrame(
        {
            "orders": np.fromiter((len(o) for o in floor.lists_orders), dtype=np.int64, count=len(floor.lists_orders)),
            "lines": np.frombuffer(floor.list_lines, dtype=np.int64) if len(floor.list_lines) else np.zeros(0, int),
            "units": np.frombuffer(floor.list_units, dtype=np.int64) if len(floor.list_units) else np.zeros(0, int),
            "travel_m": np.frombuffer(floor.list_travel_m) if len(floor.list_travel_m) else np.zeros(0),
            "service_h": np.frombuffer(floor.lists_service_h) if len(floor.lists_service_h) else np.zeros(0),
            "start_h": np.frombuffer(floor.list_start_h) if len(floor.list_start_h) else np.zeros(0),
            "end_h": np.frombuffer(floor.list_end_h) if len(floor.list_end_h) else np.zeros(0),
        }
    )


def _floor_counters(floor: WarehouseFloor) -> dict[str, float]:
    """Counters of the floor for the KPIs."""
    occupied = int((floor.sku_of_slot >= 0).sum())
    return {
        "slots": float(len(floor.layout.slots)),
        "slots_occupied": float(occupied),
        "slot_occupancy": occupied / len(floor.layout.slots),
        "slotting_objective_m": float(floor.slotting_plan.objective_m),
        "replenishment_trips": float(floor.replenishment_trips),
        "face_stockouts": float(floor.face_stockouts),
        "reslot_moves": float(floor.moves),
        "putaway_travel_m": floor.putaway_travel_m,
    }


_FLOOR_SUMS = (
    "slots", "slots_occupied", "slotting_objective_m", "replenishment_trips", "face_stockouts", "reslot_moves",
    "putaway_travel_m", "picker_busy_h", "picker_staffed_h", "pick_labour_used_cny", "replenishment_busy_h",
    "dock_trucks", "dock_no_shows",
)  # fmt: skip


def merge_warehouses(results: list[RunResult]) -> RunResult:
    """The results of several bonded warehouses (one per 1210 flow) as one: their orders in one table
    (`order_id` numbered across them, `flow` naming each), costs and counts added (the trader demotions are the
    run's shared tiers', counted once), stock added (the peak is the sum of each warehouse's peak), the floors'
    counters added with occupancy, door utilisation and mean dock wait recomputed over them (the dock wait p95 is
    the largest warehouse's)."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    orders, offset = [], 0
    for r in results:
        orders.append(r.orders.assign(order_id=r.orders["order_id"] + offset))
        offset += len(r.orders)
    counts: dict[str, int] = {}
    for r in results:
        for key, value in r.counts.items():
            counts[key] = value if key == "trader_demotions" else counts.get(key, 0) + value
    stock = {key: float(sum(r.stock[key] for r in results)) for key in first.stock}
    return replace(
        first,
        orders=pd.concat(orders, ignore_index=True),
        resources=_stack([r.resources for r in results]),
        costs_cny={key: sum(r.costs_cny[key] for r in results) for key in first.costs_cny},
        counts=counts,
        stock=stock,
        floor=_merge_floors([r.floor for r in results if r.floor]),
        clearances=_stack([r.clearances for r in results]),
        waves=_stack([r.waves for r in results]),
        routes=_stack([r.routes for r in results]),
        route_stops=_stack([r.route_stops for r in results]),
        optimizer_s=sum(r.optimizer_s for r in results),
        pick_lists=_stack([r.pick_lists for r in results]),
    )


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    kept = [f for f in frames if len(f)]
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def _merge_floors(floors: list[dict[str, float]]) -> dict[str, float]:
    if len(floors) <= 1:
        return floors[0] if floors else {}
    out = {key: float(sum(f.get(key, 0.0) for f in floors)) for key in _FLOOR_SUMS if any(key in f for f in floors)}
    out["slot_occupancy"] = out["slots_occupied"] / out["slots"]
    docked = [f for f in floors if f.get("dock_trucks")]
    if docked:
        trucks = sum(f["dock_trucks"] for f in docked)
        out["dock_wait_h_mean"] = sum(f["dock_wait_h_mean"] * f["dock_trucks"] for f in docked) / trucks
        out["dock_wait_h_p95"] = max(f["dock_wait_h_p95"] for f in docked)
        door_h = sum(f["door_busy_h"] for f in docked)
        out["door_utilisation"] = door_h / sum(f["door_h"] for f in docked)
    return out
