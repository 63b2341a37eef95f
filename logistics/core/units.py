"""Unit constants. The simulation clock counts hours; names carry their unit (`_h`, `_min`, `_s`, `_cny`)."""

from __future__ import annotations

HOURS_PER_DAY = 24.0
MINUTES_PER_HOUR = 60.0
SECONDS_PER_HOUR = 3600.0
