"""`logistics/LinehaulAllocation-v0`: line-haul space allocation as a Gymnasium environment.

At each departure's booking cut-off of a lane group (alternative services between two nodes, one queue), the
agent decides how much of each due-date class boards the departure leaving now; the rest waits for a later
departure of any of the group's services.

- Classes: the eligible shipments by slack to their deadline (promised delivery less the expected last mile):
  already past it, within 24 h, within 72 h, later.
- Observation (`Box(-inf, inf, (15,), float64)`): per class the eligible shipments, their kg and their mean
  slack (h; 0 when none); then the whole queue's length, the departure's capacity (kg) and the hours to the
  group's next departure (0 if none in the horizon).
- Action (`MultiDiscrete([6, 6, 6, 6])`), per class: board 0, 25, 50, 75 or 100% of its eligible shipments (in
  queue order), or 5 = as the group's allocation policy decides. `POLICY = [5, 5, 5, 5]` is the built-in
  decision: with it an episode's KPIs are bit for bit `logistics run`'s with the scenario's policy (`fcfs` or
  `optimized`), so each built-in policy is an agent.
- Reward: minus the transport cost of the departures since the previous decision (the simulation's departure
  costs) and `late_penalty_cny_per_h` for every hour queued shipments spent past their deadline (measured at
  the decisions).
- `info`: `time_h`, `transport_cny`, `late_h`; at the end `kpis` (the run's KPI table, wall-clock
  timings aside). `reset(seed=s)` runs replication 0 with `run.seed = s`.
"""

from __future__ import annotations

import math
import uuid
import weakref
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import yaml

from logistics.policies.linehaul import ALLOCATION
from logistics.rl.decision_env import Ask, DecisionEnv

__all__ = ["POLICY", "LinehaulAllocationEnv"]

SLACK_EDGES_H = (0.0, 24.0, 72.0)
POLICY = np.array([5, 5, 5, 5])


class _AgentAllocation:
    """An `AllocationPolicy` (logistics.policies.linehaul) that asks the environment's agent; `inner` is the lane
    group's own policy (its choice as the scenario gave it), used where the action says "as the policy decides"."""

    def __init__(self, env: weakref.ReferenceType[LinehaulAllocationEnv], inner: dict[str, Any]) -> None:
        self._env = env
        self.inner = ALLOCATION.make(inner["name"], inner.get("params"))
        self.horizon_h = float(getattr(self.inner, "horizon_h", 72.0))

    def board(self, now_h: float, departures: list, queue: Any, eligible: int) -> list[int]:
        env = self._env()
        if env is None:  # the environment is gone: nothing to ask, the group's own policy
            return list(self.inner.board(now_h, departures, queue, eligible))
        return env._decide(self, now_h, departures, queue, eligible)


def _classes(slack: np.ndarray) -> np.ndarray:
    """Each shipment's class by its slack (0: past the deadline ... 3: more than 72 h)."""
    return np.searchsorted(np.array(SLACK_EDGES_H), slack, side="left")


class LinehaulAllocationEnv(DecisionEnv):
    """See the module's docstring."""

    def __init__(
        self,
        scenario: str = "direct_mail_two_services",
        overrides: Sequence[str] = (),
        late_penalty_cny_per_h: float = 2.0,
    ) -> None:
        from logistics.scenario.builtin import load_named

        base = load_named(scenario, list(overrides))
        if not base.network.lane_groups:
            raise ValueError(f"scenario {base.name!r} has no lane group (network.lane_groups) to allocate")
        # the agent allocates through the registry a scenario names its allocation from: registered under a name of
        # its own (removed when the environment goes), wrapping each group's own policy (its "5" decisions)
        self._decision_name = f"agent_{uuid.uuid4().hex}"
        me = weakref.ref(self)  # the registry must not keep the environment alive
        ALLOCATION.register(self._decision_name, lambda inner: _AgentAllocation(me, inner))
        weakref.finalize(self, ALLOCATION.unregister, self._decision_name)
        wrapped = []
        for k, group in enumerate(base.network.lane_groups):
            choice = {"name": self._decision_name, "params": {"inner": group.allocation.model_dump(mode="json")}}
            wrapped.append(
                f"network.lane_groups.{k}.allocation={yaml.safe_dump(choice, default_flow_style=True).strip()}"
            )
        super().__init__(scenario, [*overrides, *wrapped], 15)
        self._ask: Ask | None = None
        self.late_penalty_cny_per_h = late_penalty_cny_per_h
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(15,), dtype=np.float64)
        self.action_space = gym.spaces.MultiDiscrete([6, 6, 6, 6])
        self._groups: dict[int, Any] = {}
        self._late_h = self._last_h = 0.0

    def _install(self, ask: Ask) -> None:
        self._ask = ask  # the episode's: its run's lane groups reach it through _AgentAllocation

    def _decide(self, agent: _AgentAllocation, now: float, departures: list, queue: Any, eligible: int) -> list[int]:
        """The agent's allocation at a cut-off (in the run's thread): ask, then who boards."""
        assert self._ask is not None and self._model is not None, "a departure before the episode started"
        group = next(g for g in self._model.flows.groups.values() if g.policy is agent)
        self._groups[id(group)] = group
        action = np.asarray(self._ask((self._observe(now, departures, queue, eligible), now)))
        built_in = agent.inner.board(now, departures, queue, eligible) if (action == 5).any() else []
        if (action == 5).all():  # the built-in decision, exactly (its order too)
            return list(built_in)
        chosen, cls = set(built_in), _classes(queue.deadline_h[:eligible] - now)
        board: list[int] = []
        for k in range(4):
            members = np.flatnonzero(cls == k)
            if action[k] == 5:
                board += [int(p) for p in members if p in chosen]
            else:
                board += [int(p) for p in members[: math.ceil(len(members) * action[k] / 4)]]
        return sorted(board)

    def _forget(self) -> None:
        self._groups, self._late_h, self._last_h = {}, 0.0, 0.0

    def _observe(self, now: float, departures: list, queue: Any, eligible: int) -> np.ndarray:
        slack = queue.deadline_h[:eligible] - now
        cls = _classes(slack)
        finite = np.where(np.isfinite(slack), slack, 1e4)
        kg = queue.weight_kg[:eligible]
        counts = [float((cls == k).sum()) for k in range(4)]
        weights = [float(kg[cls == k].sum()) for k in range(4)]
        slacks = [float(finite[cls == k].mean()) if (cls == k).any() else 0.0 for k in range(4)]
        later = [d.time_h for d in departures[1:]]
        tail = [float(len(queue.weight_kg)), float(departures[0].capacity_kg), (min(later) - now) if later else 0.0]
        return np.array([*counts, *weights, *slacks, *tail], dtype=np.float64)

    def _costs(self, now_h: float) -> dict[str, float]:
        """The departures' transport costs so far (CNY) and the hours queued shipments spent past their deadline
        (accumulated at each decision)."""
        from logistics.sim.lanes import DEPARTURE_COLUMNS

        at = DEPARTURE_COLUMNS.index("cost_cny")
        cost = sum(float(row[at]) for g in self._groups.values() for m in g.members for row in m.rows)
        for g in self._groups.values():
            jobs = np.array(g.queue[0], dtype=np.int64)
            if len(jobs):
                late = np.clip(now_h - np.maximum(g.deadline_h[jobs], self._last_h), 0.0, None)
                self._late_h += float(late.sum())
        self._last_h = now_h
        return {"transport_cny": cost, "late_h": self._late_h}

    def _price(self, step: dict[str, float]) -> float:
        return step["transport_cny"] + self.late_penalty_cny_per_h * step["late_h"]
