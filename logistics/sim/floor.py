"""The bonded warehouse floor in detail: slots, pick faces, waves, pick lists, pickers, replenishment, put-away
and dock doors, each decision delegated to a registered policy (`logistics.policies.warehouse`).

- At the start the slotting policy places every SKU's pick face in a slot of the layout (pick rates = forecast).
- Released orders reach the floor by the wave policy; the batching policy turns the orders waiting into pick
  lists; the routing policy gives each list's walking distance (the pick-path module's own numbers); a picker
  spends setup + walking + time per line and unit on it. Orders are complete when their last list is picked.
- Each pick takes units from the SKU's face; the face-replenishment policy sends a replenisher from the reserve;
  a pick from an empty face costs the picker extra time.
- The re-slotting policy may move SKUs every `interval_h` (moves cost labour; later lists use the new slots).
- Received containers are put away by workers walking to the slots of their SKUs; trucks take dock doors by the
  dock policy (appointments, lateness, no-shows).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

import numpy as np
import simpy

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.core.units import MINUTES_PER_HOUR
from logistics.optimize.picking.single_block import PickLists
from logistics.optimize.slotting import SkuTable as SlotSkus
from logistics.optimize.slotting import SlottingProblem, count_moves
from logistics.policies.batching import Pool
from logistics.policies.warehouse import FLOOR_POLICIES
from logistics.scenario.scenario import Scenario
from logistics.scenario.warehouse import Floor, Warehouse
from logistics.sim.catalog import SkuTable
from logistics.sim.demand import OrderBook
from logistics.sim.floor_layout import build_layout
from logistics.sim.monitor import OrderColumns
from logistics.sim.policy_choices import make_policy
from logistics.sim.rota import Roster, staffing_of
from logistics.sim.sampling import BufferedSampler
from logistics.sim.station import Station

__all__ = ["WarehouseFloor"]

Path = tuple[str | int, ...]


def _policy(floor: Floor, field: str, at: Path):
    """The policy `<floor>.<field>` chooses (`at`: the floor section's field path, for errors)."""
    return make_policy((*at, field), FLOOR_POLICIES[field], getattr(floor, field))


class WarehouseFloor:
    """Picking, replenishment and put-away on the floor; `release(order)` hands an order over, `on_picked(order)`
    is called when its last line is picked."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        warehouse: Warehouse,
        at: Path,
        *,
        skus: SkuTable,
        book: OrderBook,
        forecast_per_day: np.ndarray,
        cols: OrderColumns,
        rng: np.random.Generator,
        on_picked: Callable[[int], None],
        end_h: float,
        name_prefix: str = "",
        bonded: bool = True,
        roster: Roster | None = None,
    ) -> None:
        assert warehouse.floor is not None
        at = (*at, "floor")
        self.env = env
        self.config = floor = warehouse.floor
        self.cols = cols
        self.on_picked = on_picked
        self.book = book
        self.rng = rng
        cal, start = scenario.calendar, scenario.run.start
        self.layout = build_layout(floor, at)
        self.slotting = _policy(floor, "slotting", at)
        self.reslotting = _policy(floor, "reslotting", at)
        self.routing = _policy(floor, "pick_routing", at)
        self.batching = _policy(floor, "batching", at)
        self.waves = _policy(floor, "wave_release", at)
        self.faces = _policy(floor, "face_replenishment", at)

        n_skus = len(skus)
        self._slot_at_start(skus, forecast_per_day, bonded, at)

        # --- lines of the orders ---------------------------------------------------------------------------
        self.line_start = book.line_start
        self.line_sku = book.line_sku
        self.line_units = book.line_units
        self.observed_picks = np.zeros(n_skus)

        # --- pick faces ------------------------------------------------------------------------------------
        self.unit_volume_l = skus.volume_m3 * 1000.0
        self.unit_weight_kg = skus.weight_kg
        self.face_capacity = self._face_capacity()
        self.face = self.face_capacity.tolist()
        self.refill_pending = bytearray(n_skus)
        self.face_stockouts = 0
        self.replenishment_trips = 0
        self.moves = 0
        speed_h = floor.walk_speed_m_s * 3600.0
        self.speed_m_per_h = speed_h
        handling = BufferedSampler(floor.replenishment_handling_min, rng, 1 / MINUTES_PER_HOUR)
        self._tasks: list[tuple[int, int, float]] = []  # (sku or -1, units, hours)

        def crew(name: str, staffing, service, done) -> Station:
            """Workers of one role on their shifts, one task each at a time."""
            role = name_prefix + name
            return Station(env, role, staffing_of(role, staffing, cal, start, end_h, roster=roster), service, done)

        self.replenishers = crew(
            "warehouse.replenishment", floor.replenishers, lambda task: self._tasks[task][2], self._task_done
        )
        self._handling = handling

        # --- pickers ---------------------------------------------------------------------------------------
        pick = warehouse.pick
        self.setup = BufferedSampler(pick.time_per_order_min, rng, 1 / MINUTES_PER_HOUR)
        self.per_line_h = pick.time_per_line_min / MINUTES_PER_HOUR
        self.per_unit_h = floor.time_per_unit_min / MINUTES_PER_HOUR
        self._empty_lists(book)
        self.pickers = crew("warehouse.pick", pick.workers, lambda k: self.lists_service_h[k], self._list_done)
        self.single_fast = self.reslotting.interval_h is None and floor.batching.name == "single_order"
        self.order_tour_m: np.ndarray | None = None
        if self.single_fast:
            self.order_tour_m = self._order_tours()

        # --- waves and the pool ----------------------------------------------------------------------------
        self.waiting: list[int] = []  # released, waiting for the next wave
        self.pool: list[int] = []  # on the floor, waiting to be batched
        self._flush_pending = False
        start_hour = start.hour + start.minute / 60.0
        times = self.waves.wave_times_h(start_hour, end_h)
        self.has_waves = times is not None
        if times is not None:
            env.process(self._wave_process(times))
        if self.reslotting.interval_h is not None:
            env.process(self._reslot_process(float(self.reslotting.interval_h), end_h))

        # --- put-away --------------------------------------------------------------------------------------
        self.putaway_travel_m = 0.0
        self._putaway: dict[int, tuple[float, Callable[[int], None]]] = {}  # job -> (hours, then)
        self.putaway = crew(
            "warehouse.putaway", floor.putaway_workers, lambda job: self._putaway[job][0], self._putaway_done
        )

    def _slot_at_start(self, skus: SkuTable, forecast_per_day: np.ndarray, bonded: bool, at: Path) -> None:
        """Slot every SKU's pick face by the slotting policy on the forecast (goods under bond go to bonded
        zones only); a layout they do not all fit is a scenario error naming the layout."""
        floor, rng = self.config, self.rng
        self.slot_skus = SlotSkus.build(
            sku_id=skus.ids,
            picks=forecast_per_day,
            volume_l=skus.volume_m3 * 1000.0 * floor.face_units,
            weight_kg=skus.weight_kg * floor.face_units,
            bonded=np.full(len(skus), bonded),  # goods under bond (1210) go to bonded zones only
        )
        try:
            self.problem = SlottingProblem(self.layout, self.slot_skus)
        except ValueError as exc:
            raise ScenarioError([ScenarioIssue((*at, "layout"), str(exc))]) from None
        plan = self.slotting.plan(self.problem, rng)
        if plan.status == "infeasible" or (plan.sku_of_slot >= 0).sum() < len(skus):
            raise ScenarioError(
                [ScenarioIssue((*at, "layout"), f"the SKUs' pick faces do not all fit the layout: {plan.message}")]
            )
        self.slotting_plan = plan
        self.sku_of_slot = plan.sku_of_slot.copy()
        self._place()

    def _empty_lists(self, book: OrderBook) -> None:
        """No pick list yet: the lists' columns, and each order's lines left to pick."""
        self.lists_orders: list[list[int]] = []
        self.lists_order_lines: list[list[int]] = []  # lines of each of those orders on the list
        self.lists_service_h = array("d")
        self.list_travel_m = array("d")
        self.list_lines = array("q")
        self.list_units = array("q")
        self.list_start_h = array("d")
        self.list_end_h = array("d")
        self.list_slots: list[np.ndarray] = []  # slot of each pick, kept for the checker/test
        self.keep_slots = False
        self.lines_left: list[int] = book.n_lines.tolist()  # lines of each order not yet picked
        self._listed = bytearray(len(book))  # the order is on a pick list
        self._pick_started = bytearray(len(book))
        self.on_lists = 0  # orders on pick lists, not completely picked

    # --- slots -----------------------------------------------------------------------------------------------
    def _place(self) -> None:
        """Where each SKU's face is (its first slot), from `sku_of_slot`."""
        slots = self.layout.slots
        held = np.flatnonzero(self.sku_of_slot >= 0)
        slot_of_sku = np.full(len(self.slot_skus), -1, dtype=np.int64)
        slot_of_sku[self.sku_of_slot[held][::-1]] = held[::-1]
        self.slot_of_sku = slot_of_sku
        self.sku_aisle = slots.aisle[slot_of_sku]
        self.sku_y = slots.y_m[slot_of_sku]
        self.sku_zone = slots.zone[slot_of_sku]
        self.sku_trip_m = self.layout.travel_cost_m[slot_of_sku] - np.where(
            slots.golden[slot_of_sku], 0.0, self.layout.ergonomic_penalty_m
        )

    def _order_tours(self) -> np.ndarray:
        """Walking distance of every order picked on its own (one vectorised call over all orders)."""
        sku = self.line_sku
        return self.routing.tours_m(self.layout, PickLists(self.line_start, self.sku_aisle[sku], self.sku_y[sku]))

    def _face_capacity(self) -> np.ndarray:
        """Units each SKU's pick face holds: as many as its slot takes (volume and weight), at least
        `face_units` (what slotting reserved room for)."""
        slots = self.layout.slots
        fit_volume = slots.volume_l[self.slot_of_sku] / self.unit_volume_l
        fit_weight = slots.max_weight_kg[self.slot_of_sku] / np.maximum(self.unit_weight_kg, 1e-9)
        return np.maximum(self.config.face_units, np.floor(np.minimum(fit_volume, fit_weight))).astype(np.int64)

    def _tours(self, groups: list[np.ndarray]) -> np.ndarray:
        """Walking distance of pick lists; each group holds line indices."""
        sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
        lines = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
        sku = self.line_sku[lines]
        lists = PickLists(np.r_[0, np.cumsum(sizes)].astype(np.int64), self.sku_aisle[sku], self.sku_y[sku])
        return self.routing.tours_m(self.layout, lists)

    # --- orders reach the floor ------------------------------------------------------------------------------
    def release(self, order: int) -> None:
        """An order released by customs and stock; it waits for the next wave (or goes on at once)."""
        if self.has_waves:
            self.waiting.append(order)
        else:
            self._to_pool([order])

    def _wave_process(self, times: list[float]):
        for t in times:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            if self.waiting:
                batch, self.waiting = self.waiting, []
                self._to_pool(batch)

    def _to_pool(self, orders: list[int]) -> None:
        if self.single_fast:
            for o in orders:
                lines = np.arange(self.line_start[o], self.line_start[o + 1])
                self._start_list([o], [len(lines)], lines, float(self.order_tour_m[o]))  # type: ignore[index]
            return
        self.pool.extend(orders)
        window = self.batching.window_h
        if window <= 0:
            self._flush()
        elif not self._flush_pending:
            self._flush_pending = True
            self.env.timeout(window).callbacks.append(lambda event: self._flush())

    def _flush(self) -> None:
        self._flush_pending = False
        if not self.pool:
            return
        orders = np.array(self.pool, dtype=np.int64)
        self.pool = []
        starts, ends = self.line_start[orders], self.line_start[orders + 1]
        sizes = ends - starts
        line_ptr = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        lines = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        sku = self.line_sku[lines]
        pool = Pool(orders, line_ptr, self.sku_zone[sku], self.sku_aisle[sku])
        groups = self.batching.pick_lists(pool)
        covered = np.sort(np.concatenate(groups)) if groups else np.zeros(0, dtype=np.int64)
        if len(covered) != len(lines) or not np.array_equal(covered, np.arange(len(lines))):
            raise ValueError(
                f"batching policy {self.config.batching.name!r} must put every line on exactly one pick list"
            )
        line_groups = [lines[g] for g in groups]
        tours = self._tours(line_groups)
        order_of_line = np.repeat(orders, sizes)
        for g, line_ids, tour in zip(groups, line_groups, tours.tolist(), strict=True):
            members, counts = np.unique(order_of_line[g], return_counts=True)
            self._start_list(members.tolist(), counts.tolist(), line_ids, tour)

    def _start_list(self, orders: list[int], order_lines: list[int], lines: np.ndarray, tour_m: float) -> None:
        """A pick list joins the pickers' queue; its picks are taken from the faces now."""
        k = len(self.lists_service_h)
        units = self.line_units[lines]
        skus = self.line_sku[lines]
        extra_h = 0.0
        face, capacity = self.face, self.face_capacity
        for sku, qty in zip(skus.tolist(), units.tolist(), strict=True):
            self.observed_picks[sku] += 1
            left = face[sku] - qty
            if left < 0:
                self.face_stockouts += 1
                extra_h += self.config.empty_face_penalty_min / MINUTES_PER_HOUR
                left = 0
            face[sku] = left
            if not self.refill_pending[sku]:
                refill = self.faces.refill_units(left, int(capacity[sku]))
                if refill > 0:
                    self.refill_pending[sku] = 1
                    self._task(sku, refill, self._handling() + self.sku_trip_m[sku] / self.speed_m_per_h)
        n_lines, n_units = len(lines), int(units.sum())
        service = self.setup() + tour_m / self.speed_m_per_h + n_lines * self.per_line_h + n_units * self.per_unit_h
        self.lists_orders.append(orders)
        self.lists_order_lines.append(order_lines)
        self.lists_service_h.append(service + extra_h)
        self.list_travel_m.append(tour_m)
        self.list_lines.append(n_lines)
        self.list_units.append(n_units)
        self.list_start_h.append(np.nan)
        self.list_end_h.append(np.nan)
        if self.keep_slots:
            self.list_slots.append(self.slot_of_sku[skus])
        listed = self._listed
        for o in orders:
            if not listed[o]:
                listed[o] = 1
                self.on_lists += 1
        self.pickers.arrive(k)

    def _list_done(self, k: int) -> None:
        now = self.env.now
        service = self.lists_service_h[k]
        self.list_start_h[k] = now - service
        self.list_end_h[k] = now
        cols, left, started = self.cols, self.lines_left, self._pick_started
        for o, picked_here in zip(self.lists_orders[k], self.lists_order_lines[k], strict=True):
            if not started[o]:
                started[o] = 1
                cols.pick_start_h[o] = now - service
            left[o] -= picked_here
            if left[o] <= 0:
                self.on_lists -= 1
                cols.pick_end_h[o] = now
                self.on_picked(o)

    # --- replenishment and moves -------------------------------------------------------------------------------
    def _task(self, sku: int, units: int, hours: float) -> None:
        self._tasks.append((sku, units, hours))
        self.replenishers.arrive(len(self._tasks) - 1)

    def _task_done(self, task: int) -> None:
        sku, units, _ = self._tasks[task]
        if sku < 0:
            return
        self.replenishment_trips += 1
        self.face[sku] = min(int(self.face_capacity[sku]), self.face[sku] + units)
        self.refill_pending[sku] = 0

    def _reslot_process(self, interval_h: float, end_h: float):
        t = interval_h
        while t < end_h:
            yield self.env.timeout(t - self.env.now)
            t += interval_h
            if self.observed_picks.sum() == 0:
                continue
            skus = self.slot_skus
            observed = SlotSkus(skus.sku_id, self.observed_picks.copy(), skus.volume_l, skus.weight_kg, skus.slots,
                                skus.bonded, skus.temperature, skus.hazardous, skus.zones)  # fmt: skip
            problem = SlottingProblem(self.layout, observed)
            proposal = self.reslotting.proposal(problem, self.sku_of_slot)
            moves = count_moves(self.sku_of_slot, proposal)
            if moves:
                self.moves += moves
                self.sku_of_slot = proposal.copy()
                self._place()
                self.face_capacity = self._face_capacity()
                for _ in range(moves):
                    self._task(-1, 0, self.config.move_time_min / MINUTES_PER_HOUR)

    # --- put-away ----------------------------------------------------------------------------------------------
    def put_away(self, job: int, skus: np.ndarray, done: Callable[[int], None]) -> None:
        """A received container's SKUs are walked to their slots; `done(job)` when the stock is in place."""
        trip_m = float(self.sku_trip_m[skus].sum())
        self.putaway_travel_m += trip_m
        per_sku = self.config.putaway_handling_min_per_sku / MINUTES_PER_HOUR
        self._putaway[job] = (trip_m / self.speed_m_per_h + per_sku * len(skus), done)
        self.putaway.arrive(job)

    def _putaway_done(self, job: int) -> None:
        _, then = self._putaway.pop(job)
        then(job)

    @property
    def stations(self) -> list[Station]:
        """The floor's resources."""
        return [self.pickers, self.replenishers, self.putaway]

    @property
    def in_picking(self) -> int:
        """Orders on the floor not yet completely picked (waiting for a wave, in the pool or on lists)."""
        return len(self.waiting) + len(self.pool) + self.on_lists
