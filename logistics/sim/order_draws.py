"""What is drawn up front for the orders of one flow, the same way for every customs mode: its goods (SKU table)
and orders, each order's totals, retail import tax and limits (for flows that pay them), declaration data delay
(three-document matching), last-mile zone and delivery time, and declaring trader. Each draw has its own named
random stream (`StreamNames`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistics.core.random import RandomStreams
from logistics.scenario.disruptions import DemandSurge
from logistics.scenario.flows import Flow
from logistics.scenario.scenario import Scenario
from logistics.sim.catalog import SkuTable, build_skus
from logistics.sim.demand import OrderBook, generate_orders
from logistics.sim.documents import document_delays_h
from logistics.sim.lastmile import assign_zones
from logistics.sim.tax import order_taxes
from logistics.sim.tiers import draw_traders

__all__ = ["OrderDraws", "StreamNames", "draw_orders"]


@dataclass(frozen=True)
class StreamNames:
    """The random stream of each draw of a flow's orders."""

    catalog: str
    demand: str
    customers: str
    documents: str
    last_mile: str
    traders: str

    @classmethod
    def of_flow(cls, flow_id: str) -> StreamNames:
        """A flow's streams, named after it."""
        p = f"flow.{flow_id}."
        return cls(p + "catalog", p + "demand", p + "customers", p + "documents", p + "last_mile", p + "traders")


BONDED_STREAMS = StreamNames("catalog", "demand", "customers", "documents", "last_mile", "customs.traders")
"""The streams of the bonded-import (1210) flow (named before flows had ids in them; kept so that its runs
replay as before)."""


@dataclass(frozen=True)
class OrderDraws:
    """The orders of one flow and what each one is (columns of length `len(book)`)."""

    skus: SkuTable
    book: OrderBook
    value_cny: np.ndarray
    weight_kg: np.ndarray
    volume_m3: np.ndarray
    units: np.ndarray
    tax_cny: np.ndarray
    over_limit: np.ndarray
    rejected: np.ndarray
    documents_h: np.ndarray  # hours from creation until the declaration's data is matched
    zone: np.ndarray
    delivery_h: np.ndarray
    trader: np.ndarray | None  # index into the scenario's traders (None: the flow names none)


def draw_orders(scenario: Scenario, flow: Flow, streams: RandomStreams, names: StreamNames) -> OrderDraws:
    """Draw the orders of `flow` and their attributes from `streams` (one named stream per draw)."""
    s, run = scenario, scenario.run
    catalog = flow.catalog or s.catalog
    skus = build_skus(catalog, streams.generator(names.catalog))
    surges = [d for d in s.disruptions if isinstance(d, DemandSurge)]
    book = generate_orders(flow.demand, skus, run.start, run.horizon_h, streams.generator(names.demand), surges)
    n = len(book)
    value, weight, volume, units = book.totals(skus)
    if flow.pays_retail_tax:
        tax, over, rejected = order_taxes(
            book.line_value_cny(skus), skus.tax_category[book.line_sku], book.per_order, book.customer,
            catalog.tax_categories, flow.demand, streams.generator(names.customers),
        )  # fmt: skip
    else:
        tax, over, rejected = np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    documents = document_delays_h(s.customs.documents, n, streams.generator(names.documents))
    zone, delivery = assign_zones(flow.last_mile, n, streams.generator(names.last_mile))
    trader = None
    if flow.traders:
        trader_ids = [t.id for t in s.customs.traders]
        trader = draw_traders(flow.traders, trader_ids, n, streams.generator(names.traders))
    return OrderDraws(
        skus, book, value, weight, volume, units, tax, over, rejected, documents, zone, delivery, trader
    )  # fmt: skip
