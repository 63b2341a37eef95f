"""Where every order is at the end of a run, derived from its timestamps and checked against the live state
of the model: created = delivered + in the system (by stage) + ended with a reason."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistics.core.errors import AccountingError
from logistics.sim.monitor import OrderColumns

STAGES = (
    "awaiting_stock",
    "awaiting_documents",
    "pick",
    "pack",
    "second_line_checkpoint",
    "outbound",
    "last_mile",
)


@dataclass(frozen=True)
class OrderStatus:
    """Per order: status ('delivered', 'in_system', 'ended') and, while in the system, the stage."""

    status: np.ndarray
    stage: np.ndarray
    counts: dict[str, int]


def order_status(orders: OrderColumns, end_h: float) -> OrderStatus:
    """Classify every order at time `end_h` from its timestamps alone."""
    n = orders.n
    ended = orders.end_reason > 0
    delivered = ~ended & (orders.delivered_h <= end_h)
    stage = np.full(n, "", dtype=object)
    alive = ~ended & ~delivered
    rules = [
        ("last_mile", ~np.isnan(orders.dispatched_h)),
        ("outbound", ~np.isnan(orders.cleared_h)),
        ("second_line_checkpoint", ~np.isnan(orders.pack_end_h)),
        ("pack", ~np.isnan(orders.pick_end_h)),
        ("pick", ~np.isnan(orders.released_h)),
        ("awaiting_stock", np.isnan(orders.stock_h)),
        ("awaiting_documents", np.ones(n, dtype=bool)),
    ]
    unassigned = alive.copy()
    for name, reached in rules:
        hit = unassigned & reached
        stage[hit] = name
        unassigned &= ~hit
    status = np.where(ended, "ended", np.where(delivered, "delivered", "in_system")).astype(object)
    counts = {
        "created": n,
        "delivered": int(delivered.sum()),
        "ended": int(ended.sum()),
        "in_system": int(alive.sum()),
    }
    for name in STAGES:
        counts[f"in_system.{name}"] = int((stage == name).sum())
    return OrderStatus(status=status, stage=stage, counts=counts)


def check_accounting(derived: dict[str, int], live: dict[str, int]) -> None:
    """Raise `AccountingError` unless the order table and the model's own counters agree everywhere."""
    problems = []
    total = derived["delivered"] + derived["in_system"] + derived["ended"]
    if total != derived["created"]:
        problems.append(f"created {derived['created']} != delivered + in system + ended = {total}")
    for key, value in live.items():
        if derived.get(key) != value:
            problems.append(f"{key}: order table says {derived.get(key)}, model state says {value}")
    if problems:
        raise AccountingError("orders are not all accounted for: " + "; ".join(problems))
