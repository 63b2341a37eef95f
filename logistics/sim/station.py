"""A multi-server FIFO station driven by SimPy event callbacks (no generator per job: this is the hot path).

Capacity follows the shift schedule. When it drops, jobs in service finish and no new ones start until a
server is free again (non-preemptive). Statistics are kept as time integrals updated at each change.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, MutableMapping, MutableSequence
from typing import TYPE_CHECKING

import numpy as np
import simpy

from logistics.sim.rota import Rota
from logistics.sim.simpy_access import event_value, now_of

if TYPE_CHECKING:
    from logistics.sim.monitor import TimeSeries

Column = MutableSequence[float] | MutableMapping[int, float] | np.ndarray
"""Where a station writes each job's start or end time (an order column, or a map by job)."""

__all__ = ["Column", "Station", "measure_window", "resource_rows", "watch_station"]


class Station:
    """Servers with a FIFO queue; `service_h(job)` gives the job's service time, `on_done(job)` is called
    when it ends. `started`/`finished` columns (indexed by job) receive the start and end times."""

    __slots__ = (
        "_last_t",
        "busy",
        "busy_area",
        "capacity",
        "capacity_area",
        "env",
        "finished",
        "marks",
        "name",
        "on_done",
        "over_area",
        "peak_queue",
        "queue",
        "queue_area",
        "rota",
        "schedule",
        "served",
        "service_h",
        "started",
    )

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        changes: list[tuple[float, int]] | Rota,
        service_h: Callable[[int], float],
        on_done: Callable[[int], None],
        started: Column | None = None,
        finished: Column | None = None,
        staffed: list[tuple[float, int]] | None = None,
    ) -> None:
        self.env = env
        self.name = name
        self.service_h = service_h
        self.on_done = on_done
        self.started = started
        self.finished = finished
        # (time_h, servers) breakpoints of the staff on shift, for staffed-hour costs (capacity can be lower:
        # outages stop work, not pay)
        self.rota: Rota | None = None
        self.capacity = 0
        self.busy = 0
        self.queue: deque[int] = deque()
        self.peak_queue = 0
        self.served = 0
        self.busy_area = 0.0
        self.capacity_area = 0.0
        self.queue_area = 0.0
        # server-hours busy beyond the staffed capacity: jobs finished after their shift ended (overtime)
        self.over_area = 0.0
        # (time_h, busy_area, capacity_area, queue_area, over_area) at the start and end of the measured window
        self.marks: list[tuple[float, float, float, float, float]] = []
        self._last_t = env.now
        if isinstance(changes, Rota):  # staffed shift by shift as the run goes: the schedule is written then
            self.rota, self.schedule = changes, []
            changes.station = self
            if changes.roster is None:  # the plan: staffed from the start (a roster staffs the built model)
                self.staff(0.0)
            env.process(self._follow_rota(changes))
            return
        self.schedule = list(staffed if staffed is not None else changes)
        if changes and changes[0][0] <= env.now:
            self.capacity = changes[0][1]
            changes = changes[1:]
        if changes:
            env.process(self._follow_shifts(changes))

    def _account(self) -> None:
        now = self.env.now
        dt = now - self._last_t
        if dt > 0.0:
            self.busy_area += self.busy * dt
            self.capacity_area += self.capacity * dt
            self.queue_area += len(self.queue) * dt
            if self.busy > self.capacity:
                self.over_area += (self.busy - self.capacity) * dt
            self._last_t = now

    def arrive(self, job: int) -> None:
        """A job joins the station now."""
        # the time integrals, as in `_account` (inlined: this and `_finish` are the model's hottest code)
        now = now_of(self.env)
        dt = now - self._last_t
        queue = self.queue
        if dt > 0.0:
            self.busy_area += self.busy * dt
            self.capacity_area += self.capacity * dt
            self.queue_area += len(queue) * dt
            if self.busy > self.capacity:
                self.over_area += (self.busy - self.capacity) * dt
            self._last_t = now
        if self.busy < self.capacity and not queue:
            self._start(job)
        else:
            queue.append(job)
            if len(queue) > self.peak_queue:
                self.peak_queue = len(queue)

    def _start(self, job: int) -> None:
        self.busy += 1
        env = self.env
        if self.started is not None:
            self.started[job] = now_of(env)
        env.timeout(self.service_h(job), job).callbacks.append(self._finish)

    def _finish(self, event: simpy.Event) -> None:
        now = now_of(self.env)
        dt = now - self._last_t
        queue = self.queue
        if dt > 0.0:
            self.busy_area += self.busy * dt
            self.capacity_area += self.capacity * dt
            self.queue_area += len(queue) * dt
            if self.busy > self.capacity:
                self.over_area += (self.busy - self.capacity) * dt
            self._last_t = now
        job: int = event_value(event)
        self.busy -= 1
        self.served += 1
        if self.finished is not None:
            self.finished[job] = now
        while queue and self.busy < self.capacity:
            self._start(queue.popleft())
        self.on_done(job)

    def _follow_shifts(self, changes: list[tuple[float, int]]):
        for t, level in changes:
            yield self.env.timeout(t - self.env.now)
            self._account()
            self.capacity = level
            while self.queue and self.busy < self.capacity:
                self._start(self.queue.popleft())

    def _follow_rota(self, rota: Rota):
        for t in rota.times[1:]:  # (the first is 0: staffed as the model is built)
            yield self.env.timeout(t - self.env.now)
            self.staff(t)

    def staff(self, t: float) -> None:
        """Take the rota's staff from `t` (now) on: the schedule notes it, the doors cap the servers at work."""
        assert self.rota is not None
        staffed = self.rota.advance(t)
        if not self.schedule or self.schedule[-1][1] != staffed:
            self.schedule.append((t, staffed))
        level = self.rota.capacity(staffed)
        if level != self.capacity:
            self._account()
            self.capacity = level
            while self.queue and self.busy < self.capacity:
                self._start(self.queue.popleft())

    @property
    def in_station(self) -> int:
        """Jobs waiting or in service now."""
        return len(self.queue) + self.busy

    def busy_h_so_far(self) -> float:
        """Server-hours spent serving since the start (integral of busy servers)."""
        self._account()
        return self.busy_area

    def staffed_h_so_far(self) -> float:
        """Server-hours staffed since the start (integral of capacity)."""
        self._account()
        return self.capacity_area

    def mark(self) -> None:
        """Record the time integrals now (the measured window's start or end)."""
        self._account()
        self.marks.append((self.env.now, self.busy_area, self.capacity_area, self.queue_area, self.over_area))

    def window(self) -> tuple[float, float, float, float, float]:
        """(hours, busy server-hours, staffed server-hours, queue job-hours, overtime server-hours) inside the
        measured window (see `measure_window`), or over the whole run so far when no window was marked."""
        self._account()
        if len(self.marks) >= 2:
            (t0, b0, c0, q0, o0), (t1, b1, c1, q1, o1) = self.marks[0], self.marks[1]
            return t1 - t0, b1 - b0, c1 - c0, q1 - q0, o1 - o0
        return self.env.now, self.busy_area, self.capacity_area, self.queue_area, self.over_area

    def close(self) -> None:
        """Bring the time integrals up to now (call once at the end of the run)."""
        self._account()


def measure_window(env: simpy.Environment, stations: list[Station], start_h: float, end_h: float) -> None:
    """Mark every station at `start_h` (the end of the warm-up) and at `end_h` (the end of the horizon, before
    the cool-down), so its utilisation and mean queue cover the measured window only."""

    def marker():
        yield env.timeout(max(0.0, start_h - env.now))
        for st in stations:
            st.mark()
        yield env.timeout(max(0.0, end_h - env.now))
        for st in stations:
            st.mark()

    env.process(marker())


def watch_station(series: TimeSeries, st: Station) -> None:
    """Sample a station's queue, busy servers, capacity and cumulative busy and staffed hours in `series`."""

    def queue() -> float:
        return len(st.queue)

    def busy() -> float:
        return st.busy

    def capacity() -> float:
        return st.capacity

    series.gauge(f"{st.name}.queue", queue)
    series.gauge(f"{st.name}.busy", busy)
    series.gauge(f"{st.name}.capacity", capacity)
    series.gauge(f"{st.name}.busy_h_cum", st.busy_h_so_far)
    series.gauge(f"{st.name}.staffed_h_cum", st.staffed_h_so_far)


def resource_rows(stations: list[Station], end_h: float) -> list[dict[str, object]]:
    """One row per station; each column says its window. Over the whole run (`_run`: what labour costs, the
    time integrals): jobs served, staffed and busy server-hours, overtime server-hours (busy after a shift ended,
    finishing a job) and queue job-hours, the peak queue. Inside the measured window (`window_start_h` to
    `window_end_h`: after the warm-up, before the cool-down, when it was marked by `measure_window`; else the
    whole run): utilisation (staffed hours worked / staffed hours; empty when nobody was staffed) and mean
    queue. The queue at the end of the run."""
    rows: list[dict[str, object]] = []
    for st in stations:
        hours, busy_h, staffed_h, queue_h, over_h = st.window()
        start_h = st.marks[0][0] if len(st.marks) >= 2 else 0.0
        rows.append(
            {
                "resource": st.name,
                "served": st.served,
                "staffed_h_run": st.capacity_area,
                "busy_h_run": st.busy_area,
                "queue_h_run": st.queue_area,
                "overtime_h_run": st.over_area,
                "window_start_h": start_h,
                "window_end_h": start_h + hours,
                # staffed hours worked: a job finished after its shift ended is overtime, not utilisation
                "utilisation": (busy_h - over_h) / staffed_h if staffed_h > 0 else np.nan,
                "mean_queue": queue_h / hours if hours > 0 else np.nan,
                "peak_queue": st.peak_queue,
                "queue_at_end": len(st.queue),
            }
        )
    return rows
