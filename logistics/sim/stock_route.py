"""A warehouse's stock brought in over its flow's route: the bonded warehouse of a 1210 flow and the overseas
warehouse of a 9810 flow are replenished the same way.

At each departure of the route's first lane (at its booking cut-off, so that the order makes that departure)
the flow's replenishment policy (`policies.replenishment`) says what to order from the warehouse's stock view.
The order is packed into containers in SKU order (a SKU is never split over two containers) and at most the
departure's `containers_per_departure` are shipped: what does not fit is not shipped (counted as rolled units;
the policy orders it again at the next departure, since it is not in transit). Nothing is ordered onto a
departure cancelled by a lane closure, nor after the run's horizon. Each container is one job of the flows: it
takes a whole container on every lane of the route (shared with every other flow on those lanes), passes the
flow's checkpoints on the way and is received at the warehouse (`steps.ReceiveStep`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import simpy

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.policies.replenishment import ReplenishmentPolicy
from logistics.scenario.network import Lane
from logistics.sim.catalog import SkuTable
from logistics.sim.inventory import Inventory
from logistics.sim.jobs import FlowJobs
from logistics.sim.lanes import ScheduledLane

__all__ = ["StockRoute", "pack_containers"]


def pack_containers(
    skus: np.ndarray, units: np.ndarray, volume_m3: np.ndarray, weight_kg: np.ndarray, lane: Lane
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split SKU quantities over containers in SKU order, starting a new container when the next SKU's
    load would overflow volume or payload. A SKU is split only when its quantity does not fit one container:
    then it fills whole containers of its own (at most the units one container holds each), and the rest packs
    on. Every unit must fit a container (`unit_loads` checks this when the route is built)."""
    per_unit = unit_loads(skus, volume_m3, weight_kg, lane)
    capacity = np.maximum(1, np.floor((1.0 + 1e-12) / per_unit)).astype(np.int64)  # units one container holds
    if (units > capacity).any():  # a quantity larger than a container: whole containers of it first
        chunks = np.maximum(1, -(-units // capacity))
        skus = np.repeat(skus, chunks)
        cap = np.repeat(capacity, chunks)
        start = np.repeat(np.cumsum(chunks) - chunks, chunks)
        index = np.arange(len(skus)) - start  # the chunk's number within its SKU
        total = np.repeat(units, chunks)
        units = np.minimum(cap, total - index * cap)
    loads = np.maximum(
        units * volume_m3[skus] / lane.container_volume_m3, units * weight_kg[skus] / lane.container_payload_kg
    )
    containers: list[tuple[np.ndarray, np.ndarray]] = []
    begin, filled = 0, 0.0
    for k, load in enumerate(loads.tolist()):
        if k > begin and filled + load > 1.0:
            containers.append((skus[begin:k], units[begin:k]))
            begin, filled = k, 0.0
        filled += load
    if len(skus) > begin:
        containers.append((skus[begin:], units[begin:]))
    return containers


def unit_loads(skus: np.ndarray, volume_m3: np.ndarray, weight_kg: np.ndarray, lane: Lane) -> np.ndarray:
    """The share of a container one unit of each SKU takes (the larger of volume and payload)."""
    return np.maximum(volume_m3[skus] / lane.container_volume_m3, weight_kg[skus] / lane.container_payload_kg)


class StockRoute:
    """Orders stock for flow `flow` at each departure of `lane` (its route's first lane) up to `horizon_h` and
    starts each container as a job of `jobs` (`start(job)`: its first step)."""

    def __init__(
        self,
        env: simpy.Environment,
        jobs: FlowJobs,
        flow: int,
        lane: ScheduledLane,
        *,
        horizon_h: float,
        inventory: Inventory,
        policy: ReplenishmentPolicy,
        forecast_per_day: np.ndarray,
        skus: SkuTable,
        start: Callable[[int], None],
    ) -> None:
        self.env, self.jobs, self.flow = env, jobs, flow
        self.departing, self.lane, self.horizon_h = lane, lane.lane, horizon_h
        self.inventory, self.policy, self.forecast, self.skus = inventory, policy, forecast_per_day, skus
        self.start = start
        self.rolled_units = 0  # ordered but left for a later departure: no container space
        self.departures_skipped = 0  # departures cancelled by a closure: nothing ordered
        # what customs reads a container's goods as: the tax category of its first SKU
        names = skus.tax_category_names
        self._goods = np.array([jobs.goods_names.index(x) for x in names], dtype=np.int64)[skus.tax_category]
        too_big = unit_loads(np.arange(len(skus.ids)), skus.volume_m3, skus.weight_kg, self.lane) > 1.0
        if too_big.any():
            k = int(np.flatnonzero(too_big)[0])
            raise ScenarioError(
                [
                    ScenarioIssue(
                        ("network", "lanes"),
                        f"SKU {skus.ids[k]} ({skus.weight_kg[k]:,.1f} kg, {skus.volume_m3[k]:,.3f} m3 a unit) does not "
                        f"fit one container of lane {self.lane.id!r} ({self.lane.container_payload_kg:,.0f} kg, "
                        f"{self.lane.container_volume_m3:,.1f} m3); {int(too_big.sum())} SKU(s) are too large",
                    )
                ]
            )
        lane.at_cutoff.append(self._at_cutoff)

    def _at_cutoff(self, departure_h: float) -> None:
        if departure_h >= self.horizon_h:
            return
        if self.departing.closures_at(departure_h):
            self.departures_skipped += 1
            return
        self.replenish()

    def replenish(self) -> None:
        """Order now what the policy asks for, and ship what fits this departure."""
        jobs, skus, k = self.jobs, self.skus, self.flow
        want = self.policy.order_units(self.inventory.view(self.forecast))
        chosen = np.flatnonzero(want > 0)
        if not len(chosen):
            return
        units = want[chosen]
        loads = pack_containers(chosen, units, skus.volume_m3, skus.weight_kg, self.lane)
        kept = loads[: self.lane.containers_per_departure]
        self.rolled_units += int(sum(int(qty.sum()) for _, qty in loads[len(kept) :]))
        now = self.env.now
        for sku_ids, qty in kept:
            job = jobs.next_container[k]
            if job >= jobs.container_limit[k]:  # the flow's block of container jobs is full (cannot happen)
                self.rolled_units += int(qty.sum())
                continue
            jobs.next_container[k] = job + 1
            self.inventory.in_transit[sku_ids] += qty
            jobs.containers[job] = (sku_ids, qty)
            jobs.container_outcome[job] = "in_transit"
            jobs.created_h[job] = jobs.ready_h[job] = now
            jobs.weight_kg[job] = jobs._weight[job] = float(np.dot(qty, skus.weight_kg[sku_ids]))
            jobs.volume_m3[job] = jobs._volume[job] = float(np.dot(qty, skus.volume_m3[sku_ids]))
            jobs.value_cny[job] = float(np.dot(qty, skus.value_cny[sku_ids]))
            jobs.units[job] = int(qty.sum())
            jobs.n_lines[job] = jobs._n_lines[job] = len(sku_ids)
            jobs.goods[job] = self._goods[sku_ids[0]]
            jobs.whole[job] = 1
            self.start(job)
