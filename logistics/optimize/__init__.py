"""Pure solvers: data in, plan out. Importable and usable without simpy or any scenario file.

Vehicle routing: build a `RoutingProblem`, call `solve_routing(problem, SolveParams(...))` (optionally from
an earlier plan: `initial=`), and verify any result with `check_solution`. With vans already on the road,
`replan_problem(problem, vans)` gives the problem to solve next.
"""

from logistics.optimize.common import InvalidProblemError, Status
from logistics.optimize.routing.checker import CheckReport, check_solution
from logistics.optimize.routing.instances import read_instance, read_lilim, read_solomon, read_vrplib
from logistics.optimize.routing.matrices import read_matrix
from logistics.optimize.routing.problem import (
    Break,
    Location,
    Pair,
    RoutingProblem,
    Stop,
    VehicleType,
)
from logistics.optimize.routing.replan import Replan, VanOnRoad, replan_problem
from logistics.optimize.routing.result import Route, RoutingResult, SolveParams, Unassigned, Visit
from logistics.optimize.routing.solve import BACKENDS, servable_stops, solve_routing

__all__ = [
    "BACKENDS",
    "Break",
    "CheckReport",
    "InvalidProblemError",
    "Location",
    "Pair",
    "Replan",
    "Route",
    "RoutingProblem",
    "RoutingResult",
    "SolveParams",
    "Status",
    "Stop",
    "Unassigned",
    "VanOnRoad",
    "VehicleType",
    "Visit",
    "check_solution",
    "read_instance",
    "read_lilim",
    "read_matrix",
    "read_solomon",
    "read_vrplib",
    "replan_problem",
    "servable_stops",
    "solve_routing",
]
