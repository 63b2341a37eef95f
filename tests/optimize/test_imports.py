"""Start-up: the routing library loads only what a routing solve needs (issue 31): neither CP-SAT (docks,
line-haul) nor pandas, checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROGRAM = """
import json, sys
from logistics.optimize import Location, RoutingProblem, SolveParams, Stop, VehicleType, solve_routing
problem = RoutingProblem((Location("D", 0, 0), Location("A", 100, 0)), ("D",), (Stop("a", "A", demand=(1.0,)),),
                         (VehicleType("v", 1, (5.0,), "D"),))
result = solve_routing(problem, SolveParams(time_limit_s=1, backend=sys.argv[1]))
print(json.dumps({"status": result.status.value, "loaded": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("backend", ["ortools", "pyvrp"])
def test_a_routing_solve_loads_neither_cp_sat_nor_pandas(backend: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, backend], capture_output=True, text=True, timeout=120, check=True
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["status"] in ("optimal", "feasible")
    loaded = set(out["loaded"])
    assert "pandas" not in loaded
    assert "ortools.sat.python.cp_model" not in loaded


def test_the_command_line_starts_without_the_scenario_model_or_pandas() -> None:
    program = "import json, sys, logistics.cli; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "pandas" not in loaded
    assert "logistics.scenario" not in loaded and "ortools.sat.python.cp_model" not in loaded
