"""Property: whatever a scenario file is mutated into, loading it ends in a Scenario or a ScenarioError
whose every issue names where it is, never in another exception."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.core import ScenarioError
from logistics.scenario import builtin_text, parse_scenario
from logistics.testing.fuzz import paths as _paths

BASE = yaml.safe_load(builtin_text("bonded_import_small"))


PATHS = [p for p in _paths(BASE) if p]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.sampled_from(["kind", "mean", "value", "x"]), st.integers(-3, 3), max_size=3),
    st.just({"kind": "triangular", "low": 5, "mode": 1, "high": 2}),
)


def _mutate(data: Any, path: tuple, action: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{key}_x"] = parent.pop(key)
    else:
        parent[key] = value
    return data


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(PATHS), st.sampled_from(["delete", "rename", "set"]), VALUES),
        min_size=1,
        max_size=3,
    )
)
def test_mutated_scenarios_never_crash(mutations: list) -> None:
    data = BASE
    for path, action, value in mutations:
        try:
            data = _mutate(data, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    text = yaml.safe_dump(data, sort_keys=False)
    try:
        parse_scenario(text, source="mutated.yaml")
    except ScenarioError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert issue.source == "mutated.yaml"
            assert issue.message
            assert issue.line is not None or issue.path == () or issue.field


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        parse_scenario(text, source="random.yaml")
    except ScenarioError as exc:
        assert exc.issues
