"""Scheduled line-haul lanes for the cross-border flows: shipments (parcels, B2B shipments, containers) wait at
the lane's origin, are consolidated onto the next departure they made the booking cut-off for, within its
payload (kg) and volume (m3), and are rolled to a later departure when it is full. Each departure is charged by
the tariff (chargeable weight = max(actual, volumetric)), per parcel and per container or ULD used, plus block
space paid whether used or not; the charge is shared among the shipments on board by chargeable weight.

A lane without a timetable dispatches on demand: `hold_h` after the first shipment arrives, a departure takes
what fits; while shipments are left over, another departure follows `hold_h` later (at once when `hold_h` is 0:
as many vehicles as it needs, each within capacity). Left-over shipments of an on-demand lane are not counted as
rolled: no departure they were booked on left without them.

A stock container (a whole-container job) is booked on a departure when its warehouse orders it, at the
departure's cut-off: it keeps its place in the queue from that time, so it boards the departure it was ordered
for if it reaches the lane (e.g. through an export checkpoint) before the departure leaves.

Loading (`Lane.loading`): `fcfs` boards shipments in the order they reached the lane until the first that does
not fit (it keeps its place at the head of the queue); `first_fit` goes on looking for later shipments that
still fit, up to 64 misfits in a row. A line-haul allocation policy (lane groups) chooses the order instead.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from logistics.scenario.disruptions import LaneClosed, LaneDelayed
from logistics.scenario.network import Lane
from logistics.sim.clock import RunClock
from logistics.sim.simpy_access import event_value
from logistics.sim.timetable import departure_times

__all__ = ["DEPARTURE_COLUMNS", "LaneJobs", "ScheduledLane", "queue_up"]

DEPARTURE_COLUMNS = (
    "lane",
    "mode",
    "departure_h",
    "arrival_h",
    "cancelled",
    "shipments",
    "kg",
    "m3",
    "chargeable_kg",
    "capacity_kg",
    "capacity_m3",
    "fill_rate",
    "eligible",
    "rolled",
    "containers",
    "block_unused_kg",
    "cost_cny",
    "delay_h",
    "tonne_km",
    "co2e_kg",
)

_MAX_MISFITS = 64  # stop looking for smaller shipments after this many in a row did not fit

# Given a lane at its departure, the time and how many waiting shipments are eligible (the queue's first ones):
# the positions in the queue to board, in order.
Allocator = Callable[["ScheduledLane", float, int], list[int]]


def queue_up(
    waiting: list[int],
    arrived_h: list[float],
    job: int,
    now: float,
    whole: bytearray | None,
    booked_h: np.ndarray | None,
) -> None:
    """Put `job` in a lane's queue: at the end, or, a booked stock container, at its booking time's place."""
    if whole is not None and whole[job] and booked_h is not None:
        booked = min(now, float(booked_h[job]))
        k = bisect_right(arrived_h, booked)
        waiting.insert(k, job)
        arrived_h.insert(k, booked)
    else:
        waiting.append(job)
        arrived_h.append(now)


@dataclass(frozen=True)
class LaneJobs:
    """The flows' columns per job (a shipment: an order, a consignment or a container) that a lane reads and adds
    to: its weight and volume; its transport cost, times rolled over and kg CO2e (added to in place); which jobs are
    whole containers (each takes one of a departure's containers) and when each was booked (its queue place)."""

    weight_kg: list[float]
    volume_m3: list[float]
    transport_cny: np.ndarray
    rolls: np.ndarray
    whole: bytearray | None = None
    booked_h: np.ndarray | None = None
    co2e_kg: np.ndarray | None = None


class ScheduledLane:
    """One lane shared by every flow routed over it. `enter(job)` puts a shipment in the queue at the lane's
    origin; `on_arrival(job)` is called for each shipment when its departure arrives."""

    def __init__(
        self,
        clock: RunClock,
        lane: Lane,
        rng: np.random.Generator,
        jobs: LaneJobs,
        *,
        on_arrival: Callable[[int], None],
        closures: list[LaneClosed],
        delays: list[LaneDelayed],
        queue: tuple[list[int], list[float]] | None = None,
        allocator: Allocator | None = None,
        on_board: Callable[[list[int], float], None] | None = None,
        wtw_kg_per_tkm: float = 0.0,
    ) -> None:
        env, start, end_h = clock.env, clock.start, clock.end_h
        self.env = env
        self.lane = lane
        self.rng = rng
        self.weight_kg = jobs.weight_kg
        self.volume_m3 = jobs.volume_m3
        self.transport_cny = jobs.transport_cny
        # each job's emissions (kg CO2e) add its tonnes x the lane's km x the mode's well-to-wheel factor
        self.co2e_kg = jobs.co2e_kg
        self.kg_co2e_per_kg = (lane.distance_km or 0.0) * wtw_kg_per_tkm / 1000.0
        self.rolls = jobs.rolls
        self.whole = jobs.whole
        self.booked_h = jobs.booked_h
        self.on_arrival = on_arrival
        # told of each departure's shipments and their expected arrival (mean transit): e.g. the dock booking
        self.on_board = on_board
        self.closures = closures
        self.delays = delays
        # the queue at the lane's origin (shared by the lanes of a group): jobs, and when each reached it
        # (non-decreasing); the lists are only ever changed in place
        self.waiting: list[int] = queue[0] if queue is not None else []
        self.arrived_h: list[float] = queue[1] if queue is not None else []
        self.allocator = allocator
        self.in_transit = 0
        self.rows: list[tuple] = []
        self.divisor_m3_per_kg = lane.tariff.volumetric_divisor_cm3_per_kg / 1e6
        self._pending = False
        # called with a departure's time at its booking cut-off (a warehouse's replenishment books space then)
        self.at_cutoff: list[Callable[[float], None]] = []
        self.times: list[float] = []
        if lane.departures is not None:
            self.times = departure_times(lane.departures, start, 0.0, end_h)
            env.process(self._timetable(self.times))

    @property
    def in_lane(self) -> int:
        """Shipments waiting for a departure or on their way."""
        return len(self.waiting) + self.in_transit

    def enter(self, job: int) -> None:
        """A shipment reaches the lane's origin now."""
        queue_up(self.waiting, self.arrived_h, job, self.env.now, self.whole, self.booked_h)
        if self.lane.departures is None and not self._pending:
            self._pending = True
            self.env.timeout(self.lane.hold_h).callbacks.append(self._on_demand)

    def closures_at(self, t_h: float) -> list[LaneClosed]:
        """The closures of this lane in force at `t_h`."""
        return [d for d in self.closures if d.covers(t_h)]

    def _timetable(self, times: list[float]):
        # each departure's booking cut-off (when `at_cutoff` hooks are registered: stock orders are placed
        # then), before any departure at the same instant, then the departure itself
        cutoff = self.lane.booking_cutoff_h
        events = [(t, 1, t) for t in times]
        if self.at_cutoff:
            events = sorted(events + [(max(0.0, t - cutoff), 0, t) for t in times])
        for when, kind, t in events:
            if when > self.env.now:
                yield self.env.timeout(when - self.env.now)
            if kind == 0:
                for hook in self.at_cutoff:
                    hook(t)
            else:
                self._depart(scheduled=True)

    def _on_demand(self, event: simpy.Event) -> None:
        closing = self.closures_at(self.env.now)
        if closing:  # wait for the lane to reopen
            self.env.timeout(max(d.end_h for d in closing) - self.env.now).callbacks.append(self._on_demand)
            return
        self._pending = False
        if self.waiting:
            self._depart(scheduled=False)
        if self.waiting and not self._pending:  # left over: the next departure, `hold_h` later
            self._pending = True
            self.env.timeout(self.lane.hold_h).callbacks.append(self._on_demand)

    def _load(self, positions: range) -> tuple[list[int], list[int]]:
        """The jobs at these queue positions that board by the lane's loading rule within its capacity, and the
        positions left out."""
        lane = self.lane
        kg_left, m3_left = lane.capacity_kg, lane.capacity_m3
        first_fit = lane.loading == "first_fit"
        board: list[int] = []
        left_out: list[int] = []
        misfits = 0
        for k in positions:
            job = self.waiting[k]
            w, v = self._space(job)
            fits = w <= kg_left and v <= m3_left
            if fits and (misfits == 0 or (first_fit and misfits < _MAX_MISFITS)):
                board.append(job)
                kg_left -= w
                m3_left -= v
                if first_fit:
                    misfits = 0
            else:
                left_out.append(k)
                misfits += 1
        return board, left_out

    def _depart(self, scheduled: bool) -> None:
        lane, now = self.lane, self.env.now
        eligible = bisect_right(self.arrived_h, now - lane.booking_cutoff_h) if scheduled else len(self.waiting)
        if scheduled and self.closures_at(now):
            self._roll(list(range(eligible)))
            self.rows.append((lane.id, lane.mode, now, np.nan, True, 0, 0.0, 0.0, 0.0, lane.capacity_kg,
                              lane.capacity_m3, 0.0, eligible, eligible, 0, 0.0, 0.0, 0.0, 0.0, 0.0))  # fmt: skip
            return
        weight, volume = self.weight_kg, self.volume_m3
        board: list[int] = []
        left_out: list[int] = []
        if scheduled and self.allocator is not None and eligible:
            kg_left, m3_left = lane.capacity_kg, lane.capacity_m3
            chosen = set()
            for k in self.allocator(self, now, eligible):  # positions, in boarding order; capacity still holds
                job = self.waiting[k]
                w, v = self._space(job)
                if k not in chosen and w <= kg_left and v <= m3_left:
                    board.append(job)
                    chosen.add(k)
                    kg_left -= w
                    m3_left -= v
            left_out = [k for k in range(eligible) if k not in chosen]
        else:
            board, left_out = self._load(range(eligible))
            if not board and left_out and not scheduled:  # a shipment larger than a whole departure goes alone
                board, left_out = [self.waiting[left_out[0]]], left_out[1:]
        if scheduled:
            self._roll(left_out)
        kept = [self.waiting[k] for k in left_out] + self.waiting[eligible:]
        kept_h = [self.arrived_h[k] for k in left_out] + self.arrived_h[eligible:]
        self.waiting[:], self.arrived_h[:] = kept, kept_h
        if not board and lane.block_space is None:
            return
        kg = np.array([weight[j] for j in board])
        m3 = np.array([volume[j] for j in board])
        chargeable = np.maximum(kg, m3 / self.divisor_m3_per_kg)
        total_kg, total_m3, total_charge = float(kg.sum()), float(m3.sum()), float(chargeable.sum())
        full = [self.whole[j] for j in board] if self.whole is not None else [0] * len(board)
        loose_kg = float(sum(w for w, f in zip(kg.tolist(), full, strict=True) if not f))
        loose_m3 = float(sum(v for v, f in zip(m3.tolist(), full, strict=True) if not f))
        loose = math.ceil(max(loose_kg / lane.container_payload_kg, loose_m3 / lane.container_volume_m3) - 1e-9)
        containers = sum(full) + loose
        block = lane.block_space
        above_block = total_charge - (block.kg if block is not None else 0.0)
        by_weight = (
            lane.tariff.per_kg_cny * max(0.0, above_block)
            + lane.cost_per_container_cny * containers
            + (block.kg * block.cny_per_kg if block is not None else 0.0)
        )
        cost = by_weight + lane.tariff.per_parcel_cny * len(board)
        if board:
            index = np.array(board, dtype=np.int64)
            share = chargeable / total_charge if total_charge > 0 else np.full(len(board), 1 / len(board))
            self.transport_cny[index] += by_weight * share + lane.tariff.per_parcel_cny
            if self.co2e_kg is not None:
                self.co2e_kg[index] += kg * self.kg_co2e_per_kg
        delay = sum(d.delay_h for d in self.delays if d.covers(now))
        transit = float(lane.transit_time_h.sample(self.rng, 1)[0]) + delay
        fill = max(total_kg / lane.capacity_kg, total_m3 / lane.capacity_m3)
        self.rows.append(
            (lane.id, lane.mode, now, now + transit, False, len(board), total_kg, total_m3, total_charge,
             lane.capacity_kg, lane.capacity_m3, fill, eligible, len(left_out) if scheduled else 0, containers,
             max(0.0, -above_block) if block is not None else 0.0, cost, delay,
             *self._emitted(total_kg))
        )  # fmt: skip
        if board:
            if self.on_board is not None:
                self.on_board(board, now + lane.transit_time_h.mean)
            self.in_transit += len(board)
            self.env.timeout(transit, board).callbacks.append(self._arrive)

    def _emitted(self, kg: float) -> tuple[float, float]:
        """Tonne-km and kg CO2e of a departure carrying `kg` (NaN both: the lane has no distance)."""
        km = self.lane.distance_km
        return (kg / 1000.0 * km, kg * self.kg_co2e_per_kg) if km else (np.nan, np.nan)

    def _space(self, job: int) -> tuple[float, float]:
        """kg and m3 of the departure a job takes: its own, or a whole container's."""
        if self.whole is not None and self.whole[job]:
            return self.lane.container_payload_kg, self.lane.container_volume_m3
        return self.weight_kg[job], self.volume_m3[job]

    def _roll(self, left_out: list[int]) -> None:
        if left_out:
            jobs = np.array([self.waiting[k] for k in left_out], dtype=np.int64)
            self.rolls[jobs] += 1

    def _arrive(self, event: simpy.Event) -> None:
        board = event_value(event)
        self.in_transit -= len(board)
        for job in board:
            self.on_arrival(job)
