"""Domain-free foundations: errors, units and random streams."""

from logistics.core.errors import AccountingError, LogisticsError, ScenarioError, ScenarioIssue
from logistics.core.random import RandomStreams, replication_seed
from logistics.core.units import HOURS_PER_DAY, MINUTES_PER_HOUR, SECONDS_PER_HOUR

__all__ = [
    "HOURS_PER_DAY",
    "MINUTES_PER_HOUR",
    "SECONDS_PER_HOUR",
    "AccountingError",
    "LogisticsError",
    "RandomStreams",
    "ScenarioError",
    "ScenarioIssue",
    "replication_seed",
]
