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
]  # each trader's tier and its share of the 1210 flow's orders


def _scenario(rules: dict, traders: list[dict] = TRADERS, failure: float = 0.0, horizon_h: float = 168.0) -> Scenario:
    base = load_builtin("bonded_import_small", [f"run.horizon_h={horizon_h}"])
    data = base.model_dump(by_alias=True, mode="json")
    data["customs"]["traders"] = [{"id": t["id"], "tier": t["tier"]} for t in traders]
    data["flows"][0]["traders"] = {t["id"]: t["share"] for t in traders}
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


def test_second_line_outcomes_hold_return_destroy() -> None:
    from logistics.scenario import load_builtin

    sets = [
        "customs.checkpoints.bonded_exit_xray.failure_probability=0",
        "customs.checkpoints.bonded_exit_xray.inspection_probability=0.5",
        "customs.checkpoints.bonded_exit_xray.outcomes={hold: 0.3, return: 0.2, destroy: 0.1, "
        "hold_time_h: {kind: deterministic, value: 12}}",
    ]
    run = simulate(load_builtin("bonded_import_small", sets), 0)
    inspected = run.orders[run.orders["inspection_end_h"].notna()]
    reasons = inspected["end_reason"].value_counts()
    n = len(inspected)
    assert abs(reasons.get("returned", 0) / n - 0.2) < 4 * np.sqrt(0.2 * 0.8 / n)
    assert abs(reasons.get("destroyed", 0) / n - 0.1) < 4 * np.sqrt(0.1 * 0.9 / n)
    released = inspected[inspected["cleared_h"].notna()]
    held = released["cleared_h"] - released["inspection_end_h"] >= 12 - 1e-9
    assert held.sum() == run.counts["parcels_held"] - int(
        (inspected["cleared_h"].isna() & (inspected["end_reason"] == "")).sum()
    )
    assert abs(held.mean() - 0.3 / 0.7) < 0.1


def test_trader_tiers_are_shared_by_the_bonded_and_the_flow_checkpoints() -> None:
    from logistics.scenario import load_builtin
    from logistics.sim.engine import CrossBorderModel

    rates = "{advanced_aeo: 0.01, general_aeo: 0.02, general: 0.05, discredited: 0.8}"
    model = CrossBorderModel(
        load_builtin(
            "pilot_zone_mixed",
            [
                "run.horizon_h=24",
                "disruptions=[]",
                f"customs.checkpoints.bonded_exit_xray.risk={{inspection_by_tier: {rates}}}",
                "flows.bonded_import.traders={tmall_global_kr: 0.6, kr_sellers: 0.37, flagged_reseller: 0.03}",
            ],
        )
    )
    assert model.bonded is not None and model.flows is not None and model.bonded.tiers is not None
    assert model.bonded.tiers is model.flows.tiers
