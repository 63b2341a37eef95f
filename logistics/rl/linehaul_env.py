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
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from logistics.rl.decision_env import Ask, DecisionEnv

__all__ = ["POLICY", "LinehaulAllocationEnv"]

SLACK_EDGES_H = (0.0, 24.0, 72.0)
POLICY = np.array([5, 5, 5, 5])


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

        super().__init__(scenario, overrides, 15)
        base = load_named(scenario, self.overrides)
        if not base.network.lane_groups:
            raise ValueError(f"scenario {base.name!r} has no lane group (network.lane_groups) to allocate")
        self.late_penalty_cny_per_h = late_penalty_cny_per_h
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(15,), dtype=np.float64)
        self.action_space = gym.spaces.MultiDiscrete([6, 6, 6, 6])
        self._groups: dict[int, Any] = {}
        self._late_h = self._last_h = 0.0

    def _install(self, ask: Ask) -> None:
        from logistics.sim.steps import LINEHAUL_DECISION

        def decide(group: Any, now: float, departures: list, queue: Any, eligible: int) -> list[int]:
            self._groups[id(group)] = group
            action = np.asarray(ask((self._observe(now, departures, queue, eligible), now)))
            built_in = group.policy.board(now, departures, queue, eligible) if (action == 5).any() else []
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

        LINEHAUL_DECISION.set(decide)

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
