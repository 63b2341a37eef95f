"""Gymnasium environments at the simulation's decision points (importing this module registers them):

- `logistics/Dispatch-v0` (`DispatchEnv`): at each last-mile dispatch wave, dispatch now or hold, and which
  parcels go; the scenario's routing policy builds the routes.
- `logistics/LinehaulAllocation-v0` (`LinehaulAllocationEnv`): at each departure's cut-off of a lane group, how
  much of each due-date class boards the departure leaving now.
- `logistics/Staffing-v0` (`StaffingEnv`): at each shift boundary, how many workers each paid role starting a
  shift calls in.

    import gymnasium, logistics.rl
    env = gymnasium.make("logistics/Dispatch-v0", scenario="last_mile_city")
"""

import gymnasium

from logistics.rl.dispatch_env import SEND_ALL, DispatchEnv
from logistics.rl.linehaul_env import POLICY, LinehaulAllocationEnv
from logistics.rl.staffing_env import StaffingEnv

__all__ = ["POLICY", "SEND_ALL", "DispatchEnv", "LinehaulAllocationEnv", "StaffingEnv"]

for _id, _entry in (
    ("logistics/Dispatch-v0", "logistics.rl.dispatch_env:DispatchEnv"),
    ("logistics/LinehaulAllocation-v0", "logistics.rl.linehaul_env:LinehaulAllocationEnv"),
    ("logistics/Staffing-v0", "logistics.rl.staffing_env:StaffingEnv"),
):
    if _id not in gymnasium.registry:
        gymnasium.register(id=_id, entry_point=_entry)
