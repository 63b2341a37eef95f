"""Small problems for the tests and benchmarks: a routing problem on a circle, and one small input of each job
kind of the service (routing, docks, line-haul, slotting) as the tests and the service fuzzer send them."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from logistics.optimize import Location, RoutingProblem, Stop, VehicleType
from logistics.optimize.common import json_ready
from logistics.optimize.docks import DockDoor, DockProblem, Truck
from logistics.optimize.linehaul import Departure, ShipmentClass, SpaceProblem
from logistics.optimize.routing.jsonio import problem_to_json


def grid_problem(
    n: int = 8, vehicles: int = 3, capacity: float = 10.0, windows: bool = False, **kw: Any
) -> RoutingProblem:
    """A depot at the origin and `n` stops on a circle of radius 1 km, demand 2 each."""
    locations = [Location("D", 0.0, 0.0)]
    stops = []
    for i in range(n):
        angle = 2 * math.pi * i / n
        locations.append(Location(f"L{i}", 1000 * math.cos(angle), 1000 * math.sin(angle)))
        window = (0.0, 4000.0 + 500 * i) if windows else None
        stops.append(Stop(f"s{i}", f"L{i}", demand=(2.0,), service_s=60.0, window_s=window))
    fleet = (VehicleType("van", vehicles, (capacity,), start_depot="D"),)
    return RoutingProblem(tuple(locations), ("D",), tuple(stops), fleet, **kw)


def replace_problem(p: RoutingProblem, **changes: Any) -> RoutingProblem:
    """A new problem with some constructor arguments changed (validated again)."""
    fields: dict[str, Any] = dict(
        locations=p.locations,
        depots=p.depots,
        stops=p.stops,
        vehicle_types=p.vehicle_types,
        dimensions=p.dimensions,
        objective=p.objective,
        minimise_vehicles=p.minimise_vehicles,
    )
    fields.update(changes)
    return RoutingProblem(**fields)


ROUTING = grid_problem(12, vehicles=3, windows=True)
DOCKS = DockProblem(
    tuple(Truck(f"T{i}", i, 3, priority=1 + i % 3, door_type="cold" if i % 4 == 0 else "standard") for i in range(10)),
    (DockDoor("D1"), DockDoor("D2"), DockDoor("C1", "cold")),
    horizon_slots=40,
)
LINEHAUL = SpaceProblem(
    0.0,
    (
        Departure("air", 0.0, 6.0, 2.0, 300.0, 1e6, 100.0, 12.0, 1.0, 0.006),
        Departure("air", 24.0, 30.0, 2.0, 500.0, 1e6, 0.0, 15.0, 1.0, 0.006),
    ),
    (ShipmentClass(200, 1.0, 0.001, 1.0, 10.0, True), ShipmentClass(300, 1.2, 0.002, 1.2, float("inf"), False)),
    5.0,
    72.0,
)
LAYOUT: dict[str, Any] = {
    "generate": {
        "bands": [
            {"zone": {"name": "bonded", "bonded": True}, "aisles": 2},
            {"zone": {"name": "general", "bonded": False}, "aisles": 1},
        ],
        "bays_per_block": 6,
        "levels": 2,
    }
}
SKUS_CSV = "sku_id,picks,volume_l,weight_kg,bonded\n" + "".join(
    f"S{i},{100 - 3 * i},20,5,{'true' if i % 3 else 'false'}\n" for i in range(20)
)


def plain(problem: object) -> dict[str, Any]:
    """A problem dataclass as the JSON a job body carries."""
    return json_ready(asdict(problem))  # type: ignore[call-overload]


def routing_body(problem: RoutingProblem = ROUTING, limit_s: float = 1.0, **params: Any) -> dict[str, Any]:
    """The body of a routing job for `problem` with a time limit of `limit_s` and any other `params`."""
    return {"problem": json.loads(problem_to_json(problem)), "params": {"time_limit_s": limit_s, **params}}
