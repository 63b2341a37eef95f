"""The customs mode table is the one place mode rules live: every mode a flow can have has a row, and the
model follows the row's rules (checked through scenario files)."""

from __future__ import annotations

import typing

import pytest

from logistics.core import ScenarioError
from logistics.scenario import load_builtin
from logistics.scenario.modes import CUSTOMS_MODES, MODES, FlowMode


def test_every_flow_mode_has_a_row_and_the_table_lists_every_mode() -> None:
    codes = typing.get_args(typing.get_args(FlowMode)[0])  # Annotated[Literal[...], a number read as its code]
    assert set(codes) | {"1210"} == set(MODES) == set(CUSTOMS_MODES)
    for code, mode in CUSTOMS_MODES.items():
        assert mode.code == code and mode.directions and set(mode.directions) <= {"import", "export"}


@pytest.mark.parametrize("code", ["9610", "9710", "9810"])
def test_a_flow_may_only_take_the_directions_of_its_mode(code: str) -> None:
    name = {"9610": "direct_mail_import", "9710": "b2b_direct_export", "9810": "overseas_warehouse_export"}[code]
    for direction in ("import", "export"):
        sets = [f"flows.0.direction={direction}"]
        if direction in CUSTOMS_MODES[code].directions:
            assert load_builtin(name, sets).flows[0].direction == direction
        else:
            with pytest.raises(ScenarioError, match=f"mode {code}"):
                load_builtin(name, sets)


def test_retail_tax_follows_the_table() -> None:
    imported = load_builtin("direct_mail_import").flows[0]
    exported = load_builtin("direct_mail_export").flows[0]
    assert imported.pays_retail_tax and not exported.pays_retail_tax
    assert CUSTOMS_MODES["9610"].pays_retail_tax("import") and not CUSTOMS_MODES["9710"].pays_retail_tax("export")
