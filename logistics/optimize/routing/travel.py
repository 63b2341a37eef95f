"""Travel-matrix providers: where a routing problem's distances and travel times come from.

A provider turns the problem's locations into a distance matrix (metres) and a duration matrix (seconds):
`StraightLine` (the problem's own rule: Euclidean or great circle, times a circuity factor, over a speed) or
`OsrmTable` (road distances and times from an OSRM server's table service, e.g. one run on a city's
OpenStreetMap extract). `with_travel(problem, provider)` returns the problem with those matrices.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from logistics.optimize.routing.problem import InvalidProblemError, Location, RoutingProblem, great_circle_m

__all__ = ["PROVIDERS", "OsrmTable", "StraightLine", "TravelMatrices", "TravelProvider", "with_travel"]


@dataclass(frozen=True)
class TravelMatrices:
    """Distances (metres) and travel times (seconds) between every pair of locations, in their order."""

    distance_m: np.ndarray
    duration_s: np.ndarray


class TravelProvider(Protocol):
    """Gives the travel matrices over a list of locations."""

    def matrices(self, locations: Sequence[Location]) -> TravelMatrices: ...


@dataclass(frozen=True)
class StraightLine:
    """Straight-line distances (x/y metres, or great circle on lat/lon) times `circuity`, at `speed_m_per_s`."""

    speed_m_per_s: float = 8.0
    circuity: float = 1.3

    def matrices(self, locations: Sequence[Location]) -> TravelMatrices:
        """The matrices of `locations` (all x/y or all lat/lon)."""
        if locations and locations[0].lat is not None:
            dist = great_circle_m(np.array([[loc.lat, loc.lon] for loc in locations], dtype=float))
        else:
            xy = np.array([[loc.x, loc.y] for loc in locations], dtype=float)
            dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
        dist = dist * self.circuity
        return TravelMatrices(dist, dist / self.speed_m_per_s)


Fetch = Callable[[str, float], bytes]


def _http_get(url: str, timeout_s: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return bytes(response.read())


@dataclass(frozen=True)
class OsrmTable:
    """Road distances and travel times from an OSRM server's table service
    (`GET {base_url}/table/v1/{profile}/{lon},{lat};...?annotations=distance,duration`). Locations need
    latitude and longitude. `fetch(url, timeout_s) -> bytes` is the HTTP GET (replaceable, e.g. by a
    recorded response in tests); an unreachable pair, a server error or a malformed answer is an
    `InvalidProblemError` naming it."""

    base_url: str = "http://localhost:5000"
    profile: str = "driving"
    timeout_s: float = 30.0
    fetch: Fetch = _http_get

    def url(self, locations: Sequence[Location]) -> str:
        """The table request for `locations` (coordinates as longitude,latitude, in their order)."""
        for i, loc in enumerate(locations):
            if loc.lat is None or loc.lon is None:
                raise InvalidProblemError(f"locations[{i}]", f"OSRM needs latitude and longitude ({loc.id!r} has none)")
        coords = ";".join(f"{loc.lon:.6f},{loc.lat:.6f}" for loc in locations)
        return f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}?annotations=distance,duration"

    def matrices(self, locations: Sequence[Location]) -> TravelMatrices:
        """Ask the server for the matrices of `locations`."""
        url = self.url(locations)
        try:
            body = self.fetch(url, self.timeout_s)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise InvalidProblemError("osrm", f"no answer from {self.base_url}: {exc}") from None
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise InvalidProblemError("osrm", f"the answer is not JSON ({exc.msg} at {exc.pos})") from None
        if not isinstance(data, dict) or data.get("code") != "Ok":
            code = data.get("code") if isinstance(data, dict) else None
            message = data.get("message", "") if isinstance(data, dict) else ""
            raise InvalidProblemError("osrm", f"the server answered {code!r}: {message}".rstrip(": "))
        n = len(locations)
        out = []
        for key in ("distances", "durations"):
            rows = data.get(key)
            if (
                not isinstance(rows, list)
                or len(rows) != n
                or any(not isinstance(r, list) or len(r) != n for r in rows)
            ):
                raise InvalidProblemError(f"osrm.{key}", f"expected a {n} x {n} table (annotations=distance,duration)")
            matrix = np.full((n, n), np.nan)
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    if value is None:
                        raise InvalidProblemError(
                            f"osrm.{key}[{i}][{j}]",
                            f"no road route from {locations[i].id!r} to {locations[j].id!r}",
                        )
                    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                        raise InvalidProblemError(f"osrm.{key}[{i}][{j}]", f"not a travel figure: {value!r}")
                    matrix[i, j] = value
            np.fill_diagonal(matrix, 0.0)
            out.append(matrix)
        return TravelMatrices(out[0], out[1])


PROVIDERS: dict[str, type] = {"straight_line": StraightLine, "osrm": OsrmTable}
"""Providers by name (for configuration files and the command line)."""


def with_travel(problem: RoutingProblem, provider: TravelProvider) -> RoutingProblem:
    """`problem` with its distance and duration matrices from `provider` (validated again)."""
    travel = provider.matrices(problem.locations)
    return replace(problem, distance_m=travel.distance_m, duration_s=travel.duration_s)
