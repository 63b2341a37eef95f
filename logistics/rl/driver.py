"""Turning the simulation inside out: a run proceeds in its own thread and stops at each decision point, where it
hands the environment what it sees and waits for the agent's action. Only one of the two threads runs at a time
(each waits on the other), so a run is exactly as deterministic as `logistics run`."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Decision", "Finished", "RunDriver"]


@dataclass
class Decision:
    """The run waits here: `state` is what the decision point shows; `answer(action)` lets the run go on."""

    state: Any
    _reply: queue.Queue

    def answer(self, action: Any) -> None:
        self._reply.put(action)


@dataclass
class Finished:
    """The run ended: its result (or the exception it raised)."""

    result: Any = None
    error: BaseException | None = None


class _Stop(BaseException):
    """Raised inside an abandoned run's thread to end it (not an Exception: nothing in the model catches it)."""


class RunDriver:
    """Runs `run(ask)` in a thread; `ask(state)` (called by the model at a decision point) blocks until
    `Decision.answer`. `next()` returns the next Decision, or Finished at the end."""

    def __init__(self, run: Callable[[Callable[[Any], Any]], Any]) -> None:
        self._events: queue.Queue = queue.Queue()
        self._closing = False

        def ask(state: Any) -> Any:
            if self._closing:  # the run is being ended: a decision asked on the way out gets no answer
                raise _Stop
            reply: queue.Queue = queue.Queue()
            self._events.put(Decision(state, reply))
            action = reply.get()
            if action is _STOP:
                raise _Stop
            return action

        def main() -> None:
            try:
                self._events.put(Finished(run(ask)))
            except _Stop:
                self._events.put(Finished(None, None))
            except BaseException as exc:  # handed to the environment
                self._events.put(Finished(None, exc))

        self._pending: Decision | None = None
        self._thread = threading.Thread(target=main, name="simulation", daemon=True)
        self._thread.start()

    def next(self) -> Decision | Finished:
        event = self._events.get()
        self._pending = event if isinstance(event, Decision) else None
        return event

    def close(self) -> None:
        """End the run wherever it waits (its thread finishes)."""
        if self._pending is not None:
            self._closing = True
            self._pending.answer(_STOP)
            self._pending = None
            self._events.get()
        self._thread.join(10)


_STOP = object()
