"""The SKU catalog as arrays (listed SKUs first, then generated ones), ranked by popularity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistics.scenario.catalog import Catalog


@dataclass(frozen=True)
class SkuTable:
    """Per-SKU attributes, indexed by SKU position (0 = most popular)."""

    ids: list[str]
    weight_kg: np.ndarray
    volume_m3: np.ndarray
    value_cny: np.ndarray
    tax_category: np.ndarray  # index into tax_category_names
    tax_category_names: list[str]

    def __len__(self) -> int:
        return len(self.ids)


def build_skus(catalog: Catalog, rng: np.random.Generator) -> SkuTable:
    """Materialise the catalog; generated attributes come from `rng` (reproducible)."""
    names = [t.name for t in catalog.tax_categories]
    listed = [*catalog.skus, *(catalog.sku_file.read() if catalog.sku_file is not None else [])]
    ids = [s.id for s in listed]
    weight = [s.weight_kg for s in listed]
    volume_l = [s.volume_l for s in listed]
    value = [s.value_cny for s in listed]
    category = [names.index(s.tax_category) for s in listed]
    gen = catalog.generate
    if gen is not None:
        n = gen.count
        ids += [f"SKU{k + 1:05d}" for k in range(n)]
        # Draws of zero would make weightless or free goods; keep a small positive floor.
        weight += np.maximum(gen.weight_kg.sample(rng, n), 0.001).tolist()
        volume_l += np.maximum(gen.volume_l.sample(rng, n), 0.001).tolist()
        value += np.maximum(gen.value_cny.sample(rng, n), 0.01).tolist()
        shares = np.array([gen.tax_category_shares.get(name, 0.0) for name in names], dtype=float)
        category += rng.choice(len(names), size=n, p=shares / shares.sum()).tolist()
    return SkuTable(
        ids=ids,
        weight_kg=np.asarray(weight, dtype=float),
        volume_m3=np.asarray(volume_l, dtype=float) / 1000.0,
        value_cny=np.asarray(value, dtype=float),
        tax_category=np.asarray(category, dtype=np.int64),
        tax_category_names=names,
    )
