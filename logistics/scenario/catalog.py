"""The goods: tax categories and SKUs, listed one by one or generated from distributions."""

from __future__ import annotations

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.distributions import Distribution


class TaxCategory(ScenarioModel):
    """Rates of one tax category (cross-border retail import: VAT and consumption tax, at 70%)."""

    name: str = Field(min_length=1)
    vat_rate: float = Field(ge=0, le=1)
    consumption_tax_rate: float = Field(default=0.0, ge=0, lt=1)
    import_duty_rate: float = Field(
        default=0.0, ge=0, le=5, description="Most-favoured-nation duty, paid in general trade only."
    )


class Sku(ScenarioModel):
    """One stock-keeping unit."""

    id: str = Field(min_length=1)
    weight_kg: float = Field(gt=0)
    volume_l: float = Field(gt=0)
    value_cny: float = Field(gt=0, description="Retail price per unit, the dutiable value.")
    tax_category: str


class SkuGenerator(ScenarioModel):
    """Makes `count` SKUs with attributes drawn from distributions (a random but reproducible catalog)."""

    count: int = Field(ge=1, le=1_000_000)
    weight_kg: Distribution
    volume_l: Distribution
    value_cny: Distribution
    tax_category_shares: dict[str, float] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares(self) -> SkuGenerator:
        if any(v < 0 for v in self.tax_category_shares.values()):
            raise ValueError("tax_category_shares must be >= 0")
        if sum(self.tax_category_shares.values()) <= 0:
            raise ValueError("tax_category_shares must not all be zero")
        return self


class Catalog(ScenarioModel):
    """All SKUs: the listed ones first, then the generated ones (ids `SKU00001`, ...)."""

    tax_categories: list[TaxCategory] = Field(min_length=1)
    skus: list[Sku] = Field(default_factory=list)
    generate: SkuGenerator | None = None

    @model_validator(mode="after")
    def _some_skus(self) -> Catalog:
        if not self.skus and self.generate is None:
            raise ValueError("the catalog has no SKUs: list some under skus or add a generate section")
        names = [t.name for t in self.tax_categories]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"tax category names must be unique; repeated: {', '.join(dupes)}")
        ids = [s.id for s in self.skus]
        dupes = sorted({n for n in ids if ids.count(n) > 1})
        if dupes:
            raise ValueError(f"SKU ids must be unique; repeated: {', '.join(dupes[:5])}")
        return self
