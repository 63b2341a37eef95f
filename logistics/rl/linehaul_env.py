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
- `info`: `time_h`, `boarded`, `transport_cny`, `late_h`; at the end `kpis` (the run's KPI table, wall-clock
  timings aside). `reset(seed=s)` runs replication 0 with `run.seed = s`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from logistics.rl.driver import Decision, Finished, RunDriver

__all__ = ["POLICY", "LinehaulAllocationEnv"]

SLACK_EDGES_H = (0.0, 24.0, 72.0)
POLICY = np.array([5, 5, 5, 5])


def _classes(slack: np.ndarray) -> np.ndarray:
    """Each shipment's class by its slack (0: past the deadline ... 3: more than 72 h)."""
    return np.searchsorted(np.array(SLACK_EDGES_H), slack, side="left")


class LinehaulAllocationEnv(gym.Env):
    """See the module's docstring."""

    metadata = {"render_modes": []}  # noqa: RUF012 (Gymnasium's convention)

    def __init__(
        self,
        scenario: str = "direct_mail_two_services",
        overrides: Sequence[str] = (),
        late_penalty_cny_per_h: float = 2.0,
    ) -> None:
        from logistics.scenario.builtin import load_named

        self.scenario_name, self.overrides = scenario, list(overrides)
        base = load_named(scenario, self.overrides)
        if not base.network.lane_groups:
            raise ValueError(f"scenario {base.name!r} has no lane group (network.lane_groups) to allocate")
        self.late_penalty_cny_per_h = late_penalty_cny_per_h
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(15,), dtype=np.float64)
        self.action_space = gym.spaces.MultiDiscrete([6, 6, 6, 6])
        self._driver: RunDriver | None = None
        self._pending: Decision | None = None
        self._groups: dict[int, Any] = {}
        self._cost_seen = self._late = 0.0
        self._last_h = 0.0
        self._end_h = 0.0

    def _run(self, seed: int | None) -> Any:
        def run(ask: Any) -> Any:
            from logistics.scenario.builtin import load_named
            from logistics.sim.engine import CrossBorderModel
            from logistics.sim.steps import LINEHAUL_DECISION

            scenario = load_named(
                self.scenario_name, [*self.overrides, *([f"run.seed={seed}"] if seed is not None else [])]
            )

            def decide(group: Any, now: float, departures: list, queue: Any, eligible: int) -> list[int]:
                self._groups[id(group)] = group
                slack = queue.deadline_h[:eligible] - now
                action = np.asarray(ask((self._observe(now, departures, queue, eligible), now, queue, eligible)))
                built_in = group.policy.board(now, departures, queue, eligible) if (action == 5).any() else []
                if (action == 5).all():  # the built-in decision, exactly (its order too)
                    return list(built_in)
                chosen, cls = set(built_in), _classes(slack)
                board: list[int] = []
                for k in range(4):
                    members = np.flatnonzero(cls == k)
                    if action[k] == 5:
                        board += [int(p) for p in members if p in chosen]
                    else:
                        board += [int(p) for p in members[: math.ceil(len(members) * action[k] / 4)]]
                return sorted(board)

            LINEHAUL_DECISION.set(decide)
            self._end_h = scenario.run.end_h
            return CrossBorderModel(scenario, 0).run()

        return run

    def _observe(self, now: float, departures: list, queue: Any, eligible: int) -> np.ndarray:
        slack = queue.deadline_h[:eligible] - now
        cls = _classes(slack)
        finite = np.where(np.isfinite(slack), slack, 1e4)
        obs = []
        for stat in ("count", "kg", "slack"):
            for k in range(4):
                mine = cls == k
                if stat == "count":
                    obs.append(float(mine.sum()))
                elif stat == "kg":
                    obs.append(float(queue.weight_kg[:eligible][mine].sum()))
                else:
                    obs.append(float(finite[mine].mean()) if mine.any() else 0.0)
        later = [d.time_h for d in departures[1:]]
        obs += [float(len(queue.weight_kg)), float(departures[0].capacity_kg), (min(later) - now) if later else 0.0]
        return np.array(obs, dtype=np.float64)

    def _costs(self, now: float) -> tuple[float, float]:
        from logistics.sim.lanes import DEPARTURE_COLUMNS

        at = DEPARTURE_COLUMNS.index("cost_cny")
        cost = sum(float(row[at]) for g in self._groups.values() for m in g.members for row in m.rows)
        waiting = 0.0
        for g in self._groups.values():
            jobs = np.array(g.queue[0], dtype=np.int64)
            if len(jobs):
                deadline = g.deadline_h[jobs]
                waiting += float(np.clip(now - np.maximum(deadline, self._last_h), 0.0, None).sum())
        return cost, waiting

    def _advance(self) -> tuple[np.ndarray, float, bool, dict[str, Any]]:
        assert self._driver is not None
        event = self._driver.next()
        now = event.state[1] if isinstance(event, Decision) else self._end_h
        cost, late = self._costs(now)
        step_cost = cost - self._cost_seen
        self._cost_seen, self._last_h = cost, now
        reward = -(step_cost + self.late_penalty_cny_per_h * late)
        info: dict[str, Any] = {"transport_cny": step_cost, "late_h": late}
        if isinstance(event, Finished):
            self._pending = None
            if event.error is not None:
                raise event.error
            from logistics.analysis.kpis import run_kpis

            table = run_kpis(event.result)
            table = table[~table["unit"].astype(str).str.contains("wall")]
            info["kpis"] = dict(zip(table["kpi"], table["value"], strict=True))
            return np.zeros(15), reward, True, info
        self._pending = event
        info["time_h"] = now
        return event.state[0], reward, False, info

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.close()
        self._groups, self._cost_seen, self._last_h = {}, 0.0, 0.0
        self._driver = RunDriver(self._run(seed))
        obs, _, _, info = self._advance()
        return obs, {k: v for k, v in info.items() if k == "time_h"}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._pending is None:
            raise RuntimeError("the episode is over: call reset()")
        self._pending.answer(np.asarray(action))
        obs, reward, terminated, info = self._advance()
        return obs, reward, terminated, False, info

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver, self._pending = None, None
