"""KPI tables of runs: one tidy row per (replication, kpi) with its value and unit."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from logistics.analysis.flow_kpis import emission_kpis, flow_kpis
from logistics.analysis.order_kpis import LEAD_TIME_STAGES, QUANTILES, order_kpis, stage_lead_times, summarize
from logistics.analysis.promise import PromiseCounts, promise_counts, promised
from logistics.scenario.modes import CUSTOMS_MODES
from logistics.sim.accounting import STAGES
from logistics.sim.result import COST_COMPONENTS, RunResult

__all__ = ["LEAD_TIME_STAGES", "QUANTILES", "kpi_table", "run_kpis", "stage_lead_times"]


def run_kpis(result: RunResult, undefined: bool = False) -> pd.DataFrame:
    """KPIs of one run as rows (kpi, value, unit). Lead times and on-time rates cover the orders created
    after the warm-up; counts and costs cover the whole run. A statistic over no observations (a lead time when
    no order finished the stage, the fill rate of a lane that never left) is undefined and left out, so every
    value in the table is a number (`undefined=True` keeps them, as NaN: every KPI name the run has)."""
    orders, handled = order_kpis(result)
    rows: list[tuple[str, float, str]] = []
    c = result.counts
    if len(result.orders):
        _warehouse_kpis(result, rows)
    handled = max(1, handled)
    if len(result.waves):  # a depot of the bonded import or of any flow
        _dispatch_kpis(result, rows)
    logistics_total = 0.0
    for component in COST_COMPONENTS:
        value = result.costs_cny[component]
        rows.append((f"cost.{component}_cny", value, "CNY"))
        rows.append((f"cost_per_order.{component}_cny", value / handled, "CNY/order handled"))
        if component != "tax":
            logistics_total += value
    rows.append(("cost.logistics_total_cny", logistics_total, "CNY"))
    rows.append(("cost_per_order.logistics_total_cny", logistics_total / handled, "CNY/order handled"))
    rows += emission_kpis(result, handled)
    # every cost_per_order.* divides by orders.handled: created in the whole run, less those refused over the limits

    for r in result.resources.itertuples(index=False):
        rows.append((f"resource.{r.resource}.utilisation", float(r.utilisation), "share"))
        rows.append((f"resource.{r.resource}.mean_queue", float(r.mean_queue), "jobs"))
        rows.append((f"resource.{r.resource}.peak_queue", float(r.peak_queue), "jobs"))
        rows.append((f"resource.{r.resource}.served", float(r.served), "jobs"))

    rows.append(("labour.worker_h", c["labour_h"], "worker*h"))
    frame = pd.DataFrame(rows, columns=["kpi", "value", "unit"])
    frame = pd.concat([orders, frame, flow_kpis(result)], ignore_index=True)
    return frame if undefined else frame[frame["value"].notna()].reset_index(drop=True)


def _warehouse_kpis(result: RunResult, rows: list[tuple[str, float, str]]) -> None:
    """KPI rows of the orders served from a warehouse (1210, 9810; over all warehouses): orders by stage still in
    the system (per mode), the dispatch promise, stock, the second-line checkpoint (1210), the floor (the stock
    containers are in `flow_kpis`)."""
    c = result.counts
    orders = result.orders
    for mode, part in orders.groupby("mode", sort=False):
        inside = part[part["status"] == "in_system"]["stage"].value_counts()
        for stage in STAGES:
            rows.append((f"mode.{mode}.orders.in_system.{stage}", int(inside.get(stage, 0)), "orders"))
        dispatch = _dispatch_promise(result, part)
        rows.append((f"mode.{mode}.service.on_time_dispatch_rate", dispatch.rate, "share"))
        rows.extend(dispatch.rows(f"mode.{mode}.service.dispatch"))
    declared = orders["mode"].map(lambda m: bool(CUSTOMS_MODES[str(m)].warehouse_roles)).to_numpy(dtype=bool)
    handled = max(1, int(declared.sum()) - int((orders["end_reason"][declared] == "over_limit").sum()))
    steady = orders[orders["created_h"] >= result.warmup_h]
    dispatch = _dispatch_promise(result, orders)
    rows.append(("service.on_time_dispatch_rate", dispatch.rate, "share"))
    rows.extend(dispatch.rows("service.dispatch"))

    rows.append(("stock.backordered_orders", c["backordered_orders"], "orders"))
    rows.append(("stock.backordered_lines", c["backordered_lines"], "lines"))
    rows.append(("stock.stockout_line_rate", c["backordered_lines"] / max(1, c["order_lines"]), "share"))
    rows.append(("stock.peak_stored_m3", result.stock["peak_stored_m3"], "m3"))
    rows.append(("stock.storage_m3_days", result.stock["storage_m3_days"], "m3*day"))
    if declared.any():  # the second line of a 1210 flow's warehouse
        _second_line_kpis(orders, c, handled, rows)
    released = steady["released_h"].to_numpy()
    packed = steady["pack_end_h"].to_numpy()
    inside = ~np.isnan(released) & (packed <= result.end_h)
    summarize(rows, "warehouse.cycle_time_h", packed[inside] - released[inside], "h")
    if result.floor:
        _floor_kpis(result, rows)


def _dispatch_promise(result: RunResult, orders: pd.DataFrame) -> PromiseCounts:
    """The dispatch promise of the orders created after the warm-up (not refused), censored at the end."""
    live = promised(orders, result.warmup_h)
    return promise_counts(live, "dispatched_h", result.dispatch_promise_h, result.end_h)


def _second_line_kpis(orders: pd.DataFrame, c: dict[str, int], handled: int, rows: list) -> None:
    """Parcels inspected, failed, held and the inspection rate (by credit tier with traders) at the second line."""
    rows.append(("customs.parcels_inspected", c["parcels_inspected"], "parcels"))
    if "credit_tier" in orders:  # risk-based selection: inspection rate by the tier at the check
        checked = orders[orders["credit_tier"].notna()]
        for tier, group in checked.groupby("credit_tier", observed=True):
            rows.append((f"customs.inspection_rate.{tier}", float(group["inspected"].mean()), "share"))
            rows.append((f"customs.checked.{tier}", len(group), "parcels"))
        rows.append(("customs.trader_demotions", c.get("trader_demotions", 0), "traders"))
    rows.append(("customs.parcel_inspection_rate", c["parcels_inspected"] / max(1, handled), "share"))
    rows.append(("customs.parcels_failed", c["parcels_failed"], "parcels"))
    rows.append(("customs.parcels_held", c.get("parcels_held", 0), "parcels"))


def _floor_kpis(result: RunResult, rows: list[tuple[str, float, str]]) -> None:
    """The floor in detail: picker travel and time per line, productivity, replenishment, slots, docks."""
    f, lists = result.floor, result.pick_lists
    done = lists[lists["end_h"].notna()]
    lines, units = float(done["lines"].sum()), float(done["units"].sum())
    rows.append(("warehouse.pick_lists", len(done), "lists"))
    rows.append(("warehouse.lines_per_list", lines / max(1, len(done)), "lines"))
    rows.append(("warehouse.travel_m", float(done["travel_m"].sum()), "m"))
    rows.append(("warehouse.travel_m_per_line", float(done["travel_m"].sum()) / max(1.0, lines), "m"))
    rows.append(("warehouse.pick_time_min_per_line", float(done["service_h"].sum()) * 60 / max(1.0, lines), "min"))
    staffed = f["picker_staffed_h"]
    rows.append(("warehouse.lines_per_picker_h", lines / staffed if staffed else np.nan, "lines/worker*h"))
    rows.append(("warehouse.units_per_picker_h", units / staffed if staffed else np.nan, "units/worker*h"))
    busy = f["picker_busy_h"]
    rows.append(("warehouse.lines_per_picker_busy_h", lines / busy if busy else np.nan, "lines/worker*h"))
    rows.append(("warehouse.picker_busy_h", busy, "worker*h"))
    rows.append(("warehouse.pick_labour_used_cny", f["pick_labour_used_cny"], "CNY"))
    rows.append(("warehouse.slot_occupancy", f["slot_occupancy"], "share"))
    rows.append(("warehouse.slotting_objective_m", f["slotting_objective_m"], "m/day"))
    rows.append(("warehouse.replenishment_trips", f["replenishment_trips"], "trips"))
    rows.append(("warehouse.face_stockouts", f["face_stockouts"], "picks"))
    rows.append(("warehouse.reslot_moves", f["reslot_moves"], "moves"))
    rows.append(("warehouse.putaway_travel_m", f["putaway_travel_m"], "m"))
    for key, unit in (
        ("dock_trucks", "trucks"),
        ("dock_wait_h_mean", "h"),
        ("dock_wait_h_p95", "h"),
        ("dock_no_shows", "trucks"),
        ("door_utilisation", "share"),
    ):
        if key in f:
            rows.append((f"warehouse.{key}", f[key], unit))


def _dispatch_kpis(result: RunResult, rows: list[tuple[str, float, str]]) -> None:
    """Last-mile dispatch: km and cost per parcel, parcels per route, van use, on time, failed deliveries,
    optimizer time per wave (reported apart from the simulation's own time)."""
    waves, routes = result.waves, result.routes
    planned = waves[waves["status"] != "skipped"]
    delivered = float(routes["delivered"].sum()) if len(routes) else 0.0
    km = float(routes["km"].sum()) if len(routes) else 0.0
    rows.append(("dispatch.waves", len(planned), "waves"))
    rows.append(("dispatch.routes", len(routes), "routes"))
    rows.append(("dispatch.km", km, "km"))
    rows.append(("dispatch.km_per_parcel", km / delivered if delivered else np.nan, "km"))
    cost = float(routes["cost_cny"].sum()) if len(routes) else 0.0
    rows.append(("dispatch.cost_per_parcel_cny", cost / delivered if delivered else np.nan, "CNY"))
    rows.append(("dispatch.parcels_per_route", float(routes["stops"].mean()) if len(routes) else np.nan, "parcels"))
    rows.append(("dispatch.van_load_share", float(routes["load_share"].mean()) if len(routes) else np.nan, "share"))
    rows.append(("dispatch.van_shift_share", float(routes["shift_share"].mean()) if len(routes) else np.nan, "share"))
    attempts = float(routes["stops"].sum()) if len(routes) else 0.0
    failed = float(routes["failed"].sum()) if len(routes) else 0.0
    rows.append(("dispatch.failed_delivery_rate", failed / attempts if attempts else np.nan, "share"))
    rows.append(("dispatch.windows_missed", float(routes["windows_missed"].sum()) if len(routes) else 0.0, "stops"))
    rows.append(("dispatch.postponed_parcels", float(planned["unassigned"].sum()), "parcel*waves"))
    rows.append(("dispatch.infeasible_waves", float((planned["status"] == "infeasible").sum()), "waves"))
    rows.append(("dispatch.invalid_plans", float((~planned["feasible"].astype(bool)).sum()), "waves"))
    rows.append(("dispatch.optimizer_s", result.optimizer_s, "wall s"))
    rows.append(
        ("dispatch.optimizer_s_per_wave", float(planned["solve_wall_s"].mean()) if len(planned) else np.nan, "wall s")
    )
    slowest = float(planned["solve_wall_s"].max()) if len(planned) else np.nan
    rows.append(("dispatch.optimizer_s_max", slowest, "wall s"))
    # Waves whose search was stopped by the wall-clock cap rather than its work limit: their plans (and so the
    # run) may differ between replays; 0 in the reproducible mode means the run replays bit for bit.
    capped = planned["solve_wall_s"] >= 0.95 * planned["time_limit_s"]  # NaN limits (no cap) compare False
    rows.append(("dispatch.time_cap_hits", float(capped.sum()), "waves"))
    rows.append(("dispatch.simulation_s", max(0.0, result.wall_s - result.optimizer_s), "wall s"))
    columns = ["created_h", "delivered_h", "delivery_promise_h", "end_reason"]
    parts = [f.loc[f["routed"], columns] for f in (result.orders, result.flow_orders) if "routed" in f]
    routed = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    live = promised(routed, result.warmup_h)
    delivery = promise_counts(live, "delivered_h", "delivery_promise_h", result.end_h)
    rows.append(("dispatch.on_time_rate", delivery.rate, "share"))
    rows.extend(delivery.rows("dispatch.delivery"))
    rows.append(("dispatch.returned_to_sender", float((routed["end_reason"] == "delivery_failed").sum()), "parcels"))


def kpi_table(results: Iterable[RunResult]) -> pd.DataFrame:
    """Tidy KPI table of several runs: replication, kpi, value, unit."""
    frames = []
    for r in results:
        frame = run_kpis(r)
        frame.insert(0, "replication", r.replication)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
