"""Cross-border retail import tax (customs mode 1210/9610) and the per-order and annual limits.

Within the limits: no duty, and VAT and consumption tax at 70% of the statutory amounts, that is
`value x 70% x (CT + VAT) / (1 - CT)`. Over a limit the order is either rejected or taxed as general trade:
duty, then consumption tax on (value + duty) / (1 - CT), then VAT on value + duty + CT.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from logistics.scenario.catalog import TaxCategory
from logistics.scenario.demand import Demand

PER_ORDER_LIMIT_CNY = 5_000.0
ANNUAL_LIMIT_CNY = 26_000.0
RETAIL_DISCOUNT = 0.7


def retail_tax_cny(value_cny: np.ndarray, vat_rate: np.ndarray, ct_rate: np.ndarray) -> np.ndarray:
    """Tax due on goods of `value_cny` cleared as cross-border retail import (within the limits)."""
    return value_cny * RETAIL_DISCOUNT * (ct_rate + vat_rate) / (1.0 - ct_rate)


def general_trade_tax_cny(
    value_cny: np.ndarray, vat_rate: np.ndarray, ct_rate: np.ndarray, duty_rate: np.ndarray
) -> np.ndarray:
    """Tax due on goods of `value_cny` imported as general trade (duty + full consumption tax + VAT)."""
    duty = value_cny * duty_rate
    ct = (value_cny + duty) / (1.0 - ct_rate) * ct_rate
    vat = (value_cny + duty + ct) * vat_rate
    return duty + ct + vat


def over_limit(order_value_cny: np.ndarray, customer: np.ndarray, prior_spend_cny: np.ndarray) -> np.ndarray:
    """Which orders (in creation order) break the per-order limit or the customer's annual limit.

    An order over a limit does not use up quota. `prior_spend_cny[c]` is what customer c had already
    bought this year. Vectorised for the common case; customers who reach the annual limit are replayed
    one order at a time, since a refused order changes what the next one may spend.
    """
    over = order_value_cny > PER_ORDER_LIMIT_CNY
    counted = np.where(over, 0.0, order_value_cny)
    order = np.argsort(customer, kind="stable")
    cust_sorted = customer[order]
    spent_sorted = counted[order]
    running = np.cumsum(spent_sorted)
    group_start = np.r_[True, cust_sorted[1:] != cust_sorted[:-1]]
    base = np.maximum.accumulate(np.where(group_start, running - spent_sorted, 0.0))
    total_sorted = running - base + prior_spend_cny[cust_sorted]
    suspects = np.unique(cust_sorted[(total_sorted > ANNUAL_LIMIT_CNY) & (spent_sorted > 0)])
    lo = np.searchsorted(cust_sorted, suspects, side="left")
    hi = np.searchsorted(cust_sorted, suspects, side="right")
    for c, a, b in zip(suspects.tolist(), lo.tolist(), hi.tolist(), strict=True):
        used = float(prior_spend_cny[c])
        for i in order[a:b].tolist():  # a stable sort keeps each customer's orders in creation order
            if over[i]:
                continue
            if used + order_value_cny[i] > ANNUAL_LIMIT_CNY:
                over[i] = True
            else:
                used += float(order_value_cny[i])
    return over


def order_taxes(
    line_value_cny: np.ndarray,
    line_category: np.ndarray,
    per_order: Callable[[np.ndarray], np.ndarray],
    customer: np.ndarray,
    categories: Sequence[TaxCategory],
    demand: Demand,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tax due per order, which orders break a limit, and which are rejected for it (`demand.over_limit`):
    retail tax within the limits; over them, rejected (no tax) or taxed as general trade. Customers' spending
    earlier in the year is drawn from `demand.prior_annual_spend_cny`."""
    vat = np.array([c.vat_rate for c in categories])[line_category]
    ct = np.array([c.consumption_tax_rate for c in categories])[line_category]
    duty = np.array([c.import_duty_rate for c in categories])[line_category]
    retail = per_order(retail_tax_cny(line_value_cny, vat, ct))
    general = per_order(general_trade_tax_cny(line_value_cny, vat, ct, duty))
    value = per_order(line_value_cny)
    customers, index = np.unique(customer, return_inverse=True)
    prior = demand.prior_annual_spend_cny.sample(rng, len(customers))
    over = over_limit(value, index, prior)
    if demand.over_limit == "reject":
        return np.where(over, 0.0, retail), over, over.copy()
    return np.where(over, general, retail), over, np.zeros(len(value), dtype=bool)
