"""The root of the scenario language, and the checks that span sections (references between them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, model_validator

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Calendar, staffing_total
from logistics.scenario.catalog import Catalog
from logistics.scenario.costs import Costs
from logistics.scenario.customs import Customs
from logistics.scenario.disruptions import Disruption
from logistics.scenario.emissions import Emissions
from logistics.scenario.flows import MODES, Flow
from logistics.scenario.history import HistoryCoverage, history_coverage
from logistics.scenario.modes import CUSTOMS_MODES
from logistics.scenario.network import Network
from logistics.scenario.policy import PolicyChoice
from logistics.scenario.run import RunSettings, ServiceLevel
from logistics.scenario.upgrade import upgrade_data

Path = tuple[str | int, ...]


class Scenario(ScenarioModel):
    """A whole scenario: everything a run needs, validated before anything is simulated.

    Schema version 2: every customs mode is a flow (`flows`), the bonded warehouse of 1210 included. Version-1
    data (a top-level `warehouse`, `demand` and `last_mile` for 1210) is converted on load
    (`logistics.scenario.upgrade`)."""

    schema_version: Literal[2] = 2
    name: str = Field(min_length=1)
    description: str = ""
    run: RunSettings
    calendar: Calendar = Calendar()
    catalog: Catalog
    network: Network
    customs: Customs
    flows: list[Flow] = Field(description="The business lines, one customs mode each.")
    costs: Costs = Costs()
    service_level: ServiceLevel = ServiceLevel()
    disruptions: list[Disruption] = Field(default_factory=list)
    emissions: Emissions = Emissions()
    staffing: PolicyChoice = Field(
        default=PolicyChoice(name="plan"),
        description="Who decides each shift's workers as it starts (STAFFING): plan (the workers each station "
        "plans by shift), or a registered staffing policy (a Gymnasium agent is one).",
    )

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        # Data built in Python rather than loaded from a file: convert version 1 here (files are converted
        # by the loader, which also keeps their line numbers).
        return upgrade_data(data) if isinstance(data, dict) else data

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        # Not a ValueError on purpose: pydantic lets it through, so each issue keeps its own field path.
        issues = list(_reference_issues(self))
        if not issues:
            issues = _history_issues(self)
        if issues:
            raise ScenarioError(issues)
        return self

    @property
    def bonded_index(self) -> int | None:
        """Position in `flows` of the (first) bonded-import (1210) flow, if the scenario has one."""
        return next((k for k, f in enumerate(self.flows) if CUSTOMS_MODES[f.mode].bonded_stock), None)

    @property
    def bonded_flow(self) -> Flow | None:
        """The (first) bonded-import (1210) flow, if any (each 1210 flow has its own bonded warehouse)."""
        k = self.bonded_index
        return None if k is None else self.flows[k]

    @property
    def modes(self) -> list[str]:
        """Customs modes the scenario runs, in MODES order."""
        present = {f.mode for f in self.flows}
        return [m for m in MODES if m in present]


def history_coverages(s: Scenario) -> list[tuple[int, HistoryCoverage]]:
    """(flow index, coverage) of every flow that replays an order history: its orders inside the horizon and
    outside it (not replayed)."""
    run = s.run
    return [
        (k, history_coverage(f.demand.history, run.start, run.horizon_h, run.timezone, f.mode))
        for k, f in enumerate(s.flows)
        if f.demand.history is not None
    ]


def _history_issues(s: Scenario) -> list[ScenarioIssue]:
    """A history none of whose orders falls inside the horizon would run with no orders: refused."""
    issues = []
    for k, cover in history_coverages(s):
        if cover.inside == 0:
            where = (
                f"its times run from hour {cover.first_h:,.1f} to {cover.last_h:,.1f} of the run"
                if cover.orders
                else "it has no orders of this flow's mode"
            )
            issues.append(
                ScenarioIssue(
                    ("flows", k, "demand", "history"),
                    f"none of the {cover.orders:,} orders of {cover.source} falls inside the horizon (hours 0 to "
                    f"{s.run.horizon_h:g} from {s.run.start:%Y-%m-%d %H:%M} {s.run.timezone}): {where}. Check "
                    "run.start, the history's time zone and date format, or shift_h",
                )
            )
    return issues


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

    _customs_and_disruption_issues(s, bad, lane_ids)

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

    _catalog_issues(s, bad)

    for i, cp in enumerate(s.customs.checkpoints):
        need_node(("customs", "checkpoints", i, "node"), cp.node)
        need_staff(("customs", "checkpoints", i, "servers"), cp.servers)
        if cp.inspection_probability > 0:
            need_staff(("customs", "checkpoints", i, "inspectors"), cp.inspectors)
        if sum(cp.outcome_shares) > 1 + 1e-9:
            bad(
                ("customs", "checkpoints", i, "failure_probability"),
                "failure_probability (a return share) plus the outcomes' hold, return and destroy exceed 1",
            )
    if not s.flows:
        bad(("flows",), "nothing to simulate: add at least one flow (1210 bonded import, 9610, 9710 or 9810)")
    _flow_issues(s, bad, need_node, need_staff, lanes_ok)
    served: dict[str, str] = {}  # warehouse node -> the flow it serves
    for k, f in enumerate(s.flows):
        wh = f.stock_warehouse
        if wh is None:
            continue
        _warehouse_issues(s, k, bad, need_node, need_staff)
        if wh.node in served:
            bad(
                ("flows", k, f.warehouse_field, "node"),
                f"warehouse {wh.node!r} already serves flow {served[wh.node]!r}: each flow served from stock has its "
                "own warehouse (its stock, staff and floor); give it another node, or merge the two flows' demand",
            )
        served.setdefault(wh.node, f.id)
    reported = {issue.path[:-1] for issue in found}
    found.extend(i for i in _duplicate_keys(s, ()) if i.path[:-1] not in reported)
    return found


def _customs_and_disruption_issues(s: Scenario, bad: Callable[[Path, str], None], lane_ids: list[str]) -> None:
    """Risk-based selection where it applies, traders named once, disruptions naming existing checkpoints and
    lanes and starting within the run."""
    for i, c in enumerate(s.customs.checkpoints):
        if c.risk is not None and c.role == "first_line":
            bad(
                ("customs", "checkpoints", i, "risk"),
                "risk-based selection applies to declarations with a trader (second line, export, import), "
                "not to first-line consignments",
            )
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


def _catalog_issues(s: Scenario, bad: Callable[[Path, str], None]) -> None:
    """Every SKU's and every generated share's tax category defined."""
    tax_names = {t.name for t in s.catalog.tax_categories}
    for i, sku in enumerate(s.catalog.skus):
        if sku.tax_category not in tax_names:
            bad(("catalog", "skus", i, "tax_category"), f"no tax category {sku.tax_category!r}")
    if s.catalog.generate is not None:
        for name in s.catalog.generate.tax_category_shares:
            if name not in tax_names:
                bad(("catalog", "generate", "tax_category_shares", name), f"no tax category {name!r}")


def _duplicate_keys(model: ScenarioModel, at: Path) -> list[ScenarioIssue]:
    """Every list of the scenario whose entries have an `id` (or a `name`, or a `date`) must not repeat one:
    a second fleet, checkpoint, shift or peak day of the same key would be silently shadowed or counted twice."""
    issues: list[ScenarioIssue] = []
    for field in type(model).model_fields:
        value = getattr(model, field)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, ScenarioModel):
                issues += _duplicate_keys(item, (*at, field, i) if isinstance(value, list) else (*at, field))
        if not isinstance(value, list) or not value or not isinstance(value[0], ScenarioModel):
            continue
        for key in ("id", "name", "date"):
            if not all(hasattr(item, key) for item in value):
                continue
            seen: dict[object, int] = {}
            for i, item in enumerate(value):
                k = getattr(item, key)
                if k is None:  # an optional key left out names nothing
                    continue
                if k in seen:
                    issues.append(
                        ScenarioIssue(
                            (*at, field, i, key),
                            f"{key} {repr(k) if isinstance(k, str) else k} is used twice (first at position {seen[k]})",
                        )
                    )
                else:
                    seen[k] = i
    return issues


def _warehouse_issues(s: Scenario, k: int, bad, need_node, need_staff) -> None:
    """The rules of the warehouse of a flow served from stock (1210 bonded, 9810 overseas) and, for 1210, of its
    checkpoints (its route is checked with every flow's)."""
    f = s.flows[k]
    wh = f.stock_warehouse
    assert wh is not None  # the flow's own validation
    mode = CUSTOMS_MODES[f.mode]
    at = ("flows", k, f.warehouse_field)
    kind = "bonded_warehouse" if mode.bonded_stock else "overseas_warehouse"
    node = s.network.node(wh.node) if need_node((*at, "node"), wh.node) else None
    if node is not None and node.kind != kind:
        bad((*at, "node"), f"node {wh.node!r} is not of kind {kind}")
    short = f.overseas_warehouse is not None  # the short form has no teams, carriers or floor
    if not short and wh.receiving.teams is not None:
        need_staff((*at, "receiving", "teams"), wh.receiving.teams)
    zone_ids = [z.id for z in f.last_mile.zones]
    served: dict[str, str] = {}
    for i, carrier in enumerate(wh.carriers):
        for j, zone in enumerate(carrier.zones):
            where = (*at, "carriers", i, "zones", j)
            if zone not in zone_ids:
                bad(where, f"no zone {zone!r} (zones: {', '.join(zone_ids)})")
            elif zone in served:
                bad(where, f"zone {zone!r} is already served by {served[zone]!r}")
            else:
                served[zone] = carrier.id
    need_staff((*at, "pick", "workers"), wh.pick.workers)
    need_staff((*at, "pack", "workers"), wh.pack.workers)
    if not mode.bonded_stock:
        return
    checkpoints = {c.id: c for c in s.customs.checkpoints}
    listed = [checkpoints[c] for c in f.checkpoints if c in checkpoints]
    for role in ("first_line", "second_line"):
        found = sum(c.role == role for c in listed)
        if found != 1:
            bad(("flows", k, "checkpoints"), f"bonded import needs exactly one {role} checkpoint, found {found}")
    for j, cp_id in enumerate(f.checkpoints):
        cp = checkpoints.get(cp_id)
        if cp is not None and cp.role == "first_line" and cp.node in (f.origin, wh.node):
            bad(
                ("flows", k, "checkpoints", j),
                f"the first-line checkpoint {cp_id!r} must sit on the inbound route between the origin and the "
                f"warehouse, not at {cp.node!r}",
            )
        if cp is not None and cp.role == "second_line" and cp.node != wh.node:
            bad(("flows", k, "checkpoints", j), f"the second-line checkpoint {cp_id!r} must be at the warehouse node")


def _flow_issues(s: Scenario, bad, need_node, need_staff, lanes_ok: bool) -> None:
    """References of every flow: routes, checkpoints, traders, goods, stations and warehouses."""
    lanes = {lane.id: lane for lane in s.network.lanes}
    for g, group in enumerate(s.network.lane_groups):
        at: Path = ("network", "lane_groups", g)
        if group.id in lanes:
            bad((*at, "id"), f"{group.id!r} is already a lane id")
            continue
        members = [lanes.get(x) for x in group.lanes]
        for j, (lane_id, lane) in enumerate(zip(group.lanes, members, strict=True)):
            if lane is None:
                bad((*at, "lanes", j), f"no lane with id {lane_id!r}")
            elif lane.departures is None:
                bad((*at, "lanes", j), f"lane {lane_id!r} has no timetable: a group allocates scheduled departures")
        known = [m for m in members if m is not None]
        if known and any((m.from_, m.to) != (known[0].from_, known[0].to) for m in known):
            bad((*at, "lanes"), "the lanes of a group must all join the same two nodes")
        if known and len(group.lanes) == len(known):
            lanes[group.id] = known[0]  # a route may name the group: it goes where its lanes go
    checkpoints = {c.id: c for c in s.customs.checkpoints}
    traders = {t.id for t in s.customs.traders}
    tax_names = {t.name for t in s.catalog.tax_categories}
    flow_ids = [f.id for f in s.flows]
    group_ids = {g.id for g in s.network.lane_groups}
    grouped = {lane: g.id for g in s.network.lane_groups for lane in g.lanes}
    for k, f in enumerate(s.flows):
        at = ("flows", k)
        if flow_ids.index(f.id) != k:
            bad((*at, "id"), f"flow id {f.id!r} is used twice")
        need_node((*at, "origin"), f.origin)
        here = f.origin
        nodes = [f.origin]
        for j, lane_id in enumerate(f.route):
            lane = lanes.get(lane_id)
            if lane is None:
                bad((*at, "route", j), f"no lane with id {lane_id!r} (lanes: {', '.join(lanes)})")
                nodes = []
                break
            if lane.from_ != here:
                if lanes_ok:  # a lane joining an unknown node is reported once, at the lane
                    bad((*at, "route", j), f"lane {lane_id!r} leaves {lane.from_!r}, but the route is at {here!r}")
                nodes = []
                break
            if lane_id in grouped and lane_id not in group_ids:
                bad((*at, "route", j), f"lane {lane_id!r} belongs to lane group {grouped[lane_id]!r}: name the group")
            here = lane.to
            nodes.append(here)
        position = -1
        for j, cp_id in enumerate(f.checkpoints):
            cp = checkpoints.get(cp_id)
            if cp is None:
                bad((*at, "checkpoints", j), f"no checkpoint with id {cp_id!r} (checkpoints: {', '.join(checkpoints)})")
                continue
            roles = CUSTOMS_MODES[f.mode].checkpoint_roles
            if cp.role not in roles:
                bad(
                    (*at, "checkpoints", j),
                    f"checkpoint {cp_id!r} has role {cp.role}; mode {f.mode} flows use {' or '.join(roles)} "
                    "checkpoints",
                )
            if nodes:
                later = [p for p, node in enumerate(nodes) if node == cp.node and p > position]
                if not later:
                    bad(
                        (*at, "checkpoints", j),
                        f"checkpoint {cp_id!r} at {cp.node!r} is not on the route after the previous checkpoint "
                        f"({' -> '.join(nodes)})",
                    )
                else:
                    position = later[0]
            if cp.risk is not None and not f.traders:
                bad((*at, "traders"), f"checkpoint {cp_id!r} selects by credit tier: give the flow's trader shares")
        for name in f.traders:
            if name not in traders:
                bad((*at, "traders", name), f"no trader {name!r} under customs.traders")
        names = {t.name for t in f.catalog.tax_categories} if f.catalog is not None else tax_names
        goods = f.catalog.skus if f.catalog is not None else []
        for i, sku in enumerate(goods):
            if sku.tax_category not in names:
                bad((*at, "catalog", "skus", i, "tax_category"), f"no tax category {sku.tax_category!r}")
        if f.catalog is not None and f.catalog.generate is not None:
            for name in f.catalog.generate.tax_category_shares:
                if name not in names:
                    bad((*at, "catalog", "generate", "tax_category_shares", name), f"no tax category {name!r}")
        for name, station in (("fulfilment", f.fulfilment), ("sort", f.sort)):
            if station is not None:
                need_staff((*at, name, "workers"), station.workers)
        stock = f.overseas_warehouse if f.overseas_warehouse is not None else f.warehouse
        if stock is not None:
            field = f.warehouse_field
            if nodes and stock.node != nodes[-1]:
                bad((*at, field, "node"), f"the route ends at {nodes[-1]!r}, not at the warehouse {stock.node!r}")
            first = lanes.get(f.route[0])
            if first is not None and first.departures is None:
                bad(
                    (*at, "route", 0),
                    f"lane {first.id!r} starts a {f.mode} route: it needs a timetable (stock is ordered at each "
                    "departure)",
                )
