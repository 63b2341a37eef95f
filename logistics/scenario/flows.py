"""Cross-border flows, one per business line and customs mode: 1210 bonded import, 9610 direct mail (import or
export), 9710 B2B direct export and 9810 export to an overseas warehouse. Each flow has its own demand and goods,
and follows a route of lanes through customs checkpoints; lanes and checkpoints are shared by every flow that
names them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel
from logistics.scenario.catalog import Catalog
from logistics.scenario.demand import Demand
from logistics.scenario.distributions import Deterministic, Distribution
from logistics.scenario.lastmile import LastMile
from logistics.scenario.modes import CUSTOMS_MODES, MODES, FlowMode
from logistics.scenario.policy import PolicyChoice
from logistics.scenario.warehouse import Receiving, Replenishment, Station, Warehouse

__all__ = ["MODES", "Flow", "FlowMode", "OverseasWarehouse"]


class OverseasWarehouse(ScenarioModel):
    """9810: the warehouse abroad that bulk exports stock. Consumer orders reserve stock, are picked and packed
    and delivered locally. Replenishment follows `policy` (the same registered policies as the bonded
    warehouse; base stock by default: at each departure of the route's first lane, every SKU is ordered up to
    `cover_days` of forecast demand); the consignment is declared for export, shipped in containers and cleared
    at destination."""

    node: str
    pick: Station
    pack: Station
    policy: PolicyChoice = Field(
        default=PolicyChoice(name="base_stock"), description="A registered replenishment policy (REPLENISHMENT)."
    )
    cover_days: float = Field(gt=0)
    initial_cover_days: float = Field(ge=0)
    receiving_time_h: Distribution = Field(
        default=Deterministic(value=12), description="From arrival at the warehouse to stock available."
    )

    def as_warehouse(self) -> Warehouse:
        """The same warehouse in the full form (`Warehouse`): receiving without a team limit, parcels handed to
        the last mile as soon as packed, no floor."""
        return Warehouse(
            node=self.node,
            receiving=Receiving(teams=None, workers_per_team=1, time_per_container_h=self.receiving_time_h),
            pick=self.pick,
            pack=self.pack,
            replenishment=Replenishment(
                policy=self.policy, cover_days=self.cover_days, initial_cover_days=self.initial_cover_days
            ),
        )


class Flow(ScenarioModel):
    """One cross-border business line.

    - `1210` bonded import: the route carries stock in containers from `origin` to the bonded `warehouse` at its
      end, through the first-line checkpoint; consumer orders are served from that stock one by one (documents,
      pick, pack, second-line checkpoint at the warehouse, carrier or routed vans) and pay cross-border retail
      import tax within the limits.
    - `9610` direct mail: each order is a parcel, picked and packed at `origin` (`fulfilment`), consolidated
      onto the route's lanes (air or express), cleared at the checkpoints on the way, sorted and delivered.
      `direction: import` pays cross-border retail import tax within the limits (`demand.over_limit` says
      what happens over them); `export` pays none.
    - `9710` B2B direct export: each order is a shipment to a foreign business (many units per line), declared
      for export, carried and cleared at destination; no retail tax.
    - `9810` export to an overseas warehouse: the route carries bulk consignments from `origin` to the
      warehouse abroad at its end (`warehouse`, the same model as the bonded one, floor included; or the short
      form `overseas_warehouse`); consumer orders abroad are served from its stock.
    Checkpoints are passed on arrival at their node (an `export` checkpoint at the origin: before the first
    lane), in route order."""

    id: str = Field(min_length=1)
    mode: FlowMode
    direction: Literal["import", "export"] = "import"
    description: str = ""
    origin: str
    route: list[str] = Field(min_length=1, description="Lane ids from the origin, in order.")
    checkpoints: list[str] = Field(default_factory=list, description="Checkpoint ids on the route, in order.")
    demand: Demand
    catalog: Catalog | None = Field(default=None, description="The flow's own goods (default: the scenario's).")
    traders: dict[str, float] = Field(
        default_factory=dict, description="Share of the flow's orders declared by each trader (customs.traders)."
    )
    fulfilment: Station | None = Field(default=None, description="Pick and pack at the origin (9610, 9710).")
    sort: Station | None = Field(default=None, description="Sorting at the destination before delivery.")
    warehouse: Warehouse | None = Field(
        default=None, description="1210 and 9810: the warehouse at the route's end that serves the orders."
    )
    overseas_warehouse: OverseasWarehouse | None = Field(
        default=None, description="9810: the short form of its warehouse (no floor, receiving without a team limit)."
    )
    last_mile: LastMile

    @model_validator(mode="after")
    def _shape(self) -> Flow:
        mode = CUSTOMS_MODES[self.mode]
        if self.direction not in mode.directions:
            allowed = " or ".join(f"direction: {d}" for d in mode.directions)
            raise ValueError(f"mode {self.mode} ({mode.title}) takes {allowed}, not {self.direction}")
        given = (self.warehouse is not None) + (self.overseas_warehouse is not None)
        if mode.stocked_over_route and given != 1:
            short = " (or its short form, overseas_warehouse)" if mode.stock_abroad else ""
            raise ValueError(
                f"mode {self.mode} needs one warehouse{short}: the stock that orders are served from"
                + (", not both" if given == 2 else "")
            )
        if not mode.stock_abroad and self.overseas_warehouse is not None:
            raise ValueError(f"mode {self.mode} ({mode.title}) has no overseas_warehouse")
        if not mode.stocked_over_route and self.warehouse is not None:
            raise ValueError(f"mode {self.mode} ({mode.title}) has no warehouse section: its orders ship from origin")
        if mode.bonded_stock and (self.fulfilment is not None or self.sort is not None):
            raise ValueError(
                f"mode {self.mode} orders are picked and packed in the bonded warehouse (warehouse.pick, "
                "warehouse.pack): no fulfilment or sort station"
            )
        if any(v < 0 for v in self.traders.values()) or (self.traders and sum(self.traders.values()) <= 0):
            raise ValueError("trader shares must be >= 0 and not all zero")
        return self

    @property
    def stock_warehouse(self) -> Warehouse | None:
        """The warehouse serving its orders (1210, 9810), in the full form whichever form the file uses."""
        if self.overseas_warehouse is not None:
            return self.overseas_warehouse.as_warehouse()
        return self.warehouse

    @property
    def warehouse_field(self) -> str:
        """The name of the field its warehouse is written in (`warehouse`, or `overseas_warehouse`)."""
        return "overseas_warehouse" if self.overseas_warehouse is not None else "warehouse"

    @property
    def pays_retail_tax(self) -> bool:
        """Cross-border retail import tax and limits apply (9610 import)."""
        return CUSTOMS_MODES[self.mode].pays_retail_tax(self.direction)
