"""Customs: three-document matching and the checkpoints (first line at the port, second line at the exit)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

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


CreditTier = Literal["advanced_aeo", "general_aeo", "general", "discredited"]
CREDIT_TIERS: tuple[str, ...] = ("advanced_aeo", "general_aeo", "general", "discredited")


class Trader(ScenarioModel):
    """A cross-border e-commerce enterprise whose declarations carry its customs credit tier; `share` of the
    orders are its own."""

    id: str = Field(min_length=1)
    tier: CreditTier
    share: float = Field(gt=0)


class RiskRules(ScenarioModel):
    """Risk-based selection: an item is inspected with its trader's tier rate, or by random sampling at
    `random_rate` (independent); when `demote_on_failure`, every `failures_to_demote` failed inspections of a
    trader lower its tier by one for the rest of the run."""

    inspection_by_tier: dict[CreditTier, float]
    random_rate: float = Field(default=0.0, ge=0, le=1)
    demote_on_failure: bool = True
    failures_to_demote: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _all_tiers(self) -> RiskRules:
        missing = [t for t in CREDIT_TIERS if t not in self.inspection_by_tier]
        if missing:
            raise ValueError(f"inspection_by_tier needs a rate for every tier; missing {missing}")
        bad = {t: r for t, r in self.inspection_by_tier.items() if not 0 <= r <= 1}
        if bad:
            raise ValueError(f"inspection rates must be in [0, 1], got {bad}")
        return self


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
    risk: RiskRules | None = Field(
        default=None, description="Second line: select by the trader's credit tier instead of one rate."
    )


class Customs(ScenarioModel):
    """The customs side of the flow."""

    documents: DocumentMatching = DocumentMatching()
    checkpoints: list[Checkpoint] = Field(min_length=1)
    traders: list[Trader] = Field(default_factory=list)

    def checkpoint(self, role: str) -> Checkpoint | None:
        """The first checkpoint with this role, if any."""
        return next((c for c in self.checkpoints if c.role == role), None)
