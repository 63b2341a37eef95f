"""Version upgrades of the scenario language, on the raw data before validation.

Version 2 describes every customs mode as a flow. Version 1 described bonded import (1210) apart: a top-level
`warehouse` (with `replenishment.origin`), `demand` and `last_mile`, the route found as the path with the fewest
lanes from the origin to the warehouse, its two checkpoints found by role, and its trader mix in
`customs.traders[*].share`. `upgrade` turns such data into one 1210 flow placed first in `flows`, with the line
numbers of the file carried over, so errors still point into the version-1 file; `logistics scenarios upgrade`
writes the result.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from logistics.core.errors import ScenarioError, ScenarioIssue

__all__ = [
    "BONDED_SECTIONS",
    "CURRENT_VERSION",
    "ScenarioNotice",
    "Upgraded",
    "bonded_override_path",
    "needs_upgrade",
    "upgrade",
    "upgrade_data",
]

CURRENT_VERSION = 2
BONDED_SECTIONS = ("warehouse", "demand", "last_mile")
"""Version 1's top-level sections of bonded import; in version 2 they are fields of the 1210 flow (and `--set`
paths starting with one of them address that flow: `warehouse.pick.workers=5`)."""

Key = tuple[str | int, ...]


class ScenarioNotice(UserWarning):
    """Something the user should know about a scenario that still loads (e.g. it was converted on load)."""


@dataclass(frozen=True)
class Upgraded:
    """Version-2 data, the line of each of its field paths, and whether it was converted."""

    data: Any
    lines: dict[Key, int] = field(default_factory=dict)
    converted_from: int | None = None
    path_map: dict[Key, Key] = field(default_factory=dict)  # version-1 path prefix -> version-2 path prefix


def needs_upgrade(data: Any) -> bool:
    """Whether `data` is version-1 scenario data (said so, or without a version and with a version-1 part)."""
    if not isinstance(data, dict):
        return False
    version = data.get("schema_version")
    if version == 1:
        return True
    if version is not None:
        return False
    traders = (data.get("customs") or {}).get("traders") if isinstance(data.get("customs"), dict) else None
    with_share = isinstance(traders, list) and any(isinstance(t, dict) and "share" in t for t in traders)
    return with_share or any(key in data for key in BONDED_SECTIONS)


def upgrade_data(data: dict[str, Any]) -> dict[str, Any]:
    """`data` in version 2 (converted, with one notice, if it is version 1; otherwise returned as is)."""
    converted: dict[str, Any] = upgrade(data, {}, "scenario data", notify=True, from_file=False).data
    return converted


def upgrade(
    data: Any, lines: Mapping[Key, int], source: str = "<scenario>", notify: bool = False, from_file: bool = True
) -> Upgraded:
    """Convert version-1 data to version 2 (other data is returned unchanged); `lines` maps the file's field
    paths to their lines and is carried over to the new paths. With `notify`, one ScenarioNotice says the file
    was converted and how to write the converted file."""
    if not needs_upgrade(data):
        return Upgraded(data, dict(lines))
    new = dict(data)
    new.pop("schema_version", None)
    flows = new.get("flows")
    flows = list(flows) if isinstance(flows, list) else ([] if flows is None else flows)
    # the bonded sections become a flow; with `flows` not a list they stay (their errors are reported as well)
    movable = isinstance(flows, list)
    sections = {key: new.pop(key) for key in BONDED_SECTIONS if key in new and movable}
    customs = new.get("customs")
    traders = customs.get("traders") if isinstance(customs, dict) else None
    shares: dict[str, Any] = {}
    if isinstance(traders, list):
        kept: list[Any] = []
        for t in traders:
            if isinstance(t, dict) and "share" in t:
                t = dict(t)
                share = t.pop("share")
                if "id" in t:
                    shares[str(t["id"])] = share
            kept.append(t)
        new["customs"] = dict(customs, traders=kept) if isinstance(customs, dict) else customs
    path_map: dict[Key, Key] = {}
    if sections:
        ids = [f.get("id") for f in flows if isinstance(f, dict)]
        flow = _bonded_flow(sections, new, shares, ids, source, lines)
        flows = [flow, *flows]
        path_map = {("flows", i): ("flows", i + 1) for i in range(len(flows) - 1)}
        path_map.update({(key,): ("flows", 0, key) for key in sections})
        path_map[("warehouse", "replenishment", "origin")] = ("flows", 0, "origin")
    new["flows"] = flows
    out = {"schema_version": CURRENT_VERSION, **new}
    new_lines = _moved_lines(lines, path_map, data, shares, bool(sections))
    if notify:
        warnings.warn(
            ScenarioNotice(
                f"{source}: scenario schema version 1, converted on load to version 2"
                + (f" (bonded import is now flow {flows[0]['id']!r})" if sections else "")
                + (
                    f"; `logistics scenarios upgrade {source}` writes the version-2 file"
                    if from_file
                    else "; give version-2 data (a flow of mode 1210) to load it as it is"
                )
            ),
            stacklevel=3,
        )
    return Upgraded(out, new_lines, 1, path_map)


def _bonded_flow(
    sections: dict[str, Any],
    data: dict[str, Any],
    shares: dict[str, Any],
    flow_ids: list[Any],
    source: str,
    lines: Mapping[Key, int],
) -> dict[str, Any]:
    """Version 1's warehouse, demand and last mile as one 1210 flow."""
    wh = sections.get("warehouse")
    origin = None
    node = None
    if isinstance(wh, dict):
        wh = dict(wh)
        node = wh.get("node")
        repl = wh.get("replenishment")
        if isinstance(repl, dict):
            repl = dict(repl)
            origin = repl.pop("origin", None)
            wh["replenishment"] = repl
    flow_id, n = "bonded_import", 2
    while flow_id in flow_ids:
        flow_id, n = f"bonded_import_{n}", n + 1
    flow: dict[str, Any] = {"id": flow_id, "mode": "1210", "direction": "import"}
    if origin is not None:
        flow["origin"] = origin
        route = _fewest_lanes(data.get("network"), origin, node)
        if route is None:
            raise ScenarioError(
                [
                    ScenarioIssue(
                        ("warehouse", "replenishment", "origin"),
                        f"no chain of lanes leads from {origin!r} to the warehouse {node!r}",
                        source=source,
                        line=lines.get(("warehouse", "replenishment", "origin")),
                    )
                ]
            )
        flow["route"] = route
    customs = data.get("customs")
    checkpoints = customs.get("checkpoints") if isinstance(customs, dict) else None
    if isinstance(checkpoints, list):
        flow["checkpoints"] = [
            c.get("id")
            for role in ("first_line", "second_line")
            for c in checkpoints
            if isinstance(c, dict) and c.get("role") == role
        ]
    risk_based = isinstance(checkpoints, list) and any(
        isinstance(c, dict) and c.get("role") == "second_line" and c.get("risk") is not None for c in checkpoints
    )
    if shares and risk_based:  # version 1 drew a trader per order only for risk-based selection
        flow["traders"] = shares
    for key in ("demand", "warehouse", "last_mile"):
        if key in sections:
            flow[key] = wh if key == "warehouse" else sections[key]
    return flow


def _fewest_lanes(network: Any, origin: Any, destination: Any) -> list[str] | None:
    """Lane ids of a path with the fewest lanes (version 1's rule for the inbound route), first lanes first."""
    lanes = network.get("lanes") if isinstance(network, dict) else None
    if not isinstance(lanes, list):
        return None
    lanes = [x for x in lanes if isinstance(x, dict)]
    came_by: dict[Any, dict[str, Any] | None] = {origin: None}
    frontier = [origin]
    while frontier:
        nxt = []
        for here in frontier:
            for lane in lanes:
                to = lane.get("to")
                if lane.get("from") == here and to not in came_by and isinstance(to, str | int):
                    came_by[to] = lane
                    nxt.append(to)
        frontier = nxt
    if destination not in came_by:
        return None
    route: list[str] = []
    at = destination
    while (lane := came_by[at]) is not None:
        route.append(str(lane.get("id")))
        at = lane.get("from")
    return route[::-1]


def _moved_lines(
    lines: Mapping[Key, int], path_map: Mapping[Key, Key], data: Any, shares: Mapping[str, Any], bonded: bool
) -> dict[Key, int]:
    """The line of each version-2 path: version-1 lines under their new paths, plus lines for the new fields
    (the 1210 flow at its warehouse section, its route at the replenishment origin, its checkpoints at theirs)."""
    out: dict[Key, int] = {}
    for path, line in lines.items():
        out.setdefault(_moved(path, path_map), line)
    if not bonded:
        return out
    for path, v1 in (
        (("flows", 0), ("warehouse",)),
        (("flows", 0, "route"), ("warehouse", "replenishment", "origin")),
        (("flows", 0, "checkpoints"), ("customs", "checkpoints")),
    ):
        if v1 in lines:
            out[path] = lines[v1]
    customs = data.get("customs") if isinstance(data, dict) else None
    checkpoints = customs.get("checkpoints") if isinstance(customs, dict) else None
    if isinstance(checkpoints, list):
        listed = [
            i
            for role in ("first_line", "second_line")
            for i, c in enumerate(checkpoints)
            if isinstance(c, dict) and c.get("role") == role
        ]
        for j, i in enumerate(listed):
            if ("customs", "checkpoints", i) in lines:
                out[("flows", 0, "checkpoints", j)] = lines[("customs", "checkpoints", i)]
    traders = customs.get("traders") if isinstance(customs, dict) else None
    if isinstance(traders, list):
        for i, t in enumerate(traders):
            if isinstance(t, dict) and str(t.get("id")) in shares and ("customs", "traders", i, "share") in lines:
                out[("flows", 0, "traders", str(t["id"]))] = lines[("customs", "traders", i, "share")]
    return out


def _moved(path: Key, path_map: Mapping[Key, Key]) -> Key:
    """`path` under the longest version-1 prefix that moved."""
    for n in range(len(path), 0, -1):
        new = path_map.get(path[:n])
        if new is not None:
            return (*new, *path[n:])
    return path


def moved_path(path: Key, upgraded: Upgraded) -> Key:
    """A version-1 field path as a version-2 path of the converted data."""
    return _moved(path, upgraded.path_map)


def bonded_override_path(data: Any, parts: list[str]) -> list[str]:
    """`--set` paths starting with `warehouse`, `demand` or `last_mile` address the 1210 flow's fields in
    version-2 data (`warehouse.pick.workers` is `flows.<its id>.warehouse.pick.workers`); other paths are
    returned unchanged."""
    if not parts or parts[0] not in BONDED_SECTIONS or not isinstance(data, dict) or parts[0] in data:
        return parts
    flows = data.get("flows")
    bonded = [
        str(k)
        for k, f in enumerate(flows if isinstance(flows, list) else [])
        if isinstance(f, dict) and str(f.get("mode")) == "1210"
    ]
    if len(bonded) != 1:
        raise ScenarioError(
            [
                ScenarioIssue(
                    (parts[0],),
                    f"{parts[0]}.… addresses the bonded-import (1210) flow's {parts[0]}, and this scenario has "
                    f"{len(bonded)} such flows: name the flow (flows.<id>.{parts[0]}.…)",
                )
            ]
        )
    return ["flows", bonded[0], *parts]
