"""Customs: three-document matching and the checkpoints (first line at the port, second line at the exit)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Staffing
from logistics.scenario.distributions import Deterministic, Distribution


class DocumentMatching(ScenarioModel):
    """Order, payment and waybill data reach the customs system separately; an order is declared when all
    three are in and match. A mismatch is corrected by the platform after `correction_time_h`."""

    payment_delay_min: Distribution = Deterministic(value=0)
    waybill_delay_min: Distribution = Deterministic(value=0)
    check_time_min: Distribution = Field(
        default=Deterministic(value=1),
        description="Customs system time to match and release the declaration.",
    )
    mismatch_probability: float = Field(default=0.0, ge=0, le=1)
    correction_time_h: Distribution = Deterministic(value=2)


class Checkpoint(ScenarioModel):
    """A customs checkpoint: every item is screened (documents or X-ray) by `servers`; a sampled share
    is inspected by `inspectors`; an inspection fails with `failure_probability` (goods returned)."""

    id: str = Field(min_length=1)
    node: str
    role: Literal["first_line", "second_line"]
    servers: Staffing = Field(description="X-ray lanes (second line) or declaration officers (first line).")
    service_time_min: Distribution = Field(description="Screening time per parcel or per consignment.")
    inspection_probability: float = Field(ge=0, le=1)
    inspectors: Staffing = 1
    inspection_time_min: Distribution = Deterministic(value=30)
    failure_probability: float = Field(default=0.0, ge=0, le=1)


class Customs(ScenarioModel):
    """The customs side of the flow."""

    documents: DocumentMatching = DocumentMatching()
    checkpoints: list[Checkpoint] = Field(min_length=1)

    def checkpoint(self, role: str) -> Checkpoint | None:
        """The first checkpoint with this role, if any."""
        return next((c for c in self.checkpoints if c.role == role), None)
