"""A planner's own order history as a scenario's demand: read from CSV, Parquet or Excel with a column mapping,
checked row by row (every bad row named by file, row and column), and replayed as is, shifted in time or
scaled (the replay itself is in `logistics.sim.demand`).

    demand:
      orders_per_day: 12000          # still the forecast replenishment plans with
      history:
        file: orders.parquet         # relative to the scenario file; `builtin:NAME` for a shipped history
        columns: {order_id: id, time: created_at, sku: sku, quantity: qty, customer: buyer}
        shift_h: 0                   # move every order this many hours
        scale: 1.0                   # < 1 keeps each order with that probability; > 1 adds copies (seeded)
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.base import ScenarioModel
from logistics.scenario.datafile import DataFile, read_table, require_columns

__all__ = ["HistoryColumns", "HistoryTable", "OrderHistory", "read_history"]


class HistoryColumns(ScenarioModel):
    """Which column of the file holds what (the file's names; optional ones may be null)."""

    order_id: str = "order_id"
    time: str = Field(default="time", description="A date-time, or hours since the run's start.")
    sku: str = Field(default="sku", description="SKU id, as in the catalog.")
    quantity: str = "quantity"
    customer: str | None = Field(default="customer", description="Any id; the same id is the same customer.")
    zone: str | None = Field(default=None, description="Last-mile zone name (else drawn from the zone shares).")
    value: str | None = Field(
        default=None, description="The line's goods value (CNY), summed per order (else the SKUs')."
    )
    trader: str | None = Field(default=None, description="Declaring trader id (else drawn from the flow's shares).")
    mode: str | None = Field(default=None, description="Customs mode (1210, 9610 ...): a flow replays its own rows.")


class OrderHistory(DataFile):
    """Orders replayed from a file instead of drawn: one row per order line."""

    columns: HistoryColumns = Field(default_factory=HistoryColumns)
    shift_h: float = Field(default=0.0, description="Hours added to every order's time.")
    scale: float = Field(
        default=1.0, gt=0, le=100, description="< 1 keeps each order with that chance; > 1 adds copies."
    )

    @model_validator(mode="after")
    def _readable(self) -> OrderHistory:
        read_history(self)  # every row checked now (validate), not when the run starts
        return self


@dataclass(frozen=True)
class HistoryTable:
    """The rows of a history, sorted by time then order: per line `order` (an index into the orders), `sku`
    (ids), `quantity`; per order `time` (datetime64 or hours), `customer` (codes), and the optional `zone`,
    `value`, `trader`, `mode` (None when the mapping names no column)."""

    source: str
    order: np.ndarray
    sku: np.ndarray
    quantity: np.ndarray
    time: np.ndarray
    customer: np.ndarray
    zone: np.ndarray | None
    value: np.ndarray | None
    trader: np.ndarray | None
    mode: np.ndarray | None
    rows: np.ndarray  # each line's row number in the file (header = row 1)

    @property
    def times_are_hours(self) -> bool:
        return not np.issubdtype(self.time.dtype, np.datetime64)


def read_history(history: OrderHistory) -> HistoryTable:
    """The history's rows, checked (cached by file, its modification time and the mapping)."""
    path = history.path
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise ValueError(f"{path}: file not found") from None
    return _read(str(path), stamp, history.sheet, history.columns)


@functools.lru_cache(maxsize=8)
def _read(path: str, stamp: int, sheet: str | None, columns: HistoryColumns) -> HistoryTable:
    table = read_table(Path(path), sheet)
    name = Path(path).name
    mapping = {k: v for k, v in columns.model_dump().items() if v is not None}
    require_columns(table, mapping, name)
    if not len(table):
        raise ValueError(f"{name}: no rows")
    rows = np.arange(2, len(table) + 2)

    def bad(column: str, mask: np.ndarray, what: str) -> None:
        if mask.any():
            first = int(np.flatnonzero(mask)[0])
            value = table[mapping[column]].iloc[first]
            more = f" (and {int(mask.sum()) - 1} more rows)" if mask.sum() > 1 else ""
            raise ValueError(f"{name} row {rows[first]}, column {mapping[column]}: {what}, got {value!r}{more}")

    def text(column: str) -> np.ndarray:
        values = table[mapping[column]]
        out = values.astype(str).str.strip().to_numpy()
        bad(column, values.isna().to_numpy() | (out == "") | (out == "nan"), "is empty")
        return out

    order = text("order_id")
    sku = text("sku")
    quantity = pd.to_numeric(table[mapping["quantity"]], errors="coerce").to_numpy(dtype=float)
    bad("quantity", ~np.isfinite(quantity) | (quantity < 1) | (quantity != np.round(quantity)) | (quantity > 1e6),
        "must be a whole number from 1 to 1,000,000")  # fmt: skip
    raw_time = table[mapping["time"]]
    numeric = None if pd.api.types.is_datetime64_any_dtype(raw_time) else pd.to_numeric(raw_time, errors="coerce")
    if numeric is not None and numeric.notna().all():  # hours since the run's start
        time = numeric.to_numpy(dtype=float)
        bad("time", ~np.isfinite(time) | (np.abs(time) > 1e6), "must be a date-time or hours since the start")
    else:
        with warnings.catch_warnings():  # a planner's own format: pandas warns that it parses each cell alone
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(raw_time, errors="coerce")
        bad("time", parsed.isna().to_numpy(), "is not a date-time (e.g. 2026-11-11 20:15:00)")
        if parsed.dt.tz is not None:
            parsed = parsed.dt.tz_localize(None)
        time = parsed.to_numpy(dtype="datetime64[ns]")
    customer = text("customer") if "customer" in mapping else order
    optional: dict[str, np.ndarray | None] = {k: None for k in ("zone", "trader", "mode")}
    for key in optional:
        if key in mapping:
            optional[key] = text(key)
    value = None
    if "value" in mapping:
        value = pd.to_numeric(table[mapping["value"]], errors="coerce").to_numpy(dtype=float)
        bad("value", ~np.isfinite(value) | (value < 0) | (value > 1e9), "must be a number from 0 to 1e9")
    # one order, one time (its first row's), in time order
    order_code, order_index = np.unique(order, return_inverse=True)
    first = np.full(len(order_code), len(order), dtype=np.int64)
    np.minimum.at(first, order_index, np.arange(len(order)))
    order_time = time[first]
    by_time = np.lexsort((first, order_time))  # orders by time, then by first appearance
    rank = np.empty(len(by_time), dtype=np.int64)
    rank[by_time] = np.arange(len(by_time))
    line_order = rank[order_index]
    lines = np.lexsort((np.arange(len(order)), line_order))
    _, customer_code = np.unique(customer[first[by_time]], return_inverse=True)

    def per_order(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[first[by_time]]

    return HistoryTable(
        source=name,
        order=line_order[lines],
        sku=sku[lines],
        quantity=quantity[lines].astype(np.int64),
        time=order_time[by_time],
        customer=customer_code.astype(np.int64),
        zone=per_order(optional["zone"]),
        value=None if value is None else np.bincount(order_index, weights=value, minlength=len(first))[by_time],
        trader=per_order(optional["trader"]),
        mode=per_order(optional["mode"]),
        rows=rows[lines],
    )


def history_error(history: OrderHistory, message: str) -> ScenarioError:
    """An error about a history's content found when the run is built (an unknown SKU or zone)."""
    return ScenarioError([ScenarioIssue(("demand", "history", "file"), message)])
