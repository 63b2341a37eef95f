"""`logistics/Dispatch-v0`: the last-mile dispatch decision as a Gymnasium environment.

At each dispatch wave of a depot (a clock wave or a threshold wave) with parcels waiting and vans free, the
agent decides whether to dispatch now and which parcels go: those due within an urgency horizon, or all; the
scenario's routing policy (`last_mile.dispatch.policy`: nearest_neighbour, fixed_zone, ortools, pyvrp, auto)
builds the routes of what is sent, and what is held waits for a later wave.

- Observation (`Box(0, inf, (10,), float64)`): clock hour / 24; parcels waiting; of them, due within 12 h
  (or overdue), in 12-24 h, in 24-48 h, later; vans free now; parcels on the road; parcels riding to the depot;
  hours left in the run.
- Action (`MultiDiscrete([2, 4])`): `[dispatch, horizon]`: dispatch 0 holds every parcel this wave, 1 sends the
  parcels due within 12 h, 24 h, 48 h (`horizon` 0, 1, 2) or all of them (3).
- Reward: minus the cost incurred since the previous decision: the routes driven (the simulation's route costs,
  CNY) plus `late_penalty_cny_per_h` for every hour a routed parcel is past its promise and not yet delivered
  (counted until it is delivered or the run ends, so holding parcels back is paid for; the scenario's cost
  model has no lateness price, so the environment takes one).
- `info`: the step's `time_h`, `sent`, `held`, `route_cost_cny`, `late_h`; at the end also `kpis`, the run's
  KPI table as a dict (the same numbers `logistics run` writes).
- `reset(seed=s)` runs replication 0 with `run.seed = s` (no seed: the scenario's own); the same seed gives the
  same episode.
- `routing="nearest_neighbour"` (or any dispatch policy name) routes every depot's waves with that policy
  instead of the scenario's: the fast setting for training. On `last_mile_city` (48 h) OR-Tools routing is about
  90% of an episode's time; with nearest-neighbour routes the environment steps about 12 times faster
  (benchmarks/RESULTS.md), at the price of longer routes: evaluate a policy trained so with the scenario's own
  routing.
  `SEND_ALL = [1, 3]` every time is the built-in decision: the episode's KPIs are then bit for
  bit those of `logistics run` with the same scenario, overrides and seed.
"""

from __future__ import annotations

import math
import uuid
import weakref
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from logistics.policies.dispatch import DISPATCH_DECISIONS
from logistics.rl.decision_env import Ask, DecisionEnv

__all__ = ["HORIZONS_H", "SEND_ALL", "DispatchEnv"]

HORIZONS_H = (12.0, 24.0, 48.0, math.inf)
SEND_ALL = np.array([1, 3])


class DispatchEnv(DecisionEnv):
    """See the module's docstring."""

    def __init__(
        self,
        scenario: str = "last_mile_city",
        overrides: Sequence[str] = (),
        late_penalty_cny_per_h: float = 5.0,
        routing: str | None = None,
    ) -> None:
        from logistics.scenario.builtin import load_named

        base = load_named(scenario, list(overrides))
        dispatching = [k for k, f in enumerate(base.flows) if f.last_mile is not None and f.last_mile.dispatch]
        if not dispatching:
            raise ValueError(f"scenario {base.name!r} has no last-mile dispatch (last_mile.dispatch) to decide")
        if routing is not None:  # the scenario checks the name when the episode's run loads it
            overrides = [*overrides, *(f"flows.{k}.last_mile.dispatch.policy={routing}" for k in dispatching)]
            from logistics.sim.policy_choices import check_policies

            check_policies(load_named(scenario, list(overrides)))  # a bad name is refused here, not at a reset
        # the agent decides through the same registry a scenario names its decision from: registered under a name
        # of its own (removed when the environment goes) and named in the episodes' scenario
        self._decision_name = f"agent_{uuid.uuid4().hex}"
        me = weakref.ref(self)  # the registry must not keep the environment alive
        DISPATCH_DECISIONS.register(self._decision_name, lambda: _AgentDecision(me))
        weakref.finalize(self, DISPATCH_DECISIONS.unregister, self._decision_name)
        overrides = [*overrides, *(f"flows.{k}.last_mile.dispatch.decision={self._decision_name}" for k in dispatching)]
        super().__init__(scenario, overrides, 10)
        self.routing = routing
        self._ask: Ask | None = None
        self.late_penalty_cny_per_h = late_penalty_cny_per_h
        self.observation_space = gym.spaces.Box(0.0, np.inf, shape=(10,), dtype=np.float64)
        self.action_space = gym.spaces.MultiDiscrete([2, len(HORIZONS_H)])
        self._depots: dict[int, Any] = {}

    def _install(self, ask: Ask) -> None:
        self._ask = ask  # the episode's: its run's depots reach it through _AgentDecision

    def _decide(self, depot: Any, waiting: list[int], now: float) -> list[int]:
        """The agent's decision at a wave (in the run's thread): ask, then the parcels the action sends."""
        assert self._ask is not None, "a wave before the episode started"
        self._depots[id(depot)] = depot
        action = self._ask((self._observe(depot, waiting, now), now, depot, waiting))
        return _chosen(action, depot, waiting, now)

    def _forget(self) -> None:
        self._depots = {}

    def _observe(self, depot: Any, waiting: list[int], now: float) -> np.ndarray:
        due = depot.due_h[waiting] - now if waiting else np.zeros(0)
        free = sum(depot.van_free_at[v] <= now for v in depot.vans)
        return np.array(
            [
                (depot.start_hour + now) % 24.0 / 24.0,
                len(waiting),
                np.sum(due <= 12),
                np.sum((due > 12) & (due <= 24)),
                np.sum((due > 24) & (due <= 48)),
                np.sum(due > 48),
                free,
                depot.on_road,
                depot.to_depot,
                max(0.0, self._end_h - now),
            ],
            dtype=np.float64,
        )

    def _costs(self, now_h: float) -> dict[str, float]:
        """Route costs (CNY) and late hours of routed parcels up to `now_h`, over every depot seen: a parcel is
        late from its promise until it is delivered (or until now), so holding parcels back costs too."""
        cost = late = 0.0
        for depot in self._depots.values():
            cost += sum(float(r["cost_cny"]) for r in depot.route_rows)
            delivered = np.asarray(depot.cols.delivered_h, dtype=float)
            created = np.asarray(depot.cols.created_h, dtype=float)
            mine = depot.routed & (created <= now_h)
            until = np.where(np.isfinite(delivered) & (delivered <= now_h), delivered, now_h)[mine]
            late += float(np.clip(until - depot.due_h[mine], 0.0, None).sum())
        return {"route_cost_cny": cost, "late_h": late}

    def _price(self, step: dict[str, float]) -> float:
        return step["route_cost_cny"] + self.late_penalty_cny_per_h * step["late_h"]

    def _details(self, state: tuple, action: np.ndarray) -> dict[str, Any]:
        _, now, depot, waiting = state
        sent = len(_chosen(action, depot, waiting, now))
        return {"sent": sent, "held": len(waiting) - sent}


class _AgentDecision:
    """A `DispatchDecision` (logistics.policies.dispatch) that asks the environment's agent."""

    def __init__(self, env: weakref.ReferenceType[DispatchEnv]) -> None:
        self._env = env

    def choose(self, depot: Any, waiting: list[int], now_h: float) -> list[int]:
        env = self._env()
        if env is None:  # the environment is gone: nothing to ask, the built-in decision
            return list(waiting)
        return env._decide(depot, waiting, now_h)


def _chosen(action: Any, depot: Any, waiting: list[int], now: float) -> list[int]:
    """The parcels an action sends: none, or those due within its horizon."""
    if not int(action[0]):
        return []
    limit = now + HORIZONS_H[int(action[1])]
    return [o for o in waiting if depot.due_h[o] <= limit]
