"""Small routing problems for tests."""

from __future__ import annotations

import math

from logistics.optimize import Location, RoutingProblem, Stop, VehicleType


def grid_problem(n: int = 8, vehicles: int = 3, capacity: float = 10.0, windows: bool = False, **kw) -> RoutingProblem:  # type: ignore[no-untyped-def]
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


def replace_problem(p: RoutingProblem, **changes) -> RoutingProblem:  # type: ignore[no-untyped-def]
    """A new problem with some constructor arguments changed (validated again)."""
    fields = dict(
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
