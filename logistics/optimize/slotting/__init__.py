"""SKU slotting: which storage slots each SKU gets, to minimise expected picking travel.

Model. SKU i needs `slots[i]` slots (by its demand), each holding a load of `volume_l[i]` and `weight_kg[i]`;
it is picked `picks[i]` times a period, spread evenly over its slots. A slot s has a travel cost `c_s` (round trip
from the pick-and-drop point plus an ergonomic penalty outside the golden zone, see `WarehouseLayout`). A plan
costs sum_i sum_{s in S_i} picks_i / slots_i * c_s metres a period: the cube-per-order-index rule generalised to
any mix of constraints. A slot takes an SKU if the load fits (volume, weight) and the zone matches: bonded goods
only in bonded zones (and general-trade goods only outside them), the temperature band equal, hazardous goods
only in hazardous zones and nothing else there, and the SKU's own zone list if it has one.

Exact method. Slots with the same zone, limits and travel cost are interchangeable ("classes"). The plan is a
min-cost flow SKU -> class -> sink solved with OR-Tools on a growing subset of the SKU-class arcs (column
generation): after each solve, node potentials from the residual graph price every omitted arc, found with the
product structure of the costs in one vectorised pass; the loop stops when no arc has negative reduced cost,
which proves the plan optimal over all arcs. Costs are scaled to integers (relative precision about 1e-7).
When not everything fits, the flow places as much as possible at least cost and the status names what does
not fit.

Baselines: random storage, ABC class-based storage (random within class regions), and the COI greedy (SKUs by
picks per slot, each taking the cheapest free fitting slots). `improve_affinity` moves SKUs that are ordered
together into the same aisle at a bounded loss of the travel objective; `reslot` finds the best plan reachable
from the current one with at most K moves.
"""

from logistics.optimize.slotting.affinity import history_travel_m, improve_affinity
from logistics.optimize.slotting.files import read_skus_csv
from logistics.optimize.slotting.problem import OrderHistory, SkuTable, SlottingPlan, SlottingProblem, plan_objective_m
from logistics.optimize.slotting.reslot import count_moves, reslot
from logistics.optimize.slotting.solve import METHODS, SlottingCheck, SlottingParams, check_slotting, solve_slotting

__all__ = [
    "METHODS",
    "OrderHistory",
    "SkuTable",
    "SlottingCheck",
    "SlottingParams",
    "SlottingPlan",
    "SlottingProblem",
    "check_slotting",
    "count_moves",
    "history_travel_m",
    "improve_affinity",
    "plan_objective_m",
    "read_skus_csv",
    "reslot",
    "solve_slotting",
]
