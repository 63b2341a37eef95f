"""logistics: simulate and optimise cross-border e-commerce logistics and warehousing."""

from logistics.core import LogisticsError, ScenarioError
from logistics.scenario import Scenario, load_builtin, load_scenario

__version__ = "0.1.0"

__all__ = ["LogisticsError", "Scenario", "ScenarioError", "__version__", "load_builtin", "load_scenario"]
