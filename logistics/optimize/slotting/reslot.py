"""Re-slotting: the best plan reachable from the current one with at most K moves."""

from __future__ import annotations

import time

import numpy as np

from logistics.optimize.common import InvalidProblemError
from logistics.optimize.slotting.flow import COST_RESOLUTION, _finish, _solve_flow
from logistics.optimize.slotting.problem import SlottingPlan, SlottingProblem, plan_objective_m

__all__ = ["count_moves", "reslot"]


# --- re-slotting -----------------------------------------------------------------------------------------------


def count_moves(current: np.ndarray, proposed: np.ndarray) -> int:
    """Slot loads that change place: every slot whose SKU now differs, counting only slots held now."""
    held = current >= 0
    return int((proposed[held] != current[held]).sum())


def reslot(problem: SlottingProblem, current: np.ndarray, max_moves: int, max_solves: int = 16) -> SlottingPlan:
    """The best plan reachable from `current` (SKU index per slot, -1 empty) moving at most `max_moves` slot
    loads. Lagrangian: each kept load earns a bonus; the bonus is searched so the plan uses at most
    `max_moves`; a plan found this way is optimal among all plans with no more moves than it makes. Loads that
    no longer fit their slot, or of SKUs no longer listed, must move and count."""
    if max_moves < 0:
        raise InvalidProblemError("max_moves", f"must be >= 0, got {max_moves}")
    if len(current) != len(problem.layout.slots):
        raise InvalidProblemError("current", f"has {len(current)} entries for {len(problem.layout.slots)} slots")
    current = np.asarray(current, dtype=np.int64)
    if ((current < -1) | (current >= len(problem.skus))).any():
        raise InvalidProblemError("current", "names SKU indices outside the SKU table")
    held = np.flatnonzero(current >= 0)
    fits = problem.feasible[problem.sku_type[current[held]], problem.slot_type[held]]
    counts = np.bincount(current[held], minlength=len(problem.skus))
    too_many = counts[current[held]] > problem.skus.slots[current[held]]
    keepable = current.copy()
    keepable[held[~fits | too_many]] = -1  # these must move
    forced = int((~fits | too_many).sum())
    value = problem.skus.picks / problem.skus.slots
    cost = problem.layout.travel_cost_m
    t0 = time.perf_counter()
    if max_moves == 0 and forced == 0:
        plan = _finish(problem, "reslot", current.copy(), "optimal", {"moves": 0, "solves": 0})
        return SlottingPlan(
            plan.method,
            plan.status,
            plan.sku_of_slot,
            plan.objective_m,
            plan.unplaced,
            "no moves allowed: the current plan",
            plan.stats,
        )
    free_plan, stats, arcs = _solve_flow(problem, value, cost, keepable, 0)
    best_plan: np.ndarray | None
    best_plan, best_stats, best_bonus = free_plan, stats, 0
    solves = 1
    if count_moves(current, free_plan) > max_moves:
        lo, hi = 0, int(COST_RESOLUTION // 10_000)
        best_plan = None
        while solves < max_solves:
            candidate, cstats, arcs = _solve_flow(problem, value, cost, keepable, hi, arcs)
            solves += 1
            if count_moves(current, candidate) <= max_moves:
                best_plan, best_stats, best_bonus = candidate, cstats, hi
                break
            lo, hi = hi, hi * 8
            if hi > 4 * COST_RESOLUTION:
                break
        while best_plan is not None and solves < max_solves and hi - lo > max(1, hi // 100):
            mid = (lo + hi) // 2
            candidate, cstats, arcs = _solve_flow(problem, value, cost, keepable, mid, arcs)
            solves += 1
            if count_moves(current, candidate) <= max_moves:
                best_plan, best_stats, best_bonus, hi = candidate, cstats, mid, mid
            else:
                lo = mid
        if best_plan is None:
            best_plan, best_stats = _solve_flow(problem, value, cost, keepable, int(4 * COST_RESOLUTION), arcs)[:2]
    moves = count_moves(current, best_plan)
    stats = {
        **best_stats,
        "moves": moves,
        "forced_moves": forced,
        "bonus": best_bonus,
        "solves": solves,
        "wall_s": time.perf_counter() - t0,
        "objective_current_m": plan_objective_m(
            problem, np.where(fits.all() and not too_many.any(), current, keepable)
        ),
    }
    if moves > max_moves:
        return _finish(
            problem,
            "reslot",
            best_plan,
            "infeasible",
            stats,
            f"{forced} loads must move (no longer fit their slot), more than max_moves={max_moves}",
        )
    status = "optimal" if best_bonus == 0 or moves == max_moves else "feasible"
    message = (
        ""
        if status == "optimal"
        else (
            f"optimal among plans with at most {moves} moves; "
            f"the Lagrangian search found no plan using exactly {max_moves}"
        )
    )
    return _finish(problem, "reslot", best_plan, status, stats, message)
