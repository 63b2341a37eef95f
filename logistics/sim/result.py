"""What one replication produced (`RunResult`) and the cost components every model reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from logistics.scenario.modes import MODES

__all__ = ["COST_COMPONENTS", "ProgressCallback", "RunResult", "order_table"]

COST_COMPONENTS = ("transport", "labour", "storage", "inspection", "packaging", "last_mile", "tax")

ProgressCallback = Callable[[float, float], None]


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class RunResult:
    """Everything one replication produced: the order tables, resource statistics, time series, costs.

    `orders` holds the orders served from a warehouse's stock (1210, 9810) and `flow_orders` the other flows'
    (read both through `order_table`, one table with a `mode` column); `consignments` every warehouse's stock
    containers (a `mode` column); `departures` one row per lane departure and `clearances` one row per
    checkpoint visit of every checkpoint."""

    scenario: str
    replication: int
    horizon_h: float
    end_h: float
    warmup_h: float
    dispatch_promise_h: float
    orders: pd.DataFrame
    resources: pd.DataFrame
    series: pd.DataFrame
    consignments: pd.DataFrame
    costs_cny: dict[str, float]
    counts: dict[str, int]
    stock: dict[str, float]
    wall_s: float = field(default=0.0, compare=False)
    modes: tuple[str, ...] = ("1210",)
    flow_orders: pd.DataFrame = field(default_factory=_empty, compare=False)
    departures: pd.DataFrame = field(default_factory=_empty, compare=False)
    clearances: pd.DataFrame = field(default_factory=_empty, compare=False)
    floor: dict[str, float] = field(default_factory=dict, compare=False)
    pick_lists: pd.DataFrame = field(default_factory=_empty, compare=False)
    waves: pd.DataFrame = field(default_factory=_empty, compare=False)  # last-mile dispatch waves
    routes: pd.DataFrame = field(default_factory=_empty, compare=False)  # last-mile routes driven
    route_stops: pd.DataFrame = field(default_factory=_empty, compare=False)  # their stops: planned vs driven
    optimizer_s: float = field(default=0.0, compare=False)  # wall time in dispatch optimizers (in wall_s too)
    start: datetime | None = field(default=None, compare=False)  # the calendar time of hour 0
    disruptions: tuple[tuple[str, float, float], ...] = field(default=(), compare=False)  # (label, start h, end h)
    # modes the run measured whose emission factor is tank-to-wheel only (no well-to-tank part)
    emissions_ttw_only: tuple[str, ...] = field(default=(), compare=False)


def order_table(result: RunResult) -> pd.DataFrame:
    """Every order of every customs mode in one table: `mode` first, then the columns every mode has
    (attributes, created/documents/dispatched/delivered/ended times, status, stage, end reason, costs), then
    each mode's own (the bonded warehouse's stage times, a flow's `done:<step>` times, rolls...), empty where a
    mode has no such column. One set of statuses and end reasons for every mode."""
    parts = []
    if len(result.orders):
        parts.append(result.orders.assign(mode=result.orders["mode"].astype(str)))
    if len(result.flow_orders):
        parts.append(result.flow_orders.assign(mode=result.flow_orders["mode"].astype(str)))
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()
    table["mode"] = pd.Categorical(table["mode"], [m for m in MODES if m in set(table["mode"])])
    for column in ("status", "end_reason", "stage", "flow", "zone", "goods", "trader"):
        if column in table and not isinstance(table[column].dtype, pd.CategoricalDtype):
            table[column] = table[column].astype("category")
    first = ["mode", *(c for c in ("flow", "order_id") if c in table)]
    return table[first + [c for c in table.columns if c not in first]]
