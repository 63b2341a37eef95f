"""What every environment at a decision point of the simulation shares: a scenario run in its own thread
(`RunDriver`) that stops at each decision, `reset(seed)` and `step(action)` over it, the reward as minus the
cost incurred since the previous decision, and the run's KPI table in `info` at the end. A subclass names the
decision: it installs the model's hook (`_install`), says what the agent sees (in the state it asks with) and
what the run has cost so far (`_costs`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from logistics.rl.driver import Decision, Finished, RunDriver

__all__ = ["DecisionEnv"]

Ask = Callable[[tuple], Any]


class DecisionEnv(gym.Env):
    """A simulation run as an episode; the state a decision asks with is `(observation, now_h, ...)`."""

    metadata = {"render_modes": []}  # noqa: RUF012 (Gymnasium's convention)

    def __init__(self, scenario: str, overrides: Sequence[str], observations: int) -> None:
        self.scenario_name, self.overrides = scenario, list(overrides)
        self._size = observations
        self._driver: RunDriver | None = None
        self._pending: Decision | None = None
        self._seen: dict[str, float] = {}
        self._end_h = self._horizon_h = 0.0
        self._asked: dict[str, Any] = {}  # what `info` shows about the decision pending
        self._model: Any = None  # the episode's model (CrossBorderModel), once its run has started

    # for the subclass ---------------------------------------------------------------------------------------

    def _install(self, ask: Ask) -> None:
        """In the run's thread, before the model is built: set the model's decision hook, which calls `ask`."""
        raise NotImplementedError

    def _costs(self, now_h: float) -> dict[str, float]:
        """What the run has cost up to `now_h`, by component (cumulative; reported per step in `info`)."""
        raise NotImplementedError

    def _price(self, step: dict[str, float]) -> float:
        """The cost (CNY) of one step's components."""
        raise NotImplementedError

    def _forget(self) -> None:
        """Drop what the previous episode's run left (the parts of the model it saw)."""

    def _details(self, state: tuple, action: np.ndarray) -> dict[str, Any]:
        """What `step` adds to `info` about the decision taken (before the run goes on)."""
        return {}

    def _asking(self, state: tuple) -> dict[str, Any]:
        """What `info` shows about the decision asked for next (in `reset` and `step`)."""
        return {}

    # the episode ----------------------------------------------------------------------------------------------

    def _run(self, seed: int | None) -> Callable[[Ask], Any]:
        def run(ask: Ask) -> Any:
            from logistics.scenario.builtin import load_named
            from logistics.sim.engine import CrossBorderModel

            seeded = [f"run.seed={seed}"] if seed is not None else []
            scenario = load_named(self.scenario_name, [*self.overrides, *seeded])
            self._end_h, self._horizon_h = scenario.run.end_h, scenario.run.horizon_h
            self._install(ask)  # this thread's context: the model built below uses it
            self._model = CrossBorderModel(scenario, 0)
            return self._model.run()

        return run

    def _advance(self) -> tuple[np.ndarray, float, bool, dict[str, Any]]:
        assert self._driver is not None
        event = self._driver.next()
        now = event.state[1] if isinstance(event, Decision) else self._end_h
        costs = self._costs(now)
        step = {k: v - self._seen.get(k, 0.0) for k, v in costs.items()}
        self._seen = costs
        info: dict[str, Any] = dict(step)
        if isinstance(event, Finished):
            self._pending = None
            if event.error is not None:
                raise event.error
            from logistics.analysis.kpis import run_kpis

            table = run_kpis(event.result)
            table = table[~table["unit"].astype(str).str.contains("wall")]  # wall-clock timings never replay
            info["kpis"] = dict(zip(table["kpi"], table["value"], strict=True))
            return np.zeros(self._size), -self._price(step), True, info
        self._pending = event
        info["time_h"] = now
        self._asked = self._asking(event.state)
        info.update(self._asked)
        return event.state[0], -self._price(step), False, info

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.close()
        self._seen = {}
        self._forget()
        self._driver = RunDriver(self._run(seed))
        obs, _, done, info = self._advance()
        if done:
            return obs, {"no_decision": True}
        return obs, {"time_h": info["time_h"], **self._asked}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._pending is None:
            raise RuntimeError("the episode is over: call reset()")
        action = np.asarray(action)
        details = self._details(self._pending.state, action)
        self._pending.answer(action)
        obs, reward, terminated, info = self._advance()
        return obs, reward, terminated, False, {**info, **details}

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver, self._pending = None, None
