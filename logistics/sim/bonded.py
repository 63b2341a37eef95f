"""The bonded-import (1210) part of a model: built from a scenario's warehouse, demand and last-mile sections.

Flow of an order: created -> stock reserved (or backordered) and three-document matching -> released ->
pick (a station, or the floor in detail) -> pack -> second-line checkpoint (X-ray, risk-based inspection,
outcomes) -> outbound dock of its carrier -> carrier pickup -> delivered (by zone delivery time, or by the
depot's vans on routed waves). Flow of stock: base-stock replenishment at each departure -> scheduled lane ->
first-line checkpoint -> truck -> dock door -> receiving -> put-away -> available.

The per-order path is written callback-style: each stage is a SimPy event whose callback starts the next,
with no generator per order. Everything random is drawn from named streams of one seed sequence.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import simpy

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.core.random import RandomStreams, replication_seed
from logistics.core.units import HOURS_PER_DAY, MINUTES_PER_HOUR
from logistics.policies.replenishment import REPLENISHMENT
from logistics.policies.warehouse import DOCKS
from logistics.scenario.customs import CREDIT_TIERS
from logistics.scenario.customs import Checkpoint as CheckpointConfig
from logistics.scenario.disruptions import CheckpointDown, DemandSurge
from logistics.scenario.scenario import Scenario
from logistics.sim.accounting import STAGES, check_accounting, order_status
from logistics.sim.catalog import build_skus
from logistics.sim.checkpoint import CustomsCheckpoint, visit_table
from logistics.sim.demand import forecast_units_per_day, generate_orders
from logistics.sim.dispatch import Depot
from logistics.sim.docks import DockYard, door_capacity
from logistics.sim.documents import document_delays_h
from logistics.sim.floor import WarehouseFloor
from logistics.sim.inventory import Inventory
from logistics.sim.lastmile import Carrier, assign_zones
from logistics.sim.monitor import END_REASONS, OrderColumns, TimeSeries
from logistics.sim.policy_choices import make_policy
from logistics.sim.result import COST_COMPONENTS, ProgressCallback, RunResult
from logistics.sim.sampling import BufferedSampler
from logistics.sim.shifts import capacity_changes, staffed_hours
from logistics.sim.station import Station, watch_station
from logistics.sim.tax import order_taxes
from logistics.sim.tiers import TraderTiers
from logistics.sim.transport import Consignment, InboundSupply

__all__ = ["BondedImportModel", "resource_rows", "run_to_end"]


class BondedImportModel:
    """The SimPy model of one replication of a 1210 bonded-import scenario."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        env: simpy.Environment | None = None,
        streams: RandomStreams | None = None,
        tiers: TraderTiers | None = None,
    ) -> None:
        k = scenario.bonded_index
        if k is None:
            raise ScenarioError([ScenarioIssue(("flows",), "no bonded-import (1210) flow to build")])
        self.scenario = s = scenario
        self.flow = flow = s.flows[k]
        self.at: tuple[str | int, ...] = ("flows", k)  # the flow's field path, for errors
        assert flow.warehouse is not None  # the flow's validation
        self.warehouse = wh = flow.warehouse
        checkpoints = {c.id: c for c in s.customs.checkpoints}
        by_role = {checkpoints[c].role: checkpoints[c] for c in flow.checkpoints}
        first, second = by_role["first_line"], by_role["second_line"]  # checked by the scenario validation
        self.first_config, self.second_config = first, second
        self.replication = replication
        run = s.run
        streams = streams or RandomStreams(replication_seed(run.seed, replication))
        self.env = env = env or simpy.Environment()
        self.end_h = run.end_h
        self.costs: dict[str, float] = dict.fromkeys(COST_COMPONENTS, 0.0)

        # --- goods and demand, drawn up front as columns -------------------------------------------
        self.catalog = flow.catalog or s.catalog
        self.skus = skus = build_skus(self.catalog, streams.generator("catalog"))
        self.book = book = generate_orders(
            flow.demand,
            skus,
            run.start,
            run.horizon_h,
            streams.generator("demand"),
            [d for d in s.disruptions if isinstance(d, DemandSurge)],
        )
        n = self.n = len(book)
        self.cols = cols = OrderColumns(n)
        cols.created_h[:] = book.created_h
        line_value = book.line_units * skus.value_cny[book.line_sku]
        self.value_cny = book.per_order(line_value)
        self.units = book.per_order(book.line_units.astype(float)).astype(np.int64)
        self.weight_kg = book.per_order(book.line_units * skus.weight_kg[book.line_sku])
        self.volume_m3 = book.per_order(book.line_units * skus.volume_m3[book.line_sku])
        self._taxes(streams.generator("customers"))
        self.documents_h = document_delays_h(s.customs.documents, n, streams.generator("documents"))
        self.zone, self.delivery_h = assign_zones(flow.last_mile, n, streams.generator("last_mile"))
        # the declaring trader of each order (its credit tier is read at the second line, when screened)
        self.trader_of_order: np.ndarray | None = None
        if flow.traders:
            trader_ids = [t.id for t in s.customs.traders]
            ids = list(flow.traders)
            shares = np.array([flow.traders[t] for t in ids])
            pick = streams.generator("customs.traders").choice(len(ids), n, p=shares / shares.sum())
            self.trader_of_order = np.array([trader_ids.index(t) for t in ids], dtype=np.int64)[pick]
        if tiers is None and s.customs.traders:
            tiers = TraderTiers([t.tier for t in s.customs.traders])
        self.tiers = tiers

        # --- stock and replenishment ------------------------------------------------------------
        policy = make_policy(
            (*self.at, "warehouse", "replenishment", "policy"), REPLENISHMENT, wh.replenishment.policy,
            cover_days=wh.replenishment.cover_days,
        )  # fmt: skip
        self.forecast = forecast_units_per_day(flow.demand, skus)
        initial = np.ceil(self.forecast * wh.replenishment.initial_cover_days).astype(np.int64)
        self.inventory = Inventory(env, initial, skus.volume_m3, self._stock_ready)

        # --- warehouse stations -------------------------------------------------------------------
        cal = s.calendar
        n_lines = book.n_lines.tolist()

        def order_station(name: str, config, on_done, started, finished) -> Station:
            """A warehouse station serving orders: time per order plus time per line."""
            base = BufferedSampler(config.time_per_order_min, streams.generator(name), 1 / MINUTES_PER_HOUR)
            per_line_h = config.time_per_line_min / MINUTES_PER_HOUR
            service = (lambda i: base()) if per_line_h == 0 else (lambda i: base() + per_line_h * n_lines[i])
            changes = capacity_changes(config.workers, cal, run.start, self.end_h)
            return Station(env, name, changes, service, on_done, started, finished)

        self.floor: WarehouseFloor | None = None
        if wh.floor is not None:  # the floor in detail: slots, waves, pick lists, pick paths, replenishment
            self.floor = WarehouseFloor(
                env,
                s,
                wh,
                (*self.at, "warehouse"),
                skus,
                book,
                self.forecast,
                cols,
                streams.generator("warehouse.floor"),
                self._picked,
                self.end_h,
            )
            self.pick = self.floor.pickers
        else:
            self.pick = order_station("warehouse.pick", wh.pick, self._picked, cols.pick_start_h, cols.pick_end_h)
        self.pack = order_station("warehouse.pack", wh.pack, self._packed, cols.pack_start_h, cols.pack_end_h)
        index = {c.id: i for i, c in enumerate(s.customs.checkpoints)}
        self.second_line = CustomsCheckpoint(
            env, second, cal, run.start, self.end_h, streams.generator(f"checkpoint.{second.id}"),
            self._cleared, self._ended, self._outages(second.id), tiers=self.tiers,
            trader=self.trader_of_order.tolist() if self.trader_of_order is not None else None,
            goods_factor=self._goods_factor(second),
            columns={
                "screen_start": cols.xray_start_h, "screen_end": cols.xray_end_h,
                "inspect_start": cols.inspection_start_h, "inspect_end": cols.inspection_end_h,
            },
            path=("customs", "checkpoints", index[second.id]),
        )  # fmt: skip
        # outbound docks: one per carrier (its zones, its pickup hours), the rest at carrier_pickups_h
        zone_ids = [z.id for z in flow.last_mile.zones]
        self.depot: Depot | None = None
        if flow.last_mile.dispatch is not None:
            promise = np.array([z.promise_h for z in flow.last_mile.zones])[self.zone]
            self.depot = Depot(
                env, flow.last_mile, run.start, self.end_h, cols, self.zone, promise, self.weight_kg,
                streams.generator("last_mile.dispatch"), path=(*self.at, "last_mile", "dispatch"),
            )  # fmt: skip
        self.carriers = [
            Carrier(env, pickups, run.start, self.end_h, cols, self.delivery_h, self.depot)
            for pickups in [wh.carrier_pickups_h, *(c.pickups_h for c in wh.carriers)]
        ]
        carrier_of_zone = np.zeros(len(zone_ids), dtype=np.int64)
        for k, c in enumerate(wh.carriers):
            carrier_of_zone[[zone_ids.index(z) for z in c.zones]] = k + 1
        self._carrier_of_order = carrier_of_zone[self.zone].tolist()

        # --- inbound ----------------------------------------------------------------------------
        self.consignments: list[Consignment] = []
        self.first_line = CustomsCheckpoint(
            env, first, cal, run.start, self.end_h, streams.generator(f"checkpoint.{first.id}"),
            lambda job: self.supply.first_line_done(job, True),
            lambda job, outcome: self.supply.first_line_done(job, False),
            self._outages(first.id), path=("customs", "checkpoints", index[first.id]),
        )  # fmt: skip
        unload = BufferedSampler(wh.receiving.time_per_container_h, streams.generator("warehouse.receiving"))
        teams = capacity_changes(wh.receiving.teams, cal, run.start, self.end_h)
        docks = wh.floor.docks if wh.floor is not None else None
        received = self._container_unloaded if self.floor is not None else self._container_in_stock
        self.yard = self._dock_yard(docks, streams)
        self.receiving = Station(
            env,
            "warehouse.receiving",
            door_capacity(teams, docks.doors) if docks is not None else teams,
            self._unload_time(unload),
            received,
            started=self.yard.door_h if self.yard is not None else None,
            staffed=teams,
        )
        if self.yard is not None:
            self.yard.receiving = self.receiving
        self.supply = InboundSupply(
            env,
            s,
            self.inventory,
            policy,
            self.forecast,
            skus.volume_m3,
            skus.weight_kg,
            streams.generator("transport"),
            self.first_line,
            self.consignments,
            self.yard if self.yard is not None else self.receiving,
            self.costs,
            self.yard.book if self.yard is not None else None,
        )

        # --- order arrivals: one chained timeout per order --------------------------------------
        self._created = book.created_h.tolist()
        self._line_start = book.line_start.tolist()
        self._line_sku = book.line_sku.tolist()
        self._line_units = book.line_units.tolist()
        self._rejected = self.rejected.tolist()
        self._documents_delay = self.documents_h.tolist()
        self._volume = self.volume_m3.tolist()
        self._stock_ok = bytearray(n)
        self._docs_ok = bytearray(n)
        self._next = 0
        self.awaiting = 0
        self.ended = 0
        self.released = 0
        if n:
            env.timeout(self._created[0]).callbacks.append(self._arrive)

        # --- monitoring -----------------------------------------------------------------------
        self.series = TimeSeries(env, run.sample_interval_min / MINUTES_PER_HOUR, self.end_h)
        for st in self.stations:
            watch_station(self.series, st)
        self.series.gauge("orders.awaiting_release", lambda: self.awaiting)
        self.series.gauge("orders.backordered", lambda: self.inventory.orders_waiting)
        self.series.gauge(
            "orders.in_warehouse",
            (lambda: self.floor.in_picking + self.pack.in_station)  # type: ignore[union-attr]
            if self.floor is not None
            else (lambda: self.pick.in_station + self.pack.in_station),
        )
        self.series.gauge("orders.outbound_buffer", lambda: sum(len(c.buffer) for c in self.carriers))
        self.series.gauge("stock.stored_m3", lambda: self.inventory.stored_m3)
        self.series.start()
        self._storage_m3_h_at_horizon = 0.0
        env.timeout(run.horizon_h).callbacks.append(self._at_horizon)

    # --- taxes and limits ---------------------------------------------------------------------
    def _taxes(self, rng: np.random.Generator) -> None:
        book, skus = self.book, self.skus
        line_value = book.line_units * skus.value_cny[book.line_sku]
        self.tax_cny, self.over_limit, self.rejected = order_taxes(
            line_value, skus.tax_category[book.line_sku], book.per_order, book.customer,
            self.catalog.tax_categories, self.flow.demand, rng,
        )  # fmt: skip

    # --- the order hot path -------------------------------------------------------------------
    def _arrive(self, event: simpy.Event) -> None:
        i = self._next
        self._next = i + 1
        env = self.env
        if i + 1 < self.n:
            env.timeout(self._created[i + 1] - env.now).callbacks.append(self._arrive)
        if self._rejected[i]:
            self.cols.ended_h[i] = env.now
            self.cols.end_reason[i] = END_REASONS.index("over_limit")
            self.ended += 1
            return
        self.awaiting += 1
        a, b = self._line_start[i], self._line_start[i + 1]
        if self.inventory.reserve(i, self._line_sku[a:b], self._line_units[a:b]):
            self._stock_ok[i] = 1
            self.cols.stock_h[i] = env.now
        env.timeout(self._documents_delay[i], i).callbacks.append(self._documents_done)

    def _documents_done(self, event: simpy.Event) -> None:
        i = event._value
        self.cols.documents_h[i] = self.env.now
        if self._stock_ok[i]:
            self._release(i)
        else:
            self._docs_ok[i] = 1

    def _stock_ready(self, i: int) -> None:
        self.cols.stock_h[i] = self.env.now
        if self._docs_ok[i]:
            self._release(i)
        else:
            self._stock_ok[i] = 1

    def _release(self, i: int) -> None:
        self.cols.released_h[i] = self.env.now
        self.awaiting -= 1
        self.released += 1
        if self.floor is not None:
            self.floor.release(i)
        else:
            self.pick.arrive(i)

    def _dock_yard(self, docks, streams: RandomStreams) -> DockYard | None:
        """Dock doors between the inbound trucks and receiving, when the floor has a docks section."""
        if docks is None:
            return None
        policy = make_policy((*self.at, "warehouse", "floor", "docks", "policy"), DOCKS, docks.policy)
        unload_h = self.warehouse.receiving.time_per_container_h.mean
        return DockYard(
            self.env, docks, policy, None, streams.generator("warehouse.docks"), unload_h,  # type: ignore[arg-type]
            lambda job: self.supply.containers[job][0].id,
        )  # fmt: skip

    def _unload_time(self, unload: BufferedSampler) -> Callable[[int], float]:
        """Hours at the door per container: unloading, plus (with the floor) the receiving check per SKU."""
        floor = self.warehouse.floor
        if floor is None or floor.receiving_check_min_per_sku == 0:
            return lambda job: unload()
        check_h = floor.receiving_check_min_per_sku / MINUTES_PER_HOUR
        return lambda job: unload() + check_h * len(self.supply.containers[job][1])

    def _container_in_stock(self, job: int) -> None:
        self.supply.container_received(job)

    def _container_unloaded(self, job: int) -> None:
        """Unloaded: put away into the slots of its SKUs, then the stock is available."""
        assert self.floor is not None
        self.floor.put_away(job, self.supply.containers[job][1], self._container_in_stock)

    def _picked(self, i: int) -> None:
        self.inventory.ship(self._volume[i])
        self.pack.arrive(i)

    def _packed(self, i: int) -> None:
        self.second_line.enter(i)

    def _cleared(self, i: int) -> None:
        self.carriers[self._carrier_of_order[i]].hand_over(i)

    def _ended(self, i: int, outcome: int) -> None:
        """The second-line inspection ended the order: its goods are returned (2) or destroyed (3)."""
        self.cols.ended_h[i] = self.env.now
        self.cols.end_reason[i] = END_REASONS.index("returned" if outcome == 2 else "destroyed")
        self.ended += 1

    def _goods_factor(self, checkpoint: CheckpointConfig) -> Callable[[int], float]:
        """The risk factor of each order's goods (the tax category of its first line) at `checkpoint`."""
        book, skus = self.book, self.skus
        names = skus.tax_category_names
        factors = [checkpoint.risk.goods_factor.get(c, 1.0) if checkpoint.risk is not None else 1.0 for c in names]
        if not len(book.line_sku):
            return lambda i: 1.0
        first = book.line_sku[np.minimum(book.line_start[:-1], len(book.line_sku) - 1)]
        of_order = np.array(factors)[skus.tax_category[first]].tolist()
        return lambda i: of_order[i]

    def _at_horizon(self, event: simpy.Event) -> None:
        self.inventory.close()
        self._storage_m3_h_at_horizon = self.inventory.stored_m3_h

    # --- running and results --------------------------------------------------------------------
    @property
    def stations(self) -> list[Station]:
        """Every resource of the model."""
        floor = [self.floor.replenishers, self.floor.putaway] if self.floor is not None else []
        return [*self.first_line.stations, self.receiving, self.pick, *floor, self.pack, *self.second_line.stations]

    def run(self, progress: ProgressCallback | None = None, steps: int = 200) -> RunResult:
        """Simulate to the end; `progress(now_h, end_h)` is called `steps` times along the way."""
        started = time.perf_counter()
        run_to_end(self.env, self.end_h, progress, steps)
        return self.finish(time.perf_counter() - started)

    def finish(self, wall_s: float) -> RunResult:
        """Close the statistics at the end of the run and build the result."""
        for st in self.stations:
            st.close()
        self.inventory.close()
        return self._result(wall_s)

    def _risk_columns(self) -> dict[str, object]:
        """The declaring trader and its credit tier at the second-line check, when the flow names traders."""
        if self.trader_of_order is None:
            return {}
        traders = [t.id for t in self.scenario.customs.traders]
        tier = self.second_line.per_job("tier", self.n, -1).astype(np.int64)
        return {
            "trader": pd.Categorical.from_codes(self.trader_of_order, traders),
            "credit_tier": pd.Categorical.from_codes(tier, list(CREDIT_TIERS)),  # -1 (not checked yet) -> NaN
        }

    def _outages(self, checkpoint: str) -> list[tuple[float, float]]:
        """Windows in which a checkpoint's system is down (scenario disruptions)."""
        return [
            (d.start_h, d.end_h)
            for d in self.scenario.disruptions
            if isinstance(d, CheckpointDown) and d.checkpoint == checkpoint
        ]

    def _live_counts(self) -> dict[str, int]:
        waiting_stock = self.inventory.orders_waiting
        return {
            "created": self._next,
            "ended": self.ended + (self.depot.returned if self.depot is not None else 0),
            "in_system.awaiting_stock": waiting_stock,
            "in_system.awaiting_documents": self.awaiting - waiting_stock,
            "in_system.pick": self.floor.in_picking if self.floor is not None else self.pick.in_station,
            "in_system.pack": self.pack.in_station,
            "in_system.second_line_checkpoint": self.second_line.in_checkpoint,
            "in_system.outbound": sum(len(c.buffer) for c in self.carriers),
            "in_system.last_mile": sum(c.dispatched for c in self.carriers)
            - int((self.cols.delivered_h <= self.end_h).sum())
            - (self.depot.returned if self.depot is not None else 0),
        }

    def _result(self, wall_s: float) -> RunResult:
        s, cols, run = self.scenario, self.cols, self.scenario.run
        status = order_status(cols, self.end_h)
        check_accounting(status.counts, self._live_counts())
        zones = self.flow.last_mile.zones
        dispatched = ~np.isnan(cols.dispatched_h)
        packed = ~np.isnan(cols.pack_end_h)
        lastmile_cost = np.where(dispatched, np.array([z.cost_per_parcel_cny for z in zones])[self.zone], 0.0)
        if self.depot is not None:  # routed parcels carry their share of the routes driven
            lastmile_cost = np.where(self.depot.routed, self.depot.parcel_cost_cny, lastmile_cost)
        visits = self._visits()
        parcels = visits[visits["order"].to_numpy()]
        inspection_cost = np.zeros(self.n)  # each order's second-line visit: fee, lab, outcome
        np.add.at(inspection_cost, parcels["job"].to_numpy(), parcels["cost_cny"].to_numpy())
        packaging_cost = np.where(packed, s.costs.packaging_cny_per_order, 0.0)
        tax = np.where(dispatched, self.tax_cny, 0.0)
        promise = np.array([z.promise_h for z in zones])[self.zone]
        orders = pd.DataFrame(
            {
                "order_id": np.arange(self.n, dtype=np.int64),
                "customer": self.book.customer,
                "n_lines": self.book.n_lines,
                "n_units": self.units,
                "value_cny": self.value_cny,
                "weight_kg": self.weight_kg,
                "volume_m3": self.volume_m3,
                "over_limit": self.over_limit,
                "zone": pd.Categorical.from_codes(self.zone, [z.id for z in zones]),
                "delivery_promise_h": promise,
                "inspected": self.second_line.per_job("inspected", self.n, 0.0) > 0,
                **self._risk_columns(),
                **cols.timestamps(),
                "status": pd.Categorical(status.status, ["delivered", "in_system", "ended"]),
                "stage": pd.Categorical(status.stage, ["", *STAGES]),
                "end_reason": pd.Categorical.from_codes(cols.end_reason, list(END_REASONS)),
                "tax_cny": tax,
                "routed": self.depot.routed if self.depot is not None else np.zeros(self.n, dtype=bool),
                "last_mile_cny": lastmile_cost,
                "inspection_cny": inspection_cost,
                "packaging_cny": packaging_cost,
            }
        )
        wh = self.warehouse
        labour_h = 0.0
        paid = (
            (self.first_line.screening, 1, False),
            (self.first_line.inspection, 1, False),
            (self.receiving, wh.receiving.workers_per_team, True),
            (self.pick, 1, True),
            *(((self.floor.replenishers, 1, True), (self.floor.putaway, 1, True)) if self.floor is not None else ()),
            (self.pack, 1, True),
            (self.second_line.screening, 1, False),
            (self.second_line.inspection, 1, False),
        )
        rows = resource_rows([st for st, _, _ in paid], self.end_h)
        for st, workers_per_server, is_paid in paid:
            if is_paid:
                labour_h += workers_per_server * staffed_hours(st.schedule, run.horizon_h)
        self.costs["labour"] = labour_h * s.costs.labour_cny_per_worker_h
        self.costs["storage"] = self._storage_m3_h_at_horizon / HOURS_PER_DAY * s.costs.storage_cny_per_m3_day
        consignment_inspections = self.first_line.inspections
        self.costs["inspection"] = float(visits["cost_cny"].sum())
        self.costs["packaging"] = float(packaging_cost.sum())
        self.costs["last_mile"] = float(lastmile_cost.sum())
        self.costs["tax"] = float(tax.sum())
        series = pd.DataFrame({"time_h": self.series.time_h, **self.series.values})
        inspected_first_line = self.first_line.per_job("inspected", len(self.consignments), 0.0) > 0
        consignments = pd.DataFrame(
            [
                {
                    "consignment": c.id,
                    "departed_h": c.departed_h,
                    "containers": len(c.containers),
                    "units": int(c.units.sum()),
                    "skus": len(c.skus),
                    "inspected_first_line": bool(inspected_first_line[c.id]),
                    "outcome": c.outcome,
                    **c.events,
                }
                for c in self.consignments
            ]
        )
        counts = dict(status.counts)
        counts.update(
            backordered_orders=self.inventory.backordered_orders,
            backordered_lines=self.inventory.backordered_lines,
            order_lines=len(self.book.line_sku),
            consignments=len(self.consignments),
            consignments_inspected=consignment_inspections,
            parcels_inspected=self.second_line.inspections,
            parcels_failed=self.second_line.failures,
            parcels_held=self.second_line.holds,
            trader_demotions=self.tiers.demotions if self.tiers is not None and self.second_config.risk else 0,
            rolled_units=self.supply.rolled_units,
            departures_cancelled=self.supply.departures_cancelled,
            departures_delayed=self.supply.departures_delayed,
            closure_holds=self.supply.closure_holds,
            labour_h=round(labour_h),
        )
        stock = {
            "peak_stored_m3": self.inventory.peak_stored_m3,
            "storage_m3_days": self._storage_m3_h_at_horizon / HOURS_PER_DAY,
            "units_available_at_end": float(sum(self.inventory.available)),
        }
        return RunResult(
            scenario=s.name,
            replication=self.replication,
            horizon_h=run.horizon_h,
            end_h=self.end_h,
            warmup_h=run.warmup_h,
            dispatch_promise_h=s.service_level.dispatch_within_h,
            orders=orders,
            resources=pd.DataFrame(rows),
            series=series,
            consignments=consignments,
            costs_cny=dict(self.costs),
            counts=counts,
            stock=stock,
            wall_s=wall_s,
            floor=self._floor_stats(),
            clearances=visits,
            waves=self.depot.tables()[0] if self.depot is not None else pd.DataFrame(),
            routes=self.depot.tables()[1] if self.depot is not None else pd.DataFrame(),
            optimizer_s=self.depot.optimizer_s if self.depot is not None else 0.0,
            pick_lists=self.floor.pick_list_table() if self.floor is not None else pd.DataFrame(),
        )

    def _visits(self) -> pd.DataFrame:
        """The finished visits of the first line (consignments) and the second line (parcels) in the one visit-log
        shape (`clearances.csv`), with their costs."""
        costs = self.scenario.costs
        second = visit_table(self.second_line, costs, lambda jobs: np.ones(len(jobs), dtype=bool))
        second["order"] = True
        first = visit_table(self.first_line, costs, lambda jobs: np.zeros(len(jobs), dtype=bool))
        first["order"] = False
        visits = pd.concat([second, first], ignore_index=True)
        visits["flow"] = self.flow.id
        visits["mode"] = self.flow.mode
        return visits

    def _floor_stats(self) -> dict[str, float]:
        """The floor's counters, and the docks' waits (empty without a floor)."""
        if self.floor is None:
            return {}
        out = self.floor.stats()
        wage = self.scenario.costs.labour_cny_per_worker_h
        out["picker_busy_h"] = self.floor.pickers.busy_area
        out["picker_staffed_h"] = staffed_hours(self.floor.pickers.schedule, self.scenario.run.horizon_h)
        out["pick_labour_used_cny"] = self.floor.pickers.busy_area * wage
        out["replenishment_busy_h"] = self.floor.replenishers.busy_area
        if self.yard is not None:
            waits = self.yard.waits_h()
            out["dock_trucks"] = float(len(waits))
            out["dock_wait_h_mean"] = float(waits.mean()) if len(waits) else np.nan
            out["dock_wait_h_p95"] = float(np.quantile(waits, 0.95)) if len(waits) else np.nan
            out["dock_no_shows"] = float(self.yard.no_shows)
            doors = self.warehouse.floor.docks.doors  # type: ignore[union-attr]
            out["door_utilisation"] = self.receiving.busy_area / (doors * self.end_h)
        return out


def run_to_end(env: simpy.Environment, end_h: float, progress: ProgressCallback | None, steps: int) -> None:
    """Run `env` to `end_h`, calling `progress(now_h, end_h)` `steps` times on the way if given."""
    if progress is None:
        env.run(until=end_h)
        return
    for k in range(1, steps + 1):
        env.run(until=end_h * k / steps)
        progress(env.now, end_h)


def resource_rows(stations: list[Station], end_h: float) -> list[dict[str, object]]:
    """One row per station: jobs served, staffed and busy server-hours and queue job-hours over the whole run
    (what labour costs; the time integrals);
    utilisation and mean queue inside the measured window (after the warm-up, before the cool-down) when it
    was marked (`measure_window`); peak queue and the queue at the end."""
    rows: list[dict[str, object]] = []
    for st in stations:
        hours, busy_h, staffed_h, queue_h = st.window()
        rows.append(
            {
                "resource": st.name,
                "served": st.served,
                "capacity_h": st.capacity_area,
                "busy_h": st.busy_area,
                "queue_h": st.queue_area,
                "utilisation": busy_h / staffed_h if staffed_h > 0 else np.nan,
                "mean_queue": queue_h / hours if hours > 0 else np.nan,
                "peak_queue": st.peak_queue,
                "queue_at_end": len(st.queue),
            }
        )
    return rows
