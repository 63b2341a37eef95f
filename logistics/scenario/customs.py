"""Customs: three-document matching and the checkpoints (first line at the port, second line at the exit)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Staffing
from logistics.scenario.distributions import Deterministic, Distribution
from logistics.scenario.policy import PolicyChoice


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
CREDIT_TIERS: tuple[CreditTier, ...] = ("advanced_aeo", "general_aeo", "general", "discredited")


class Trader(ScenarioModel):
    """A cross-border e-commerce enterprise whose declarations carry its customs credit tier; each flow says
    which share of its orders each trader declares (`flows[k].traders`)."""

    id: str = Field(min_length=1)
    tier: CreditTier


class RiskRules(ScenarioModel):
    """Risk-based selection: an item is inspected with its trader's tier rate, or by random sampling at
    `random_rate` (independent); when `demote_on_failure`, every `failures_to_demote` failed inspections of a
    trader lower its tier by one for the rest of the run."""

    inspection_by_tier: dict[CreditTier, float]
    random_rate: float = Field(default=0.0, ge=0, le=1)
    goods_factor: dict[str, float] = Field(
        default_factory=dict,
        description="Cross-border flows: the tier rate is multiplied by the factor of the goods' tax category "
        "(capped at 1), e.g. food 2.0; categories not listed use 1.",
    )
    demote_on_failure: bool = True
    failures_to_demote: int = Field(default=1, ge=1)

    @property
    def rates_by_tier(self) -> tuple[float, ...]:
        """The inspection rates in CREDIT_TIERS order (best tier first)."""
        return tuple(self.inspection_by_tier[t] for t in CREDIT_TIERS)

    @model_validator(mode="after")
    def _all_tiers(self) -> RiskRules:
        missing = [t for t in CREDIT_TIERS if t not in self.inspection_by_tier]
        if missing:
            raise ValueError(f"inspection_by_tier needs a rate for every tier; missing {missing}")
        bad = {t: r for t, r in self.inspection_by_tier.items() if not 0 <= r <= 1}
        if bad:
            raise ValueError(f"inspection rates must be in [0, 1], got {bad}")
        negative = {k: f for k, f in self.goods_factor.items() if f < 0}
        if negative:
            raise ValueError(f"goods_factor values must be >= 0, got {negative}")
        return self


class Outcomes(ScenarioModel):
    """What an inspection finds (cross-border flows), as shares of the inspected items: `hold` (held for
    further checks for `hold_time_h`, then released), `return` (sent back to the shipper) or `destroy`
    (destroyed under supervision); the rest are released at once. Each outcome has a cost per item."""

    hold: float = Field(default=0.0, ge=0, le=1)
    return_: float = Field(default=0.0, ge=0, le=1, alias="return")
    destroy: float = Field(default=0.0, ge=0, le=1)
    hold_time_h: Distribution = Deterministic(value=48)
    hold_cost_cny: float = Field(default=0.0, ge=0)
    return_cost_cny: float = Field(default=0.0, ge=0)
    destroy_cost_cny: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _shares(self) -> Outcomes:
        if self.hold + self.return_ + self.destroy > 1:
            raise ValueError("hold + return + destroy must not exceed 1 (they are shares of the inspected items)")
        return self


class Lab(ScenarioModel):
    """Laboratory testing: `share` of the inspected items are sampled and tested by `servers` for `time_h`."""

    share: float = Field(ge=0, le=1)
    servers: Staffing = 1
    time_h: Distribution = Deterministic(value=24)
    cost_cny: float = Field(default=0.0, ge=0)


class Checkpoint(ScenarioModel):
    """A customs checkpoint: every item is screened (documents or X-ray) by `servers`; the `selection` policy
    decides which are inspected by `inspectors` (by default `risk_based` with a `risk` section, otherwise
    `random` at `inspection_probability`); a share of the inspected go on to the `lab`; what inspections find
    are the `outcomes` (held, returned, destroyed); `failure_probability` is a return share (goods returned).

    Roles: `first_line` (bulk consignments into a bonded warehouse) and `second_line` (parcels leaving it) on a
    1210 flow's route; `export` (declarations leaving the country) and `import` (clearance on arrival: airport,
    postal site, destination customs) on the other flows' routes. Every role is the same component."""

    id: str = Field(min_length=1)
    node: str
    role: Literal["first_line", "second_line", "export", "import"]
    servers: Staffing = Field(description="X-ray lanes (second line) or declaration officers (first line).")
    service_time_min: Distribution = Field(description="Screening time per parcel or per consignment.")
    inspection_probability: float = Field(ge=0, le=1)
    inspectors: Staffing = 1
    inspection_time_min: Distribution = Deterministic(value=30)
    failure_probability: float = Field(default=0.0, ge=0, le=1)
    risk: RiskRules | None = Field(
        default=None, description="Select by the trader's credit tier (and goods) instead of one rate."
    )
    selection: PolicyChoice | None = Field(
        default=None,
        description="A registered inspection selection policy (SELECTION); default risk_based with a risk "
        "section, random otherwise.",
    )
    outcomes: Outcomes = Outcomes()
    lab: Lab | None = None

    @property
    def selection_choice(self) -> PolicyChoice:
        """The selection policy this checkpoint uses (the scenario's, or the default)."""
        if self.selection is not None:
            return self.selection
        return PolicyChoice(name="risk_based" if self.risk is not None else "random")

    @property
    def outcome_shares(self) -> tuple[float, float, float]:
        """Shares of the inspected items held, returned and destroyed (`failure_probability` counts as
        returned)."""
        oc = self.outcomes
        return oc.hold, oc.return_ + self.failure_probability, oc.destroy


class Customs(ScenarioModel):
    """The customs side of the flow."""

    documents: DocumentMatching = DocumentMatching()
    checkpoints: list[Checkpoint] = Field(min_length=1)
    traders: list[Trader] = Field(default_factory=list)
