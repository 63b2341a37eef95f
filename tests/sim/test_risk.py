"""Risk-based selection at the second line: observed inspection rates by credit tier match the configured rates,
failed inspections demote traders, and bad rules name the field."""

from __future__ import annotations

import numpy as np
import pytest

from logistics.core.errors import ScenarioError
from logistics.scenario.builtin import load_builtin
from logistics.scenario.scenario import Scenario
from logistics.sim.engine import simulate

RATES = {"advanced_aeo": 0.02, "general_aeo": 0.05, "general": 0.15, "discredited": 0.6}
TRADERS = [
    {"id": "aeo_plus", "tier": "advanced_aeo", "share": 0.4},
    {"id": "aeo", "tier": "general_aeo", "share": 0.3},
    {"id": "plain", "tier": "general", "share": 0.2},
    {"id": "risky", "tier": "discredited", "share": 0.1},
]


def _scenario(rules: dict, traders: list[dict] = TRADERS, failure: float = 0.0, horizon_h: float = 168.0) -> Scenario:
    base = load_builtin("bonded_import_small", [f"run.horizon_h={horizon_h}"])
    data = base.model_dump(by_alias=True, mode="json")
    data["customs"]["traders"] = traders
    for c in data["customs"]["checkpoints"]:
        if c["role"] == "second_line":
            c["risk"] = rules
            c["inspectors"] = 6  # enough that every selected parcel is inspected within the run
            c["failure_probability"] = failure
    return Scenario.model_validate(data)


def test_observed_inspection_rate_by_tier_matches_the_configuration() -> None:
    run = simulate(_scenario({"inspection_by_tier": RATES, "demote_on_failure": False}), 0)
    orders = run.orders
    checked = orders[orders["credit_tier"].notna() & (orders["xray_end_h"] < run.horizon_h - 24)]
    for tier, rate in RATES.items():
        group = checked[checked["credit_tier"] == tier]
        n = len(group)
        assert n > 300, tier
        observed = group["inspected"].mean()
        # Within four binomial standard errors of the configured rate.
        assert abs(observed - rate) <= 4 * np.sqrt(rate * (1 - rate) / n), (tier, observed, n)
    assert run.counts["trader_demotions"] == 0


def test_failed_inspections_demote_traders() -> None:
    rules = {"inspection_by_tier": RATES, "demote_on_failure": True}
    run = simulate(_scenario(rules, failure=0.5), 0)
    assert run.counts["trader_demotions"] > 0
    orders = run.orders[run.orders["credit_tier"].notna()]
    # The best traders are checked at worse tiers later in the run.
    best = orders[orders["trader"] == "aeo_plus"]
    assert set(best["credit_tier"].astype(str)) - {"advanced_aeo"}


def test_random_sampling_adds_to_tier_rates() -> None:
    rules = {"inspection_by_tier": dict.fromkeys(RATES, 0.0), "random_rate": 0.1, "demote_on_failure": False}
    run = simulate(_scenario(rules), 0)
    checked = run.orders[run.orders["credit_tier"].notna() & (run.orders["xray_end_h"] < run.horizon_h - 24)]
    n = len(checked)
    assert abs(checked["inspected"].mean() - 0.1) <= 4 * np.sqrt(0.09 / n)


def test_bad_rules_name_the_field() -> None:
    with pytest.raises(Exception, match="missing"):
        _scenario({"inspection_by_tier": {"advanced_aeo": 0.1}})
    with pytest.raises(ScenarioError, match="traders"):
        _scenario({"inspection_by_tier": RATES}, traders=[])
