"""Warehouse floor decisions as Protocols, with the built-in policies registered by name.

A scenario selects each policy by name with parameters (`warehouse.floor.<decision>: {name: ..., params...}`);
`register` a new factory in the matching registry (from any module, a test file included) and a scenario can
use it at once.

| decision | registry | built-ins |
|---|---|---|
| slotting (SKU -> slot at the start) | `SLOTTING` | random, abc, coi_greedy, optimal (proven-optimal COI flow) |
| re-slotting (moves during the run) | `RESLOTTING` | none, periodic (best plan within a move budget) |
| pick routing (tour through a pick list) | `PICK_ROUTING` | s_shape, return, midpoint, largest_gap, combined, optimal |
| batching (orders -> pick lists) | `BATCHING` | single_order, time_window, zone |
| wave release (when released orders reach the floor) | `WAVE_RELEASE` | continuous, fixed_interval, clock |
| dock assignment (bookings; when an inbound truck gets a door) | `DOCKS` | fcfs, appointments, optimized (CP-SAT) |
| pick-face replenishment (reserve -> pick face) | `FACE_REPLENISHMENT` | s_S |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from logistics.optimize.picking.layout import WarehouseLayout
from logistics.optimize.picking.multiblock import MultiBlockLayout, multiblock_tour
from logistics.optimize.picking.single_block import POLICIES as SINGLE_BLOCK_ROUTING
from logistics.optimize.picking.single_block import Pick, PickLists, SingleBlockLayout, pick_tours_m
from logistics.optimize.slotting import METHODS as SLOTTING_METHODS
from logistics.optimize.slotting import SlottingParams, SlottingPlan, SlottingProblem, reslot, solve_slotting
from logistics.policies.registry import Registry

__all__ = [
    "BATCHING",
    "DOCKS",
    "FACE_REPLENISHMENT",
    "FLOOR_POLICIES",
    "PICK_ROUTING",
    "RESLOTTING",
    "SLOTTING",
    "WAVE_RELEASE",
    "BatchingPolicy",
    "DockPolicy",
    "FaceReplenishmentPolicy",
    "PickRoutingPolicy",
    "Pool",
    "ReslottingPolicy",
    "SlottingPolicy",
    "WaveReleasePolicy",
]


# --- slotting -------------------------------------------------------------------------------------------------
class SlottingPolicy(Protocol):
    """Places every SKU in slots before the run starts."""

    def plan(self, problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
        """The plan for `problem` (SKU pick rates are the forecast)."""
        ...


@dataclass(frozen=True)
class SlottingMethod:
    """One of the slot-allocation optimizer's methods (`logistics.optimize.solve_slotting`)."""

    method: str

    def plan(self, problem: SlottingProblem, rng: np.random.Generator) -> SlottingPlan:
        """Solve with the method, seeded from `rng`."""
        return solve_slotting(problem, SlottingParams(self.method, int(rng.integers(2**31))))


SLOTTING: Registry[SlottingPolicy] = Registry("slotting")
for _method in SLOTTING_METHODS:
    SLOTTING.register(_method, lambda _m=_method: SlottingMethod(_m))


# --- re-slotting ----------------------------------------------------------------------------------------------
class ReslottingPolicy(Protocol):
    """Moves SKUs between slots during the run. `interval_h` (None = never) says how often it is asked."""

    @property
    def interval_h(self) -> float | None:
        """How often the policy is asked, in hours (None: never)."""
        ...

    def proposal(self, problem: SlottingProblem, current: np.ndarray) -> np.ndarray:
        """The new `sku_of_slot` given the current one and `problem` (pick rates observed so far)."""
        ...


@dataclass(frozen=True)
class NoReslotting:
    """Keep the initial plan."""

    interval_h: float | None = None

    def proposal(self, problem: SlottingProblem, current: np.ndarray) -> np.ndarray:
        """Unchanged."""
        return current


@dataclass(frozen=True)
class PeriodicReslotting:
    """Every `interval_h`, the best plan for the observed pick rates within `max_moves` moves (Lagrangian
    re-slotting of the optimizer)."""

    interval_h: float = 24.0
    max_moves: int = 100

    def __post_init__(self) -> None:
        if not self.interval_h > 0 or self.max_moves < 0:
            raise ValueError("interval_h must be > 0 and max_moves >= 0")

    def proposal(self, problem: SlottingProblem, current: np.ndarray) -> np.ndarray:
        """The re-slotting optimizer's plan."""
        return reslot(problem, current, self.max_moves, max_solves=8).sku_of_slot


RESLOTTING: Registry[ReslottingPolicy] = Registry("re-slotting")
RESLOTTING.register("none", NoReslotting)
RESLOTTING.register("periodic", PeriodicReslotting)


# --- pick routing ---------------------------------------------------------------------------------------------
class PickRoutingPolicy(Protocol):
    """Walking distance of pick tours from and back to the pick-and-drop point."""

    def tours_m(self, layout: WarehouseLayout, lists: PickLists) -> np.ndarray:
        """Metres walked for each pick list."""
        ...


@dataclass(frozen=True)
class PickPathPolicy:
    """A routing policy of the pick-path module: vectorised on single-block layouts, one tour at a time on
    multi-block ones (where s_shape, largest_gap, combined and optimal exist)."""

    name: str

    def tours_m(self, layout: WarehouseLayout, lists: PickLists) -> np.ndarray:
        """Metres walked for each pick list."""
        geometry = layout.routing()
        if isinstance(geometry, SingleBlockLayout):
            return pick_tours_m(geometry, lists, self.name)
        assert isinstance(geometry, MultiBlockLayout)
        out = np.zeros(len(lists))
        for k in range(len(lists)):
            a, b = int(lists.ptr[k]), int(lists.ptr[k + 1])
            picks = [Pick(int(x), float(y)) for x, y in zip(lists.aisle[a:b], lists.y_m[a:b], strict=True)]
            out[k] = multiblock_tour(geometry, picks, self.name).length_m if picks else 0.0
        return out


PICK_ROUTING: Registry[PickRoutingPolicy] = Registry("pick routing")
for _name in SINGLE_BLOCK_ROUTING:
    PICK_ROUTING.register(_name, lambda _n=_name: PickPathPolicy(_n))


# --- batching -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pool:
    """Orders waiting to be put on pick lists, in release order, with their lines (CSR: the lines of
    `orders[k]` are positions `line_ptr[k]:line_ptr[k+1]` of the line arrays)."""

    orders: np.ndarray
    line_ptr: np.ndarray
    line_zone: np.ndarray  # zone index of each line's slot
    line_aisle: np.ndarray

    @property
    def n_lines(self) -> int:
        """Lines in the pool."""
        return int(self.line_ptr[-1])


class BatchingPolicy(Protocol):
    """Forms pick lists. Orders accumulate for `window_h` (0 = lists are formed as soon as orders arrive)."""

    @property
    def window_h(self) -> float:
        """How long orders are pooled before they are batched, in hours."""
        ...

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """Pick lists as arrays of line positions in the pool; every line exactly once."""
        ...


@dataclass(frozen=True)
class SingleOrder:
    """One pick list per order (discrete order picking)."""

    window_h: float = 0.0

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """Each order's lines."""
        return [np.arange(pool.line_ptr[k], pool.line_ptr[k + 1]) for k in range(len(pool.orders))]


@dataclass(frozen=True)
class TimeWindow:
    """Orders released within `window_min` are batched first come first served into lists of at most
    `max_orders` orders and `max_lines` lines (sorted into orders at packing)."""

    window_min: float = 30.0
    max_orders: int = 8
    max_lines: int = 40

    def __post_init__(self) -> None:
        if not self.window_min > 0 or self.max_orders < 1 or self.max_lines < 1:
            raise ValueError("window_min must be > 0, max_orders and max_lines >= 1")

    @property
    def window_h(self) -> float:
        """The accumulation window in hours."""
        return self.window_min / 60.0

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """First-come batches within the limits (an order is never split)."""
        lists: list[np.ndarray] = []
        start, orders = 0, 0
        for k in range(len(pool.orders)):
            size = pool.line_ptr[k + 1] - pool.line_ptr[start]
            if orders and (orders >= self.max_orders or size > self.max_lines):
                lists.append(np.arange(pool.line_ptr[start], pool.line_ptr[k]))
                start, orders = k, 0
            orders += 1
        if len(pool.orders):
            lists.append(np.arange(pool.line_ptr[start], pool.line_ptr[len(pool.orders)]))
        return lists


@dataclass(frozen=True)
class ZoneBatching:
    """Pick by zone: the lines of the orders released within `window_min` are grouped by the zone of their
    slot, in lists of at most `max_lines`; an order is complete when its last zone list is picked."""

    window_min: float = 0.0
    max_lines: int = 40

    def __post_init__(self) -> None:
        if self.window_min < 0 or self.max_lines < 1:
            raise ValueError("window_min must be >= 0 and max_lines >= 1")

    @property
    def window_h(self) -> float:
        """The accumulation window in hours."""
        return self.window_min / 60.0

    def pick_lists(self, pool: Pool) -> list[np.ndarray]:
        """Lines grouped by zone, in release order within a zone."""
        lists: list[np.ndarray] = []
        for zone in np.unique(pool.line_zone):
            lines = np.flatnonzero(pool.line_zone == zone)
            lists += [lines[i : i + self.max_lines] for i in range(0, len(lines), self.max_lines)]
        return lists


BATCHING: Registry[BatchingPolicy] = Registry("batching")
BATCHING.register("single_order", SingleOrder)
BATCHING.register("time_window", TimeWindow)
BATCHING.register("zone", ZoneBatching)


# --- wave release ---------------------------------------------------------------------------------------------
class WaveReleasePolicy(Protocol):
    """When orders released by customs and stock reach the floor."""

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """Simulated hours of the waves in [0, end_h) (None = continuously). `start_hour` is the clock hour
        of simulated hour 0."""
        ...


@dataclass(frozen=True)
class Continuous:
    """Every order goes to the floor as soon as it is released."""

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """Continuous: no waves."""
        return None


@dataclass(frozen=True)
class FixedInterval:
    """A wave every `interval_min`."""

    interval_min: float = 60.0

    def __post_init__(self) -> None:
        if not self.interval_min > 0:
            raise ValueError("interval_min must be > 0")

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """Every interval from the start."""
        step = self.interval_min / 60.0
        return list(np.arange(step, end_h, step))


@dataclass(frozen=True)
class ClockWaves:
    """Waves at the listed clock hours every day (e.g. ahead of carrier pickups)."""

    hours: Sequence[float] = (6.0, 10.0, 14.0, 18.0, 22.0)

    def __post_init__(self) -> None:
        if not self.hours or any(not 0 <= h < 24 for h in self.hours):
            raise ValueError(f"hours must be clock hours in [0, 24), got {list(self.hours)}")

    def wave_times_h(self, start_hour: float, end_h: float) -> list[float] | None:
        """The clock hours, day after day."""
        times = [day * 24.0 + h - start_hour for day in range(int(end_h // 24) + 2) for h in sorted(self.hours)]
        return [t for t in times if 0 < t < end_h]


WAVE_RELEASE: Registry[WaveReleasePolicy] = Registry("wave release")
WAVE_RELEASE.register("continuous", Continuous)
WAVE_RELEASE.register("fixed_interval", FixedInterval)
WAVE_RELEASE.register("clock", ClockWaves)


# --- docks ----------------------------------------------------------------------------------------------------
class DockPolicy(Protocol):
    """Books inbound trucks (when they leave for the warehouse) and says when an arriving truck may take a door."""

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """Appointment times of trucks expected at `expected_h` needing `duration_h` at a door, given the
        appointments already `booked` (start, end) and the number of `doors`."""
        ...

    def door_ready_h(self, arrival_h: float, appointment_h: float) -> float:
        """The earliest time the truck may start unloading (it then queues for a free door)."""
        ...


@dataclass(frozen=True)
class FirstComeFirstServed:
    """No appointments: trucks queue for a door in arrival order."""

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """The expected arrivals (nothing is planned)."""
        return list(expected_h)

    def door_ready_h(self, arrival_h: float, appointment_h: float) -> float:
        """At once."""
        return arrival_h


def _free_slot(
    start_h: float, duration_h: float, slot_h: float, doors: int, booked: list[tuple[float, float]]
) -> float:
    """The first slot start at or after `start_h` with a door free for `duration_h`."""
    t = float(np.floor(start_h / slot_h) * slot_h)
    while sum(1 for a, b in booked if a < t + duration_h and t < b) >= doors:
        t += slot_h
    return t


@dataclass(frozen=True)
class Appointments:
    """Trucks are booked into slots of `slot_h`: an early truck waits for its slot; one later than `grace_h`
    loses it and is rebooked into the first slot starting `rebook_after_h` after it arrives."""

    slot_h: float = 1.0
    grace_h: float = 0.5
    rebook_after_h: float = 2.0

    def __post_init__(self) -> None:
        if not self.slot_h > 0 or self.grace_h < 0 or self.rebook_after_h < 0:
            raise ValueError("slot_h must be > 0, grace_h and rebook_after_h >= 0")

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """Greedy, in order of expected arrival: the first slot with a free door."""
        taken = list(booked)
        out = [0.0] * len(expected_h)
        for k in sorted(range(len(expected_h)), key=lambda k: expected_h[k]):
            t = _free_slot(expected_h[k], duration_h[k], self.slot_h, doors, taken)
            taken.append((t, t + duration_h[k]))
            out[k] = t
        return out

    def door_ready_h(self, arrival_h: float, appointment_h: float) -> float:
        """The slot's start, or a later slot for a late truck."""
        slot = np.floor(appointment_h / self.slot_h) * self.slot_h
        if arrival_h <= slot + self.grace_h:
            return max(arrival_h, slot)
        return float(np.ceil((arrival_h + self.rebook_after_h) / self.slot_h) * self.slot_h)


@dataclass(frozen=True)
class OptimizedAppointments(Appointments):
    """Appointments planned by the dock-appointment optimizer (CP-SAT, `logistics.optimize.solve_docks`):
    the new trucks are scheduled on a grid of `slot_h` against the doors left by earlier bookings, minimising
    waiting and lateness; on one worker stopping after `deterministic_time` of CP-SAT work (reproducible, the
    wall-clock `time_limit_s` only a cap), falling back to the greedy booking for any truck it leaves
    unscheduled."""

    time_limit_s: float = 30.0
    deterministic_time: float = 2.0
    horizon_h: float = 48.0

    def book(
        self, now_h: float, expected_h: Sequence[float], duration_h: Sequence[float], doors: int,
        booked: Sequence[tuple[float, float]],
    ) -> list[float]:  # fmt: skip
        """The optimizer's plan for the new trucks; earlier bookings stay where they are."""
        from logistics.optimize.docks import DockDoor, DockParams, DockProblem, Truck, solve_docks

        slot = self.slot_h
        origin = float(np.floor(now_h / slot) * slot)
        horizon = int(np.ceil(self.horizon_h / slot))
        trucks = []
        for k, (a, b) in enumerate(x for x in booked if x[1] > origin):  # held: huge priority keeps them put
            start = max(0, round((a - origin) / slot))
            length = max(1, int(np.ceil((b - max(a, origin)) / slot)))
            if start + length <= horizon:
                trucks.append(Truck(f"held{k}", start, length, start + length, priority=1e4))
        for k, (e, d) in enumerate(zip(expected_h, duration_h, strict=True)):
            start = min(horizon - 1, max(0, int(np.ceil((e - origin) / slot - 1e-9))))
            trucks.append(Truck(f"new{k}", start, max(1, int(np.ceil(d / slot - 1e-9)))))
        problem = DockProblem(tuple(trucks), tuple(DockDoor(f"d{i}") for i in range(doors)), horizon, slot * 60.0)
        plan = solve_docks(
            problem, DockParams(time_limit_s=self.time_limit_s, workers=1, deterministic_time=self.deterministic_time)
        )
        start_of = {a.truck: a.start_slot for a in plan.appointments}
        greedy = Appointments.book(self, now_h, expected_h, duration_h, doors, booked)
        return [
            origin + start_of[f"new{k}"] * slot if f"new{k}" in start_of else greedy[k] for k in range(len(expected_h))
        ]


DOCKS: Registry[DockPolicy] = Registry("dock assignment")
DOCKS.register("fcfs", FirstComeFirstServed)
DOCKS.register("appointments", Appointments)
DOCKS.register("optimized", OptimizedAppointments)


# --- pick-face replenishment ----------------------------------------------------------------------------------
class FaceReplenishmentPolicy(Protocol):
    """Refilling a pick face from the reserve: how many units to bring now."""

    def refill_units(self, face_units: int, capacity_units: int) -> int:
        """Units to move to the face now (0 = no trip)."""
        ...


@dataclass(frozen=True)
class SmallSBigS:
    """(s, S): when the face holds `s` or fewer units (as a share of its capacity), bring it up to `S`."""

    s: float = 0.25
    S: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.s < self.S <= 1:
            raise ValueError(f"need 0 <= s < S <= 1 (shares of the face capacity), got s={self.s}, S={self.S}")

    def refill_units(self, face_units: int, capacity_units: int) -> int:
        """Up to S once at or below s."""
        if face_units > self.s * capacity_units:
            return 0
        return max(0, int(self.S * capacity_units) - face_units)


FACE_REPLENISHMENT: Registry[FaceReplenishmentPolicy] = Registry("pick-face replenishment")
FACE_REPLENISHMENT.register("s_S", SmallSBigS)


FLOOR_POLICIES: dict[str, Registry[Any]] = {
    "slotting": SLOTTING,
    "reslotting": RESLOTTING,
    "pick_routing": PICK_ROUTING,
    "batching": BATCHING,
    "wave_release": WAVE_RELEASE,
    "face_replenishment": FACE_REPLENISHMENT,
}
"""The warehouse floor's decisions by the field that chooses each (`warehouse.floor.<field>`)."""
