"""The workers of a paid role (a warehouse or flow station staffed by shift) shift by shift, each shift's number
settled when the shift starts: the scenario's plan, or, when the scenario names a staffing policy other than
`plan` (`staffing`, logistics.policies.staffing), whatever the run's `Roster` asks it (an agent calling workers in).

A station staffed this way follows its rota through the run (`Station` with a `Rota`): its capacity changes at
the shift boundaries, and what it pays for (its `schedule`) is written as the run goes. With no roster, every
shift gets the plan's workers: the same capacity and staffed hours as the plan's breakpoints
(`shifts.capacity_changes`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from logistics.scenario.calendar import Calendar
from logistics.sim.shifts import ShiftSpan, shift_spans

if TYPE_CHECKING:
    from logistics.sim.station import Station

__all__ = ["Call", "Roster", "Rota", "staffing_of"]


@dataclass(frozen=True)
class Call:
    """One shift of one role starting now, to be staffed: `rota.spans[index]`."""

    rota: Rota
    index: int

    @property
    def span(self) -> ShiftSpan:
        """The shift's day, hours and planned workers."""
        return self.rota.spans[self.index]

    @property
    def role(self) -> str:
        """The station's name."""
        return self.rota.role


class Rota:
    """The shifts of one role over the run (`spans`, each with the plan's workers), the workers each one got
    (`workers`, -1 until it starts), and the times its level may change (`times`, from 0)."""

    def __init__(
        self,
        role: str,
        staffing: dict[str, int],
        calendar: Calendar,
        start: datetime,
        end_h: float,
        *,
        workers_per_server: int = 1,
        doors: int | None = None,
        roster: Roster | None = None,
    ) -> None:
        self.role = role
        self.workers_per_server = workers_per_server  # paid workers per server (a receiving team's size)
        self.doors = doors  # servers can never exceed this (a team unloads at a door)
        self.spans = shift_spans(staffing, calendar, start, end_h, empty=True)
        self.workers = [-1] * len(self.spans)
        self._starts: dict[float, list[int]] = {}
        self._ends: dict[float, list[int]] = {}
        for i, span in enumerate(self.spans):
            self._starts.setdefault(span.begin_h, []).append(i)
            self._ends.setdefault(span.end_h, []).append(i)
        self.times = sorted({0.0, *self._starts, *self._ends})
        self.level = 0
        self.station: Station | None = None
        self.roster = roster
        if self.roster is not None:
            self.roster.enlist(self)

    def starting(self, t: float) -> list[int]:
        """Indices of the shifts that start at `t` and are not settled yet."""
        return [i for i in self._starts.get(t, ()) if self.workers[i] < 0]

    def advance(self, t: float) -> int:
        """Servers on shift from `t` on (call at each of `times`, in order): the shifts starting at `t` are settled
        now (by the roster, if any; else the plan), those ending at `t` leave."""
        for i in self._starts.get(t, ()):
            if self.workers[i] < 0:
                if self.roster is not None:
                    self.roster.settle(t)
                else:
                    self.workers[i] = self.spans[i].workers
            self.level += self.workers[i]
        for i in self._ends.get(t, ()):
            self.level -= self.workers[i]
        return self.level

    def capacity(self, servers: int) -> int:
        """Servers that can work (the doors cap them)."""
        return servers if self.doors is None else min(servers, self.doors)


Choose = Callable[[float, list[Call]], Sequence[Any]]


class Roster:
    """Every rota of a run. At a shift boundary `t` before `until_h`, `choose(t, calls)` gives the workers of
    every shift starting then (one number per call, >= 0); shifts from `until_h` on keep the plan."""

    def __init__(self, choose: Choose, until_h: float) -> None:
        self.choose = choose
        self.until_h = until_h
        self.rotas: list[Rota] = []
        self.model: Any = None  # the run's model (CrossBorderModel), once built

    def begin(self, model: Any) -> None:
        """The run's model is built: staff every rota's station for the start (the first decision)."""
        self.model = model
        for rota in self.rotas:
            if rota.station is not None:
                rota.station.staff(0.0)

    def enlist(self, rota: Rota) -> None:
        """A rota of the run (called as it is made)."""
        self.rotas.append(rota)

    def settle(self, t: float) -> None:
        """Settle every shift of every rota starting at `t`."""
        calls = [Call(r, i) for r in self.rotas for i in r.starting(t)]
        if not calls:
            return
        if t < self.until_h:
            chosen = [int(w) for w in self.choose(t, calls)]
            if len(chosen) != len(calls) or min(chosen) < 0:
                raise ValueError(f"a roster must give {len(calls)} numbers of workers >= 0 at {t} h, got {chosen}")
        else:
            chosen = [c.span.workers for c in calls]
        for call, workers in zip(calls, chosen, strict=True):
            call.rota.workers[call.index] = workers


def staffing_of(
    role: str, staffing: int | dict[str, int], calendar: Calendar, start: datetime, end_h: float, **rota: Any
) -> list[tuple[float, int]] | Rota:
    """A paid station's staff: a constant number (one breakpoint), or by shift a `Rota` (keywords: `Rota`'s)."""
    if isinstance(staffing, int):
        return [(0.0, staffing)]
    return Rota(role, staffing, calendar, start, end_h, **rota)
