"""Last mile: the carrier collects cleared parcels at fixed clock hours and delivers them by zone.

Delivery times are drawn per order up front, so a pickup hands over a whole batch with one array
operation and no event per parcel.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import simpy

from logistics.scenario.lastmile import LastMile
from logistics.sim.dispatch import Depot
from logistics.sim.monitor import OrderColumns
from logistics.sim.timetable import clock_times


def assign_zones(
    last_mile: LastMile, n: int, rng: np.random.Generator, given: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Zone index (drawn by the zones' shares, unless `given`) and delivery time (h) of `n` orders."""
    shares = np.array([z.share for z in last_mile.zones], dtype=float)
    zone = given if given is not None else rng.choice(len(shares), size=n, p=shares / shares.sum())
    delivery_h = np.empty(n)
    for k, z in enumerate(last_mile.zones):
        mask = zone == k
        delivery_h[mask] = z.delivery_time_h.sample(rng, int(mask.sum()))
    return zone, delivery_h


class Carrier:
    """Parcels wait in the outbound buffer until the next pickup hour, then go out for delivery (without pickup
    hours, `pickups_h=None`, each parcel goes out as soon as it is handed over)."""

    def __init__(
        self,
        env: simpy.Environment,
        pickups_h: list[float] | None,
        start: datetime,
        end_h: float,
        orders: OrderColumns,
        delivery_h: np.ndarray,
        depot: Depot | None = None,
    ) -> None:
        self.env = env
        self.orders = orders
        self.delivery_h = delivery_h
        self.depot = depot  # parcels of routed zones go to the depot's vans instead
        self.buffer: list[int] = []
        self.peak_buffer = 0
        self.dispatched = 0
        self.at_once = pickups_h is None
        if pickups_h is not None:
            self._times = clock_times(pickups_h, [0, 1, 2, 3, 4, 5, 6], start, 0.0, end_h + 1e-9)
            env.process(self._pickups())

    def hand_over(self, order: int) -> None:
        """A cleared parcel joins the outbound buffer now (or, without pickup hours, goes out now)."""
        now = self.env.now
        self.orders.cleared_h[order] = now
        if not self.at_once:
            self.buffer.append(order)
            return
        self.orders.dispatched_h[order] = now
        self.dispatched += 1
        if self.depot is not None and self.depot.routed[order]:
            self.depot.receive(np.array([order]))
        else:
            self.orders.delivered_h[order] = now + self.delivery_h[order]

    def _pickups(self):
        for t in self._times:
            yield self.env.timeout(t - self.env.now)
            if not self.buffer:
                continue
            batch = np.fromiter(self.buffer, dtype=np.int64, count=len(self.buffer))
            self.peak_buffer = max(self.peak_buffer, len(batch))
            self.buffer = []
            self.orders.dispatched_h[batch] = self.env.now
            self.dispatched += len(batch)
            if self.depot is not None:
                routed = self.depot.routed[batch]
                self.depot.receive(batch[routed])
                batch = batch[~routed]
            self.orders.delivered_h[batch] = self.env.now + self.delivery_h[batch]
