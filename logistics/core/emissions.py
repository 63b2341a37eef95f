"""Greenhouse-gas intensity of freight by transport mode (ISO 14083 / GLEC Framework): kg CO2e per tonne-km,
split into tank-to-wheel (operation) and well-to-tank (fuel supply). The defaults and their public sources
are in `data/emission_factors.csv` (README beside it); a scenario or design file overrides any mode.

A leg's emissions are its tonne-km (the shipment's tonnes x the leg's km) times the mode's well-to-wheel
intensity (TTW + WTT); a vehicle's are shared by tonne-km, so the shipments' emissions add up to the vehicle's.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "EMISSION_MODES",
    "LANE_EMISSION_MODE",
    "EmissionFactor",
    "default_emission_factors",
    "emission_factors",
    "upstream_missing",
]

DATA = Path(__file__).resolve().parent / "data" / "emission_factors.csv"

EMISSION_MODES = ("air", "sea", "rail", "truck", "last_mile")
"""The modes with an intensity factor."""

LANE_EMISSION_MODE = {
    "sea": "sea",
    "sea_fcl": "sea",
    "sea_lcl": "sea",
    "rail": "rail",
    "air": "air",
    "express": "air",
    "truck": "truck",
}
"""Which factor a scenario lane of each mode uses."""


@dataclass(frozen=True)
class EmissionFactor:
    """kg CO2e per tonne-km of one mode: tank-to-wheel, well-to-tank (None: not in the source used) and where
    each comes from."""

    mode: str
    ttw_kg_per_tkm: float
    wtt_kg_per_tkm: float | None = None
    what: str = ""
    ttw_source: str = ""
    wtt_source: str = ""

    def __post_init__(self) -> None:
        for name in ("ttw_kg_per_tkm", "wtt_kg_per_tkm"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value < 100.0:
                raise ValueError(f"{self.mode}.{name}: kg CO2e per tonne-km in [0, 100), got {value}")

    @property
    def wtw_kg_per_tkm(self) -> float:
        """Well-to-wheel: TTW plus WTT where the WTT is known (else TTW alone: see `upstream_missing`)."""
        return self.ttw_kg_per_tkm + (self.wtt_kg_per_tkm or 0.0)


@cache
def default_emission_factors() -> dict[str, EmissionFactor]:
    """The packaged default factors by mode (each with its source)."""
    with DATA.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {
        r["mode"]: EmissionFactor(
            mode=r["mode"],
            ttw_kg_per_tkm=float(r["ttw_kg_per_tkm"]),
            wtt_kg_per_tkm=float(r["wtt_kg_per_tkm"]) if r["wtt_kg_per_tkm"] else None,
            what=r["what"],
            ttw_source=r["ttw_source"],
            wtt_source=r["wtt_source"],
        )
        for r in rows
    }


def emission_factors(overrides: Mapping[str, EmissionFactor] | None = None) -> dict[str, EmissionFactor]:
    """The defaults with `overrides` (by mode) put in their place; an unknown mode is a ValueError."""
    factors = dict(default_emission_factors())
    for mode, factor in (overrides or {}).items():
        if mode not in EMISSION_MODES:
            raise ValueError(f"emission factor for unknown mode {mode!r}: one of {', '.join(EMISSION_MODES)}")
        factors[mode] = factor
    return factors


def upstream_missing(factors: Mapping[str, EmissionFactor], modes: set[str] | None = None) -> list[str]:
    """The modes (of `modes`, default all) whose figure is tank-to-wheel only (no WTT in the factor table)."""
    return [
        m
        for m in EMISSION_MODES
        if m in factors and factors[m].wtt_kg_per_tkm is None and (modes is None or m in modes)
    ]
