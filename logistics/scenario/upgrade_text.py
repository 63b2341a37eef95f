"""Writing a version-1 scenario file as version 2 with its comments and layout kept.

The data conversion (`upgrade.upgrade`) is the reference; this module moves the text of the version-1 bonded
sections (`demand`, `warehouse`, `last_mile`) into a new 1210 flow, drops `warehouse.replenishment.origin` and
the traders' shares, and sets the schema version. It handles files written section by section, as the built-ins
and most hand-written files are; the caller keeps the result only if it loads to exactly the converted scenario,
and writes the plain converted data otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["upgrade_text"]

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_BONDED = ("demand", "warehouse", "last_mile")


def _inline(value: Any) -> str:
    """`value` as one line of YAML flow style (quoted where YAML needs it)."""
    text = yaml.safe_dump([value], default_flow_style=True, width=1 << 30, allow_unicode=True, sort_keys=False)
    text = text.strip()
    return text[1:-1]


def _sections(lines: list[str]) -> list[tuple[str, int, int]]:
    """(key, first line, end) of each top-level section; comment lines right above a key belong to it."""
    starts = [(m.group(1), i) for i, line in enumerate(lines) if (m := _TOP_KEY.match(line))]
    out: list[tuple[str, int, int]] = []
    for n, (key, i) in enumerate(starts):
        first = i
        floor = starts[n - 1][1] + 1 if n else 0
        while first > floor and lines[first - 1].startswith("#"):
            first -= 1
        out.append((key, first, i))
    return [(key, first, out[n + 1][1] if n + 1 < len(out) else len(lines)) for n, (key, first, _) in enumerate(out)]


def upgrade_text(text: str, upgraded: dict[str, Any]) -> str | None:
    """The version-2 text of version-1 `text` (`upgraded`: the converted data, for the new flow's header), or None
    when the file is not laid out section by section."""
    lines = text.splitlines()
    sections = _sections(lines)
    if not sections or len({key for key, _, _ in sections}) != len(sections):
        return None
    where = {key: (first, end) for key, first, end in sections}
    flow_lines: list[str] = []
    if any(key in where for key in _BONDED):
        flows = upgraded.get("flows")
        if not isinstance(flows, list) or not flows or not isinstance(flows[0], dict):
            return None
        flow = flows[0]
        flow_lines = [f"  - id: {_inline(flow.get('id'))}"]
        flow_lines.append(f'    mode: "{flow.get("mode")}"')  # quoted: a number would not be a mode code
        for key in ("direction", "origin", "route", "checkpoints", "traders"):
            if key in flow:
                flow_lines.append(f"    {key}: {_inline(flow[key])}")
        for key in _BONDED:
            if key not in where:
                continue
            first, end = where[key]
            for line in lines[first:end]:
                if key == "warehouse" and re.match(r"^\s+origin\s*:", line):
                    continue  # the replenishment origin is the flow's origin now
                flow_lines.append(f"    {line}" if line.strip() else "")
        while flow_lines and not flow_lines[-1]:
            flow_lines.pop()
    out: list[str] = lines[: sections[0][1]]
    for key, first, end in sections:
        if key in _BONDED:
            continue
        part = lines[first:end]
        if key == "schema_version":
            part = [re.sub(r"^schema_version\s*:\s*1\b", "schema_version: 2", line) for line in part]
        if key == "flows" and flow_lines:
            head = where["flows"][0]
            at = next(i for i in range(head, end) if _TOP_KEY.match(lines[i])) - first
            if lines[first + at].split(":", 1)[1].split("#")[0].strip():
                return None  # `flows: [...]` in flow style: leave it to the data conversion
            part = [*part[: at + 1], *flow_lines, "", *part[at + 1 :]]
        if key == "customs":
            part = [re.sub(r",\s*share\s*:\s*[0-9.eE+-]+\s*\}", "}", line) if "tier" in line else line for line in part]
        out += part
        if key == "customs" and "flows" not in where and flow_lines:
            if out and out[-1].strip():
                out.append("")
            out += ["flows:", *flow_lines, ""]
    if "schema_version" not in where:
        out.insert(sections[0][1], "schema_version: 2")
    return "\n".join(out).rstrip("\n") + "\n"
