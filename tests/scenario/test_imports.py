"""Loading a scenario (a built-in, through the public loader) does not import pandas (issue 31, start-up)."""

from __future__ import annotations

import subprocess
import sys


def test_loading_a_scenario_does_not_import_pandas() -> None:
    program = (
        "import sys\nfrom logistics.scenario import load_builtin\n"
        "scenario = load_builtin('pilot_zone_mixed')\nprint('pandas' in sys.modules, len(scenario.flows))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True)
    loaded, flows = done.stdout.split()
    assert loaded == "False" and int(flows) > 0
