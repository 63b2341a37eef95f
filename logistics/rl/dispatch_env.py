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
  same episode. `SEND_ALL = [1, 3]` every time is the built-in decision: the episode's KPIs are then bit for
  bit those of `logistics run` with the same scenario, overrides and seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from logistics.rl.driver import Decision, Finished, RunDriver

__all__ = ["HORIZONS_H", "SEND_ALL", "DispatchEnv"]

HORIZONS_H = (12.0, 24.0, 48.0, math.inf)
SEND_ALL = np.array([1, 3])


class DispatchEnv(gym.Env):
    """See the module's docstring."""

    metadata = {"render_modes": []}  # noqa: RUF012 (Gymnasium's convention)

    def __init__(
        self,
        scenario: str = "last_mile_city",
        overrides: Sequence[str] = (),
        late_penalty_cny_per_h: float = 5.0,
    ) -> None:
        from logistics.scenario.builtin import load_named

        self.scenario_name = scenario
        self.overrides = list(overrides)
        base = load_named(scenario, self.overrides)
        if not _has_dispatch(base):
            raise ValueError(f"scenario {base.name!r} has no last-mile dispatch (last_mile.dispatch) to decide")
        self.late_penalty_cny_per_h = late_penalty_cny_per_h
        self.observation_space = gym.spaces.Box(0.0, np.inf, shape=(10,), dtype=np.float64)
        self.action_space = gym.spaces.MultiDiscrete([2, len(HORIZONS_H)])
        self._driver: RunDriver | None = None
        self._pending: Decision | None = None
        self._depots: dict[int, Any] = {}
        self._cost_seen = 0.0
        self._late_seen = 0.0
        self._end_h = 0.0

    # the simulation side (runs in the driver's thread) ----------------------------------------------------

    def _run(self, seed: int | None) -> Any:
        def run(ask: Any) -> Any:
            from logistics.scenario.builtin import load_named
            from logistics.sim.dispatch import DISPATCH_DECISION
            from logistics.sim.engine import CrossBorderModel

            overrides = [*self.overrides, *([f"run.seed={seed}"] if seed is not None else [])]
            scenario = load_named(self.scenario_name, overrides)

            def decide(depot: Any, waiting: list[int], now: float) -> list[int]:
                self._depots[id(depot)] = depot
                action = ask((self._observe(depot, waiting, now), depot, waiting, now))
                dispatch, horizon = int(action[0]), int(action[1])
                if not dispatch:
                    return []
                limit = now + HORIZONS_H[horizon]
                return [o for o in waiting if depot.due_h[o] <= limit]

            DISPATCH_DECISION.set(decide)  # this thread's context: the depots built below use it
            model = CrossBorderModel(scenario, 0)
            self._end_h = scenario.run.end_h
            return model.run()

        return run

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

    # the environment side ---------------------------------------------------------------------------------

    def _costs(self, now: float) -> tuple[float, float]:
        """Route costs (CNY) and late hours of routed parcels up to `now`, over every depot seen: a parcel is
        late from its promise until it is delivered (or until now), so holding parcels back costs too."""
        cost = late = 0.0
        for depot in self._depots.values():
            cost += sum(float(r["cost_cny"]) for r in depot.route_rows)
            delivered = np.asarray(depot.cols.delivered_h, dtype=float)
            created = np.asarray(depot.cols.created_h, dtype=float)
            mine = depot.routed & (created <= now)
            until = np.where(np.isfinite(delivered) & (delivered <= now), delivered, now)[mine]
            late += float(np.clip(until - depot.due_h[mine], 0.0, None).sum())
        return cost, late

    def _advance(self) -> tuple[np.ndarray, float, bool, dict[str, Any]]:
        assert self._driver is not None
        event = self._driver.next()
        now = event.state[3] if isinstance(event, Decision) else self._end_h
        cost, late = self._costs(now)
        step_cost, step_late = cost - self._cost_seen, late - self._late_seen
        self._cost_seen, self._late_seen = cost, late
        reward = -(step_cost + self.late_penalty_cny_per_h * step_late)
        info: dict[str, Any] = {"route_cost_cny": step_cost, "late_h": step_late}
        if isinstance(event, Finished):
            self._pending = None
            if event.error is not None:
                raise event.error
            from logistics.analysis.kpis import run_kpis

            table = run_kpis(event.result)
            table = table[~table["unit"].astype(str).str.contains("wall")]  # wall-clock timings never replay
            info["kpis"] = dict(zip(table["kpi"], table["value"], strict=True))
            return np.zeros(10), reward, True, info
        self._pending = event
        obs, _, _, now = event.state
        info["time_h"] = now
        return obs, reward, False, info

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.close()
        self._depots, self._cost_seen, self._late_seen = {}, 0.0, 0.0
        self._driver = RunDriver(self._run(seed))
        obs, _, done, info = self._advance()
        info.pop("route_cost_cny", None), info.pop("late_h", None)
        if done:  # a run without a single decision
            info["no_decision"] = True
        return obs, info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._pending is None:
            raise RuntimeError("the episode is over: call reset()")
        action = np.asarray(action)
        _, depot, waiting, now = self._pending.state
        dispatch, horizon = int(action[0]), int(action[1])
        sent = 0 if not dispatch else sum(depot.due_h[o] <= now + HORIZONS_H[horizon] for o in waiting)
        self._pending.answer(action)
        obs, reward, terminated, info = self._advance()
        info.update(sent=int(sent), held=len(waiting) - int(sent))
        return obs, reward, terminated, False, info

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver, self._pending = None, None


def _has_dispatch(scenario: Any) -> bool:
    return any(f.last_mile is not None and f.last_mile.dispatch is not None for f in scenario.flows)
