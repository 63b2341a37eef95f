"""Loading scenarios from YAML or JSON text, with `--set` overrides, into a validated `Scenario` (a file of any
kind, YAML, JSON or an Excel workbook: `logistics.scenario.files.load_scenario`).

Every problem becomes a `ScenarioIssue` naming the file, the line and the field path; pydantic's
`ValidationError` and PyYAML's errors never reach the user raw.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.scenario import Scenario
from logistics.scenario.upgrade import bonded_override_path, moved_path, needs_upgrade, upgrade

__all__ = ["Check", "apply_overrides", "parse_scenario", "read_yaml", "validate_data"]

Key = tuple[str | int, ...]


Check = Callable[[Scenario], object]
"""A further check of a valid scenario (e.g. that the simulation can build it); raises ScenarioError."""


def parse_scenario(
    text: str,
    source: str = "<scenario>",
    overrides: Sequence[str] = (),
    checks: Sequence[Check] = (),
    base: Path | None = None,
    files: bool = True,
) -> Scenario:
    """Validate scenario text (YAML, of which JSON is a subset); `source` names it in error messages; files it
    names (an order history) are relative to `base`, and not read at all when `files` is False."""
    data, lines = read_yaml(text, source)
    override_sources: dict[Key, str] = {}
    if needs_upgrade(data):  # version 1: its overrides name version-1 paths, so they apply before converting
        if overrides:
            data, override_sources = apply_overrides(data, overrides)
        upgraded = upgrade(data, lines, source, notify=True)
        data, lines = upgraded.data, upgraded.lines
        override_sources = {moved_path(k, upgraded): v for k, v in override_sources.items()}
    elif overrides:
        data, override_sources = apply_overrides(data, overrides)
    return validate_data(
        data, source=source, lines=lines, override_sources=override_sources, checks=checks, base=base, files=files
    )


def validate_data(
    data: Any,
    source: str = "<scenario>",
    lines: Mapping[Key, int] | None = None,
    override_sources: Mapping[Key, str] | None = None,
    checks: Sequence[Check] = (),
    base: Path | None = None,
    files: bool = True,
) -> Scenario:
    """Validate already-parsed data; `lines` maps field paths to line numbers for the messages; `base` and
    `files` as in `parse_scenario`."""
    lines = lines or {}
    override_sources = override_sources or {}
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            [
                ScenarioIssue(
                    (),
                    f"a scenario must be a mapping of sections, this is {kind}",
                    source=source,
                    line=1 if data is None else lines.get(()),
                )
            ]
        )
    if needs_upgrade(data):
        upgraded = upgrade(data, lines, source, notify=True)
        data, lines = upgraded.data, upgraded.lines
    try:
        scenario = Scenario.model_validate(data, context={"base": base, "files": files})
        for check in checks:
            check(scenario)
        return scenario
    except ValidationError as exc:
        issues = _issues_from_pydantic(exc, data)
    except ScenarioError as exc:
        issues = exc.issues
    raise ScenarioError([_locate(issue, source, lines, override_sources) for issue in issues]) from None


def apply_overrides(data: Any, overrides: Sequence[str]) -> tuple[Any, dict[Key, str]]:
    """Apply `a.b.c=value` overrides to a copy of `data`; values are read as YAML (`3`, `true`, `[1, 2]`).

    A list element is addressed by its position (`lanes.0`) or by its `id`/`name` (`lanes.sea_kr`). Paths that
    start with `warehouse`, `demand` or `last_mile` address the scenario's bonded-import (1210) flow.
    `a.b*=0.8` multiplies the number already there (a relative change that keeps its direction on every
    scenario, where a fixed value could reverse it).
    Returns the new data and, for each overridden path, the override text (to name it in errors).
    """
    import copy

    data = copy.deepcopy(data) if data is not None else {}
    sources: dict[Key, str] = {}
    for text in overrides:
        origin = f"--set {text}"
        key, sep, raw = text.partition("=")
        key = key.strip()
        relative = key.endswith("*")
        key = key.removesuffix("*").strip()
        if not sep or not key:
            raise ScenarioError([ScenarioIssue((), "expected path.to.field=value (or path*=factor)", source=origin)])
        try:
            value = read_yaml_value(raw) if raw.strip() else ""
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise ScenarioError([ScenarioIssue((), f"the value is not valid YAML: {problem}", source=origin)]) from None
        except (RecursionError, _TooLarge):
            raise ScenarioError([ScenarioIssue((), "the value is too large or too deep", source=origin)]) from None
        parts = bonded_override_path(data, key.split("."))
        node = data
        resolved: list[str | int] = []
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if isinstance(node, list):
                index = _list_index(node, part)
                if index is None:
                    raise ScenarioError(
                        [
                            ScenarioIssue(
                                tuple(resolved),
                                f"no element {part!r} in this list ({len(node)} elements; use a position or an id)",
                                source=origin,
                            )
                        ]
                    )
                resolved.append(index)
                if last:
                    node[index] = _scaled(node[index], value, resolved, origin) if relative else value
                else:
                    node = node[index]
            elif isinstance(node, dict):
                resolved.append(part)
                if last:
                    node[part] = _scaled(node.get(part), value, resolved, origin) if relative else value
                else:
                    if node.get(part) is None:
                        node[part] = {}
                    node = node[part]
            else:
                raise ScenarioError(
                    [
                        ScenarioIssue(
                            tuple(resolved),
                            f"{'.'.join(map(str, resolved))} is a value, it has no field {part!r}",
                            source=origin,
                        )
                    ]
                )
        sources[tuple(resolved)] = origin
    return data, sources


def _scaled(current: Any, factor: Any, path: list[str | int], origin: str) -> Any:
    """`current * factor` for a relative override; both must be numbers."""

    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    if not number(factor):
        raise ScenarioError([ScenarioIssue(tuple(path), f"the factor must be a number, got {factor!r}", origin)])
    if not number(current):
        raise ScenarioError(
            [ScenarioIssue(tuple(path), f"*= needs a number to scale, the field holds {current!r}", origin)]
        )
    return current * factor


def _list_index(items: list[Any], part: str) -> int | None:
    if part.lstrip("-").isdigit():
        index = int(part)
        return index if 0 <= index < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and part in (item.get("id"), item.get("name")):
            return i
    return None


MAX_FILE_BYTES = 20 * 2**20
"""Largest scenario text read (20 MiB); real scenarios are a few kB, order histories live in their own files."""
MAX_NODES = 200_000
"""Most YAML nodes a scenario may expand to, aliases counted each time they are used (a "billion laughs"
file expands to billions)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (the scenario language needs fewer than ten levels)."""

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: megabyte files in a second


class _Loader(_Base):
    """Safe YAML loader that refuses a key given twice in one mapping (PyYAML would keep the last) and turns a
    value its tag cannot make (`!!int 1.5`, the date `2026-11-31`) into an error at its line."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            what = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {what!r} as {_tag_name(node.tag)}: {exc}", node.start_mark
            ) from None


def _tag_name(tag: str) -> str:
    name = tag.rsplit(":", 1)[-1]
    return {"timestamp": "a date", "int": "an integer", "float": "a number", "bool": "true or false"}.get(
        name, f"a {name}"
    )


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or a mapping", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} appears twice in one mapping (first on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml_value(text: str) -> Any:
    """One YAML value with the scenario loader's rules (used for `--set` values); raises yaml.YAMLError."""
    data, _ = _parse(text)
    return data


def _syntax_error(exc: yaml.YAMLError, source: str) -> ScenarioError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{problem} ({exc.context})"
        kind = "YAML error" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
        return ScenarioError([ScenarioIssue((), f"{kind}: {problem}", source=source, line=line)])
    return ScenarioError([ScenarioIssue((), f"YAML error: {exc}", source=source)])


def _parse(text: str) -> tuple[Any, dict[Key, int]]:
    """Check the nesting on the event stream (libyaml composes recursively: a file nested 100,000 deep would
    crash the interpreter), compose once, check the alias expansion on the node graph, then construct."""
    _check_depth(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Key, int] = {}
        if node is None:
            return None, lines
        _index_lines(node, lines)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def read_yaml(text: str, source: str) -> tuple[Any, dict[Key, int]]:
    """Parse YAML text with the scenario rules (no duplicate keys, bounded size, depth and alias expansion);
    returns the data and the line of each field path. Every problem is a ScenarioError naming `source`."""
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(
            [ScenarioIssue((), f"the file is {len(text):,} characters, more than {MAX_FILE_BYTES:,}", source=source)]
        )
    try:
        return _parse(text)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, source) from None
    except RecursionError:
        raise ScenarioError([ScenarioIssue((), f"YAML nests deeper than {MAX_DEPTH} levels", source=source)]) from None
    except _TooLarge as exc:
        raise ScenarioError([ScenarioIssue(exc.path, exc.message, source=source, line=exc.line)]) from None


def _check_depth(text: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _TooLarge((), f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1 if mark else 0)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _TooLarge(Exception):
    def __init__(self, path: Key, message: str, line: int) -> None:
        super().__init__(message)
        self.path, self.message, self.line = path, message, line


def _index_lines(root: yaml.Node, lines: dict[Key, int]) -> None:
    """Map each field path to its line, refusing recursive aliases, nesting deeper than MAX_DEPTH and more
    than MAX_NODES nodes once aliases are expanded (iterative: no recursion limit to hit)."""
    count = 0
    stack: list[tuple[yaml.Node, Key, tuple[int, ...]]] = [(root, (), ())]
    while stack:
        node, path, ancestors = stack.pop()
        count += 1
        line = node.start_mark.line + 1
        if count > MAX_NODES:
            raise _TooLarge(path[:1], f"the file expands to more than {MAX_NODES:,} values (aliases counted)", line)
        if len(path) > MAX_DEPTH:
            raise _TooLarge(path[:MAX_DEPTH], f"nesting deeper than {MAX_DEPTH} levels", line)
        lines.setdefault(path, line)
        if isinstance(node, yaml.ScalarNode):
            continue
        if id(node) in ancestors:
            raise _TooLarge(path, "an alias refers to a value that contains it (a recursive alias)", line)
        inner = (*ancestors, id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _TooLarge(
                        path, "a key must be a plain name, not a list or a mapping", key_node.start_mark.line + 1
                    )
                key = (*path, key_node.value)
                lines[key] = key_node.start_mark.line + 1
                stack.append((value_node, key, inner))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*path, i), inner))


def _data_path(loc: tuple[Any, ...], data: Any) -> Key:
    """The part of a pydantic error location that exists in the data (drops union tags and branch names)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_branch_name(part):
            path.append(part)  # a missing or unknown key: keep it, it is what the message is about
            node = None
    return tuple(path)


def _is_branch_name(part: str) -> bool:
    return (
        part
        in {
            "deterministic",
            "exponential",
            "lognormal",
            "triangular",
            "uniform",
            "empirical",
            "int",
            "float",
            "str",
            "bool",
        }
        or "[" in part
        or part.startswith("function-")
    )


def _issues_from_pydantic(exc: ValidationError, data: Any) -> list[ScenarioIssue]:
    merged: dict[Key, list[str]] = {}
    missing: dict[Key, list[str]] = {}  # parent path -> missing field names
    unknown: dict[Key, list[str]] = {}  # parent path -> unknown keys
    for err in exc.errors(include_url=False):
        path = _data_path(tuple(err["loc"]), data)
        if err["type"] == "missing" and path:
            missing.setdefault(path[:-1], []).append(str(path[-1]))
        if err["type"] == "extra_forbidden" and path:
            unknown.setdefault(path[:-1], []).append(str(path[-1]))
        message = _message(err)
        bucket = merged.setdefault(path, [])
        if message not in bucket:
            bucket.append(message)
    # A misspelt required key shows up twice (unknown + missing): say it once, as a suggestion.
    for parent, extras in unknown.items():
        for extra in extras:
            close = difflib.get_close_matches(extra, missing.get(parent, []), n=1, cutoff=0.5)
            if close:
                merged.pop((*parent, close[0]), None)
                missing[parent].remove(close[0])
                merged[(*parent, extra)] = [f"unknown key; did you mean {close[0]!r}? (it is required)"]
    return [ScenarioIssue(path, "; or ".join(msgs)) for path, msgs in merged.items()]


def _message(err: Any) -> str:
    kind = err["type"]
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "extra_forbidden":
        return "unknown key (check its spelling; `logistics schema` lists every field)"
    if kind == "missing":
        return "required field is missing"
    value = err.get("input")
    if kind not in {"union_tag_invalid", "union_tag_not_found", "model_type", "value_error"} and (
        value is None or isinstance(value, str | int | float | bool)
    ):
        return f"{msg}, got {value!r}"
    return msg


def _locate(
    issue: ScenarioIssue, source: str, lines: Mapping[Key, int], override_sources: Mapping[Key, str]
) -> ScenarioIssue:
    for key, origin in override_sources.items():
        shorter = min(len(key), len(issue.path))
        if issue.path[:shorter] == key[:shorter]:
            return ScenarioIssue(issue.path, issue.message, source=origin, line=None)
    path = issue.path
    while path not in lines and path:
        path = path[:-1]
    return ScenarioIssue(issue.path, issue.message, source=source, line=lines.get(path))
