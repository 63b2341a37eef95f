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
        timezone: Europe/Berlin      # zone of timestamps written without an offset (default: run.timezone)
        day_first: true              # 09/11/2026 is 9 November (or date_format: "%d/%m/%Y %H:%M")

Timestamps with an offset (`2026-11-09T00:05:00Z`, `+01:00`) are converted into the run's zone; ISO dates
(`2026-11-09 00:05`) are read as such; dates like `09/11/2026` must be unambiguous (a day above 12 somewhere in
the column) or say `day_first` or `date_format`, otherwise the file is refused naming its rows.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import Field, field_validator, model_validator

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.base import ScenarioModel
from logistics.scenario.datafile import DataFile, read_table, require_columns
from logistics.scenario.run import known_zone

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HistoryColumns",
    "HistoryCoverage",
    "HistoryTable",
    "OrderHistory",
    "history_coverage",
    "history_hours",
    "read_history",
]


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
    timezone: str | None = Field(
        default=None,
        description="IANA time zone of timestamps written without an offset (default: the run's `timezone`).",
    )
    day_first: bool | None = Field(
        default=None, description="Dates like 09/11/2026 are day first (true) or month first (false)."
    )
    date_format: str | None = Field(
        default=None, description="strftime format of the time column (e.g. '%d/%m/%Y %H:%M'); overrides day_first."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else known_zone(value)

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
    order_id: np.ndarray | None = None  # per order: the file's order id
    customer_id: np.ndarray | None = None  # per order: the file's customer id (None: not mapped)
    utc: bool = False  # times are UTC instants (the file gave offsets), else wall-clock times of a zone

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
    return _read(str(path), stamp, history.sheet, history.columns, history.day_first, history.date_format)


_SLASHED = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})"


def _day_first(raw: pd.Series, rows: np.ndarray, name: str, column: str) -> bool | None:
    """Whether dates like 09/11/2026 in `raw` are day first: told by a day above 12 in either place; None when
    the column has no such dates; an error naming rows when it cannot be told or mixes both orders."""
    import pandas as pd  # here: loading a scenario does not need pandas

    parts = raw.astype(str).str.extract(_SLASHED)
    slashed = parts[0].notna().to_numpy()
    if not slashed.any():
        return None
    first = pd.to_numeric(parts[0], errors="coerce").to_numpy()
    second = pd.to_numeric(parts[1], errors="coerce").to_numpy()
    day_first, month_first = slashed & (first > 12), slashed & (second > 12)
    if day_first.any() and month_first.any():
        a, b = int(np.flatnonzero(day_first)[0]), int(np.flatnonzero(month_first)[0])
        raise ValueError(
            f"{name}, column {column}: dates mix day-first (row {rows[a]}: {raw.iloc[a]!r}) and month-first "
            f"(row {rows[b]}: {raw.iloc[b]!r}) order"
        )
    if day_first.any() or month_first.any():
        return bool(day_first.any())
    shown = ", ".join(f"row {rows[i]}: {raw.iloc[i]!r}" for i in np.flatnonzero(slashed)[:3])
    raise ValueError(
        f"{name}, column {column}: ambiguous dates ({shown}; {int(slashed.sum())} rows): no day is above 12, so "
        "09/11 could be 9 November or 11 September. Say which: demand.history.day_first (true or false) or "
        "demand.history.date_format (e.g. '%d/%m/%Y %H:%M')"
    )


def _parse_times(
    raw: pd.Series, rows: np.ndarray, name: str, column: str, day_first: bool | None, date_format: str | None
) -> tuple[pd.Series, bool]:
    """The time column as datetimes, and whether the file gave offsets (then they are UTC instants)."""
    import pandas as pd  # here: loading a scenario does not need pandas

    with warnings.catch_warnings():  # a planner's own format: pandas warns that it parses each cell alone
        warnings.simplefilter("ignore", UserWarning)
        if date_format is not None:
            parsed = pd.to_datetime(raw, format=date_format, errors="coerce", utc=False)
        else:
            iso = pd.to_datetime(raw, format="ISO8601", errors="coerce", utc=True)
            offset = raw.astype(str).str.contains(r"(?:Z|[+-]\d{2}:?\d{2})\s*$", regex=True)
            if iso.notna().all():
                if offset.any() and not offset.all():
                    i = int(np.flatnonzero(~offset.to_numpy())[0])
                    raise ValueError(
                        f"{name} row {rows[i]}, column {column}: some times have a UTC offset and this one has "
                        f"none ({raw.iloc[i]!r}); write every time the same way"
                    )
                if offset.all():
                    return iso, True
                return pd.to_datetime(raw, format="ISO8601", errors="coerce"), False
            if day_first is None:
                day_first = _day_first(raw, rows, name, column)
            parsed = pd.to_datetime(raw, errors="coerce", dayfirst=bool(day_first), format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        return parsed.dt.tz_convert("UTC"), True
    return parsed, False


@functools.lru_cache(maxsize=8)
def _read(
    path: str,
    stamp: int,
    sheet: str | None,
    columns: HistoryColumns,
    day_first: bool | None = None,
    date_format: str | None = None,
) -> HistoryTable:
    import pandas as pd  # here: loading a scenario does not need pandas

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
    utc = False
    if numeric is not None and numeric.notna().all():  # hours since the run's start
        time = numeric.to_numpy(dtype=float)
        bad("time", ~np.isfinite(time) | (np.abs(time) > 1e6), "must be a date-time or hours since the start")
    elif pd.api.types.is_datetime64_any_dtype(raw_time):  # a spreadsheet's own dates
        parsed = raw_time
        utc = getattr(parsed.dt, "tz", None) is not None
        if utc:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        time = parsed.to_numpy(dtype="datetime64[ns]")
    else:
        parsed, utc = _parse_times(raw_time, rows, name, mapping["time"], day_first, date_format)
        bad("time", parsed.isna().to_numpy(), "is not a date-time (e.g. 2026-11-11 20:15:00)")
        if utc:
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
        order_id=order_code[by_time],
        customer_id=per_order(customer) if "customer" in mapping else None,
        utc=utc,
    )


def history_error(history: OrderHistory, message: str) -> ScenarioError:
    """An error about a history's content found when the run is built (an unknown SKU or zone)."""
    return ScenarioError([ScenarioIssue(("demand", "history", "file"), message)])


def history_hours(table: HistoryTable, history: OrderHistory, start: datetime, run_timezone: str) -> np.ndarray:
    """Each order's time in hours since the run's `start` (a wall-clock time in `run_timezone`), after the
    history's `shift_h`. UTC instants (the file gave offsets) and times of another zone (`history.timezone`) are
    converted as instants; times in the run's own zone are counted on the wall clock, as the calendar is."""
    import pandas as pd  # here: loading a scenario does not need pandas

    if table.times_are_hours:
        return table.time.astype(float) + history.shift_h
    zone = history.timezone or run_timezone
    if not table.utc and zone == run_timezone:
        return (table.time - np.datetime64(start)) / np.timedelta64(1, "h") + history.shift_h
    times = pd.DatetimeIndex(table.time)
    if table.utc:
        instants = times.tz_localize("UTC")
    else:
        instants = times.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
        if instants.isna().any():  # a wall-clock time that occurs twice (clocks going back): the first one
            instants = times.tz_localize(zone, ambiguous=np.ones(len(times), dtype=bool), nonexistent="shift_forward")
    origin = pd.Timestamp(start).tz_localize(ZoneInfo(run_timezone)).tz_convert("UTC")
    return (instants.tz_convert("UTC") - origin) / pd.Timedelta(hours=1) + history.shift_h


@dataclass(frozen=True)
class HistoryCoverage:
    """How many of a history's orders fall inside the run's horizon, before it and after it (for a flow's mode
    when the history has a mode column), with the first and last time of the file in the run's hours."""

    source: str
    orders: int
    inside: int
    before: int
    after: int
    first_h: float
    last_h: float

    def describe(self) -> str:
        """One line for `validate`, the run's log and run.json readers."""
        outside = self.before + self.after
        text = f"{self.source}: {self.inside:,} of {self.orders:,} orders inside the horizon"
        if outside:
            text += f"; {outside:,} outside and not replayed ({self.before:,} before the start, {self.after:,} after)"
        return text


def history_coverage(
    history: OrderHistory, start: datetime, horizon_h: float, run_timezone: str, mode: str | None = None
) -> HistoryCoverage:
    """Count a history's orders inside `[0, horizon_h)` of the run and outside it (what the replay drops)."""
    table = read_history(history)
    hours = np.asarray(history_hours(table, history, start, run_timezone), dtype=float)
    if mode is not None and table.mode is not None:
        hours = hours[table.mode == mode]
    inside = int(((hours >= 0) & (hours < horizon_h)).sum())
    before, after = int((hours < 0).sum()), int((hours >= horizon_h).sum())
    first = float(hours.min()) if len(hours) else float("nan")
    last = float(hours.max()) if len(hours) else float("nan")
    return HistoryCoverage(table.source, len(hours), inside, before, after, first, last)
