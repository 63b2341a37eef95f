"""The one module that reads SimPy's private attributes. The hot paths of the model (a station's start and
finish, a lane's boarding, a checkpoint's screening: millions of calls a run) read an event's value inside its
own callback and the clock without SimPy's property checks; the pyproject pins SimPy below 5 for this, and a
SimPy upgrade that renames them is mended here alone (`tests/sim/test_simpy_access.py` checks both on the
installed SimPy and that no other module reads a private attribute of SimPy's)."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

import simpy

__all__ = ["event_value", "now_of"]

event_value: Callable[[simpy.Event], Any] = attrgetter("_value")
"""The value of an event inside one of its callbacks (it has been triggered: `Event.value` would check so)."""

now_of: Callable[[simpy.Environment], float] = attrgetter("_now")
"""The simulation clock of an environment (`Environment.now` without the property call)."""
