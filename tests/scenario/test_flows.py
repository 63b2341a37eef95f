"""Validation of the cross-border flows section: errors name the field and say what is wrong."""

from __future__ import annotations

import pytest

from logistics.core.errors import ScenarioError
from logistics.scenario import load_builtin


def _error(name: str, sets: list[str]) -> str:
    with pytest.raises(ScenarioError) as info:
        load_builtin(name, sets)
    return str(info.value)


def test_route_must_chain_from_the_origin() -> None:
    message = _error("direct_mail_import", ["flows.osaka_to_hangzhou.route=[air_kix_hgh]"])
    assert "flows.0.route.0" in message and "leaves 'kix', but the route is at 'osaka_hub'" in message


def test_unknown_lane_checkpoint_and_trader() -> None:
    message = _error("direct_mail_import", ["flows.osaka_to_hangzhou.route=[truck_osaka_kix, nowhere]"])
    assert "flows.0.route.1" in message and "no lane with id 'nowhere'" in message
    message = _error("direct_mail_import", ["flows.osaka_to_hangzhou.checkpoints=[ghost]"])
    assert "flows.0.checkpoints.0" in message and "no checkpoint with id 'ghost'" in message
    message = _error("direct_mail_import", ["flows.osaka_to_hangzhou.traders={nobody: 1}"])
    assert "flows.0.traders.nobody" in message


def test_checkpoint_must_be_on_the_route() -> None:
    message = _error("direct_mail_import", ["customs.checkpoints.hgh_airport_clearance.node=kix_nowhere"])
    assert "customs.checkpoints.0.node" in message and "no node with id 'kix_nowhere'" in message
    message = _error("pilot_zone_mixed", ["flows.qingdao_to_europe_parcels.checkpoints=[fra_import, tao_export]"])
    assert "flows.2.checkpoints.1" in message and "not on the route after the previous checkpoint" in message


def test_mode_rules() -> None:
    assert "direction: export" in _error("b2b_direct_export", ["flows.qingdao_b2b_europe.direction=import"])
    assert "needs one warehouse (or its short form, overseas_warehouse)" in _error(
        "overseas_warehouse_export", ["flows.duisburg_overseas_warehouse.overseas_warehouse=null"]
    )
    both = _error(
        "overseas_warehouse_export",
        ["flows.duisburg_overseas_warehouse.warehouse={node: duisburg_wh, receiving: {teams: 2, time_per_container_h: "
         "{kind: deterministic, value: 3}}, pick: {workers: 2, time_per_order_min: {kind: deterministic, value: 1}}, "
         "pack: {workers: 2, time_per_order_min: {kind: deterministic, value: 1}}, replenishment: {cover_days: 10, "
         "initial_cover_days: 10}}"],
    )  # fmt: skip
    assert "not both" in both
    assert "has no warehouse section" in _error("direct_mail_import", [
        "flows.osaka_to_hangzhou.warehouse={node: hgh, receiving: {teams: 1, time_per_container_h: {kind: "
        "deterministic, value: 1}}, pick: {workers: 1, time_per_order_min: {kind: deterministic, value: 1}}, "
        "pack: {workers: 1, time_per_order_min: {kind: deterministic, value: 1}}, "
        "replenishment: {cover_days: 1, initial_cover_days: 1}}"])  # fmt: skip


def test_failure_probability_is_a_return_share_within_the_outcomes() -> None:
    cp = "customs.checkpoints.hgh_airport_clearance"
    load_builtin("direct_mail_import", [f"{cp}.failure_probability=0.1"])  # any checkpoint may give it
    message = _error("direct_mail_import", [f"{cp}.failure_probability=0.9", f"{cp}.outcomes={{hold: 0.2}}"])
    assert "customs.checkpoints.0.failure_probability" in message and "exceed 1" in message


def test_outcome_shares_cannot_exceed_one() -> None:
    message = _error(
        "direct_mail_import", ["customs.checkpoints.hgh_airport_clearance.outcomes={hold: 0.6, return: 0.5}"]
    )
    assert "outcomes" in message and "must not exceed 1" in message


def test_nothing_to_simulate_and_half_a_bonded_part() -> None:
    assert "nothing to simulate" in _error("direct_mail_import", ["flows=[]"])
    assert "mode 1210 needs one warehouse" in _error("bonded_import_small", ["warehouse=null"])


def test_departure_hours() -> None:
    message = _error("direct_mail_import", ["network.lanes.air_kix_hgh.departures.hour=[10, 25]"])
    assert "network.lanes.1.departures.hour" in message and "clock hours" in message
