"""Emission intensity factors a scenario sets in place of the defaults (`logistics.core.emissions`, sources in
its data README)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from logistics.core.emissions import EmissionFactor, emission_factors
from logistics.scenario.base import ScenarioModel

EmissionMode = Literal["air", "sea", "rail", "truck", "last_mile"]


class FactorSetting(ScenarioModel):
    """One mode's intensity in kg CO2e per tonne-km: tank-to-wheel, well-to-tank (leave out when unknown: the
    reports then say the mode's figure is tank-to-wheel only) and where the numbers come from."""

    ttw_kg_per_tkm: float = Field(ge=0, lt=100)
    wtt_kg_per_tkm: float | None = Field(default=None, ge=0, lt=100)
    source: str = Field(min_length=1, description="Where the factor comes from (publication, table, year).")


class Emissions(ScenarioModel):
    """Greenhouse-gas accounting (ISO 14083 / GLEC): a lane's emissions are the tonnes it carries x its
    `distance_km` x its mode's factor; the last mile's, each parcel's tonnes x the km it rode (a routed van) or
    its zone's `distance_km`. `factors` replaces the default factor of the modes it names."""

    factors: dict[EmissionMode, FactorSetting] = Field(default_factory=dict)

    def table(self) -> dict[str, EmissionFactor]:
        """The factors of the run by mode: the defaults with this scenario's in their place."""
        return emission_factors(
            {
                mode: EmissionFactor(
                    mode, f.ttw_kg_per_tkm, f.wtt_kg_per_tkm, "set in the scenario", f.source, f.source
                )
                for mode, f in self.factors.items()
            }
        )
