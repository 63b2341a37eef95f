"""The consumer orders of a run, generated up front as columns (a non-homogeneous Poisson process).

The rate is piecewise constant by simulated hour: `orders_per_day / 24 x hour profile x weekday profile x
peak multiplier`, each profile normalised to mean 1. Hour k gets Poisson(rate_k) orders at uniform times.
Lines draw SKUs from a Zipf law; repeated SKUs within one order are merged into one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.demand import Demand
from logistics.scenario.disruptions import DemandSurge
from logistics.scenario.history import HistoryTable, OrderHistory, history_hours, read_history
from logistics.sim.catalog import SkuTable


@dataclass(frozen=True)
class OrderBook:
    """All orders of a run in creation order; lines in CSR form (`line_start[i]:line_start[i+1]`)."""

    created_h: np.ndarray
    customer: np.ndarray
    line_start: np.ndarray
    line_sku: np.ndarray
    line_units: np.ndarray

    def __len__(self) -> int:
        return len(self.created_h)

    @classmethod
    def empty(cls) -> OrderBook:
        """A book without orders."""
        none = np.zeros(0, dtype=np.int64)
        return cls(np.zeros(0), none, np.zeros(1, dtype=np.int64), none, none)

    @property
    def n_lines(self) -> np.ndarray:
        """Lines per order."""
        return np.diff(self.line_start)

    @property
    def first_line_sku(self) -> np.ndarray:
        """The SKU of each order's first line (what customs reads an order's goods as)."""
        if not len(self.line_sku):
            return np.zeros(len(self), dtype=np.int64)
        return self.line_sku[np.minimum(self.line_start[:-1], len(self.line_sku) - 1)]

    def line_value_cny(self, skus: SkuTable) -> np.ndarray:
        """The goods value of each line (units x the SKU's value)."""
        return self.line_units * skus.value_cny[self.line_sku]

    def totals(self, skus: SkuTable) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each order's goods value (CNY), weight (kg), volume (m3) and units, summed over its lines."""
        units = self.line_units
        return (
            self.per_order(self.line_value_cny(skus)),
            self.per_order(units * skus.weight_kg[self.line_sku]),
            self.per_order(units * skus.volume_m3[self.line_sku]),
            self.per_order(units.astype(float)).astype(np.int64),
        )

    def per_order(self, per_line: np.ndarray) -> np.ndarray:
        """Sum a per-line quantity over each order's lines."""
        sums = np.zeros(len(self), dtype=float)
        if len(per_line):
            nonempty = self.line_start[:-1] < self.line_start[1:]
            sums[nonempty] = np.add.reduceat(per_line, self.line_start[:-1][nonempty])
        return sums


def hourly_rate(demand: Demand, start: datetime, horizon_h: float) -> np.ndarray:
    """Expected orders in each simulated hour [k, k+1) of the horizon (the last one pro rata)."""
    n_bins = int(np.ceil(horizon_h))
    hod = np.asarray(demand.hour_of_day, dtype=float)
    dow = np.asarray(demand.day_of_week, dtype=float)
    hod = hod / hod.mean()
    dow = dow / dow.mean()
    peaks = {p.date: p.multiplier for p in demand.peak_days}
    rate = np.empty(n_bins)
    base = demand.orders_per_day / 24.0
    for k in range(n_bins):
        moment = start + timedelta(hours=k + 0.5)
        rate[k] = base * hod[moment.hour] * dow[moment.weekday()] * peaks.get(moment.date(), 1.0)
    rate[-1] *= horizon_h - (n_bins - 1)
    return rate


def zipf_probabilities(n_skus: int, exponent: float) -> np.ndarray:
    """P(SKU of rank r) proportional to r^-exponent, r = 1..n."""
    weights = np.arange(1, n_skus + 1, dtype=float) ** -exponent
    return weights / weights.sum()


def generate_orders(
    demand: Demand,
    skus: SkuTable,
    start: datetime,
    horizon_h: float,
    rng: np.random.Generator,
    surges: Sequence[DemandSurge] = (),
) -> OrderBook:
    """Draw every order of the horizon (times, customers and lines) from `rng`; `surges` multiply the rate of
    the hours they cover (by the hour's midpoint)."""
    rate = hourly_rate(demand, start, horizon_h)
    for surge in surges:
        mid = np.arange(len(rate)) + 0.5
        rate = np.where((mid >= surge.start_h) & (mid < surge.end_h), rate * surge.multiplier, rate)
    counts = rng.poisson(rate)
    n = int(counts.sum())
    hour = np.repeat(np.arange(len(rate), dtype=float), counts)
    width = np.minimum(1.0, horizon_h - hour)
    created = np.sort(hour + rng.random(n) * width)
    customer = rng.integers(0, demand.customers, size=n)

    n_skus = len(skus)
    lines = np.clip(np.rint(demand.lines_per_order.sample(rng, n)), 1, n_skus).astype(np.int64)
    total = int(lines.sum())
    order_of_line = np.repeat(np.arange(n, dtype=np.int64), lines)
    sku = rng.choice(n_skus, size=total, p=zipf_probabilities(n_skus, demand.popularity.exponent))
    units = np.maximum(1, np.rint(demand.units_per_line.sample(rng, total))).astype(np.int64)

    # Merge repeated SKUs of an order: one line per (order, SKU), units added up.
    key = order_of_line * n_skus + sku
    uniq, inverse = np.unique(key, return_inverse=True)
    merged_units = np.bincount(inverse, weights=units).astype(np.int64)
    merged_order = uniq // n_skus
    merged_sku = uniq % n_skus
    line_start = np.searchsorted(merged_order, np.arange(n + 1))
    return OrderBook(
        created_h=created,
        customer=customer,
        line_start=line_start.astype(np.int64),
        line_sku=merged_sku.astype(np.int64),
        line_units=merged_units,
    )


def forecast_units_per_day(demand: Demand, skus: SkuTable) -> np.ndarray:
    """Expected units per SKU on a normal day (what replenishment plans with; no knowledge of peaks). With an
    order history: its units per SKU over the days it spans."""
    if demand.history is not None:
        table = read_history(demand.history)
        sold = np.bincount(_sku_index(table, skus), weights=table.quantity, minlength=len(skus))
        span = table.time.max() - table.time.min()
        days = float(span / np.timedelta64(1, "D")) if not table.times_are_hours else float(span) / 24.0
        return np.asarray(sold / max(1.0, days), dtype=float)
    lines = max(1.0, demand.lines_per_order.mean)
    units = max(1.0, demand.units_per_line.mean)
    return demand.orders_per_day * lines * units * zipf_probabilities(len(skus), demand.popularity.exponent)


@dataclass(frozen=True)
class Replayed:
    """Orders replayed from a history: the book, and what the history gives per order (None: not given)."""

    book: OrderBook
    zone: np.ndarray | None  # zone names
    value_cny: np.ndarray | None
    trader: np.ndarray | None  # trader ids
    source_order_id: np.ndarray | None = None  # the file's order id ("id#2" for a scale copy)
    source_customer_id: np.ndarray | None = None  # the file's customer id (None: no customer column)


def _sku_index(table: HistoryTable, skus: SkuTable) -> np.ndarray:
    """Each line's SKU as an index into `skus`; an id the catalog does not have is an error naming the row."""
    index = pd.Index(skus.ids).get_indexer(table.sku).astype(np.int64)  # -1: not in the catalog
    if (index < 0).any():
        first = int(np.flatnonzero(index < 0)[0])
        raise ScenarioError(
            [
                ScenarioIssue(
                    ("demand", "history", "file"),
                    f"{table.source} row {table.rows[first]}: SKU {table.sku[first]!r} is not in the catalog "
                    f"({int((index < 0).sum())} line(s) with unknown SKUs; the catalog's ids look like "
                    f"{', '.join(skus.ids[:3])})",
                )
            ]
        )
    return index


def replay_orders(
    history: OrderHistory,
    skus: SkuTable,
    start: datetime,
    horizon_h: float,
    rng: np.random.Generator,
    mode: str | None = None,
    surges: Sequence[DemandSurge] = (),
    timezone: str = "Asia/Shanghai",
) -> Replayed:
    """The history's orders within the horizon (after `shift_h`), of `mode` when the history has a mode column,
    thinned (`scale` < 1: each order kept with that chance) or repeated (`scale` > 1: each order plus copies,
    floor(scale) - 1 and one more with the fraction's chance; a copy is a new customer's order at a random time
    in the same hour). A demand surge scales the orders inside its window the same way (its multiplier times
    `scale`). With `scale` 1 and no surge the book is exactly the file's orders, in time order, repeated SKUs of
    an order merged into one line."""
    table = read_history(history)
    sku_of_line = _sku_index(table, skus)
    hours = np.asarray(history_hours(table, history, start, timezone), dtype=float)
    keep = (hours >= 0) & (hours < horizon_h)
    if mode is not None and table.mode is not None:
        keep &= table.mode == mode
    copies = keep.astype(np.int64)
    factor = np.full(len(keep), history.scale)
    for surge in surges:
        factor[(hours >= surge.start_h) & (hours < surge.end_h)] *= surge.multiplier
    if (factor != 1.0).any():
        whole = np.floor(factor)
        copies = np.where(keep, whole.astype(np.int64) + (rng.random(len(keep)) < factor - whole), 0)
    order_ids = np.repeat(np.arange(len(copies)), copies)  # each kept order, then its copies
    copy_no = np.arange(len(order_ids)) - np.repeat(np.cumsum(copies) - copies, copies)
    created = hours[order_ids]
    is_copy = copy_no > 0
    created[is_copy] = np.minimum(np.floor(created[is_copy]) + rng.random(int(is_copy.sum())), horizon_h - 1e-9)
    customer = table.customer[order_ids] + copy_no * (int(table.customer.max()) + 1)
    order = np.argsort(created, kind="stable")
    order_ids, created, customer, copy_no = order_ids[order], created[order], customer[order], copy_no[order]
    # lines: each order's lines (the history's, for every copy), repeated SKUs merged
    starts = np.searchsorted(table.order, np.arange(len(copies) + 1))
    counts = starts[order_ids + 1] - starts[order_ids]
    new_order = np.repeat(np.arange(len(order_ids)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    line = np.repeat(starts[order_ids], counts) + offset
    n_skus = max(1, len(skus))
    key = new_order * n_skus + sku_of_line[line]
    uniq, inverse = np.unique(key, return_inverse=True)
    units = np.bincount(inverse, weights=table.quantity[line], minlength=len(uniq)).astype(np.int64)
    merged_order = uniq // n_skus
    book = OrderBook(
        created_h=created,
        customer=customer.astype(np.int64),
        line_start=np.searchsorted(merged_order, np.arange(len(order_ids) + 1)).astype(np.int64),
        line_sku=(uniq % n_skus).astype(np.int64),
        line_units=units,
    )

    def pick(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[order_ids]

    ids = pick(table.order_id)
    if ids is not None and (copy_no > 0).any():  # a copy keeps its source order's id with the copy's number
        ids = np.where(copy_no > 0, np.char.add(np.char.add(ids.astype(str), "#"), (copy_no + 1).astype(str)), ids)
    customers = pick(table.customer_id)
    if customers is not None and (copy_no > 0).any():  # a copy is another customer's order
        customers = np.where(
            copy_no > 0, np.char.add(np.char.add(customers.astype(str), "#"), (copy_no + 1).astype(str)), customers
        )
    return Replayed(book, pick(table.zone), pick(table.value), pick(table.trader), ids, customers)
