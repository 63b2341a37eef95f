"""Slotting data: the SKUs (`SkuTable`), the problem (`SlottingProblem`: SKUs and a layout's slots, with the
fit rules), a plan (`SlottingPlan`) and its travel objective, and an order history (`OrderHistory`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from logistics.optimize.common import InvalidProblemError, Status
from logistics.optimize.picking.layout import TEMPERATURES, WarehouseLayout

__all__ = ["OrderHistory", "SkuTable", "SlottingPlan", "SlottingProblem", "plan_objective_m"]


@dataclass(frozen=True, eq=False)
class SkuTable:
    """SKUs as aligned arrays. `zones` holds, per SKU, the zone names it may use ("" = any compatible)."""

    sku_id: np.ndarray
    picks: np.ndarray
    volume_l: np.ndarray
    weight_kg: np.ndarray
    slots: np.ndarray
    bonded: np.ndarray
    temperature: np.ndarray
    hazardous: np.ndarray
    zones: np.ndarray

    @classmethod
    def build(
        cls,
        sku_id: Sequence[str],
        picks: Sequence[float] | np.ndarray,
        volume_l: Sequence[float] | np.ndarray,
        weight_kg: Sequence[float] | np.ndarray,
        slots: Sequence[int] | np.ndarray | None = None,
        bonded: Sequence[bool] | np.ndarray | None = None,
        temperature: Sequence[str] | None = None,
        hazardous: Sequence[bool] | np.ndarray | None = None,
        zones: Sequence[str] | None = None,
    ) -> SkuTable:
        """Arrays from sequences, with defaults: one slot, bonded, ambient, not hazardous, any zone."""
        n = len(sku_id)
        return cls(
            sku_id=np.asarray(sku_id, dtype=str),
            picks=np.asarray(picks, dtype=float),
            volume_l=np.asarray(volume_l, dtype=float),
            weight_kg=np.asarray(weight_kg, dtype=float),
            slots=np.asarray(slots if slots is not None else np.ones(n), dtype=np.int64),
            bonded=np.asarray(bonded if bonded is not None else np.ones(n), dtype=bool),
            temperature=np.asarray(temperature if temperature is not None else ["ambient"] * n, dtype=str),
            hazardous=np.asarray(hazardous if hazardous is not None else np.zeros(n), dtype=bool),
            zones=np.asarray(zones if zones is not None else [""] * n, dtype=str),
        )

    def __len__(self) -> int:
        return len(self.sku_id)


@dataclass(frozen=True, eq=False)
class SlottingProblem:
    """A layout and the SKUs to place in it. Validated on construction: errors name the SKU and field."""

    layout: WarehouseLayout
    skus: SkuTable
    slot_type: np.ndarray = field(init=False, repr=False)
    sku_type: np.ndarray = field(init=False, repr=False)
    feasible: np.ndarray = field(init=False, repr=False)  # (sku types, slot types) bool

    def __post_init__(self) -> None:
        s = self.skus
        n = len(s)
        for name in ("picks", "volume_l", "weight_kg", "slots", "bonded", "temperature", "hazardous", "zones"):
            if len(getattr(s, name)) != n:
                raise InvalidProblemError(f"skus.{name}", f"has {len(getattr(s, name))} entries for {n} SKUs")
        ids, counts = np.unique(s.sku_id, return_counts=True)
        if (counts > 1).any():
            raise InvalidProblemError("skus.sku_id", f"duplicate SKU id {ids[counts > 1][0]!r}")
        zone_names = {z.name for z in self.layout.zones}
        checks = [
            ("picks", np.isfinite(s.picks) & (s.picks >= 0), "must be a finite number >= 0"),
            ("volume_l", np.isfinite(s.volume_l) & (s.volume_l > 0), "must be a finite number > 0"),
            ("weight_kg", np.isfinite(s.weight_kg) & (s.weight_kg >= 0), "must be a finite number >= 0"),
            ("slots", s.slots >= 1, "must be >= 1"),
            ("temperature", np.isin(s.temperature, TEMPERATURES), f"must be one of {TEMPERATURES}"),
        ]
        for name, ok, message in checks:
            bad = np.flatnonzero(~ok)
            if len(bad):
                i = int(bad[0])
                raise InvalidProblemError(f"skus[{s.sku_id[i]}].{name}", f"{message}, got {getattr(s, name)[i]!r}")
        for i, zs in enumerate(s.zones):
            unknown = [z for z in str(zs).split(";") if z and z not in zone_names]
            if unknown:
                raise InvalidProblemError(
                    f"skus[{s.sku_id[i]}].zones",
                    f"unknown zone {unknown[0]!r} (known: {', '.join(sorted(zone_names))})",
                )
        slots = self.layout.slots
        slot_keys = np.stack([slots.zone.astype(float), slots.volume_l, slots.max_weight_kg], axis=1)
        slot_types, slot_type = np.unique(slot_keys, axis=0, return_inverse=True)
        # SKUs are grouped by the set of slot types they fit: the only thing about them the solver needs.
        zones = self.layout.zones
        compat_keys = list(
            zip(s.bonded.tolist(), s.temperature.tolist(), s.hazardous.tolist(), s.zones.tolist(), strict=True)
        )
        compat_index: dict[tuple, int] = {}
        compat_of = np.fromiter((compat_index.setdefault(k, len(compat_index)) for k in compat_keys), np.int64, n)
        zone_ok = np.zeros((len(compat_index), len(zones)), dtype=bool)
        for (b, t, h, zs), c in compat_index.items():
            allowed = {z for z in zs.split(";") if z}
            for zi, zone in enumerate(zones):
                zone_ok[c, zi] = (
                    zone.bonded == b
                    and zone.temperature == t
                    and zone.hazardous == h
                    and (not allowed or zone.name in allowed)
                )
        type_zone = slot_types[:, 0].astype(np.int64)
        fits = (
            zone_ok[compat_of][:, type_zone]
            & (s.volume_l[:, None] <= slot_types[None, :, 1] + 1e-9)
            & (s.weight_kg[:, None] <= slot_types[None, :, 2] + 1e-9)
        )
        feasible, sku_type = np.unique(fits, axis=0, return_inverse=True)
        sku_type = sku_type.ravel().astype(np.int64)
        first = np.zeros(len(feasible), dtype=np.int64)
        first[sku_type[::-1]] = np.arange(n)[::-1]
        object.__setattr__(self, "_group_example", first)
        object.__setattr__(self, "slot_type", slot_type.ravel())
        object.__setattr__(self, "sku_type", sku_type)
        object.__setattr__(self, "feasible", feasible)

    def describe_sku_type(self, u: int) -> str:
        """A readable description of a group of SKUs that fit the same slots."""
        s = self.skus
        i = int(self._group_example[u])  # type: ignore[attr-defined]
        members = self.sku_type == u
        parts = ["bonded" if s.bonded[i] else "general trade", str(s.temperature[i])]
        if s.hazardous[i]:
            parts.append("hazardous")
        parts.append(f"loads {s.volume_l[members].min():g}-{s.volume_l[members].max():g} l")
        parts.append(f"{s.weight_kg[members].min():g}-{s.weight_kg[members].max():g} kg")
        if s.zones[i]:
            parts.append(f"zones {s.zones[i]}")
        return ", ".join(parts)


@dataclass(frozen=True, eq=False)
class SlottingPlan:
    """Who is where: `sku_of_slot[s]` is the SKU index in slot s (-1 = empty). `objective_m` is the expected
    picking travel (m a period) of the plan; `unplaced` the units of each SKU that found no slot."""

    method: str
    status: Status | str  # optimal | feasible | infeasible (a plain string is read as its Status)
    sku_of_slot: np.ndarray
    objective_m: float
    unplaced: dict[str, int]
    message: str = ""
    stats: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))

    def slots_of(self, sku: int) -> np.ndarray:
        """Slot indices held by SKU index `sku`."""
        return np.flatnonzero(self.sku_of_slot == sku)


def plan_objective_m(problem: SlottingProblem, sku_of_slot: np.ndarray) -> float:
    """Expected picking travel (m a period) of an assignment."""
    used = sku_of_slot >= 0
    s = problem.skus
    per_slot = s.picks[sku_of_slot[used]] / s.slots[sku_of_slot[used]]
    return float(per_slot @ problem.layout.travel_cost_m[used])


# --- order history: travel evaluation and affinity --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OrderHistory:
    """Orders in CSR form: order k has SKU indices `sku[ptr[k]:ptr[k+1]]` (distinct within an order)."""

    ptr: np.ndarray
    sku: np.ndarray

    def __len__(self) -> int:
        return len(self.ptr) - 1

    @classmethod
    def from_lists(cls, orders: Sequence[Sequence[int]]) -> OrderHistory:
        """Pack lists of SKU indices (duplicates within an order are merged)."""
        rows = [sorted(set(o)) for o in orders]
        ptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
        return cls(ptr, np.fromiter((s for r in rows for s in r), dtype=np.int64, count=int(ptr[-1])))
