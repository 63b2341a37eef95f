"""Loading scenarios from YAML or JSON text, with `--set` overrides, into a validated `Scenario`.

Every problem becomes a `ScenarioIssue` naming the file, the line and the field path; pydantic's
`ValidationError` and PyYAML's errors never reach the user raw.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.scenario.scenario import Scenario

__all__ = ["apply_overrides", "load_scenario", "parse_scenario", "validate_data"]

Key = tuple[str | int, ...]


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read a scenario file (YAML or JSON), apply `path.to.field=value` overrides and validate it."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([ScenarioIssue((), "file not found", source=str(file))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([ScenarioIssue((), f"cannot read the file: {exc}", source=str(file))]) from None
    return parse_scenario(text, source=str(file), overrides=overrides)


def parse_scenario(text: str, source: str = "<scenario>", overrides: Sequence[str] = ()) -> Scenario:
    """Validate scenario text (YAML, of which JSON is a subset); `source` names it in error messages."""
    data, lines = _read_yaml(text, source)
    override_sources: dict[Key, str] = {}
    if overrides:
        data, override_sources = apply_overrides(data, overrides)
    return validate_data(data, source=source, lines=lines, override_sources=override_sources)


def validate_data(
    data: Any,
    source: str = "<scenario>",
    lines: Mapping[Key, int] | None = None,
    override_sources: Mapping[Key, str] | None = None,
) -> Scenario:
    """Validate already-parsed data; `lines` maps field paths to line numbers for the messages."""
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
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        issues = _issues_from_pydantic(exc, data)
    except ScenarioError as exc:
        issues = exc.issues
    raise ScenarioError([_locate(issue, source, lines, override_sources) for issue in issues]) from None


def apply_overrides(data: Any, overrides: Sequence[str]) -> tuple[Any, dict[Key, str]]:
    """Apply `a.b.c=value` overrides to a copy of `data`; values are read as YAML (`3`, `true`, `[1, 2]`).

    A list element is addressed by its position (`lanes.0`) or by its `id`/`name` (`lanes.sea_kr`).
    Returns the new data and, for each overridden path, the override text (to name it in errors).
    """
    import copy

    data = copy.deepcopy(data) if data is not None else {}
    sources: dict[Key, str] = {}
    for text in overrides:
        origin = f"--set {text}"
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError([ScenarioIssue((), "expected path.to.field=value", source=origin)])
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError as exc:
            raise ScenarioError([ScenarioIssue((), f"the value is not valid YAML: {exc}", source=origin)]) from None
        parts = key.split(".")
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
                    node[index] = value
                else:
                    node = node[index]
            elif isinstance(node, dict):
                resolved.append(part)
                if last:
                    node[part] = value
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


def _list_index(items: list[Any], part: str) -> int | None:
    if part.lstrip("-").isdigit():
        index = int(part)
        return index if 0 <= index < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and part in (item.get("id"), item.get("name")):
            return i
    return None


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that refuses a key given twice in one mapping (PyYAML would keep the last)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
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


def _read_yaml(text: str, source: str) -> tuple[Any, dict[Key, int]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{problem} ({exc.context})"
        raise ScenarioError([ScenarioIssue((), f"YAML syntax error: {problem}", source=source, line=line)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([ScenarioIssue((), f"YAML error: {exc}", source=source)]) from None
    lines: dict[Key, int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return data, lines


def _index_lines(node: yaml.Node, path: Key, lines: dict[Key, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines)


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
