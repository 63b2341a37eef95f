"""The OR-Tools routing model's dimensions: loads on board (deliveries from the depot, pickups, pairs'
goods), the maximum distance of a route, skills as allowed vehicles, and time (windows, shifts, maximum
durations, drivers' breaks)."""

from __future__ import annotations

import math

import numpy as np
from ortools.constraint_solver import pywrapcp

from logistics.optimize.routing.problem import RoutingProblem, Stop

__all__ = ["add_loads_and_limits", "add_time", "scale_dimension"]


def scale_dimension(values: np.ndarray) -> int:
    """1 when every value is whole, else 1000 (demands and capacities become integers)."""
    return 1 if np.allclose(values, np.round(values)) else 1000


def add_loads_and_limits(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: RoutingProblem,
    stops: list[Stop],
    vehicles: list[tuple[int, int]],
    n_depots: int,
    dist: np.ndarray,
    dist_scale: float,
) -> None:
    """Capacity dimensions, the route length limit and the skills of `stops` (nodes from `n_depots` on)."""
    n_nodes = n_depots + len(stops)
    # Capacities, one dimension each: the load on board. Without pickups it only grows from 0 by each stop's
    # demand (what was loaded at the depot, counted as delivered). With pickups it changes by pickup - demand
    # from a start load that equals the route's deliveries from the depot (a second dimension counts those).
    pickups = problem.has_pickups
    for d, name in enumerate(problem.dimensions):
        demand = np.array([0.0] * n_depots + [problem.demand(s)[d] for s in stops])
        pickup = np.array([0.0] * n_depots + [problem.pickup(s)[d] for s in stops])
        from_depot = np.array([0.0] * n_depots + [problem.depot_load(s)[d] for s in stops])
        caps = np.array([problem.vehicle_types[k].capacity[d] for k, _ in vehicles], dtype=float)
        scale = scale_dimension(np.concatenate([demand, pickup, caps[np.isfinite(caps)]]))
        cap_int = [int(min(math.floor(c * scale + 1e-9), 2**62)) if math.isfinite(c) else 2**62 for c in caps]
        demand_int = np.ceil(demand * scale - 1e-9).astype(np.int64)
        if not pickups:
            cb = routing.RegisterUnaryTransitVector(demand_int.tolist())
            routing.AddDimensionWithVehicleCapacity(cb, 0, cap_int, True, f"capacity:{name}")
            continue
        change = np.ceil(pickup * scale - 1e-9).astype(np.int64) - demand_int
        loaded = np.ceil(from_depot * scale - 1e-9).astype(np.int64)
        cb = routing.RegisterUnaryTransitVector(change.tolist())
        has_depot_load = bool(loaded.any())
        routing.AddDimensionWithVehicleCapacity(cb, 0, cap_int, not has_depot_load, f"capacity:{name}")
        if has_depot_load:
            on_board = routing.GetDimensionOrDie(f"capacity:{name}")
            routing.AddDimensionWithVehicleCapacity(
                routing.RegisterUnaryTransitVector(loaded.tolist()), 0, cap_int, True, f"depot_load:{name}"
            )
            depot_load = routing.GetDimensionOrDie(f"depot_load:{name}")
            for v in range(len(vehicles)):
                routing.solver().Add(on_board.CumulVar(routing.Start(v)) == depot_load.CumulVar(routing.End(v)))

    # Maximum distance per route: a distance dimension bounded per vehicle.
    if any(math.isfinite(problem.vehicle_types[k].max_distance_m) for k, _ in vehicles):
        length = np.round(dist * dist_scale).astype(np.int64)
        bound = int(length.max()) * (n_nodes + 1) + 1
        limits = [
            min(bound, math.floor(min(problem.vehicle_types[k].max_distance_m * dist_scale, bound) + 1e-6))
            for k, _ in vehicles
        ]
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterTransitMatrix(length.tolist()), 0, limits, True, "distance"
        )

    # Skills: a stop needing skills may only be on a vehicle having them all.
    for n, s in enumerate(stops, start=n_depots):
        if s.skills:
            allowed = [v for v, (k, _) in enumerate(vehicles) if problem.can_serve(problem.vehicle_types[k], s)]
            # (SetAllowedVehiclesForIndex's Python binding rejects every list in OR-Tools 9.15; -1: not served)
            routing.VehicleVar(manager.NodeToIndex(n)).SetValues([-1, *allowed])


def add_time(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    problem: RoutingProblem,
    stops: list,
    vehicles: list[tuple[int, int]],
    travel: np.ndarray,
    service: np.ndarray,
    time_int: list[np.ndarray],
    n_depots: int,
    time_scale: float,
    cost_scale: float,
    service_int: list[int],
) -> tuple[int, float]:
    """The time dimension; returns its horizon (scaled units) and the offset of its clock (seconds).
    `cost_scale` > 0 prices route hours. `time_int[k]`: travel + service times of vehicle type k (scaled
    integers); `service_int`: the service (or loading) time at each routing index, which no break overlaps."""
    finite = [s.window_s[1] for s in stops if s.window_s is not None]
    finite += [t.shift_end_s for t in problem.vehicle_types if math.isfinite(t.shift_end_s)]
    finite += [brk.window_s[1] + brk.duration_s for t in problem.vehicle_types for brk in t.breaks]
    bound_s = (len(stops) + 2) * (float(travel.max()) + float(service.max()) + 1.0)
    latest_start = max(t.shift_start_s for t in problem.vehicle_types)
    horizon_s = max([*finite, latest_start, 0.0]) + bound_s
    earliest = min(
        [
            0.0,
            *(t.shift_start_s for t in problem.vehicle_types),
            *(s.window_s[0] for s in stops if s.window_s),
            *(brk.window_s[0] for t in problem.vehicle_types for brk in t.breaks),
        ]
    )
    offset = -earliest  # OR-Tools cumuls are >= 0
    horizon = math.ceil((horizon_s + offset) * time_scale)
    callbacks: dict[int, int] = {}
    for matrix in time_int:  # one callback per distinct matrix (types at the problem's speed share one)
        callbacks.setdefault(id(matrix), routing.RegisterTransitMatrix(matrix.tolist()))
    per_vehicle = [callbacks[id(time_int[k])] for k, _ in vehicles]
    if len(callbacks) == 1:
        routing.AddDimension(
            per_vehicle[0] if per_vehicle else next(iter(callbacks.values())), horizon, horizon, False, "time"
        )
    else:
        routing.AddDimensionWithVehicleTransits(per_vehicle, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for n, s in enumerate(stops, start=n_depots):
        if s.window_s is not None:
            b = math.floor((s.window_s[1] + offset) * time_scale + 1e-6)
            # A window narrower than one time unit keeps one point (waiting to the true start is still legal).
            a = min(b, math.ceil((s.window_s[0] + offset) * time_scale - 1e-6))
            time_dim.CumulVar(manager.NodeToIndex(n)).SetRange(a, b)
    for v, (k, _) in enumerate(vehicles):
        t = problem.vehicle_types[k]
        lo = math.ceil((t.shift_start_s + offset) * time_scale - 1e-6)
        hi = horizon if not math.isfinite(t.shift_end_s) else math.floor((t.shift_end_s + offset) * time_scale + 1e-6)
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
        if math.isfinite(t.max_duration_s):
            time_dim.SetSpanUpperBoundForVehicle(math.floor(t.max_duration_s * time_scale + 1e-6), v)
        if cost_scale:
            coefficient = round(t.cost_per_h / 3600.0 / time_scale * cost_scale)
            if coefficient:
                time_dim.SetSpanCostCoefficientForVehicle(coefficient, v)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        if t.breaks:
            solver = routing.solver()
            intervals = [
                solver.FixedDurationIntervalVar(
                    math.ceil((brk.window_s[0] + offset) * time_scale - 1e-6),
                    math.floor((brk.window_s[1] + offset) * time_scale + 1e-6),
                    math.ceil(brk.duration_s * time_scale - 1e-6),
                    False,
                    f"break {v} {j}",
                )
                for j, brk in enumerate(t.breaks)
            ]
            time_dim.SetBreakIntervalsOfVehicle(intervals, v, service_int)

    return horizon, offset
