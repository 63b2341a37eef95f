"""Every job of the flows (9610 and 9710 orders; the stock containers of every warehouse, 1210 bonded and 9810
overseas) as columns with a global index: orders drawn up front per flow (goods, demand, taxes, traders,
documents, zones, deadlines), then one block of container slots per flow stocked over its route (at most one
lane load per departure of the route's first lane). The orders of a flow served from stock are drawn by its
warehouse part (`sim/warehouse.py`): here it has containers only."""

from __future__ import annotations

import numpy as np

from logistics.core.random import RandomStreams
from logistics.scenario.flows import Flow
from logistics.scenario.modes import CUSTOMS_MODES
from logistics.scenario.network import Lane, Network
from logistics.scenario.scenario import Scenario
from logistics.sim.catalog import SkuTable
from logistics.sim.demand import OrderBook
from logistics.sim.order_draws import OrderDraws, StreamNames, draw_orders
from logistics.sim.timetable import departure_times

__all__ = ["FlowJobs", "lane_by_id"]


def lane_by_id(network: Network, lane_id: str) -> Lane:
    """The lane with this id (a lane group: its first lane, which goes where they all go)."""
    group = next((g for g in network.lane_groups if g.id == lane_id), None)
    if group is not None:
        lane_id = group.lanes[0]
    return next(lane for lane in network.lanes if lane.id == lane_id)


class FlowJobs:
    """The columns of every job of `flows` (job `j` of flow `flow_of[j]`; orders first, then containers).
    `drawn_elsewhere` maps the position of a flow whose orders another part draws to its SKU table."""

    def __init__(
        self,
        scenario: Scenario,
        flows: list[Flow],
        streams: RandomStreams,
        drawn_elsewhere: dict[int, SkuTable] | None = None,
    ) -> None:
        elsewhere = drawn_elsewhere or {}
        s, run = scenario, scenario.run
        # --- orders of every flow, drawn up front (`order_draws`, as for the bonded part's) ---------------
        draws: dict[int, OrderDraws] = {}
        self.skus: list[SkuTable] = []
        self.books: list[OrderBook] = []
        offsets, n = [], 0
        for k, f in enumerate(flows):
            if k in elsewhere:
                skus, book = elsewhere[k], OrderBook.empty()
            else:
                draws[k] = d = draw_orders(s, f, streams, StreamNames.of_flow(f.id))
                skus, book = d.skus, d.book
            self.skus.append(skus)
            self.books.append(book)
            offsets.append(n)
            n += len(book)
        self.n_orders = n
        # a replayed history's own order and customer ids, per order (None for drawn orders)
        self.source_ids = _source_ids(draws, offsets, n)
        # stock containers get the indices after the orders: at most one lane load per departure
        container_offsets = []
        for f in flows:
            container_offsets.append(n)
            if CUSTOMS_MODES[f.mode].stocked_over_route:
                first = lane_by_id(s.network, f.route[0])
                assert first.departures is not None  # checked by the scenario validation
                n += (
                    len(departure_times(first.departures, run.start, 0.0, run.horizon_h))
                    * first.containers_per_departure
                )
        self.n_jobs = n
        self.offsets, self.container_offsets = offsets, container_offsets
        self.next_container = list(container_offsets)  # each flow's next free container job
        self.container_limit = [container_offsets[k + 1] if k + 1 < len(flows) else n for k in range(len(flows))]
        self.containers: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # container job -> its SKUs and units
        self.container_outcome: dict[int, str] = {}

        self.created_h = np.full(n, np.nan)
        self.weight_kg = np.zeros(n)
        self.volume_m3 = np.zeros(n)
        self.value_cny = np.zeros(n)
        self.units = np.zeros(n, dtype=np.int64)
        self.n_lines = np.zeros(n, dtype=np.int64)
        self.tax_cny = np.zeros(n)
        self.over_limit = np.zeros(n, dtype=bool)
        self.rejected = np.zeros(n, dtype=bool)
        self.trader = np.full(n, -1, dtype=np.int64)
        self.goods = np.zeros(n, dtype=np.int64)  # index into self.goods_names
        self.ready_h = np.zeros(n)  # declaration data matched
        self.zone = np.zeros(n, dtype=np.int64)
        self.delivery_h = np.zeros(n)
        self.dispatched_h = np.full(n, np.nan)
        self.delivered_h = np.full(n, np.nan)
        self.ended_h = np.full(n, np.nan)
        self.end_reason = np.zeros(n, dtype=np.int8)
        self.transport_cny = np.zeros(n)
        self.co2e_kg = np.zeros(n)  # kg CO2e of the lanes each job rode (its last mile: in the results)
        self.rolls = np.zeros(n, dtype=np.int64)
        self.flow_of = np.zeros(n, dtype=np.int64)
        self.whole = bytearray(n)  # 1 for container jobs: each takes a whole container on a lane
        self.deadline_h = np.full(n, np.inf)  # promise less the last mile (containers: none)
        trader_ids = [t.id for t in s.customs.traders]
        self.goods_names: list[str] = []
        for k, (f, skus, book, off) in enumerate(zip(flows, self.skus, self.books, offsets, strict=True)):
            for name in skus.tax_category_names:
                if name not in self.goods_names:
                    self.goods_names.append(name)
            if k in draws:
                self._fill_orders(k, f, draws[k], slice(off, off + len(book)))
        for k, f in enumerate(flows):
            end = container_offsets[k + 1] if k + 1 < len(flows) else n
            self.flow_of[container_offsets[k] : end] = k
            if f.traders:  # a flow's stock containers are declared by its first trader
                self.trader[container_offsets[k] : end] = trader_ids.index(next(iter(f.traders)))
        self._weight = self.weight_kg.tolist()
        self._volume = self.volume_m3.tolist()
        self._n_lines = self.n_lines.tolist()

    def _fill_orders(self, k: int, f: Flow, d: OrderDraws, sl: slice) -> None:
        """The columns of flow `k`'s drawn orders (positions `sl`): times, goods, value, tax, trader, zone, and
        when each must reach the end of its line-haul (the promise less the zone's mean delivery time)."""
        skus, book = d.skus, d.book
        self.created_h[sl] = book.created_h
        self.value_cny[sl], self.weight_kg[sl], self.volume_m3[sl], self.units[sl] = (
            d.value_cny, d.weight_kg, d.volume_m3, d.units,
        )  # fmt: skip
        self.n_lines[sl] = book.n_lines
        self.flow_of[sl] = k
        self.tax_cny[sl], self.over_limit[sl], self.rejected[sl] = d.tax_cny, d.over_limit, d.rejected
        if d.trader is not None:
            self.trader[sl] = d.trader
        if len(book):
            names = np.array([self.goods_names.index(x) for x in skus.tax_category_names])
            self.goods[sl] = names[skus.tax_category[book.first_line_sku]]
        self.ready_h[sl] = book.created_h + d.documents_h
        self.zone[sl], self.delivery_h[sl] = d.zone, d.delivery_h
        zones = f.last_mile.zones
        self.deadline_h[sl] = book.created_h + np.array([z.promise_h - z.delivery_time_h.mean for z in zones])[d.zone]


def _source_ids(draws: dict[int, OrderDraws], offsets: list[int], n: int) -> dict[str, np.ndarray]:
    """A replayed history's own order and customer ids per order (None for drawn orders); none if no flow has
    them."""
    out: dict[str, np.ndarray] = {}
    for name in ("source_order_id", "source_customer_id"):
        if any(getattr(d, name) is not None for d in draws.values()):
            column = np.full(n, None, dtype=object)
            for k, d in draws.items():
                if getattr(d, name) is not None:
                    column[offsets[k] : offsets[k] + len(d.book)] = getattr(d, name)
            out[name] = column
    return out
