"""Readers for public benchmark formats: Solomon VRPTW text files, Li & Lim pickup-and-delivery text files and
VRPLIB (CVRPLIB) files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from logistics.optimize.routing.problem import InvalidProblemError, Location, Pair, RoutingProblem, Stop, VehicleType
from logistics.optimize.textio import read_text

__all__ = ["read_instance", "read_lilim", "read_solomon", "read_vrplib"]


def read_solomon(path: str | Path) -> RoutingProblem:
    """A Solomon instance: depot = customer 0, Euclidean distances in double precision, travel time =
    distance, the vehicle count and capacity of the header; 1 unit is read as 1 m and 1 s."""
    path = Path(path)
    lines = read_text(path).splitlines()
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
    if count is None or capacity is None or not rows:
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


def read_lilim(path: str | Path) -> RoutingProblem:
    """A Li & Lim pickup-and-delivery instance: a header `vehicles capacity speed`, then one row per node
    `index x y demand ready due service pickup_index delivery_index` (node 0 the depot; demand > 0 at a
    pickup, < 0 at its delivery). Euclidean distances in double precision, travel time = distance / speed
    (the published files carry a speed of 1 or 0; 0, unused there, is read as 1), fewest vehicles first (the
    convention of the best-known table); 1 unit is read as 1 m and 1 s."""
    path = Path(path)
    lines = [(no, line.split()) for no, line in enumerate(read_text(path).splitlines(), start=1) if line.strip()]
    if not lines or len(lines[0][1]) != 3:
        raise InvalidProblemError(f"{path}:1", "not a Li & Lim file (expected a header: vehicles capacity speed)")
    try:
        count, capacity, speed = int(lines[0][1][0]), float(lines[0][1][1]), float(lines[0][1][2])
    except ValueError:
        raise InvalidProblemError(f"{path}:1", f"header must be 3 numbers, got {' '.join(lines[0][1])!r}") from None
    rows: dict[int, list[float]] = {}
    for no, parts in lines[1:]:
        if len(parts) != 9:
            raise InvalidProblemError(f"{path}:{no}", f"expected 9 numbers, got {len(parts)}")
        try:
            values = [float(x) for x in parts]
        except ValueError:
            raise InvalidProblemError(f"{path}:{no}", f"expected 9 numbers, got {' '.join(parts)!r}") from None
        rows[int(values[0])] = values
    if 0 not in rows:
        raise InvalidProblemError(str(path), "no depot row (node 0)")
    locations = tuple(Location(str(i), r[1], r[2]) for i, r in sorted(rows.items()))
    stops, pairs = [], []
    for i, r in sorted(rows.items()):
        if i == 0:
            continue
        amount = abs(r[3])
        kind = {"pickup": (amount,)} if r[3] > 0 else {"demand": (amount,)}
        stops.append(Stop(id=str(i), location=str(i), service_s=r[6], window_s=(r[4], r[5]), **kind))  # type: ignore[arg-type]
        if r[3] > 0:
            partner = int(r[8])
            if partner not in rows:
                raise InvalidProblemError(str(path), f"pickup {i} names delivery {partner}, which has no row")
            pairs.append(Pair(str(i), str(partner)))
    depot = rows[0]
    fleet = (VehicleType("vehicle", count, (capacity,), "0", shift_start_s=depot[4], shift_end_s=depot[5]),)
    return RoutingProblem(
        locations,
        ("0",),
        tuple(stops),
        fleet,
        speed_m_per_s=speed if speed > 0 else 1.0,
        minimise_vehicles=True,
        name=path.stem,
        pairs=tuple(pairs),
    )


def read_vrplib(path: str | Path, vehicles: int | None = None) -> RoutingProblem:
    """A VRPLIB CVRP instance (via the `vrplib` package). EUC_2D distances are rounded to the nearest
    integer, the convention behind CVRPLIB's best-known values. Vehicles: `vehicles`, else the `k` of an
    `X-n..-k..` name plus 50% slack, else one per customer."""
    import vrplib

    path = Path(path)
    read_text(path)  # a missing or non-UTF-8 file is named here, not deep in the parser
    try:
        data = vrplib.read_instance(str(path), compute_edge_weights=False)
        if data.get("edge_weight_type", "EUC_2D") != "EUC_2D":  # explicit weights: let vrplib expand them
            data = vrplib.read_instance(str(path))
    except Exception as exc:  # the parser raises bare ValueError, KeyError, IndexError, RuntimeError...
        raise InvalidProblemError(str(path), f"not a readable VRPLIB file: {type(exc).__name__}: {exc}") from None
    for section in ("demand", "capacity"):
        if section not in data:
            raise InvalidProblemError(f"{path}: {section.upper()}", "is missing")
    try:
        demand = np.asarray(data["demand"], dtype=float).ravel()
        depots = [int(d) for d in np.atleast_1d(data.get("depot", [0]))]
        capacity = float(data["capacity"])
    except (ValueError, TypeError, OverflowError):
        raise InvalidProblemError(
            str(path), "DEMAND_SECTION, DEPOT_SECTION and CAPACITY must hold finite numbers"
        ) from None
    n = len(demand)
    edge_type = data.get("edge_weight_type", "EUC_2D")
    coords = _section(data, "node_coord", path, (n, 2)) if "node_coord" in data else None
    if edge_type == "EUC_2D":
        if coords is None:
            raise InvalidProblemError(f"{path}: NODE_COORD_SECTION", "is missing (EDGE_WEIGHT_TYPE is EUC_2D)")
        if not np.isfinite(coords).all() or (np.abs(coords) > 1e9).any():
            raise InvalidProblemError(f"{path}: NODE_COORD_SECTION", "coordinates must be finite and within 1e9")
        diff = coords[:, None, :] - coords[None, :, :]
        matrix = np.round(np.sqrt((diff**2).sum(axis=2)))
    elif "edge_weight" in data:
        matrix = _section(data, "edge_weight", path, (n, n))
    else:
        raise InvalidProblemError(f"{path}: EDGE_WEIGHT_SECTION", f"is missing (EDGE_WEIGHT_TYPE is {edge_type})")
    if coords is None:
        coords = np.full((n, 2), np.nan)
    if not depots:
        raise InvalidProblemError(f"{path}: DEPOT_SECTION", "names no depot")
    for d in depots:
        if not 0 <= d < n:
            raise InvalidProblemError(f"{path}: DEPOT_SECTION", f"depot {d + 1} is not one of the {n} nodes")
    name = str(data.get("name", path.stem))
    if vehicles is None:
        match = re.search(r"-k(\d+)", name)
        vehicles = math.ceil(int(match.group(1)) * 1.5) + 2 if match else n - len(depots)
    locations = tuple(
        Location(str(i + 1), *((float(x), float(y)) if np.isfinite([x, y]).all() else (None, None)))
        for i, (x, y) in enumerate(coords)
    )
    depot_ids = tuple(str(d + 1) for d in depots)
    stops = tuple(
        Stop(id=str(i + 1), location=str(i + 1), demand=(float(demand[i]),)) for i in range(n) if i not in depots
    )
    fleet = (VehicleType("vehicle", vehicles, (capacity,), start_depot=depot_ids[0]),)
    return RoutingProblem(locations, depot_ids, stops, fleet, dimensions=("load",), distance_m=matrix, name=name)


def _section(data: dict, key: str, path: Path, shape: tuple[int, int]) -> np.ndarray:
    """A numeric section of the expected shape, or an error naming it."""
    try:
        values = np.asarray(data[key], dtype=float)
    except (ValueError, TypeError):
        raise InvalidProblemError(
            f"{path}: {key.upper()}_SECTION", "rows of different lengths or not numbers"
        ) from None
    if values.shape != shape:
        raise InvalidProblemError(
            f"{path}: {key.upper()}_SECTION", f"expected {shape[0]} x {shape[1]} values, got shape {values.shape}"
        )
    return values


def read_instance(path: str | Path) -> RoutingProblem:
    """Read a problem by its format: `.json` (this package's JSON), `.vrp` (VRPLIB), a text file with a
    three-number header (Li & Lim), else Solomon."""
    path = Path(path)
    if not path.exists():
        raise InvalidProblemError(str(path), "file not found")
    if path.suffix.lower() == ".json":
        from logistics.optimize.routing.jsonio import problem_from_json

        return problem_from_json(read_text(path))
    if path.suffix.lower() == ".vrp":
        return read_vrplib(path)
    first = next((line.split() for line in read_text(path).splitlines() if line.strip()), [])
    if len(first) == 3 and all(re.fullmatch(r"[\d.]+", x) for x in first):
        return read_lilim(path)
    return read_solomon(path)
