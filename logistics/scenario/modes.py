"""The customs modes, in one table: what each one is and the rules that are real for it. Every other part of
the model asks this table (`CUSTOMS_MODES[mode].<rule>`) instead of comparing mode codes, so a new mode is a
row here (and its tests); the order tables, KPIs and report pick it up by its code.

| mode | what | direction | retail tax | stock | per parcel | checkpoints |
|---|---|---|---|---|---|---|
| 1210 | bonded import: stock released per order | import | yes | bonded warehouse | yes | first and second line |
| 9610 | direct mail: each order a parcel | import or export | import only | none | yes | export, import |
| 9710 | B2B direct export to businesses | export | no | none | no | export, import |
| 9810 | export to an overseas warehouse | export | no | overseas warehouse | no | export, import |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BeforeValidator

__all__ = ["CUSTOMS_MODES", "MODES", "CustomsMode", "FlowMode"]


@dataclass(frozen=True)
class CustomsMode:
    """One customs mode and its rules."""

    code: str
    title: str
    directions: tuple[str, ...]  # the directions a flow of this mode may have
    retail_tax_on_import: bool  # cross-border retail import tax and its limits (when the flow imports)
    stock_abroad: bool  # orders are served from an overseas warehouse stocked by bulk consignments
    declared_per_parcel: bool  # each order is declared (and charged the checkpoint's per-parcel fee) on its own
    bonded_stock: bool = False  # orders are served from a bonded warehouse at home (its `warehouse` section)
    checkpoint_roles: tuple[str, ...] = ("export", "import")  # roles of the checkpoints its route may name

    @property
    def stocked_over_route(self) -> bool:
        """Its orders are served from a warehouse whose stock comes in containers over the flow's route."""
        return self.stock_abroad or self.bonded_stock

    @property
    def warehouse_roles(self) -> tuple[str, ...]:
        """Roles of its checkpoints passed by orders leaving its warehouse (not by the stock coming in)."""
        return ("second_line",) if self.bonded_stock else ()

    def pays_retail_tax(self, direction: str) -> bool:
        """Cross-border retail import tax and limits apply to a flow of this mode in `direction`."""
        return self.retail_tax_on_import and direction == "import"


CUSTOMS_MODES: dict[str, CustomsMode] = {
    m.code: m
    for m in (
        CustomsMode("1210", "bonded import", ("import",), True, False, True, True, ("first_line", "second_line")),
        CustomsMode("9610", "direct mail", ("import", "export"), True, False, True),
        CustomsMode("9710", "B2B direct export", ("export",), False, False, False),
        CustomsMode("9810", "export to an overseas warehouse", ("export",), False, True, False),
    )
}
MODES: tuple[str, ...] = tuple(CUSTOMS_MODES)
"""Every mode code, in table order (the order of the report's rows)."""


def _mode_text(value: object) -> object:
    """A mode typed as a number (1210, as a spreadsheet stores it) is the mode's code."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return value


FlowMode = Annotated[Literal["1210", "9610", "9710", "9810"], BeforeValidator(_mode_text)]
"""The modes a `flows` entry may have (every mode: a scenario describes each the same way)."""
