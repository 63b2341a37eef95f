"""Gymnasium environments at the simulation's decision points (importing this module registers them):

- `logistics/Dispatch-v0` (`DispatchEnv`): at each last-mile dispatch wave, dispatch now or hold, and which
  parcels go; the scenario's routing policy builds the routes.

    import gymnasium, logistics.rl
    env = gymnasium.make("logistics/Dispatch-v0", scenario="last_mile_city")
"""

import gymnasium

from logistics.rl.dispatch_env import SEND_ALL, DispatchEnv

__all__ = ["SEND_ALL", "DispatchEnv"]

if "logistics/Dispatch-v0" not in gymnasium.registry:
    gymnasium.register(id="logistics/Dispatch-v0", entry_point="logistics.rl.dispatch_env:DispatchEnv")
