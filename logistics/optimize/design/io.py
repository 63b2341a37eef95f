"""Design problems from YAML (or JSON) files and plans to JSON. Errors name the field (`markets[3].demand[0]
.orders_per_day: ...`); the built-in designs are read by name."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from logistics.optimize.common import InvalidProblemError, json_ready
from logistics.optimize.design.problem import Demand, DesignProblem, InboundLane, Market, Site, SkuClass

__all__ = [
    "builtin_design_names",
    "builtin_design_path",
    "design_plan_to_json",
    "design_problem_schema",
    "read_design",
]

BUILTIN = Path(__file__).resolve().parent / "builtin"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class _Sku(_Strict):
    id: str
    origin: str
    order_value_cny: float = Field(gt=0)
    order_weight_kg: float = Field(gt=0)


class _Site(_Strict):
    id: str
    kind: Literal["bonded", "overseas"]
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    fixed_cny: float = Field(ge=0)
    capacity_orders_per_day: float = Field(gt=0)
    handling_cny_per_order: float = Field(ge=0)
    handling_days: float = Field(default=0.5, ge=0)
    origin: str = ""
    gateway: tuple[float, float] | None = None
    parcel_days: float = Field(default=0.0, ge=0)
    parcel_cny_per_kg: float = Field(default=0.0, ge=0)


class _Lane(_Strict):
    origin: str
    site: str
    mode: Literal["sea", "air", "rail", "truck"]
    transit_days: float = Field(ge=0)
    transit_sd_days: float = Field(default=0.0, ge=0)
    cny_per_kg: float = Field(ge=0)
    distance_km: float | None = Field(default=None, ge=0, le=40_000)
    road_km: float = Field(default=0.0, ge=0, le=10_000)


class _Demand(_Strict):
    orders_per_day: float = Field(ge=0)
    sd_per_day: float = Field(default=0.0, ge=0)


class _Market(_Strict):
    id: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    demand: dict[str, _Demand]


class _Design(_Strict):
    name: str
    source: str = ""
    per_order_limit_cny: float = Field(default=5000.0, gt=0)
    promise_days: float = Field(default=5.0, gt=0)
    service_target: float = Field(default=0.9, ge=0, le=1)
    service_level: float = Field(default=0.95, ge=0.5, lt=1)
    review_days: float = Field(default=7.0, ge=0)
    holding_rate: float = Field(default=0.25, ge=0)
    last_mile_cny_per_order: float = Field(default=6.0, ge=0)
    last_mile_cny_per_km: float = Field(default=0.004, ge=0)
    last_mile_days: float = Field(default=1.0, ge=0)
    last_mile_km_per_day: float = Field(default=800.0, gt=0)
    circuity: float = Field(default=1.2, ge=1)
    max_co2e_t_per_year: float | None = Field(default=None, ge=0)
    sku_classes: list[_Sku] = Field(min_length=1)
    sites: list[_Site] = Field(min_length=1)
    lanes: list[_Lane] = []
    markets: list[_Market] = Field(min_length=1)


def design_problem_schema() -> dict[str, object]:
    """The JSON Schema of a design problem (the YAML/JSON file's fields)."""
    return _Design.model_json_schema()


def builtin_design_names() -> list[str]:
    """Names of the built-in designs."""
    return sorted(p.stem for p in BUILTIN.glob("*.yaml"))


def builtin_design_path(name: str) -> Path:
    """The file of a built-in design."""
    path = BUILTIN / f"{name}.yaml"
    if name not in builtin_design_names():  # a name, never a path that leaves the built-in folder
        raise InvalidProblemError(
            "design", f"no built-in design {name!r} (built-in: {', '.join(builtin_design_names())})"
        )
    return path


def read_design(text: str, overrides: dict[str, float] | None = None) -> DesignProblem:
    """A design problem from YAML/JSON text; `overrides` set top-level numbers (e.g. per_order_limit_cny)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidProblemError("design", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InvalidProblemError("design", "must be a mapping with name, sku_classes, sites, lanes and markets")
    raw.update(overrides or {})
    try:
        d = _Design.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
        raise InvalidProblemError(where or "design", first["msg"]) from None
    return DesignProblem(
        name=d.name,
        sku_classes=tuple(SkuClass(**c.model_dump()) for c in d.sku_classes),
        sites=tuple(Site(**s.model_dump()) for s in d.sites),
        lanes=tuple(InboundLane(**lane.model_dump()) for lane in d.lanes),
        markets=tuple(
            Market(m.id, m.lon, m.lat, tuple(Demand(k, v.orders_per_day, v.sd_per_day) for k, v in m.demand.items()))
            for m in d.markets
        ),
        **{
            k: getattr(d, k)
            for k in _Design.model_fields
            if k not in ("name", "source", "sku_classes", "sites", "lanes", "markets")
        },
    )


def design_plan_to_json(plan: object) -> str:
    """A plan as JSON (infinite numbers as null)."""
    data = json_ready(asdict(plan))  # type: ignore[call-overload]
    return json.dumps(
        data,
        indent=1,
        allow_nan=False,
        default=lambda v: None if isinstance(v, float) and not math.isfinite(v) else str(v),
    )
