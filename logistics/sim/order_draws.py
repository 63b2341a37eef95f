"""What is drawn up front for the orders of one flow, the same way for every customs mode: its goods (SKU table)
and orders, each order's totals, retail import tax and limits (for flows that pay them), declaration data delay
(three-document matching), last-mile zone and delivery time, and declaring trader. Each draw has its own named
random stream (`StreamNames`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.core.random import RandomStreams
from logistics.scenario.disruptions import DemandSurge
from logistics.scenario.flows import Flow
from logistics.scenario.scenario import Scenario
from logistics.sim.catalog import SkuTable, build_skus
from logistics.sim.demand import OrderBook, Replayed, generate_orders, replay_orders
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
    source_order_id: np.ndarray | None = None  # a replayed history's own order ids (None: drawn orders)
    source_customer_id: np.ndarray | None = None  # a replayed history's own customer ids (None: not given)


def draw_orders(scenario: Scenario, flow: Flow, streams: RandomStreams, names: StreamNames) -> OrderDraws:
    """Draw the orders of `flow` and their attributes from `streams` (one named stream per draw)."""
    s, run = scenario, scenario.run
    catalog = flow.catalog or s.catalog
    skus = build_skus(catalog, streams.generator(names.catalog))
    surges = [d for d in s.disruptions if isinstance(d, DemandSurge)]
    given: Replayed | None = None
    if flow.demand.history is not None:  # the planner's own orders
        try:
            given = replay_orders(
                flow.demand.history,
                skus,
                run.start,
                run.horizon_h,
                streams.generator(names.demand),
                flow.mode,
                surges,
                run.timezone,
            )
        except ScenarioError as exc:  # name the flow the history belongs to
            raise _in_flow(exc, s, flow) from None
        book = given.book
    else:
        book = generate_orders(flow.demand, skus, run.start, run.horizon_h, streams.generator(names.demand), surges)
    n = len(book)
    value, weight, volume, units = book.totals(skus)
    if given is not None and given.value_cny is not None:
        value = given.value_cny
    if flow.pays_retail_tax:
        tax, over, rejected = order_taxes(
            book.line_value_cny(skus), skus.tax_category[book.line_sku], book.per_order, book.customer,
            catalog.tax_categories, flow.demand, streams.generator(names.customers),
        )  # fmt: skip
    else:
        tax, over, rejected = np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    documents = document_delays_h(s.customs.documents, n, streams.generator(names.documents))
    try:
        zones = _indices(given.zone if given else None, [z.id for z in flow.last_mile.zones], "zone")
        trader_ids = [t.id for t in s.customs.traders]
        given_traders = _indices(given.trader if given else None, trader_ids, "trader")
    except ScenarioError as exc:
        raise _in_flow(exc, s, flow) from None
    zone, delivery = assign_zones(flow.last_mile, n, streams.generator(names.last_mile), zones)
    trader = None
    if given_traders is not None:
        trader = given_traders
    elif flow.traders:
        trader = draw_traders(flow.traders, trader_ids, n, streams.generator(names.traders))
    return OrderDraws(
        skus, book, value, weight, volume, units, tax, over, rejected, documents, zone, delivery, trader,
        given.source_order_id if given else None, given.source_customer_id if given else None,
    )  # fmt: skip


def source_id_columns(draws: OrderDraws | None, n: int) -> dict[str, np.ndarray]:
    """The history's own order and customer ids as order-table columns (`source_order_id`,
    `source_customer_id`) when the orders were replayed from a file that has them; empty otherwise."""
    if draws is None:
        return {}
    out = {}
    for name in ("source_order_id", "source_customer_id"):
        values = getattr(draws, name)
        if values is not None:
            out[name] = np.asarray(values, dtype=object)[:n]
    return out


def _indices(names: np.ndarray | None, known: list[str], what: str) -> np.ndarray | None:
    """A history's per-order names (zones, traders) as indices into `known`; an unknown one is an error."""
    if names is None:
        return None
    position = {name: k for k, name in enumerate(known)}
    index = np.fromiter((position.get(str(x), -1) for x in names), dtype=np.int64, count=len(names))
    if (index < 0).any():
        wrong = sorted({str(x) for x, k in zip(names, index, strict=True) if k < 0})
        raise ScenarioError(
            [
                ScenarioIssue(
                    ("demand", "history", "columns", what),
                    f"the history names {what}(s) the scenario does not have: {', '.join(wrong[:5])} "
                    f"(known: {', '.join(known)})",
                )
            ]
        )
    return index


def _in_flow(exc: ScenarioError, scenario: Scenario, flow: Flow) -> ScenarioError:
    """`exc` with its fields under the flow's place in the scenario (`flows.0.demand.history...`)."""
    from dataclasses import replace

    position = next(k for k, f in enumerate(scenario.flows) if f is flow)
    return ScenarioError([replace(i, path=("flows", position, *i.path)) for i in exc.issues])
