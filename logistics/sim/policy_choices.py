"""Every decision policy a scenario chooses, found in one place and made in one way: `make_policy` builds one
(an unknown name or parameter is a ScenarioError naming its field), `check_policies` makes them all before
anything is built and reports every bad choice at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.policies.customs import SELECTION
from logistics.policies.dispatch import DISPATCH, DISPATCH_DECISIONS
from logistics.policies.docks import DOCKS
from logistics.policies.linehaul import ALLOCATION
from logistics.policies.registry import PolicyError, Registry
from logistics.policies.replenishment import REPLENISHMENT
from logistics.policies.staffing import STAFFING
from logistics.policies.warehouse import FLOOR_POLICIES
from logistics.scenario.policy import PolicyChoice
from logistics.scenario.scenario import Scenario

__all__ = ["ChosenPolicy", "check_policies", "chosen_policies", "make_policy"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ChosenPolicy:
    """One policy choice of a scenario: where it is (`path`), which registry, the choice, and the keywords the
    model passes besides the scenario's parameters (a warehouse's `cover_days`)."""

    path: Path
    registry: Registry[Any]
    choice: PolicyChoice
    fixed: dict[str, Any] = field(default_factory=dict)


def make_policy(path: Path, registry: Registry[Any], choice: PolicyChoice, **fixed: Any) -> Any:
    """The policy `choice` names, built from `registry` with its parameters (and `fixed` keywords); an unknown
    name or a bad parameter is a ScenarioError at `path`."""
    try:
        return registry.make(choice.name, {**fixed, **choice.params})
    except PolicyError as exc:
        raise ScenarioError([ScenarioIssue(path, str(exc))]) from None


def chosen_policies(s: Scenario) -> Iterator[ChosenPolicy]:
    """Every policy choice of the scenario, with its field path."""
    yield ChosenPolicy(("staffing",), STAFFING, s.staffing)
    for k, group in enumerate(s.network.lane_groups):
        yield ChosenPolicy(("network", "lane_groups", k, "allocation"), ALLOCATION, group.allocation)
    for k, cp in enumerate(s.customs.checkpoints):
        yield ChosenPolicy(
            ("customs", "checkpoints", k, "selection"), SELECTION, cp.selection_choice, {"checkpoint": cp}
        )
    for k, flow in enumerate(s.flows):
        wh = flow.warehouse
        if wh is not None:
            yield ChosenPolicy(
                ("flows", k, "warehouse", "replenishment", "policy"), REPLENISHMENT, wh.replenishment.policy,
                {"cover_days": wh.replenishment.cover_days},
            )  # fmt: skip
            if wh.floor is not None:
                for name, registry in FLOOR_POLICIES.items():
                    yield ChosenPolicy(("flows", k, "warehouse", "floor", name), registry, getattr(wh.floor, name))
                if wh.floor.docks is not None:
                    yield ChosenPolicy(
                        ("flows", k, "warehouse", "floor", "docks", "policy"), DOCKS, wh.floor.docks.policy
                    )
        if flow.last_mile.dispatch is not None:
            yield ChosenPolicy(
                ("flows", k, "last_mile", "dispatch", "policy"), DISPATCH, flow.last_mile.dispatch.policy
            )
            yield ChosenPolicy(
                ("flows", k, "last_mile", "dispatch", "decision"), DISPATCH_DECISIONS, flow.last_mile.dispatch.decision
            )
        if flow.overseas_warehouse is not None:
            ow = flow.overseas_warehouse
            yield ChosenPolicy(
                ("flows", k, "overseas_warehouse", "policy"), REPLENISHMENT, ow.policy, {"cover_days": ow.cover_days}
            )


def check_policies(s: Scenario) -> None:
    """Make every chosen policy; a ScenarioError lists every unknown name and bad parameter at once."""
    issues: list[ScenarioIssue] = []
    for chosen in chosen_policies(s):
        try:
            make_policy(chosen.path, chosen.registry, chosen.choice, **chosen.fixed)
        except ScenarioError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ScenarioError(issues)
