"""Vehicle routing: the problem (`RoutingProblem`), `solve_routing(problem, params) -> RoutingResult` with a
`Status` (backends: OR-Tools, PyVRP, both at once, construction baselines), the independent checker
`check_routing(problem, plan)`, plans made elsewhere, warm starts and re-planning with vans on the road,
travel matrices (straight line, user files, OSRM) and benchmark readers (Solomon, Li & Lim, VRPLIB)."""

from logistics.optimize.routing.checker import RoutingCheck, check_routing
from logistics.optimize.routing.instances import read_instance, read_lilim, read_solomon, read_vrplib
from logistics.optimize.routing.matrices import read_matrix
from logistics.optimize.routing.plans import Reload, evaluate_plan, plan_from_json
from logistics.optimize.routing.problem import Break, Location, Pair, RoutingProblem, Stop, VehicleType
from logistics.optimize.routing.replan import Replan, VanOnRoad, replan_problem
from logistics.optimize.routing.result import Route, RoutingResult, SolveParams, Unassigned, Visit
from logistics.optimize.routing.solve import BACKENDS, servable_stops, solve_routing
from logistics.optimize.routing.travel import OsrmTable, StraightLine, TravelProvider, with_travel

__all__ = [
    "BACKENDS",
    "Break",
    "Location",
    "OsrmTable",
    "Pair",
    "Reload",
    "Replan",
    "Route",
    "RoutingCheck",
    "RoutingProblem",
    "RoutingResult",
    "SolveParams",
    "Stop",
    "StraightLine",
    "TravelProvider",
    "Unassigned",
    "VanOnRoad",
    "VehicleType",
    "Visit",
    "check_routing",
    "evaluate_plan",
    "plan_from_json",
    "read_instance",
    "read_lilim",
    "read_matrix",
    "read_solomon",
    "read_vrplib",
    "replan_problem",
    "servable_stops",
    "solve_routing",
    "with_travel",
]
