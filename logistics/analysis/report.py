"""The run report: a Markdown page and a self-contained HTML page, with PNG plots beside them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from logistics.analysis import plots
from logistics.core.html_page import HtmlPage
from logistics.sim.result import RunResult

__all__ = ["HEADLINE", "headline", "summary_table", "write_report"]

HEADLINE = [
    ("orders.created", "Orders created"),
    ("orders.delivered", "Orders delivered"),
    ("orders.in_system", "Orders still in the system at the end"),
    ("orders.ended.over_limit", "Orders refused (over the tax-free limits)"),
    ("orders.ended.returned", "Orders returned at a checkpoint"),
    ("orders.ended.destroyed", "Orders destroyed at a checkpoint"),
    ("orders.ended.delivery_failed", "Orders returned to the sender (delivery failed)"),
    ("lead_time.end_to_end_h.mean", "End-to-end lead time, mean (h)"),
    ("lead_time.end_to_end_h.p50", "End-to-end lead time, p50 (h)"),
    ("lead_time.end_to_end_h.p95", "End-to-end lead time, p95 (h)"),
    ("lead_time.end_to_end_h.p99", "End-to-end lead time, p99 (h)"),
    ("lead_time.order_to_dispatch_h.p95", "Order to dispatch, p95 (h)"),
    ("service.on_time_dispatch_rate", "Share dispatched within the dispatch promise (of orders resolved)"),
    ("service.dispatch.late", "Orders dispatched late or still waiting past the promise"),
    ("service.dispatch.not_yet_due", "Orders not yet dispatched, promise still open at the end (not counted)"),
    ("service.on_time_delivery_rate", "Share delivered within the zone promise (of orders resolved)"),
    ("service.delivery.late", "Orders delivered late or still undelivered past the promise"),
    ("service.delivery.not_yet_due", "Orders undelivered, promise still open at the end (not counted)"),
    ("orders.handled", "Orders handled (created, less refused): the per-order denominator"),
    ("cost_per_order.logistics_total_cny", "Logistics cost per order handled (CNY)"),
    ("cost_per_order.tax_cny", "Import tax per order handled (CNY)"),
    ("stock.backordered_orders", "Orders backordered (stockout)"),
    ("stock.stockout_line_rate", "Share of order lines hit by a stockout"),
]
"""The headline over every order of every mode (a KPI the run does not have is left out)."""

MODE_HEADLINE = [
    ("orders.created", "orders created"),
    ("orders.delivered", "orders delivered"),
    ("lead_time.end_to_end_h.mean", "end-to-end lead time, mean (h)"),
    ("service.on_time_delivery_rate", "share delivered within the promise (of orders resolved)"),
    ("service.delivery.not_yet_due", "orders not yet due at the end"),
]
"""The headline rows repeated per customs mode when a run has more than one."""


def headline(summary: pd.DataFrame, modes: tuple[str, ...] | list[str]) -> list[tuple[str, float]]:
    """(label, mean) rows of the headline: the totals, then a row per mode and KPI of MODE_HEADLINE when the
    run has several modes. Undefined values are left out."""
    by_kpi = summary.set_index("kpi")["mean"]
    keys = list(HEADLINE)
    if len(modes) > 1:
        keys += [(f"mode.{m}.{k}", f"{m}: {label}") for m in modes for k, label in MODE_HEADLINE]
    return [(label, float(by_kpi[k])) for k, label in keys if k in by_kpi.index and pd.notna(by_kpi[k])]


def summary_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """Mean, min and max over replications of each KPI."""
    g = kpis.groupby(["kpi", "unit"], sort=False)["value"]
    return pd.DataFrame({"mean": g.mean(), "min": g.min(), "max": g.max()}).reset_index()


def _fmt(v: float) -> str:
    if pd.isna(v):
        return "n/a"
    if abs(v) >= 1000 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.3f}" if abs(v) < 1 else f"{v:,.2f}"


def _markdown_table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_fmt(v) if isinstance(v, float | int) else str(v) for v in row) + " |")
    return "\n".join(lines)


def write_report(
    results: list[RunResult], kpis: pd.DataFrame, out_dir: Path, title: str, notice: str | None = None
) -> dict[str, Path]:
    """Write report.md, report.html and the plots into `out_dir`; returns the paths written. A `notice` (an
    interrupted or failed run) is printed above everything else."""
    out_dir.mkdir(parents=True, exist_ok=True)
    first = results[0]
    images = {}
    if len(first.orders):
        where = "/".join(str(m) for m in first.orders["mode"].unique())
        images[f"End-to-end lead time ({where})"] = plots.plot_lead_time(first, out_dir / "lead_time.png")
        images[f"Lead time by warehouse stage ({where})"] = plots.plot_stage_lead_times(
            first, out_dir / "lead_time_by_stage.png"
        )
    if len(first.flow_orders) or (len(first.orders) and first.orders["mode"].nunique() > 1):
        images["Lead time by customs mode"] = plots.plot_flow_lead_times(first, out_dir / "lead_time_by_mode.png")
    if len(first.departures):
        images["Lane fill rate"] = plots.plot_lane_fill(first, out_dir / "lane_fill.png")
    if len(first.route_stops) and "lat" in first.route_stops:
        images["Last-mile routes on the map"] = plots.plot_routes_map(first, out_dir / "routes_map.png")
    images["Queues over time"] = plots.plot_queues(first, out_dir / "queues.png")
    images["Utilisation over time"] = plots.plot_utilisation(first, out_dir / "utilisation.png")
    images["Cost per order"] = plots.plot_costs(results, out_dir / "costs.png")
    summary = summary_table(kpis)
    top = pd.DataFrame(headline(summary, first.modes), columns=["KPI", f"mean of {len(results)} replication(s)"])
    resources = pd.concat([r.resources.assign(replication=r.replication) for r in results])
    resources = resources.groupby("resource", sort=False)[["served", "utilisation", "mean_queue", "peak_queue"]].mean()
    resources = _flag_bottlenecks(resources.reset_index())
    top = pd.concat([top, _bottleneck_rows(resources, top.columns)], ignore_index=True)
    costs = summary[summary["kpi"].str.startswith("cost_per_order.")][["kpi", "mean", "min", "max"]]
    start = f" from {first.start:%Y-%m-%d %H:%M}" if first.start is not None else ""
    flagged = resources[resources["bottleneck"] != ""]
    bottlenecks = "; ".join(f"{r.resource} ({r.bottleneck})" for r in flagged.itertuples())
    intro = (
        f"Scenario **{first.scenario}**, {len(results)} replication(s); orders created during "
        f"{first.horizon_h:g} h{start}, simulated to {first.end_h:g} h. Lead times cover orders created after the "
        f"{first.warmup_h:g} h warm-up. On-time shares count resolved orders only: an order whose promise was still "
        "open at the end is not yet due and counted apart (neither on time nor late); an order returned or "
        "destroyed counts as not on time. Costs per order divide by the orders handled (created in the whole run, "
        f"less those refused over the limits). Plots show replication {first.replication}."
        + (f" Bottlenecks: {bottlenecks}." if bottlenecks else "")
    )
    sections = [
        ("Headline", top),
        *_flow_sections(summary),
        ("Resources (utilisation and mean queue after the warm-up, before the cool-down)", resources),
        ("Cost per order by component", costs),
        ("All KPIs (mean, min, max over replications)", summary),
    ]
    md = [f"# {title}", ""] + ([f"> **{notice}**", ""] if notice else []) + [intro, ""]
    for name, table in sections[:-1]:
        md += [f"## {name}", "", _markdown_table(table), ""]
    for name, path in images.items():
        md += [f"## {name}", "", f"![{name}]({path.name})", ""]
    md += [f"## {sections[-1][0]}", "", _markdown_table(sections[-1][1]), ""]
    md_path = out_dir / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")

    page = HtmlPage(title)
    if notice:
        page.paragraph(notice, notice=True)
    page.paragraph(intro.replace("**", ""))
    for name, table in sections[:-1]:
        page.heading(name).frame(table, float_format=_fmt, wide=True)
    for name, path in images.items():
        page.heading(name).image(name, path)
    page.heading(sections[-1][0]).frame(sections[-1][1], float_format=_fmt)
    html_path = page.write(out_dir / "report.html")
    return {"markdown": md_path, "html": html_path, **{k: v for k, v in images.items()}}


BUSY = 0.85
"""Utilisation from which a resource is flagged as a bottleneck whatever the others do."""


def _bottleneck_rows(resources: pd.DataFrame, columns: pd.Index) -> pd.DataFrame:
    """Headline rows naming the bottleneck: the busiest resource (its utilisation in the measured window) and,
    when something queues, the resource with the longest mean queue."""
    rows = []
    if len(resources):
        util = resources["utilisation"].fillna(0.0)
        if util.max() > 0:
            k = int(util.to_numpy().argmax())
            rows.append((f"Bottleneck (busiest): {resources['resource'].iloc[k]}, utilisation", float(util.iloc[k])))
        queue = resources["mean_queue"].fillna(0.0)
        if queue.max() >= 1.0:
            k = int(queue.to_numpy().argmax())
            rows.append((f"Longest mean queue: {resources['resource'].iloc[k]}, jobs", float(queue.iloc[k])))
    return pd.DataFrame(rows, columns=list(columns))


def _flag_bottlenecks(resources: pd.DataFrame) -> pd.DataFrame:
    """A `bottleneck` column: the resource with the highest utilisation and the one with the longest mean
    queue (when anything queues), and every resource busy `BUSY` or more of its staffed time."""
    flags = [[] for _ in range(len(resources))]  # type: list[list[str]]
    if len(resources):
        util = resources["utilisation"].fillna(0.0).to_numpy()
        queue = resources["mean_queue"].fillna(0.0).to_numpy()
        top = int(util.argmax())
        if util[top] > 0:
            flags[top].append(f"highest utilisation {util[top]:.2f}")
        for k in range(len(resources)):
            if util[k] >= BUSY and k != top:
                flags[k].append(f"utilisation {util[k]:.2f}")
        longest = int(queue.argmax())
        if queue[longest] >= 1.0:
            flags[longest].append(f"longest mean queue {queue[longest]:,.1f}")
    return resources.assign(bottleneck=["; ".join(f) for f in flags])


def _pivot(summary: pd.DataFrame, prefix: str, columns: dict[str, str]) -> pd.DataFrame:
    """One row per entity (`prefix.<entity>.<kpi>`), one column per KPI (mean over replications)."""
    rows: dict[str, dict[str, float]] = {}
    for kpi, value in zip(summary["kpi"], summary["mean"], strict=True):
        if not kpi.startswith(prefix):
            continue
        entity, _, rest = kpi[len(prefix) :].partition(".")
        if rest in columns:
            rows.setdefault(entity, {})[columns[rest]] = value
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns.values()))
    return frame.rename_axis(prefix.strip(".")).reset_index()


# The tables by customs mode, lane, checkpoint, inbound stock and emissions: (prefix, {kpi: column heading}).
MODE_ORDERS = {
    "orders.created": "orders",
    "orders.delivered": "delivered",
    "orders.in_system": "in system",
    "orders.ended.returned": "returned",
    "orders.ended.destroyed": "destroyed",
    "orders.ended.over_limit": "over limit",
    "orders.ended.delivery_failed": "delivery failed",
}
MODE_COSTS = {
    "lead_time.end_to_end_h.mean": "lead time mean (h)",
    "lead_time.end_to_end_h.p95": "lead time p95 (h)",
    "service.on_time_delivery_rate": "on time",
    "cost_per_parcel.transport_cny": "transport CNY/parcel",
    "cost_per_kg.transport_cny": "transport CNY/kg",
    "cost_per_parcel.clearance_cny": "clearance CNY/parcel",
    "cost_per_parcel.last_mile_cny": "last mile CNY/parcel",
    "tax_cny": "tax CNY",
    "rolled_parcels": "rolled parcels",
}
LANES = {
    "departures": "departures",
    "cancelled": "cancelled",
    "shipments": "shipments",
    "fill_rate.mean": "fill rate mean",
    "fill_rate.max": "fill rate max",
    "rolled": "rolled",
    "cost_per_chargeable_kg_cny": "CNY/chargeable kg",
    "block_unused_kg": "unused block kg",
}
CHECKPOINTS = {
    "cleared": "items",
    "clearance_h.mean": "clearance mean (h)",
    "clearance_h.p95": "clearance p95 (h)",
    "inspection_rate": "inspection rate",
    "inspection_rate.advanced_aeo": "rate advanced AEO",
    "inspection_rate.general_aeo": "rate general AEO",
    "inspection_rate.general": "rate general",
    "inspection_rate.discredited": "rate discredited",
    "outcome.held": "held",
    "outcome.returned": "returned",
    "outcome.destroyed": "destroyed",
    "lab_tests": "lab tests",
}
INBOUND = {
    "containers": "containers",
    "received": "received",
    "inspected": "inspected",
    "not_released": "returned or destroyed",
    "rolled": "rolled",
    "rolled_units": "units left for later",
    "departures_skipped": "departures skipped",
    "lead_time_h.mean": "lead time mean (h)",
    "lead_time_h.p95": "lead time p95 (h)",
}
EMISSION_LANES = {"tonne_km": "tonne-km", "co2e_kg": "kg CO2e"}
EMISSION_FLOWS = {"co2e_kg": "kg CO2e", "co2e_kg_per_delivered_order": "kg CO2e per delivered order"}


def _flow_sections(summary: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Tables by customs mode, lane and checkpoint (only the parts the scenario has)."""
    modes = _pivot(summary, "mode.", MODE_ORDERS)
    mode_costs = _pivot(summary, "mode.", MODE_COSTS)
    lanes = _pivot(summary, "lane.", LANES)
    checkpoints = _pivot(summary, "checkpoint.", CHECKPOINTS)
    inbound = _pivot(summary, "inbound.", INBOUND)
    floor = summary[summary["kpi"].str.startswith("warehouse.")][["kpi", "unit", "mean", "min", "max"]]
    sections = []
    if len(floor) > 5:  # more than the cycle time: the floor in detail
        sections.append(("Warehouse floor (bonded import)", floor))
    dispatch = summary[summary["kpi"].str.startswith("dispatch.")][["kpi", "unit", "mean", "min", "max"]]
    if len(dispatch):
        sections.append(("Last-mile dispatch", dispatch))
    if len(modes):  # two tables, so that each fits the page
        sections.append(("By customs mode: orders", modes))
        sections.append(("By customs mode: lead time and cost", mode_costs))
    if len(inbound):
        sections.append(("Inbound stock by warehouse flow", inbound))
    if len(lanes):
        sections.append(("Lanes", lanes))
    if len(checkpoints):
        sections.append(("Checkpoints", checkpoints))
    sections += _emission_sections(summary)
    return sections


def _emission_sections(summary: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The run's emissions: totals (the heading names the modes counted tank-to-wheel only), by lane, by flow."""
    totals = summary[summary["kpi"].str.match(r"emissions\.(co2e|lanes\.|last_mile\.|lanes_without|parcels_without)")]
    if not len(totals):
        return []
    ttw = sorted(k.rsplit(".", 1)[1] for k in summary["kpi"] if k.startswith("emissions.ttw_only."))
    scope = f"; tank-to-wheel only for {', '.join(ttw)} (no upstream factor)" if ttw else ""
    name = f"Emissions (kg CO2e, well-to-wheel{scope}; goods still on their way at the end counted)"
    sections = [(name, totals[["kpi", "unit", "mean", "min", "max"]])]
    lanes = _pivot(summary, "emissions.lane.", EMISSION_LANES)
    if len(lanes):
        sections.append(("Emissions by lane", lanes))
    flows = _pivot(summary, "emissions.flow.", EMISSION_FLOWS)
    if len(flows):
        sections.append(("Emissions by flow (its orders' lanes and last mile and its stock consignments)", flows))
    return sections
