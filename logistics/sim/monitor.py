"""Columnar records of a run: one array per order attribute (no Python object per order or event), and
time series of every resource sampled at a fixed interval."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

__all__ = ["ORDER_TIMESTAMPS", "OrderColumns", "TimeSeries"]

ORDER_TIMESTAMPS = (
    "created_h",  # order placed
    "stock_h",  # every line reserved (at once, or when a backorder was filled)
    "documents_h",  # order, payment and waybill matched; declaration released by customs
    "released_h",  # both of the above: released to the warehouse floor
    "pick_start_h",
    "pick_end_h",
    "pack_start_h",
    "pack_end_h",
    "xray_start_h",
    "xray_end_h",
    "inspection_start_h",
    "inspection_end_h",
    "cleared_h",  # left the second-line checkpoint, waiting for the carrier
    "dispatched_h",  # handed to the last-mile carrier
    "delivered_h",
    "ended_h",  # left the flow for a reason other than delivery (see end_reason)
)

END_REASONS = ("", "over_limit", "returned", "destroyed", "delivery_failed")
"""Why an order left its flow without being delivered, for every customs mode (the `end_reason` column): refused
over the tax-free limits, returned or destroyed at a checkpoint (a failed inspection returns the goods), or
returned to the sender after the last delivery attempt failed. "" is still moving or delivered."""


class OrderColumns:
    """Per-order timestamps (NaN = not reached) and facts, as numpy arrays of length `n`."""

    created_h: np.ndarray
    stock_h: np.ndarray
    documents_h: np.ndarray
    released_h: np.ndarray
    pick_start_h: np.ndarray
    pick_end_h: np.ndarray
    pack_start_h: np.ndarray
    pack_end_h: np.ndarray
    xray_start_h: np.ndarray
    xray_end_h: np.ndarray
    inspection_start_h: np.ndarray
    inspection_end_h: np.ndarray
    cleared_h: np.ndarray
    dispatched_h: np.ndarray
    delivered_h: np.ndarray
    ended_h: np.ndarray

    def __init__(self, n: int) -> None:
        self.n = n
        for name in ORDER_TIMESTAMPS:
            setattr(self, name, np.full(n, np.nan))
        self.end_reason = np.zeros(n, dtype=np.int8)  # index into END_REASONS

    def timestamps(self) -> dict[str, np.ndarray]:
        """The timestamp columns by name."""
        return {name: getattr(self, name) for name in ORDER_TIMESTAMPS}


class TimeSeries:
    """Samples named gauges every `interval_h` from 0 to `end_h` inclusive (for queue and load plots)."""

    def __init__(self, env: simpy.Environment, interval_h: float, end_h: float) -> None:
        self.env = env
        self.interval_h = interval_h
        self.n = int(np.floor(end_h / interval_h)) + 1
        self.time_h = np.arange(self.n) * interval_h
        self._gauges: dict[str, Callable[[], float]] = {}
        self.values: dict[str, np.ndarray] = {}
        self._k = 0

    def gauge(self, name: str, read: Callable[[], float]) -> None:
        """Record `read()` under `name` at each sample time."""
        self._gauges[name] = read
        self.values[name] = np.full(self.n, np.nan)

    def start(self) -> None:
        """Begin sampling (call after every gauge is registered)."""
        self.env.process(self._sample())

    def _sample(self):
        for k in range(self.n):
            delay = self.time_h[k] - self.env.now
            if delay > 0:
                yield self.env.timeout(delay)
            for name, read in self._gauges.items():
                self.values[name][k] = read()
            self._k = k + 1

    def finish(self) -> None:
        """Take the samples due by now that the run stopped before (the one at `end_h` itself: SimPy stops
        before the events of its end time), so the table ends with a full row."""
        for k in range(self._k, self.n):
            if self.time_h[k] > self.env.now + 1e-9:
                break
            for name, read in self._gauges.items():
                self.values[name][k] = read()
            self._k = k + 1
