"""Places (nodes) and the transport lanes between them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from logistics.scenario.base import ScenarioModel
from logistics.scenario.calendar import Weekday
from logistics.scenario.distributions import Distribution

NodeKind = Literal["origin", "port", "airport", "rail_terminal", "checkpoint", "bonded_warehouse"]


class Node(ScenarioModel):
    """A place goods pass through."""

    id: str = Field(min_length=1)
    kind: NodeKind
    name: str | None = None


class Departures(ScenarioModel):
    """A timetable: one departure at `hour` on each listed weekday."""

    weekdays: list[Weekday] = Field(min_length=1)
    hour: float = Field(ge=0, lt=24)


class Lane(ScenarioModel):
    """A transport link. Scheduled (`departures` given) or on demand (leaves when a load is ready)."""

    id: str = Field(min_length=1)
    from_: str = Field(alias="from")
    to: str
    mode: Literal["sea", "rail", "air", "truck"]
    departures: Departures | None = None
    transit_time_h: Distribution
    containers_per_departure: int = Field(default=10, ge=1)
    container_volume_m3: float = Field(default=67.0, gt=0, description="Usable volume (40' HC: 67 m3).")
    container_payload_kg: float = Field(default=26_000.0, gt=0)
    cost_per_container_cny: float = Field(default=0.0, ge=0)


class Network(ScenarioModel):
    """Nodes and lanes; lanes must join existing nodes."""

    nodes: list[Node] = Field(min_length=1)
    lanes: list[Lane] = Field(default_factory=list)

    def node(self, node_id: str) -> Node | None:
        """The node with this id, if any."""
        return next((n for n in self.nodes if n.id == node_id), None)

    def path(self, origin: str, destination: str) -> list[Lane] | None:
        """The lanes of a path with the fewest lanes from `origin` to `destination` (None if unreachable)."""
        frontier = [origin]
        came_by: dict[str, Lane | None] = {origin: None}
        while frontier:
            nxt: list[str] = []
            for here in frontier:
                for lane in self.lanes:
                    if lane.from_ == here and lane.to not in came_by:
                        came_by[lane.to] = lane
                        nxt.append(lane.to)
            frontier = nxt
        if destination not in came_by:
            return None
        lanes: list[Lane] = []
        at = destination
        while (lane := came_by[at]) is not None:
            lanes.append(lane)
            at = lane.from_
        return lanes[::-1]
