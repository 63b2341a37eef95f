"""The goods: tax categories and SKUs, listed one by one or generated from distributions."""

from __future__ import annotations

import functools

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.datafile import DataFile, require_columns
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


class SkuColumns(ScenarioModel):
    """Which column of an SKU master file holds what."""

    id: str = "sku"
    weight_kg: str = "weight_kg"
    volume_l: str = "volume_l"
    value_cny: str = "value_cny"
    tax_category: str = "tax_category"


class SkuFile(DataFile):
    """SKU master data from a CSV, Parquet or Excel file (one row per SKU), checked row by row at validate."""

    columns: SkuColumns = Field(default_factory=SkuColumns)

    def read(self) -> list[Sku]:
        """The file's SKUs; a bad row is a ValueError naming the file, row and column (read once per version
        of the file)."""
        from pathlib import Path

        try:
            stamp = Path(self.file).stat().st_mtime_ns
        except OSError:
            raise ValueError(f"{self.file}: file not found") from None
        return list(_read_cached(self, stamp))


class Catalog(ScenarioModel):
    """All SKUs: the listed ones first, then those of `sku_file`, then the generated ones (`SKU00001`, ...)."""

    tax_categories: list[TaxCategory] = Field(min_length=1)
    skus: list[Sku] = Field(default_factory=list)
    sku_file: SkuFile | None = None
    generate: SkuGenerator | None = None

    @model_validator(mode="after")
    def _some_skus(self) -> Catalog:
        if not self.skus and self.generate is None and self.sku_file is None:
            raise ValueError("the catalog has no SKUs: list some under skus, name a sku_file or add a generate section")
        names = [t.name for t in self.tax_categories]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"tax category names must be unique; repeated: {', '.join(dupes)}")
        from_file = self.sku_file.read() if self.sku_file is not None else []
        unknown = sorted({s.tax_category for s in from_file} - set(names))
        if unknown:
            raise ValueError(f"sku_file: tax categories {', '.join(unknown[:5])} are not in tax_categories")
        ids = [s.id for s in [*self.skus, *from_file]]
        dupes = sorted({n for n in ids if ids.count(n) > 1})
        if dupes:
            raise ValueError(f"SKU ids must be unique; repeated: {', '.join(dupes[:5])}")
        return self


@functools.lru_cache(maxsize=8)
def _read_cached(sku_file: SkuFile, stamp: int) -> tuple[Sku, ...]:
    return tuple(read_sku_file(sku_file))


def read_sku_file(sku_file: SkuFile) -> list[Sku]:
    """The SKUs of a master data file, every row checked (the errors name the file, row and column)."""
    from pathlib import Path

    from pydantic import ValidationError

    table = sku_file.table()
    name = Path(sku_file.file).name
    mapping = sku_file.columns.model_dump()
    require_columns(table, mapping, name)
    skus = []
    for row, record in enumerate(table[list(mapping.values())].itertuples(index=False), start=2):
        values = dict(zip(mapping, record, strict=True))
        try:
            skus.append(Sku.model_validate({k: (str(v).strip() if k in ("id", "tax_category") else v)
                                            for k, v in values.items()}))  # fmt: skip
        except ValidationError as exc:
            error = exc.errors()[0]
            column = mapping.get(str(error["loc"][0]), str(error["loc"][0])) if error["loc"] else "?"
            raise ValueError(f"{name} row {row}, column {column}: {error['msg']}, got {error.get('input')!r}") from None
    if not skus:
        raise ValueError(f"{name}: no rows")
    return skus
