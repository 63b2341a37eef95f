"""`logistics/Staffing-v0`: calling workers in, shift by shift, as a Gymnasium environment.

At each shift boundary inside the horizon where some paid role's shift starts (a warehouse or flow station staffed
by shift: receiving teams, pickers, packers, replenishers, put-away, a flow's stations), the agent decides how
many workers each role starting a shift now calls in, within bounds. Customs officers (checkpoint servers and
inspectors) are not the operator's to call: they keep the scenario's plan; so do shifts starting in the
cool-down (the run drains as the scenario says; the cost model pays no labour there).

- Roles (`env.unwrapped.roles`): `"STATION@SHIFT"` for every paid station staffed by shift and every shift its
  staffing names, in the order the model builds them.
- Action (`MultiDiscrete(high - low + 1, start=low)`): the workers of each role for its shift starting now;
  entries of roles whose shift does not start now are ignored. Bounds: `bounds={"ROLE": (low, high)}`, by
  default 0 to `max_factor` (2) times the most the plan ever puts on that role's shift (at least 1).
  `info["planned"]` is the scenario's plan as an action: the built-in policy. With it, an episode's KPIs are
  bit for bit those of `logistics run` with the same scenario, overrides and seed (the simulation staffs every
  station through the same rota code either way).
- Observation (`Box(0, inf, (5 + 2 * roles + 3 * stations,), float64)`): clock hour / 24, hours left in the
  horizon, orders not yet dispatched (created, not refused), of them past their promise (a warehouse's dispatch
  promise `service_level.dispatch_within_h`; a flow's line-haul deadline), workers staying on through this
  boundary over every role (shifts that began before it and end after it); per role: 1 if its shift starts
  now, the plan's workers for it (0 otherwise); per station with a rota: jobs queued, servers busy, workers
  staying on.
- Reward: minus the cost incurred since the previous decision: labour of the roles' staffed hours inside the
  horizon at `costs.labour_cny_per_worker_h` (per worker: a receiving team counts its `workers_per_team`; the
  simulation's own labour cost, so over an episode it adds up to the run's labour cost when all paid staff is
  by shift), `call_in_cny` per worker called in for a shift (the plan's shifts too), and
  `late_penalty_cny_per_h` for every hour an order waits past its promise before it is dispatched (until the
  run ends).
- `info`: the step's `time_h`, `labour_cny`, `call_ins`, `late_h`, `dispatched` (orders dispatched in the
  step), `planned`, `starting` (which roles start a shift now); at the end also `kpis` (the run's KPI table,
  wall-clock timings aside). `reset(seed=s)` runs replication 0 with `run.seed = s`.
"""

from __future__ import annotations

import math
import uuid
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from logistics.policies.staffing import STAFFING
from logistics.rl.decision_env import Ask, DecisionEnv

__all__ = ["StaffingEnv"]

GLOBAL_FEATURES = 5


class StaffingEnv(DecisionEnv):
    """See the module's docstring."""

    def __init__(
        self,
        scenario: str = "bonded_import_small",
        overrides: Sequence[str] = (),
        call_in_cny: float = 20.0,
        late_penalty_cny_per_h: float = 5.0,
        max_factor: float = 2.0,
        bounds: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        # the agent staffs through the registry a scenario names its staffing policy from: registered under a name
        # of its own (removed when the environment goes) and named in the episodes' scenario
        self._decision_name = f"agent_{uuid.uuid4().hex}"
        me = weakref.ref(self)  # the registry must not keep the environment alive
        STAFFING.register(self._decision_name, lambda: _AgentStaffing(me))
        weakref.finalize(self, STAFFING.unregister, self._decision_name)
        super().__init__(scenario, [*overrides, f"staffing={self._decision_name}"], 0)
        if call_in_cny < 0 or late_penalty_cny_per_h < 0 or max_factor <= 0:
            raise ValueError("call_in_cny and late_penalty_cny_per_h must be >= 0 and max_factor > 0")
        self.call_in_cny, self.late_penalty_cny_per_h = call_in_cny, late_penalty_cny_per_h
        planned, stations = _roles(scenario, list(overrides))
        if not planned:
            raise ValueError(
                f"scenario {scenario!r} has no paid station staffed by shift (workers or teams by shift) to staff"
            )
        self.roles = list(planned)
        self.stations = stations
        self._index = {role: k for k, role in enumerate(self.roles)}
        bounds = dict(bounds or {})
        unknown = sorted(set(bounds) - set(self.roles))
        if unknown:
            raise ValueError(f"bounds name unknown roles {unknown}; the roles are {self.roles}")
        low, high = [], []
        for role in self.roles:
            lo, hi = bounds.get(role, (0, max(1, math.ceil(max_factor * planned[role]))))
            if not 0 <= lo <= hi:
                raise ValueError(f"bounds[{role!r}] = {(lo, hi)}: need 0 <= low <= high")
            low.append(lo)
            high.append(hi)
        self.low, self.high = np.array(low, dtype=np.int64), np.array(high, dtype=np.int64)
        self._size = GLOBAL_FEATURES + 2 * len(self.roles) + 3 * len(self.stations)
        self.observation_space = gym.spaces.Box(0.0, np.inf, shape=(self._size,), dtype=np.float64)
        self.action_space = gym.spaces.MultiDiscrete(self.high - self.low + 1, start=self.low)
        self._roster: Any = None
        self._ask: Ask | None = None
        self._called = 0
        self._order_arrays: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    # the decision ------------------------------------------------------------------------------------------

    def _install(self, ask: Ask) -> None:
        self._ask = ask  # the episode's: its run's roster reaches it through _AgentStaffing

    def _choose(self, now: float, calls: list[Any]) -> list[int]:
        """The agent's staffing of the shifts starting now (in the run's thread)."""
        assert self._ask is not None, "a shift before the episode started"
        if self._roster is None:  # the first call comes while the model is being built: its roster via a rota
            self._roster = calls[0].rota.roster
        starting = self._starting(calls)
        action = np.asarray(self._ask((self._observe(now, calls), now, calls, starting)))
        if not self.action_space.contains(action.astype(np.int64)):
            raise ValueError(f"action {action.tolist()} is outside the action space {self.action_space}")
        chosen = [int(action[self._index[_key(c)]]) for c in calls]
        self._called += sum(chosen)
        return chosen

    def _forget(self) -> None:
        self._roster, self._called, self._order_arrays = None, 0, None

    def _starting(self, calls: list) -> np.ndarray:
        mask = np.zeros(len(self.roles), dtype=np.int8)
        for c in calls:
            mask[self._index[_key(c)]] = 1
        return mask

    def _plan(self, calls: list) -> np.ndarray:
        """The scenario's plan as an action (roles not starting a shift now: their lower bound)."""
        plan = self.low.copy()
        for c in calls:
            plan[self._index[_key(c)]] = c.span.workers
        return plan

    def _asking(self, state: tuple) -> dict[str, Any]:
        _, _, calls, starting = state
        return {"planned": self._plan(calls), "starting": starting}

    # what the agent sees -----------------------------------------------------------------------------------

    def _observe(self, now: float, calls: list) -> np.ndarray:
        self._model = self._roster.model  # (asked first while the model is still being built)
        waiting, late = self._backlog(now)
        rotas = self._roster.rotas
        staying = [_staying(r, now) for r in rotas]
        head = [(self._model.scenario.run.start.hour + now) % 24.0 / 24.0, max(0.0, self._horizon_h - now)]
        per_role = np.zeros((len(self.roles), 2))
        for c in calls:
            per_role[self._index[_key(c)]] = (1.0, c.span.workers)
        per_station = [
            (len(r.station.queue), r.station.busy, stay) if r.station is not None else (0, 0, stay)
            for r, stay in zip(rotas, staying, strict=True)
        ]
        return np.array(
            [*head, waiting, late, sum(staying), *per_role.ravel(), *np.ravel(per_station)], dtype=np.float64
        )

    def _orders(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(created_h, due_h, dispatched_h) of the run's orders: each warehouse's (not refused) and the flows'.
        Made once an episode: the model writes dispatch times into these arrays as the run goes."""
        if self._order_arrays is None:
            self._order_arrays = self._order_columns()
        return self._order_arrays

    def _order_columns(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        model, out = self._model, []
        promise = model.scenario.service_level.dispatch_within_h
        for part in model.warehouses:
            created = np.where(part.rejected, np.nan, part.cols.created_h)
            out.append((created, created + promise, part.cols.dispatched_h))
        flows = model.flows
        if flows.n_orders:
            orders = slice(0, flows.n_orders)
            out.append((flows.created_h[orders], flows.deadline_h[orders], flows.dispatched_h[orders]))
        return out

    def _backlog(self, now: float) -> tuple[int, int]:
        waiting = late = 0
        for created, due, dispatched in self._orders():
            here = (created <= now) & ~(dispatched <= now)
            waiting += int(here.sum())
            late += int((here & (due < now)).sum())
        return waiting, late

    def _costs(self, now_h: float) -> dict[str, float]:
        """Labour of the rotas' staffed hours inside the horizon (CNY), workers called in, hours orders waited
        past their promise before dispatch, and orders dispatched, all up to `now_h`."""
        from logistics.sim.shifts import staffed_hours

        if self._roster is None or self._model is None:
            return {"labour_cny": 0.0, "call_ins": 0.0, "late_h": 0.0, "dispatched": 0}
        rate = self._model.scenario.costs.labour_cny_per_worker_h
        until = min(now_h, self._horizon_h)
        labour = sum(
            r.workers_per_server * staffed_hours(r.station.schedule, until)
            for r in self._roster.rotas
            if r.station is not None
        )
        late, sent = 0.0, 0
        for created, due, dispatched in self._orders():
            born = created <= now_h
            until_h = np.where(dispatched <= now_h, dispatched, now_h)[born]
            late += float(np.clip(until_h - due[born], 0.0, None).sum())
            sent += int(np.count_nonzero(dispatched[born] <= now_h))
        return {"labour_cny": labour * rate, "call_ins": float(self._called), "late_h": late, "dispatched": sent}

    def _price(self, step: dict[str, float]) -> float:
        return step["labour_cny"] + self.call_in_cny * step["call_ins"] + self.late_penalty_cny_per_h * step["late_h"]


def _staying(rota: Any, now: float) -> int:
    """Workers of the shifts that began before `now` and end after it (the same whichever station's clock
    reached `now` first)."""
    return sum(w for span, w in zip(rota.spans, rota.workers, strict=True) if span.begin_h < now < span.end_h)


def _key(call: Any) -> str:
    return f"{call.role}@{call.span.shift}"


def _roles(scenario: str, overrides: list[str]) -> tuple[dict[str, int], list[str]]:
    """The roles a roster decides in this scenario (with the most workers the plan puts on each) and the
    stations staffed by shift, found by building its model once (not running it) with a staffing policy that
    keeps the plan (a roster is made only for a policy other than `plan`)."""
    from logistics.policies.staffing import PlanStaffing
    from logistics.scenario.builtin import load_named
    from logistics.sim.engine import CrossBorderModel

    name = f"plan_{uuid.uuid4().hex}"
    STAFFING.register(name, PlanStaffing)
    try:
        model = CrossBorderModel(load_named(scenario, [*overrides, f"staffing={name}"]), 0)
    finally:
        STAFFING.unregister(name)
    assert model.roster is not None
    planned: dict[str, int] = {}
    for rota in model.roster.rotas:
        for span in rota.spans:
            key = f"{rota.role}@{span.shift}"
            planned[key] = max(planned.get(key, 0), span.workers)
    return planned, [r.role for r in model.roster.rotas]


class _AgentStaffing:
    """A `StaffingPolicy` (logistics.policies.staffing) that asks the environment's agent until the horizon."""

    def __init__(self, env: weakref.ReferenceType[StaffingEnv]) -> None:
        self._env = env

    @property
    def until_h(self) -> float:
        env = self._env()
        return env._horizon_h if env is not None else 0.0

    def choose(self, now_h: float, calls: list[Any]) -> list[int]:
        env = self._env()
        if env is None:  # the environment is gone: the plan
            return [c.span.workers for c in calls]
        return env._choose(now_h, calls)
