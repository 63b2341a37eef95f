"""Last-mile delivery zones."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.distributions import Deterministic, Distribution
from logistics.scenario.policy import PolicyChoice


class Zone(ScenarioModel):
    """Customers of one delivery zone: a share of the orders, a delivery time, a price and a promise."""

    id: str = Field(min_length=1)
    share: float = Field(ge=0)
    delivery_time_h: Distribution
    cost_per_parcel_cny: float = Field(ge=0)
    promise_h: float = Field(gt=0, description="Promised hours from order creation to delivery.")
    distance_km: float | None = Field(
        default=None,
        ge=0,
        le=5_000,
        description="Mean road km a parcel of the zone rides on its delivery van (its emissions: tonnes x km x "
        "the last_mile factor); routed zones use the km each parcel rode on its van instead.",
    )
    linehaul_km: float = Field(
        default=0.0,
        ge=0,
        le=10_000,
        description="Mean road km a parcel of the zone rides by truck before its van (a carrier's trunk haul from "
        "the depot to the zone's sort centre): tonnes x km x the truck factor, added to the van's.",
    )


ClockHour = Annotated[float, Field(ge=0, le=24)]


class VehicleClass(ScenarioModel):
    """Delivery vans of one kind at the depot: how many, what they carry, what they cost, when they work."""

    id: str = Field(min_length=1)
    count: int = Field(ge=0)
    capacity_parcels: int = Field(ge=1)
    capacity_kg: float = Field(default=1000.0, gt=0)
    fixed_cost_cny: float = Field(default=0.0, ge=0, description="Per route driven.")
    cost_per_km_cny: float = Field(default=1.5, ge=0)
    cost_per_h_cny: float = Field(default=40.0, ge=0)
    shift_start_h: ClockHour = 8.0
    shift_end_h: ClockHour = 20.0

    @model_validator(mode="after")
    def _shift(self) -> VehicleClass:
        if self.shift_end_h <= self.shift_start_h:
            raise ValueError("shift_end_h must be after shift_start_h (same day)")
        return self


class Area(ScenarioModel):
    """Where a zone's customers live: addresses drawn uniformly in a disc (km, depot at the origin)."""

    centre_km: tuple[float, float]
    radius_km: float = Field(gt=0)


class Dispatch(ScenarioModel):
    """Last-mile dispatch from a delivery depot with routing. Parcels of the listed zones go from the warehouse
    to the depot (`linehaul_h` after the carrier collects them) and wait for a wave: at `waves_h` clock hours, or
    as soon as `threshold_parcels` are waiting. Each wave builds a routing problem from the parcels waiting
    (addresses, delivery window, promise) and the vans free at the depot and asks the dispatch policy for
    routes; vans drive them with travel times varying by hour (`traffic_by_hour`) and at random
    (`travel_time_cv`), serve each stop, and bring back parcels nobody could receive (`failure_probability`) for
    a later wave; after `max_attempts` a parcel goes back to the sender."""

    zones: list[str] = Field(min_length=1, description="last_mile zones delivered by the depot's vans.")
    areas: dict[str, Area] = Field(description="Customer area of each routed zone.")
    linehaul_h: Distribution = Deterministic(value=2.0)
    fleet: list[VehicleClass] = Field(min_length=1)
    waves_h: list[ClockHour] = Field(default=[9.0, 13.0, 17.0], min_length=1)
    threshold_parcels: int | None = Field(default=None, ge=1)
    policy: PolicyChoice = PolicyChoice(name="pyvrp", params={"time_limit_s": 5})
    decision: PolicyChoice = Field(
        default=PolicyChoice(name="send_all"),
        description="Who goes in each wave before the policy routes them (DISPATCH_DECISIONS): send_all, or a "
        "registered decision (a Gymnasium agent is one).",
    )
    objective: str = Field(default="distance", description="distance, cost or lateness (due-today parcels first).")
    late_penalty: float = Field(default=50_000.0, ge=0, description="Objective units for postponing a parcel.")
    speed_kmh: float = Field(default=25.0, gt=0)
    circuity: float = Field(default=1.3, ge=1, description="Road distance / straight-line distance.")
    replan: bool = Field(
        default=False,
        description="At each wave, also re-plan the vans on the road: each keeps its parcels and the stop it is "
        "driving to, and the rest of its route is planned again with the wave (from its current order).",
    )
    depot_lat_lon: tuple[float, float] | None = Field(
        default=None,
        description="The depot's latitude and longitude (degrees): addresses are then placed on the map (the "
        "areas' km east and north of the depot), routed by great-circle distance x circuity, and the report draws "
        "the routes on a map.",
    )
    traffic_by_hour: list[float] = Field(default=[1.0] * 24, min_length=24, max_length=24)
    travel_time_cv: float = Field(default=0.15, ge=0)
    service_min: Distribution = Deterministic(value=3.0)
    delivery_window_h: tuple[ClockHour, ClockHour] = (9.0, 21.0)
    slot_share: float = Field(default=0.0, ge=0, le=1, description="Share of customers who book a delivery slot.")
    slot_h: float = Field(default=2.0, gt=0, description="Length of a booked slot, inside the delivery window.")
    failure_probability: float = Field(default=0.05, ge=0, le=1)
    max_attempts: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> Dispatch:
        missing = [z for z in self.zones if z not in self.areas]
        if missing:
            raise ValueError(f"areas needs the customer area of every routed zone; missing {missing}")
        if self.objective not in ("distance", "cost", "lateness"):
            raise ValueError(f"objective must be distance, cost or lateness, got {self.objective!r}")
        if self.delivery_window_h[1] <= self.delivery_window_h[0]:
            raise ValueError("delivery_window_h must be (opening, closing) with closing after opening")
        if self.slot_share > 0 and self.slot_h > self.delivery_window_h[1] - self.delivery_window_h[0]:
            raise ValueError("slot_h is longer than the delivery window")
        if any(f <= 0 for f in self.traffic_by_hour):
            raise ValueError("traffic_by_hour factors must be > 0")
        if self.depot_lat_lon is not None:
            lat, lon = self.depot_lat_lon
            if not (-85.0 <= lat <= 85.0 and -180.0 <= lon <= 180.0):
                raise ValueError(
                    f"depot_lat_lon must be a latitude within ±85 and a longitude within ±180, got {lat}, {lon}"
                )
        return self


class LastMile(ScenarioModel):
    """All zones; order shares are normalised. With `dispatch`, the parcels of some zones are delivered by the
    depot's vans on routes the dispatch policy plans."""

    zones: list[Zone] = Field(min_length=1)
    dispatch: Dispatch | None = None

    @model_validator(mode="after")
    def _shares(self) -> LastMile:
        if sum(z.share for z in self.zones) <= 0:
            raise ValueError("zone shares must not all be zero")
        ids = [z.id for z in self.zones]
        dupes = sorted({n for n in ids if ids.count(n) > 1})
        if dupes:
            raise ValueError(f"zone ids must be unique; repeated: {', '.join(dupes)}")
        if self.dispatch is not None:
            unknown = [z for z in self.dispatch.zones if z not in ids]
            if unknown:
                raise ValueError(f"dispatch.zones names zones that do not exist: {unknown} (zones: {ids})")
        return self
