"""Control of a long computation from outside it: a request to stop early (keeping the best answer found so
far) and reports of its progress. The job service's worker process installs both; a plain library call has
neither, and then the solvers run exactly as before (no check, no report, no cost).

The stop flag is an `Event`-like object (`threading.Event` or, shared with forked children such as the `auto`
routing backend's PyVRP process, `multiprocessing.Event`): solvers poll `stop_requested()` where they can
(OR-Tools routing through a custom search limit, PyVRP through its stopping criterion, CP-SAT through a watcher
thread, the simulation between progress ticks) and return their best plan with the status they reached."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = [
    "Flag",
    "ProgressReport",
    "controlled",
    "has_stop_flag",
    "on_stop",
    "report_progress",
    "stop_requested",
]


class Flag(Protocol):
    """What a stop flag offers (`threading.Event` and `multiprocessing.Event` both do)."""

    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


ProgressReport = Callable[[dict[str, Any]], None]

_flag: Flag | None = None
_report: ProgressReport | None = None
_owner_pid: int | None = None


def stop_requested() -> bool:
    """True once a stop was requested for the computation running in this process."""
    return _flag is not None and _flag.is_set()


def has_stop_flag() -> bool:
    """True when a stop flag is installed (solvers add their polling only then)."""
    return _flag is not None


def report_progress(**facts: Any) -> None:
    """Report progress (e.g. `fraction=0.4`, `best_objective=123.0`) to whoever installed a reporter; does
    nothing otherwise, and nothing in a forked child (its parent owns the report channel)."""
    if _report is not None and os.getpid() == _owner_pid:
        _report(facts)


@contextmanager
def controlled(flag: Flag | None, report: ProgressReport | None = None) -> Iterator[None]:
    """Within the block, `stop_requested()` reads `flag` and `report_progress` calls `report`."""
    global _flag, _report, _owner_pid
    before = (_flag, _report, _owner_pid)
    _flag, _report, _owner_pid = flag, report, os.getpid()
    try:
        yield
    finally:
        _flag, _report, _owner_pid = before


@contextmanager
def own_progress() -> Iterator[Callable[..., None]]:
    """Within the block, `report_progress` from inner code (a solver inside a simulation) is silent; the caller
    reports through the function yielded, so the progress seen is the outer task's (replications done), not an
    inner solve's fraction."""
    global _report
    outer, pid = _report, _owner_pid

    def report(**facts: Any) -> None:
        if outer is not None and os.getpid() == pid:
            outer(facts)

    _report = None
    try:
        yield report
    finally:
        _report = outer


@contextmanager
def on_stop(action: Callable[[], None]) -> Iterator[None]:
    """Within the block, call `action` (once, from a watcher thread) as soon as a stop is requested: for a
    solver that runs in C++ without calling back into Python (CP-SAT's `stop_search`)."""
    flag = _flag
    if flag is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if flag.wait(0.1):
                if not done.is_set():
                    action()
                return

    watcher = threading.Thread(target=watch, name="stop-watcher", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(1.0)
