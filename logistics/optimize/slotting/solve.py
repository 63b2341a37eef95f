"""`solve_slotting(problem, params)` (a method by name: the exact flow or a baseline) and the independent
`check_slotting(problem, plan)`."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from logistics.optimize.common import Check, InvalidProblemError
from logistics.optimize.slotting.baselines import _abc, _coi_greedy, _random
from logistics.optimize.slotting.flow import _optimal
from logistics.optimize.slotting.problem import SlottingPlan, SlottingProblem

__all__ = ["METHODS", "SlottingCheck", "SlottingParams", "check_slotting", "solve_slotting"]


METHODS = {"optimal": _optimal, "random": _random, "abc": _abc, "coi_greedy": _coi_greedy}


@dataclass(frozen=True)
class SlottingParams:
    """How to slot: `method` (see `METHODS`: "optimal" is the proven-optimal flow model, the others the
    baselines) and the `seed` of the randomised baselines."""

    method: str = "optimal"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InvalidProblemError(
                "params.method", f"unknown slotting method {self.method!r} (known: {', '.join(METHODS)})"
            )


def solve_slotting(problem: SlottingProblem, params: SlottingParams | None = None) -> SlottingPlan:
    """Assign SKUs to slots (see `SlottingParams`). A plan whose status is INFEASIBLE places what fits and
    names what does not."""
    params = params or SlottingParams()
    run = METHODS[params.method]
    t0 = time.perf_counter()
    plan = run(problem, np.random.default_rng(params.seed))
    plan.stats["wall_s"] = time.perf_counter() - t0
    return plan


# --- checking --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlottingCheck(Check):
    """What `check_slotting` found (`ok` when there is no violation) and the plan's objective recomputed."""

    objective_m: float = float("nan")


def check_slotting(problem: SlottingProblem, plan: SlottingPlan) -> SlottingCheck:
    """Check a plan against every rule from the raw data (not the solver's slot and SKU types): one SKU a slot,
    each SKU its number of slots (less only where reported unplaced), load volume and weight within the slot's
    limits, bonded/temperature/hazardous/zone-list compatibility, and the reported objective."""
    skus, slots, zones = problem.skus, problem.layout.slots, problem.layout.zones
    out: list[str] = []
    a = plan.sku_of_slot
    if len(a) != len(slots):
        return SlottingCheck((f"plan covers {len(a)} slots, the layout has {len(slots)}",), float("nan"))
    if ((a < -1) | (a >= len(skus))).any():
        out.append("plan names SKU indices outside the SKU table")
        return SlottingCheck(tuple(out), float("nan"))
    held = np.bincount(a[a >= 0], minlength=len(skus))
    for i in np.flatnonzero(held != skus.slots).tolist():
        missing = plan.unplaced.get(str(skus.sku_id[i]), 0)
        if held[i] + missing != skus.slots[i]:
            out.append(
                f"SKU {skus.sku_id[i]} holds {held[i]} slot(s), needs {skus.slots[i]} ({missing} reported unplaced)"
            )
    for s in np.flatnonzero(a >= 0):
        i = int(a[s])
        zone = zones[int(slots.zone[s])]
        where = f"SKU {skus.sku_id[i]} in slot {slots.slot_id[s]}"
        if skus.volume_l[i] > slots.volume_l[s] + 1e-9:
            out.append(f"{where}: load {skus.volume_l[i]} l exceeds the slot's {slots.volume_l[s]} l")
        if skus.weight_kg[i] > slots.max_weight_kg[s] + 1e-9:
            out.append(f"{where}: load {skus.weight_kg[i]} kg exceeds the slot's {slots.max_weight_kg[s]} kg")
        if bool(skus.bonded[i]) != zone.bonded:
            out.append(f"{where}: {'bonded' if skus.bonded[i] else 'general-trade'} goods in zone {zone.name}")
        if str(skus.temperature[i]) != zone.temperature:
            out.append(f"{where}: {skus.temperature[i]} goods in {zone.temperature} zone {zone.name}")
        if bool(skus.hazardous[i]) != zone.hazardous:
            out.append(f"{where}: hazardous flag does not match zone {zone.name}")
        allowed = [z for z in str(skus.zones[i]).split(";") if z]
        if allowed and zone.name not in allowed:
            out.append(f"{where}: zone {zone.name} not in the SKU's zones {allowed}")
        if len(out) > 50:
            break
    travel = 2.0 * (np.abs(slots.aisle * problem.layout.aisle_spacing_m - problem.layout.depot_x_m) + slots.y_m)
    travel = travel + np.where(slots.golden, 0.0, problem.layout.ergonomic_penalty_m)
    used = a >= 0
    objective = float((skus.picks[a[used]] / skus.slots[a[used]]) @ travel[used])
    if not np.isclose(objective, plan.objective_m, rtol=1e-9, atol=1e-6):
        out.append(f"reported objective {plan.objective_m} differs from the recomputed {objective}")
    return SlottingCheck(tuple(out), objective)
