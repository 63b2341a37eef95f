from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.sim.tax import ANNUAL_LIMIT_CNY, general_trade_tax_cny, over_limit, retail_tax_cny


def test_retail_rate_on_cosmetics() -> None:
    # 13% VAT, 15% consumption tax: (0.15 + 0.13) / 0.85 x 0.7 = 23.06%
    tax = retail_tax_cny(np.array([1000.0]), np.array([0.13]), np.array([0.15]))
    assert tax[0] == pytest.approx(1000 * 0.7 * 0.28 / 0.85)


def test_general_trade_is_dearer() -> None:
    v, vat, ct, duty = np.array([1000.0]), np.array([0.13]), np.array([0.15]), np.array([0.05])
    full = general_trade_tax_cny(v, vat, ct, duty)[0]
    duty_cny = 50.0
    ct_cny = 1050 / 0.85 * 0.15
    assert full == pytest.approx(duty_cny + ct_cny + (1050 + ct_cny) * 0.13)
    assert full > retail_tax_cny(v, vat, ct)[0]


def _naive(values: list[float], customers: list[int], prior: list[float]) -> list[bool]:
    used = dict(enumerate(prior))
    out = []
    for v, c in zip(values, customers, strict=True):
        if v > 5000 or used[c] + v > ANNUAL_LIMIT_CNY:
            out.append(True)
        else:
            used[c] += v
            out.append(False)
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.floats(1, 6000), st.integers(0, 4)), min_size=1, max_size=60),
    st.lists(st.floats(0, 30_000), min_size=5, max_size=5),
)
def test_over_limit_matches_a_sequential_replay(orders: list, prior: list) -> None:
    values = [v for v, _ in orders]
    customers = [c for _, c in orders]
    got = over_limit(np.array(values), np.array(customers), np.array(prior))
    assert got.tolist() == _naive(values, customers, prior)
