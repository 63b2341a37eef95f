"""The kinds of job the service runs, by name: each reads its request body with the library's own parser (so a
bad body gets the same words as the CLI, naming the field), runs the library's solver or simulation in a
worker, and answers with the library's JSON of the result and the independent checker's verdict.

Bodies (JSON):
- routing:    {"problem": <routing problem JSON>, "params": {"time_limit_s", "backend", "seed", "solution_limit"}}
- slotting:   {"layout": <layout JSON: a "generate" section, or zones and geometry>, "slots_csv": "<CSV text>"
              (with zones), "skus_csv": "<CSV text>", "params": {"method", "seed"}}
- docks:      {"problem": <dock problem JSON>, "params": {"time_limit_s", "workers", "seed", "deterministic_time"}}
- linehaul:   {"problem": <line-haul allocation JSON>, "params": {"time_limit_s", "node_limit"}}
- design:     {"problem": <network design JSON, the fields of a design YAML file>, "params": {"method",
              "time_limit_s", "relative_gap", "segments"}}
- simulation: {"scenario": "<built-in name>" | {<scenario>}, or "scenario_yaml": "<YAML text>";
              "overrides": ["path=value", ...], "replications": n, "seed": n}
"""

from __future__ import annotations

from logistics.service.job import Caps, JobKind, Outcome, StopRequested, error_items
from logistics.service.simulation_job import SIMULATION
from logistics.service.solver_jobs import DESIGN, DOCKS, LINEHAUL, ROUTING, SLOTTING

__all__ = ["KINDS", "Caps", "JobKind", "Outcome", "StopRequested", "error_items"]

KINDS: dict[str, JobKind] = {kind.name: kind for kind in (ROUTING, SLOTTING, DOCKS, LINEHAUL, DESIGN, SIMULATION)}
