"""Promises kept, broken or still open: the one censoring rule of every on-time KPI.

A run stops at `end_h` with orders still in the system. An order whose promise has not yet expired at the end is
neither on time nor late: it is *not yet due* (right-censored), and it is left out of the rate. Every other order
of the population is *resolved*:

- **on time**: the event (dispatch, delivery) happened by `end_h`, within the promise;
- **late**: the event happened after the promise, or the promise expired at or before `end_h` without the event;
- **failed**: the order ended without the event (returned or destroyed at a checkpoint, delivery failed): it
  will never be on time, whenever the run stops.

Rate = on time / (on time + late + failed). The population is the caller's (orders created after the warm-up,
not refused over the tax-free limits, everywhere in the KPI tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["OUTCOMES", "PromiseCounts", "promise_counts", "promise_outcomes", "promised"]

OUTCOMES = ("on_time", "late", "failed", "not_yet_due")
"""The outcome of a promise at the end of a run, in the order the KPI tables list them."""


def promised(orders: pd.DataFrame, warmup_h: float) -> pd.DataFrame:
    """The population of every on-time KPI: the orders created after the warm-up, less those refused over the
    tax-free limits."""
    return orders[(orders["created_h"] >= warmup_h) & (orders["end_reason"] != "over_limit")]


def promise_outcomes(
    created_h: np.ndarray, event_h: np.ndarray, promise_h: np.ndarray | float, ended: np.ndarray, end_h: float
) -> np.ndarray:
    """The outcome of each order's promise at `end_h` (an array of OUTCOMES names).

    `event_h` is when the promised event happened (NaN if never), `promise_h` the hours allowed after
    `created_h`, `ended` whether the order left the system without the event."""
    created = np.asarray(created_h, dtype=float)
    event = np.asarray(event_h, dtype=float)
    deadline = created + np.asarray(promise_h, dtype=float)
    done = event <= end_h  # NaN compares False
    on_time = done & (event <= deadline)
    expired = deadline <= end_h
    failed = ~done & np.asarray(ended, dtype=bool)
    late = (done & ~on_time) | (~done & ~failed & expired)
    out = np.full(created.shape, "not_yet_due", dtype=object)
    out[on_time] = "on_time"
    out[late] = "late"
    out[failed] = "failed"
    return out


@dataclass(frozen=True)
class PromiseCounts:
    """Orders by promise outcome, and the on-time rate over the resolved ones (NaN when none is resolved)."""

    on_time: int
    late: int
    failed: int
    not_yet_due: int

    @property
    def resolved(self) -> int:
        """Orders whose outcome is known at the end of the run: the rate's denominator."""
        return self.on_time + self.late + self.failed

    @property
    def rate(self) -> float:
        """Share on time among the resolved orders."""
        return self.on_time / self.resolved if self.resolved else float("nan")

    def rows(self, prefix: str) -> list[tuple[str, float, str]]:
        """KPI rows `<prefix>.on_time`, `.late`, `.failed`, `.not_yet_due` and `.resolved` (orders)."""
        counts = {name: getattr(self, name) for name in OUTCOMES}
        return [(f"{prefix}.{name}", float(n), "orders") for name, n in {**counts, "resolved": self.resolved}.items()]


def promise_counts(
    orders: pd.DataFrame, event: str, promise_h: float | str, end_h: float, ended: np.ndarray | None = None
) -> PromiseCounts:
    """Count the outcomes of `orders` for the promised `event` column (`dispatched_h`, `delivered_h`) against a
    promise in hours (a number, or the name of a column such as `delivery_promise_h`). An order ended without the
    event is one with a non-empty `end_reason` (or the `ended` mask given)."""
    if not len(orders):
        return PromiseCounts(0, 0, 0, 0)
    promise = orders[promise_h].to_numpy(dtype=float) if isinstance(promise_h, str) else float(promise_h)
    if ended is None:
        ended = (orders["end_reason"].astype(str) != "").to_numpy()
    outcome = promise_outcomes(orders["created_h"].to_numpy(), orders[event].to_numpy(), promise, ended, end_h)
    n = {name: int((outcome == name).sum()) for name in OUTCOMES}
    return PromiseCounts(**n)
