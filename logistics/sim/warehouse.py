"""A warehouse serving its flow's orders from stock, the one warehouse model of every mode served from stock:
the bonded warehouse of a 1210 flow and the overseas warehouse of a 9810 flow. Built from the flow's warehouse,
demand and last-mile sections.

Flow of an order: created -> stock reserved (or backordered) and, for a 1210 flow, three-document matching ->
released -> pick (a station, or the floor in detail) -> pack -> (1210: second-line checkpoint: X-ray,
risk-based inspection, outcomes) -> outbound dock of its carrier -> carrier pickup (or at once, without pickup
hours) -> delivered (by zone delivery time, or by the depot's vans on routed waves). Flow of stock: the flows'
stock containers (`sim/stock_route.py`: ordered at each departure, over the flow's scheduled lanes and
checkpoints, shared with every flow) reach the warehouse -> truck -> dock door -> receiving -> put-away ->
available (`receiver`, `connect_inbound`).

The per-order path is written callback-style: each stage is a SimPy event whose callback starts the next,
with no generator per order. Everything random is drawn from named streams of one seed sequence.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.core.random import RandomStreams, replication_seed
from logistics.core.units import MINUTES_PER_HOUR
from logistics.policies.docks import DOCKS
from logistics.policies.replenishment import REPLENISHMENT
from logistics.scenario.customs import Checkpoint as CheckpointConfig
from logistics.scenario.disruptions import CheckpointDown
from logistics.scenario.modes import CUSTOMS_MODES
from logistics.scenario.scenario import Scenario
from logistics.sim.checkpoint import CustomsCheckpoint
from logistics.sim.clock import RunClock
from logistics.sim.demand import forecast_units_per_day
from logistics.sim.dispatch import Depot
from logistics.sim.docks import DockYard, door_capacity
from logistics.sim.floor import WarehouseFloor
from logistics.sim.inventory import Inventory
from logistics.sim.lastmile import Carrier
from logistics.sim.monitor import END_REASONS, OrderColumns, TimeSeries
from logistics.sim.order_draws import BONDED_STREAMS, StreamNames, draw_orders
from logistics.sim.policy_choices import make_policy
from logistics.sim.result import COST_COMPONENTS
from logistics.sim.rota import Roster, staffing_of
from logistics.sim.sampling import BufferedSampler
from logistics.sim.simpy_access import event_value
from logistics.sim.station import Station, watch_station
from logistics.sim.tiers import TraderTiers

__all__ = ["UNLIMITED", "WarehouseOrders"]

UNLIMITED = 1_000_000  # servers of a station without a staff limit (receiving with `teams: null`)


class WarehouseOrders:
    """The orders of one flow served from a warehouse's stock (1210 or 9810), on the run's SimPy environment."""

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        env: simpy.Environment | None = None,
        streams: RandomStreams | None = None,
        tiers: TraderTiers | None = None,
        index: int | None = None,
        series: TimeSeries | None = None,
        roster: Roster | None = None,
    ) -> None:
        k = scenario.bonded_index if index is None else index
        if k is None or scenario.flows[k].stock_warehouse is None:
            raise ScenarioError([ScenarioIssue(("flows",), "no flow served from a warehouse (1210, 9810) to build")])
        self.scenario = s = scenario
        self.index = k
        self.flow = flow = s.flows[k]
        mode = CUSTOMS_MODES[flow.mode]
        # the first bonded warehouse's names (streams, resources, series) are those of a scenario with one;
        # the others' carry their flow's id
        first = k == scenario.bonded_index
        self.names = "" if first else f"{flow.id}."
        streams_prefix = "" if first else f"flow.{flow.id}."
        self.at: tuple[str | int, ...] = ("flows", k)  # the flow's field path, for errors
        self.wh_at: tuple[str | int, ...] = (*self.at, flow.warehouse_field)
        wh = flow.stock_warehouse
        assert wh is not None  # the flow's validation
        self.warehouse = wh
        checkpoints = {c.id: c for c in s.customs.checkpoints}
        by_role = {checkpoints[c].role: checkpoints[c] for c in flow.checkpoints}
        # the checkpoint its orders pass on the way out (1210: the second line), if any
        second = next((by_role[r] for r in mode.warehouse_roles if r in by_role), None)
        self.second_config = second
        self.declared = second is not None  # orders declared one by one: documents matched before release
        self.replication = replication
        run = s.run
        streams = streams or RandomStreams(replication_seed(run.seed, replication))
        self.env = env = env or simpy.Environment()
        self.end_h = run.end_h
        self.costs: dict[str, float] = dict.fromkeys(COST_COMPONENTS, 0.0)

        # --- goods and demand, drawn up front as columns (as for every flow: `order_draws`) -------------
        self.catalog = flow.catalog or s.catalog
        d = draw_orders(s, flow, streams, BONDED_STREAMS if first else StreamNames.of_flow(flow.id))
        self.skus, self.book = skus, book = d.skus, d.book
        self.draws = d
        n = self.n = len(book)
        self.cols = cols = OrderColumns(n)
        cols.created_h[:] = book.created_h
        self.value_cny, self.weight_kg, self.volume_m3, self.units = d.value_cny, d.weight_kg, d.volume_m3, d.units
        self.tax_cny, self.over_limit, self.rejected = d.tax_cny, d.over_limit, d.rejected
        self.documents_h = d.documents_h if self.declared else np.zeros(len(d.book))
        self.zone, self.delivery_h = d.zone, d.delivery_h
        # the declaring trader of each order (its credit tier is read at the second line, when screened)
        self.trader_of_order: np.ndarray | None = d.trader
        self.tiers = tiers  # shared with every checkpoint of the run (the engine makes them)

        # --- stock and replenishment ------------------------------------------------------------
        short = flow.overseas_warehouse is not None  # the short form names its policy at its top level
        self.policy = make_policy(
            (*self.wh_at, *(() if short else ("replenishment",)), "policy"), REPLENISHMENT,
            wh.replenishment.policy, cover_days=wh.replenishment.cover_days,
        )  # fmt: skip
        self.forecast = forecast_units_per_day(flow.demand, skus)
        initial = np.ceil(self.forecast * wh.replenishment.initial_cover_days).astype(np.int64)
        self.inventory = Inventory(env, initial, skus.volume_m3, self._stock_ready)

        self._stations(streams, streams_prefix, roster, second)
        self._outbound(streams, streams_prefix)

        self._inbound(streams, streams_prefix, roster)

        self._arrivals()

        self._monitoring(series)

    def _stations(
        self, streams: RandomStreams, streams_prefix: str, roster: Roster | None, second: CheckpointConfig | None
    ) -> None:
        """The warehouse's stations: the floor in detail (slots, waves, pick lists) or a pick station, the pack
        station, and the checkpoint its orders pass leaving (1210: the second line)."""
        env, s, run, wh, flow = self.env, self.scenario, self.scenario.run, self.warehouse, self.flow
        cal, cols = s.calendar, self.cols
        skus, book, mode = self.skus, self.book, CUSTOMS_MODES[flow.mode]
        # --- warehouse stations -------------------------------------------------------------------
        cal = s.calendar
        n_lines = book.n_lines.tolist()

        def order_station(name: str, config, on_done, started, finished) -> Station:
            """A warehouse station serving orders: time per order plus time per line."""
            name = self.names + name
            base = BufferedSampler(config.time_per_order_min, streams.generator(name), 1 / MINUTES_PER_HOUR)
            per_line_h = config.time_per_line_min / MINUTES_PER_HOUR
            service = (lambda i: base()) if per_line_h == 0 else (lambda i: base() + per_line_h * n_lines[i])
            changes = staffing_of(name, config.workers, cal, run.start, self.end_h, roster=roster)
            return Station(env, name, changes, service, on_done, started, finished)

        self.floor: WarehouseFloor | None = None
        if wh.floor is not None:  # the floor in detail: slots, waves, pick lists, pick paths, replenishment
            self.floor = WarehouseFloor(
                env,
                s,
                wh,
                self.wh_at,
                skus=skus,
                book=book,
                forecast_per_day=self.forecast,
                cols=cols,
                rng=streams.generator(streams_prefix + "warehouse.floor"),
                on_picked=self._picked,
                end_h=self.end_h,
                name_prefix=self.names,
                bonded=mode.bonded_stock,
                roster=roster,
            )
            self.pick = self.floor.pickers
        else:
            self.pick = order_station("warehouse.pick", wh.pick, self._picked, cols.pick_start_h, cols.pick_end_h)
        self.pack = order_station("warehouse.pack", wh.pack, self._packed, cols.pack_start_h, cols.pack_end_h)
        position = {c.id: i for i, c in enumerate(s.customs.checkpoints)}
        self.second_line: CustomsCheckpoint | None = None
        if second is not None:
            self.second_line = CustomsCheckpoint(
                RunClock(env, run.start, self.end_h), second, cal, streams.generator(f"checkpoint.{second.id}"),
                on_released=self._cleared, on_ended=self._ended, outages=self._outages(second.id), tiers=self.tiers,
                trader=self.trader_of_order.tolist() if self.trader_of_order is not None else None,
                goods_factor=self._goods_factor(second),
                columns={
                    "screen_start": cols.xray_start_h, "screen_end": cols.xray_end_h,
                    "inspect_start": cols.inspection_start_h, "inspect_end": cols.inspection_end_h,
                },
                path=("customs", "checkpoints", position[second.id]),
            )  # fmt: skip

    def _outbound(self, streams: RandomStreams, streams_prefix: str) -> None:
        """Outbound docks: one per carrier (its zones, its pickup hours), the rest at carrier_pickups_h; the
        depot and its vans when the flow's last mile is dispatched."""
        env, run, wh, flow, cols = self.env, self.scenario.run, self.warehouse, self.flow, self.cols
        # outbound docks: one per carrier (its zones, its pickup hours), the rest at carrier_pickups_h
        zone_ids = [z.id for z in flow.last_mile.zones]
        self.depot: Depot | None = None
        if flow.last_mile.dispatch is not None:
            promise = np.array([z.promise_h for z in flow.last_mile.zones])[self.zone]
            self.depot = Depot(
                RunClock(env, run.start, self.end_h), flow.last_mile,
                streams.generator(streams_prefix + "last_mile.dispatch"),
                cols=cols, zone=self.zone, promise_h=promise, weight_kg=self.weight_kg,
                path=(*self.at, "last_mile", "dispatch"),
            )  # fmt: skip
        self.carriers = [
            Carrier(env, pickups, run.start, self.end_h, cols, self.delivery_h, self.depot)
            for pickups in [wh.carrier_pickups_h, *(c.pickups_h for c in wh.carriers)]
        ]
        carrier_of_zone = np.zeros(len(zone_ids), dtype=np.int64)
        for k, c in enumerate(wh.carriers):
            carrier_of_zone[[zone_ids.index(z) for z in c.zones]] = k + 1
        self._carrier_of_order = carrier_of_zone[self.zone].tolist()

    def _inbound(self, streams: RandomStreams, streams_prefix: str, roster: Roster | None) -> None:
        """Inbound: the flows' stock containers arrive at the docks (or receiving), unloaded by teams on shift
        (none given: as many containers at once as arrive, by staff not counted or paid)."""
        env, run, wh, cal = self.env, self.scenario.run, self.warehouse, self.scenario.calendar
        # --- inbound: the flows' stock containers arrive at the docks (or receiving) -----------------
        unload = BufferedSampler(
            wh.receiving.time_per_container_h, streams.generator(streams_prefix + "warehouse.receiving")
        )
        # teams on shift (none given: as many containers at once as arrive, by staff not counted or paid)
        staffed = wh.receiving.teams
        docks = wh.floor.docks if wh.floor is not None else None
        received = self._container_unloaded if self.floor is not None else self._container_in_stock
        self.yard = self._dock_yard(docks, streams.generator(streams_prefix + "warehouse.docks"))
        receiving, doors = self.names + "warehouse.receiving", docks.doors if docks is not None else None
        per_team = wh.receiving.workers_per_team
        teams = (  # by shift a rota: the doors cap the teams at work as it goes
            staffing_of(
                receiving, staffed, cal, run.start, self.end_h, workers_per_server=per_team, doors=doors, roster=roster
            )
            if staffed is not None
            else [(0.0, UNLIMITED)]
        )
        self.receiving = Station(
            env,
            receiving,
            door_capacity(teams, doors) if doors is not None and isinstance(teams, list) else teams,
            self._unload_time(unload),
            received,
            started=self.yard.door_h if self.yard is not None else None,
            staffed=teams if staffed is not None and isinstance(teams, list) else [(0.0, 0)],
        )
        if self.yard is not None:
            self.yard.receiving = self.receiving
        self.receiver: DockYard | Station = self.yard if self.yard is not None else self.receiving
        self.containers: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # container job -> SKUs, units
        self._stored: Callable[[int], None] | None = None

    def _arrivals(self) -> None:
        """Order arrivals: one chained timeout per order, from the drawn book."""
        env, book, n = self.env, self.book, self.n
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

    def _monitoring(self, series: TimeSeries | None) -> None:
        """The time series (its own, or the run's: the engine starts it once every part is watched), and the
        storage integral booked at the horizon."""
        env, run = self.env, self.scenario.run
        # --- monitoring -----------------------------------------------------------------------
        # (a series of its own, or the run's: the engine starts it once every part is watched)
        own = series is None
        self.series = series or TimeSeries(env, run.sample_interval_min / MINUTES_PER_HOUR, self.end_h)
        for st in self.stations:
            watch_station(self.series, st)
        g = self.names
        self.series.gauge(g + "orders.awaiting_release", lambda: self.awaiting)
        self.series.gauge(g + "orders.backordered", lambda: self.inventory.orders_waiting)
        self.series.gauge(
            g + "orders.in_warehouse",
            (lambda: self.floor.in_picking + self.pack.in_station)  # type: ignore[union-attr]
            if self.floor is not None
            else (lambda: self.pick.in_station + self.pack.in_station),
        )
        self.series.gauge(g + "orders.outbound_buffer", lambda: sum(len(c.buffer) for c in self.carriers))
        self.series.gauge(g + "stock.stored_m3", lambda: self.inventory.stored_m3)
        if own:
            self.series.start()
        self._storage_m3_h_at_horizon = 0.0
        env.timeout(run.horizon_h).callbacks.append(self._at_horizon)

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
        if self.declared:
            env.timeout(self._documents_delay[i], i).callbacks.append(self._documents_done)
        else:  # nothing to declare: released as soon as its stock is reserved
            self._documents_matched(i)

    def _documents_done(self, event: simpy.Event) -> None:
        self._documents_matched(event_value(event))

    def _documents_matched(self, i: int) -> None:
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

    def connect_inbound(
        self, containers: dict[int, tuple[np.ndarray, np.ndarray]], stored: Callable[[int], None]
    ) -> None:
        """The flows' stock containers (job -> SKUs, units) and who to tell when one is in stock."""
        self.containers = containers
        self._stored = stored

    def _dock_yard(self, docks, rng: np.random.Generator) -> DockYard | None:
        """Dock doors between the inbound trucks and receiving, when the floor has a docks section."""
        if docks is None:
            return None
        policy = make_policy((*self.at, "warehouse", "floor", "docks", "policy"), DOCKS, docks.policy)
        unload_h = self.warehouse.receiving.time_per_container_h.mean
        return DockYard(
            self.env, docks, policy, None, rng, unload_h,  # type: ignore[arg-type]
        )  # fmt: skip

    def _unload_time(self, unload: BufferedSampler) -> Callable[[int], float]:
        """Hours at the door per container: unloading, plus (with the floor) the receiving check per SKU."""
        floor = self.warehouse.floor
        if floor is None or floor.receiving_check_min_per_sku == 0:
            return lambda job: unload()
        check_h = floor.receiving_check_min_per_sku / MINUTES_PER_HOUR
        return lambda job: unload() + check_h * len(self.containers[job][0])

    def _container_in_stock(self, job: int) -> None:
        assert self._stored is not None  # connected by the flows before the run
        self._stored(job)

    def _container_unloaded(self, job: int) -> None:
        """Unloaded: put away into the slots of its SKUs, then the stock is available."""
        assert self.floor is not None
        self.floor.put_away(job, self.containers[job][0], self._container_in_stock)

    def _picked(self, i: int) -> None:
        self.inventory.ship(self._volume[i])
        self.pack.arrive(i)

    def _packed(self, i: int) -> None:
        if self.second_line is not None:
            self.second_line.enter(i)
        else:
            self._cleared(i)

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
        of_order = np.array(factors)[skus.tax_category[book.first_line_sku]].tolist()
        return lambda i: of_order[i]

    def _at_horizon(self, event: simpy.Event) -> None:
        self.inventory.close()
        self._storage_m3_h_at_horizon = self.inventory.stored_m3_h

    # --- running and results --------------------------------------------------------------------
    @property
    def stations(self) -> list[Station]:
        """Every resource of the model."""
        floor = [self.floor.replenishers, self.floor.putaway] if self.floor is not None else []
        second = self.second_line.stations if self.second_line is not None else []
        return [self.receiving, self.pick, *floor, self.pack, *second]

    def _outages(self, checkpoint: str) -> list[tuple[float, float]]:
        """Windows in which a checkpoint's system is down (scenario disruptions)."""
        return [
            (d.start_h, d.end_h)
            for d in self.scenario.disruptions
            if isinstance(d, CheckpointDown) and d.checkpoint == checkpoint
        ]
