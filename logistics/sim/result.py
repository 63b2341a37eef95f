"""What one replication produced (`RunResult`) and the cost components every model reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["COST_COMPONENTS", "ProgressCallback", "RunResult"]

COST_COMPONENTS = ("transport", "labour", "storage", "inspection", "packaging", "last_mile", "tax")

ProgressCallback = Callable[[float, float], None]


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass(frozen=True)
class RunResult:
    """Everything one replication produced: the order table, resource statistics, time series, costs.

    `orders` holds the bonded-import (1210) orders; the cross-border flows (9610, 9710, 9810) have their own
    tables: `flow_orders` (one row per order), `flow_consignments` (9810 bulk containers), `departures`
    (one row per lane departure) and `clearances` (one row per checkpoint visit)."""

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
    flow_consignments: pd.DataFrame = field(default_factory=_empty, compare=False)
    departures: pd.DataFrame = field(default_factory=_empty, compare=False)
    clearances: pd.DataFrame = field(default_factory=_empty, compare=False)
    floor: dict[str, float] = field(default_factory=dict, compare=False)
    pick_lists: pd.DataFrame = field(default_factory=_empty, compare=False)
    waves: pd.DataFrame = field(default_factory=_empty, compare=False)  # last-mile dispatch waves
    routes: pd.DataFrame = field(default_factory=_empty, compare=False)  # last-mile routes driven
    optimizer_s: float = field(default=0.0, compare=False)  # wall time in dispatch optimizers (in wall_s too)
    routed_zones: tuple[str, ...] = ()  # last-mile zones delivered on routed waves
