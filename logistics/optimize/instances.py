"""Readers for public benchmark formats: Solomon VRPTW text files and VRPLIB (CVRPLIB) files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from logistics.optimize.problem import InvalidProblemError, Location, RoutingProblem, Stop, VehicleType

__all__ = ["read_instance", "read_solomon", "read_vrplib"]


def read_solomon(path: str | Path) -> RoutingProblem:
    """A Solomon instance: depot = customer 0, Euclidean distances in double precision, travel time =
    distance, the vehicle count and capacity of the header; 1 unit is read as 1 m and 1 s."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    name = lines[0].strip() if lines else path.stem
    count = capacity = None
    rows: list[list[float]] = []
    for no, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            continue
        if count is None and len(parts) == 2 and all(re.fullmatch(r"\d+", p) for p in parts):
            count, capacity = int(parts[0]), int(parts[1])
            continue
        if count is not None and len(parts) == 7 and re.fullmatch(r"\d+", parts[0]):
            try:
                rows.append([float(p) for p in parts])
            except ValueError:
                raise InvalidProblemError(f"{path}:{no}", f"expected 7 numbers, got {line.strip()!r}") from None
    if count is None or not rows:
        raise InvalidProblemError(str(path), "not a Solomon file (no VEHICLE header or no customer rows)")
    locations = tuple(Location(str(int(r[0])), r[1], r[2]) for r in rows)
    depot = rows[0]
    stops = tuple(
        Stop(id=str(int(r[0])), location=str(int(r[0])), demand=(r[3],), service_s=r[6], window_s=(r[4], r[5]))
        for r in rows[1:]
    )
    fleet = (
        VehicleType(
            "vehicle",
            count,
            (float(capacity),),
            start_depot="0",
            shift_start_s=depot[4],
            shift_end_s=depot[5],
        ),
    )
    return RoutingProblem(locations, ("0",), stops, fleet, dimensions=("load",), name=name)


def read_vrplib(path: str | Path, vehicles: int | None = None) -> RoutingProblem:
    """A VRPLIB CVRP instance (via the `vrplib` package). EUC_2D distances are rounded to the nearest
    integer, the convention behind CVRPLIB's best-known values. Vehicles: `vehicles`, else the `k` of an
    `X-n..-k..` name plus 50% slack, else one per customer."""
    try:
        import vrplib
    except ImportError:
        raise InvalidProblemError(
            "vrplib", "reading VRPLIB files needs the vrplib package: pip install vrplib"
        ) from None
    path = Path(path)
    data = vrplib.read_instance(str(path))
    coords = np.asarray(data["node_coord"], dtype=float)
    demand = np.asarray(data["demand"], dtype=float)
    depots = [int(d) for d in np.atleast_1d(data.get("depot", [0]))]
    n = len(coords)
    if data.get("edge_weight_type", "EUC_2D") == "EUC_2D":
        diff = coords[:, None, :] - coords[None, :, :]
        matrix = np.round(np.sqrt((diff**2).sum(axis=2)))
    else:
        matrix = np.asarray(data["edge_weight"], dtype=float)
    name = str(data.get("name", path.stem))
    if vehicles is None:
        match = re.search(r"-k(\d+)", name)
        vehicles = math.ceil(int(match.group(1)) * 1.5) + 2 if match else n - len(depots)
    locations = tuple(Location(str(i + 1), float(x), float(y)) for i, (x, y) in enumerate(coords))
    depot_ids = tuple(str(d + 1) for d in depots)
    stops = tuple(
        Stop(id=str(i + 1), location=str(i + 1), demand=(float(demand[i]),)) for i in range(n) if i not in depots
    )
    fleet = (VehicleType("vehicle", vehicles, (float(data["capacity"]),), start_depot=depot_ids[0]),)
    return RoutingProblem(locations, depot_ids, stops, fleet, dimensions=("load",), distance_m=matrix, name=name)


def read_instance(path: str | Path) -> RoutingProblem:
    """Read a problem by its format: `.json` (this package's JSON), `.vrp` (VRPLIB), else Solomon."""
    path = Path(path)
    if not path.exists():
        raise InvalidProblemError(str(path), "file not found")
    if path.suffix.lower() == ".json":
        from logistics.optimize.jsonio import problem_from_json

        return problem_from_json(path.read_text(encoding="utf-8"))
    if path.suffix.lower() == ".vrp":
        return read_vrplib(path)
    return read_solomon(path)
