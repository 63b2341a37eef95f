"""The root of the scenario language, and the checks that span sections (references between them)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Calendar, staffing_total
from logistics.scenario.catalog import Catalog
from logistics.scenario.costs import Costs
from logistics.scenario.customs import Customs
from logistics.scenario.demand import Demand
from logistics.scenario.disruptions import Disruption
from logistics.scenario.lastmile import LastMile
from logistics.scenario.network import Network
from logistics.scenario.run import RunSettings, ServiceLevel
from logistics.scenario.warehouse import Warehouse

Path = tuple[str | int, ...]


class Scenario(ScenarioModel):
    """A whole scenario: everything a run needs, validated before anything is simulated."""

    schema_version: Literal[1] = 1
    name: str = Field(min_length=1)
    description: str = ""
    run: RunSettings
    calendar: Calendar = Calendar()
    catalog: Catalog
    demand: Demand
    network: Network
    customs: Customs
    warehouse: Warehouse
    last_mile: LastMile
    costs: Costs = Costs()
    service_level: ServiceLevel = ServiceLevel()
    disruptions: list[Disruption] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        # Not a ValueError on purpose: pydantic lets it through, so each issue keeps its own field path.
        issues = list(_reference_issues(self))
        if issues:
            raise ScenarioError(issues)
        return self


def _reference_issues(s: Scenario) -> list[ScenarioIssue]:
    found: list[ScenarioIssue] = []

    def bad(path: Path, message: str) -> None:
        found.append(ScenarioIssue(path=path, message=message))

    node_ids = [n.id for n in s.network.nodes]
    known = set(node_ids)
    for i, node_id in enumerate(node_ids):
        if node_ids.index(node_id) != i:
            bad(("network", "nodes", i, "id"), f"node id {node_id!r} is used twice")

    def need_node(path: Path, node_id: str) -> bool:
        if node_id in known:
            return True
        bad(path, f"no node with id {node_id!r} (nodes: {', '.join(node_ids)})")
        return False

    lane_ids = [lane.id for lane in s.network.lanes]
    for i, lane in enumerate(s.network.lanes):
        if lane_ids.index(lane.id) != i:
            bad(("network", "lanes", i, "id"), f"lane id {lane.id!r} is used twice")
        need_node(("network", "lanes", i, "from"), lane.from_)
        need_node(("network", "lanes", i, "to"), lane.to)
        if lane.from_ == lane.to:
            bad(("network", "lanes", i, "to"), "a lane must join two different nodes")

    for i, c in enumerate(s.customs.checkpoints):
        if c.risk is not None and c.role != "second_line":
            bad(("customs", "checkpoints", i, "risk"), "risk-based selection applies to the second-line checkpoint")
        if c.risk is not None and not s.customs.traders:
            bad(("customs", "traders"), "risk-based selection needs traders (id, tier, share) to select by")
    trader_ids = [t.id for t in s.customs.traders]
    for i, t in enumerate(s.customs.traders):
        if trader_ids.index(t.id) != i:
            bad(("customs", "traders", i, "id"), f"trader id {t.id!r} is used twice")
    for i, d in enumerate(s.disruptions):
        checkpoint_ids = [c.id for c in s.customs.checkpoints]
        if hasattr(d, "checkpoint") and d.checkpoint not in checkpoint_ids:
            bad(
                ("disruptions", i, "checkpoint"),
                f"no checkpoint with id {d.checkpoint!r} (checkpoints: {', '.join(checkpoint_ids)})",
            )
        if hasattr(d, "lane") and d.lane not in lane_ids:
            bad(("disruptions", i, "lane"), f"no lane with id {d.lane!r} (lanes: {', '.join(lane_ids)})")
        if d.start_h >= s.run.horizon_h:
            bad(("disruptions", i, "start_h"), f"starts after the run ends (horizon_h {s.run.horizon_h})")

    lanes_ok = not found  # a path search over broken lanes would only repeat the problems found here
    shift_names = {sh.name for sh in s.calendar.shifts}

    def need_staff(path: Path, staffing: int | dict[str, int]) -> None:
        if isinstance(staffing, dict):
            for shift in staffing:
                if shift not in shift_names:
                    listed = ", ".join(sorted(shift_names)) or "none defined under calendar.shifts"
                    bad((*path, shift), f"no shift called {shift!r} (shifts: {listed})")
        if staffing_total(staffing) == 0:
            bad(path, "no workers in any shift: nothing would ever be processed")

    tax_names = {t.name for t in s.catalog.tax_categories}
    for i, sku in enumerate(s.catalog.skus):
        if sku.tax_category not in tax_names:
            bad(("catalog", "skus", i, "tax_category"), f"no tax category {sku.tax_category!r}")
    if s.catalog.generate is not None:
        for name in s.catalog.generate.tax_category_shares:
            if name not in tax_names:
                bad(("catalog", "generate", "tax_category_shares", name), f"no tax category {name!r}")

    wh = s.warehouse
    wh_ok = need_node(("warehouse", "node"), wh.node)
    if wh_ok and s.network.node(wh.node).kind != "bonded_warehouse":  # type: ignore[union-attr]
        bad(("warehouse", "node"), f"node {wh.node!r} is not of kind bonded_warehouse")
    need_staff(("warehouse", "receiving", "teams"), wh.receiving.teams)
    need_staff(("warehouse", "pick", "workers"), wh.pick.workers)
    need_staff(("warehouse", "pack", "workers"), wh.pack.workers)
    origin_ok = need_node(("warehouse", "replenishment", "origin"), wh.replenishment.origin)

    path_nodes: list[str] = []
    if wh_ok and origin_ok and lanes_ok:
        lanes = s.network.path(wh.replenishment.origin, wh.node)
        if lanes is None:
            bad(
                ("warehouse", "replenishment", "origin"),
                f"no chain of lanes leads from {wh.replenishment.origin!r} to the warehouse {wh.node!r}",
            )
        elif lanes[0].departures is None:
            bad(
                ("network", "lanes", lane_ids.index(lanes[0].id), "departures"),
                f"lane {lanes[0].id!r} leaves the replenishment origin, so it needs a timetable "
                "(replenishment orders are placed at each departure)",
            )
        else:
            path_nodes = [lane.to for lane in lanes]

    for i, cp in enumerate(s.customs.checkpoints):
        need_node(("customs", "checkpoints", i, "node"), cp.node)
        need_staff(("customs", "checkpoints", i, "servers"), cp.servers)
        if cp.inspection_probability > 0:
            need_staff(("customs", "checkpoints", i, "inspectors"), cp.inspectors)
    roles = [cp.role for cp in s.customs.checkpoints]
    for role in ("first_line", "second_line"):
        if roles.count(role) != 1:
            bad(
                ("customs", "checkpoints"),
                f"bonded import needs exactly one {role} checkpoint, found {roles.count(role)}",
            )
    first = s.customs.checkpoint("first_line")
    if first is not None and path_nodes and first.node not in path_nodes[:-1]:
        i = roles.index("first_line")
        bad(
            ("customs", "checkpoints", i, "node"),
            f"the first-line checkpoint must sit on the inbound path before the warehouse "
            f"({' -> '.join([wh.replenishment.origin, *path_nodes])})",
        )
    second = s.customs.checkpoint("second_line")
    if second is not None and second.node != wh.node:
        i = roles.index("second_line")
        bad(("customs", "checkpoints", i, "node"), "the second-line checkpoint must be at the warehouse node")
    return found
