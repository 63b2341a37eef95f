"""Prices of labour, storage, inspection and packaging (transport and last-mile prices sit on lanes and
zones)."""

from __future__ import annotations

from pydantic import Field

from logistics.scenario.base import ScenarioModel


class Costs(ScenarioModel):
    """Unit prices in CNY."""

    labour_cny_per_worker_h: float = Field(default=30.0, ge=0, description="Paid for every scheduled hour.")
    storage_cny_per_m3_day: float = Field(default=2.0, ge=0)
    inspection_cny_per_parcel: float = Field(default=15.0, ge=0)
    inspection_cny_per_consignment: float = Field(default=600.0, ge=0)
    packaging_cny_per_order: float = Field(default=1.5, ge=0)
