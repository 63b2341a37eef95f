"""The cross-border flows on a shared network of scheduled lanes and customs checkpoints.

Every order of a 9610 or 9710 flow (a direct-mail parcel, a B2B shipment) and every stock container of a 9810 or
1210 flow is a *job* with a global index. A job follows the program of steps of its flow:

- 9610 and 9710 orders: fulfilment at the origin -> (export checkpoint) -> lane -> ... -> (import checkpoint)
  -> sort -> last mile; checkpoints are passed on arrival at their node, in route order;
- stock containers of a 9810 overseas warehouse or a 1210 bonded warehouse (`stock_route.StockRoute`): ordered
  at each departure of the route's first lane -> lanes and checkpoints (export and import; a 1210 flow's first
  line) -> handed to the warehouse's docks or receiving. (The orders of those flows run in their warehouse's
  part, `sim/warehouse.py`, from the stock these containers bring.)

Lanes and checkpoints are shared by every flow that names them (one queue, one capacity). The time each job
finishes each step is recorded per program, so lead times per stage, mode, lane and checkpoint come out of one
table at the end; live counters are checked against that table so that every order is accounted for.
"""

from __future__ import annotations

import numpy as np
import simpy

from logistics.core.emissions import LANE_EMISSION_MODE
from logistics.core.random import RandomStreams
from logistics.core.units import MINUTES_PER_HOUR
from logistics.policies.linehaul import ALLOCATION
from logistics.scenario.disruptions import CheckpointDown, LaneClosed, LaneDelayed
from logistics.scenario.flows import Flow
from logistics.scenario.modes import CUSTOMS_MODES
from logistics.scenario.network import Lane
from logistics.scenario.scenario import Scenario
from logistics.scenario.warehouse import Station as StationConfig
from logistics.sim.checkpoint import OUTCOMES, CustomsCheckpoint
from logistics.sim.clock import RunClock
from logistics.sim.dispatch import Depot
from logistics.sim.inventory import Inventory
from logistics.sim.jobs import FlowJobs, lane_by_id
from logistics.sim.lanes import Allocator, LaneJobs, ScheduledLane
from logistics.sim.monitor import END_REASONS
from logistics.sim.policy_choices import make_policy
from logistics.sim.rota import Roster, staffing_of
from logistics.sim.sampling import BufferedSampler
from logistics.sim.simpy_access import now_of
from logistics.sim.station import Station
from logistics.sim.steps import (
    CheckpointStep,
    DeliverStep,
    FlowParcels,
    GroupStep,
    LaneStep,
    Program,
    ReceiveStep,
    StationStep,
    Step,
)
from logistics.sim.stock_route import StockRoute
from logistics.sim.tiers import TraderTiers
from logistics.sim.warehouse import WarehouseOrders

__all__ = ["Flows"]
_REASON = {2: END_REASONS.index("returned"), 3: END_REASONS.index("destroyed")}  # clearance outcome -> end reason


class Flows(FlowJobs):
    """Every flow's jobs on one SimPy environment: their columns (`FlowJobs`), the shared lanes and checkpoints,
    and each kind of job's program of steps. The orders of a flow served from stock (1210, 9810) run in its
    warehouse's part (`warehouses`): here, the containers that stock that warehouse."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        streams,
        end_h: float,
        tiers: TraderTiers | None = None,
        warehouses: list[WarehouseOrders] | None = None,
        roster: Roster | None = None,
    ) -> None:
        self.env = env
        self.roster = roster  # the run's staffing policy's roster (None: the plan)
        self.scenario = s = scenario
        self.emission_factors = s.emissions.table()
        self.end_h = end_h
        self.clock = RunClock(env, scenario.run.start, end_h)
        self.position = list(range(len(s.flows)))  # each flow's place in the scenario (its field path)
        self.flows = flows = list(s.flows)
        self.warehouses = {part.index: part for part in warehouses or []}  # flow index -> its warehouse's part
        elsewhere = {k: part.skus for k, part in self.warehouses.items()}
        super().__init__(s, flows, streams, elsewhere)
        offsets, n = self.offsets, self.n_jobs

        # --- shared lanes and checkpoints ------------------------------------------------------------
        self.tiers = tiers  # shared with every checkpoint of the run (the engine makes them)
        self.lanes: dict[str, LaneStep] = {}
        self.groups: dict[str, GroupStep] = {}
        self.checkpoints: dict[str, CheckpointStep] = {}
        self.stations: list[Station] = []
        self.labour: list[tuple[Station, StationConfig]] = []

        # --- last-mile depots (routed zones of a flow's last mile) ----------------------------------------
        self.depots: dict[int, tuple[Depot, int]] = {}  # flow index -> its depot and its first order's index
        for k, f in enumerate(flows):
            if f.last_mile.dispatch is None or k in elsewhere:  # a 1210 flow's depot is its bonded part's
                continue
            sl = slice(offsets[k], offsets[k] + len(self.books[k]))
            promise = np.array([z.promise_h for z in f.last_mile.zones])[self.zone[sl]]
            parcels = FlowParcels(self.created_h[sl], self.delivered_h[sl], self.ended_h[sl], self.end_reason[sl])
            depot = Depot(
                self.clock, f.last_mile, streams.generator(f"flow.{f.id}.last_mile.dispatch"),
                cols=parcels, zone=self.zone[sl], promise_h=promise, weight_kg=self.weight_kg[sl],
                path=("flows", self.position[k], "last_mile", "dispatch"),
            )  # fmt: skip
            self.depots[k] = (depot, offsets[k])
        self._deliver = DeliverStep(
            env, self.dispatched_h, self.delivered_h, self.delivery_h, self.flow_of, self.depots
        )

        # --- programs ----------------------------------------------------------------------------------
        self.programs: list[Program] = []
        self.program_of = bytearray(n)
        self.pos = bytearray(n)
        self.stock_routes: dict[int, StockRoute] = {}  # flow index -> how its warehouse is stocked
        self.stocks: dict[int, Inventory] = {}  # flow index -> its warehouse's stock
        for k, f in enumerate(flows):
            if k in elsewhere:
                self._warehouse_inbound(k, f, streams)
            else:
                steps: list[Step] = []
                if f.fulfilment is not None:
                    steps.append(self._station(f"{f.id}.fulfilment", "fulfilment", f.fulfilment, streams))
                steps += self._route(f, streams)
                if f.sort is not None:
                    steps.append(self._station(f"{f.id}.sort", "sort", f.sort, streams))
                steps.append(self._deliver)
                self._add_program(k, "orders", offsets[k], len(self.books[k]), steps)

        # --- arrivals: one chained timeout over the orders of all flows ------------------------------
        self._arrival_order = np.argsort(self.created_h[: self.n_orders], kind="stable").tolist()
        self._arrival_times = self.created_h[: self.n_orders][self._arrival_order].tolist()
        self._next = 0
        self._rejected = self.rejected.tolist()
        if self.n_orders:
            env.timeout(self._arrival_times[0]).callbacks.append(self._arrive)

    # --- building --------------------------------------------------------------------------------------
    def _lane(self, lane_id: str) -> Lane:
        """The lane with this id (a lane group: its first lane, which goes where they all go)."""
        return lane_by_id(self.scenario.network, lane_id)

    @property
    def resources(self) -> list[Station]:
        """Every station of the flows: their own and their checkpoints'."""
        return [*self.stations, *(st for step in self.checkpoints.values() for st in step.clearance.stations)]

    def _add_program(self, flow: int, kind: str, offset: int, count: int, steps: list[Step]) -> None:
        self.program_of[offset : offset + count] = bytes([len(self.programs)]) * count
        self.programs.append(Program(flow, kind, offset, count, steps))

    def _station(self, name: str, label: str, config: StationConfig, streams, after=None) -> StationStep:
        s = self.scenario
        base = BufferedSampler(config.time_per_order_min, streams.generator(name), 1 / MINUTES_PER_HOUR)
        per_line_h = config.time_per_line_min / MINUTES_PER_HOUR
        lines = self._n_lines
        service = (lambda j: base()) if per_line_h == 0 else (lambda j: base() + per_line_h * lines[j])
        changes = staffing_of(name, config.workers, s.calendar, s.run.start, self.end_h, roster=self.roster)
        station = Station(self.env, name, changes, service, after or self.advance)
        self.stations.append(station)
        self.labour.append((station, config))
        return StationStep(station, label)

    def _route(self, f: Flow, streams) -> list[Step]:
        """Lanes of the route with the flow's checkpoints placed at their nodes, in order (not those passed by
        orders leaving its warehouse: a 1210 flow's second line)."""
        s = self.scenario
        by_id = {c.id: c for c in s.customs.checkpoints}
        leaving = CUSTOMS_MODES[f.mode].warehouse_roles
        pending = [by_id[c] for c in f.checkpoints if by_id[c].role not in leaving]
        steps: list[Step] = []
        here = f.origin
        for lane_id in [*f.route, None]:
            while pending and pending[0].node == here:
                steps.append(self._checkpoint(pending.pop(0).id, streams))
            if lane_id is None:
                break
            steps.append(self._lane_step(lane_id, streams))
            here = self._lane(lane_id).to
        return steps

    def _lane_step(self, lane_id: str, streams) -> LaneStep | GroupStep:
        group = next((g for g in self.scenario.network.lane_groups if g.id == lane_id), None)
        if group is not None:
            return self._group_step(group, streams)
        if lane_id not in self.lanes:
            self.lanes[lane_id] = LaneStep(self._scheduled(lane_id, streams))
        return self.lanes[lane_id]

    def _group_step(self, group, streams) -> GroupStep:
        """Alternative lanes with one queue; the group's allocation policy decides who boards each departure."""
        if group.id not in self.groups:
            k = self.scenario.network.lane_groups.index(group)
            policy = make_policy(("network", "lane_groups", k, "allocation"), ALLOCATION, group.allocation)
            queue: tuple[list[int], list[float]] = ([], [])
            step = GroupStep(group.id, self.env, queue, self._weight, self._volume, policy, self.deadline_h)
            step.members.extend(self._scheduled(lane_id, streams, queue, step.allocate) for lane_id in group.lanes)
            self.groups[group.id] = step
        return self.groups[group.id]

    def _scheduled(
        self,
        lane_id: str,
        streams: RandomStreams,
        queue: tuple[list[int], list[float]] | None = None,
        allocate: Allocator | None = None,
    ) -> ScheduledLane:
        """A scheduled lane carrying the flows' jobs (alone, or one of a group's with its queue and policy)."""
        s = self.scenario
        lane = self._lane(lane_id)
        factor = self.emission_factors[LANE_EMISSION_MODE[lane.mode]]
        jobs = LaneJobs(
            self._weight, self._volume, self.transport_cny, self.rolls,
            whole=self.whole, booked_h=self.created_h, co2e_kg=self.co2e_kg,
        )  # fmt: skip
        return ScheduledLane(
            self.clock, lane, streams.generator(f"lane.{lane_id}"), jobs, on_arrival=self.advance,
            closures=[d for d in s.disruptions if isinstance(d, LaneClosed) and d.lane == lane_id],
            delays=[d for d in s.disruptions if isinstance(d, LaneDelayed) and d.lane == lane_id],
            queue=queue, allocator=allocate, wtw_kg_per_tkm=factor.wtw_kg_per_tkm,
        )  # fmt: skip

    def _checkpoint(self, cp_id: str, streams) -> CheckpointStep:
        if cp_id not in self.checkpoints:
            s = self.scenario
            cp = next(c for c in s.customs.checkpoints if c.id == cp_id)
            factors = [1.0] * len(self.goods_names)
            if cp.risk is not None:
                factors = [cp.risk.goods_factor.get(name, 1.0) for name in self.goods_names]
            goods = self.goods
            outages = [
                (d.start_h, d.end_h) for d in s.disruptions if isinstance(d, CheckpointDown) and d.checkpoint == cp_id
            ]
            index = [c.id for c in s.customs.checkpoints].index(cp_id)
            clearance = CustomsCheckpoint(
                self.clock, cp, s.calendar, streams.generator(f"checkpoint.{cp_id}"),
                on_released=self.advance, on_ended=self._cleared_out, outages=outages, tiers=self.tiers,
                trader=self.trader,
                goods_factor=lambda j: factors[goods[j]], ready_h=self.ready_h, path=("customs", "checkpoints", index),
            )  # fmt: skip
            self.checkpoints[cp_id] = CheckpointStep(clearance)
        return self.checkpoints[cp_id]

    def _warehouse_inbound(self, k: int, f: Flow, streams) -> None:
        """The program of the containers stocking flow `k`'s warehouse (1210, 9810): its route and checkpoints,
        then its docks (or receiving); and the replenishment that starts them."""
        part = self.warehouses[k]
        self.stocks[k] = part.inventory
        receive = ReceiveStep(
            self.env, part.inventory, f"{f.id}.receiving", self.containers, self.delivered_h, self.container_outcome,
            part.receiver,
        )  # fmt: skip
        part.connect_inbound(self.containers, receive.stored)
        c_offset = self.container_offsets[k]
        steps = [*self._route(f, streams), receive]
        self._add_program(k, "consignments", c_offset, self.container_limit[k] - c_offset, steps)
        program, program_of = len(self.programs) - 1, self.program_of
        first = self._lane_step(f.route[0], streams)
        lane = first.members[0] if isinstance(first, GroupStep) else first.lane  # its timetable orders the stock
        self.stock_routes[k] = StockRoute(
            self.env, self, k, lane, horizon_h=self.scenario.run.horizon_h, inventory=part.inventory,
            policy=part.policy, forecast_per_day=part.forecast, skus=self.skus[k], start=steps[0].enter,
        )  # fmt: skip
        if part.yard is not None:  # its trucks are booked when they leave on the route's last lane
            yard = part.yard

            def book(board: list[int], expected_h: float) -> None:
                yard.book([j for j in board if program_of[j] == program], expected_h)

            last = self._lane_step(f.route[-1], streams)
            for member in last.members if isinstance(last, GroupStep) else [last.lane]:
                member.on_board = book

    # --- the job hot path -------------------------------------------------------------------------------
    def _arrive(self, event: simpy.Event) -> None:
        i = self._next
        self._next = i + 1
        if i + 1 < self.n_orders:
            self.env.timeout(self._arrival_times[i + 1] - self.env.now).callbacks.append(self._arrive)
        job = self._arrival_order[i]
        if self._rejected[job]:
            self.ended_h[job] = self.env.now
            self.end_reason[job] = 1
            return
        self.programs[self.program_of[job]].steps[0].enter(job)

    def advance(self, job: int) -> None:
        """`job` finished its current step now: on to the next one."""
        program = self.programs[self.program_of[job]]
        p = self.pos[job]
        program.rows[p][job - program.offset] = now_of(self.env)
        self.pos[job] = p + 1
        program.steps[p + 1].enter(job)

    def _cleared_out(self, job: int, outcome: int) -> None:
        """Returned or destroyed at a checkpoint: the job's journey ends."""
        self.ended_h[job] = self.env.now
        self.end_reason[job] = _REASON[outcome]
        if job in self.containers:
            flow = int(self.flow_of[job])
            sku_ids, qty = self.containers[job]
            self.stocks[flow].in_transit[sku_ids] -= qty
            self.container_outcome[job] = OUTCOMES[outcome]

    @property
    def all_lanes(self) -> list[ScheduledLane]:
        """Every scheduled lane: alone or in a group."""
        return [step.lane for step in self.lanes.values()] + [m for g in self.groups.values() for m in g.members]

    def _all_steps(self) -> list[Step]:
        seen: dict[int, Step] = {}
        for program in self.programs:
            for step in program.steps:
                seen[id(step)] = step
        return list(seen.values())
