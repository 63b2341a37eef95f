"""Plots of one or more runs (matplotlib, Agg backend, written as PNG files)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from logistics.analysis.kpis import stage_lead_times
from logistics.sim.result import COST_COMPONENTS, RunResult

__all__ = ["plot_costs", "plot_lead_time", "plot_queues", "plot_stage_lead_times", "plot_utilisation"]


def _legend(ax, fontsize: float | None = None) -> None:
    """A legend when something on the axes has a label (an empty run has nothing to name); beside the plot, off
    the data, when there are more than a few entries."""
    handles = ax.get_legend_handles_labels()[0]
    if not handles:
        return
    if len(handles) > 5:
        ax.legend(fontsize=fontsize or 7, loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=1 + len(handles) // 25)
    else:
        ax.legend(fontsize=fontsize)


def _when(result: RunResult, hours: np.ndarray | pd.Series | float):
    """Simulated hours as calendar times from the run's start (hours when the start is unknown)."""
    if result.start is None:
        return hours
    return pd.Timestamp(result.start) + pd.to_timedelta(np.asarray(hours, dtype=float), unit="h")


def _time_axis(ax, result: RunResult, label: str) -> None:
    """Calendar dates on the x axis, the measured window's edges as dashed lines and every disruption's window
    shaded and named."""
    ax.set_xlabel(label if result.start is None else f"{label} (from {result.start:%Y-%m-%d %H:%M})")
    for h in (result.warmup_h, result.horizon_h):
        if h > 0:
            ax.axvline(_when(result, h), color="grey", linestyle="--", linewidth=0.8)
    for k, (what, start_h, end_h) in enumerate(result.disruptions):
        if start_h >= result.end_h:
            continue
        # a window running past the end of the run (or to 1e9 h) is shaded to the end: dates stay plottable
        end_h = min(end_h, result.end_h)
        ax.axvspan(_when(result, start_h), _when(result, end_h), color="#ee6677", alpha=0.15, linewidth=0)
        ax.text(_when(result, start_h), 1.0 - 0.06 * (k % 4), " " + what, transform=ax.get_xaxis_transform(),
                fontsize=6, va="top", color="#aa3377")  # fmt: skip
    if result.start is not None:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_lead_time(result: RunResult, path: Path) -> Path:
    """Histogram of end-to-end lead time with the percentiles marked."""
    lead = stage_lead_times(result.orders[result.orders["created_h"] >= result.warmup_h], result.end_h)["end_to_end"]
    fig, ax = plt.subplots(figsize=(8, 4))
    if len(lead):
        ax.hist(lead, bins=80, color="#4477aa")
        for q, style in ((0.5, "-"), (0.9, "--"), (0.99, ":")):
            v = np.quantile(lead, q)
            ax.axvline(v, color="black", linestyle=style, label=f"p{round(q * 100)} = {v:.1f} h")
        _legend(ax)
    ax.set_xlabel("order creation to delivery (h)")
    ax.set_ylabel("orders")
    ax.set_title("End-to-end lead time")
    return _save(fig, path)


def plot_stage_lead_times(result: RunResult, path: Path) -> Path:
    """Mean and p95 time in each stage."""
    stages = ["documents", "stock", "pick", "pack", "second_line_checkpoint", "outbound", "last_mile"]
    lead = stage_lead_times(result.orders[result.orders["created_h"] >= result.warmup_h], result.end_h)
    means = [float(lead[s].mean()) if len(lead[s]) else 0.0 for s in stages]
    p95 = [float(np.quantile(lead[s], 0.95)) if len(lead[s]) else 0.0 for s in stages]
    fig, ax = plt.subplots(figsize=(8, 4))
    y = np.arange(len(stages))
    ax.barh(y - 0.2, means, height=0.4, label="mean", color="#4477aa")
    ax.barh(y + 0.2, p95, height=0.4, label="p95", color="#ee6677")
    ax.set_yticks(y, [s.replace("_", " ") for s in stages])
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlabel("hours (log scale above 0.1 h)")
    ax.set_title("Lead time by stage")
    _legend(ax)
    return _save(fig, path)


def plot_queues(result: RunResult, path: Path) -> Path:
    """Queue lengths over time in two panels, each on its own scale: the jobs waiting at every resource and
    lane, and the orders held between steps (waiting for documents or stock, packed and waiting for a carrier
    pickup), so the large outbound buffer does not flatten the resources' queues."""
    s = result.series
    buffers = [c for c in ("orders.awaiting_release", "orders.outbound_buffer") if c in s and s[c].max() > 0]
    panels = 2 if buffers else 1
    fig, axes = plt.subplots(panels, 1, figsize=(9, 3.2 * panels + 0.8), sharex=True, squeeze=False)
    ax = axes[0, 0]
    t = _when(result, s["time_h"])
    drawn = 0
    for col in s.columns:
        if col.endswith(".queue") and s[col].max() > 0:
            ax.plot(t, s[col], label=col.removesuffix(".queue"), linewidth=1, **_style(drawn))
            drawn += 1
    for col in s.columns:
        if col.startswith("lane.") and col.endswith(".waiting") and s[col].max() > 0:
            ax.plot(t, s[col], label=col.removesuffix(".waiting"), linewidth=1, **_style(drawn))
            drawn += 1
    ax.set_ylabel("jobs waiting")
    ax.set_title("Queues at resources and lanes (dashed: end of warm-up, last order created; shaded: disruptions)",
                 fontsize=9)  # fmt: skip
    _time_axis(ax, result, "time")
    _legend(ax, fontsize=7)
    if buffers:
        ax.set_xlabel("")
        below = axes[1, 0]
        labels = {"orders.awaiting_release": "awaiting release (documents, stock)",
                  "orders.outbound_buffer": "outbound buffer (packed, waiting for pickup)"}  # fmt: skip
        for k, col in enumerate(buffers):
            below.plot(t, s[col], label=labels[col], linewidth=1, **_style(k))
        below.set_ylabel("orders")
        below.set_title("Orders held between steps (own scale)", fontsize=9)
        _time_axis(below, result, "time")
        _legend(below, fontsize=7)
    return _save(fig, path)


_COLOURS = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#000000")
_DASHES = ("-", "--", "-.", ":")


def _style(k: int) -> dict:
    """The k-th line's colour and dash: 8 colours (colour-blind safe), then the same with other dashes."""
    return {"color": _COLOURS[k % len(_COLOURS)], "linestyle": _DASHES[(k // len(_COLOURS)) % len(_DASHES)]}


def plot_utilisation(result: RunResult, path: Path, window_h: float = 2.0) -> Path:
    """Busy share of staffed server-hours per resource, averaged over `window_h` windows (gaps: nobody on
    shift), one small panel per resource on the same 0-1 scale so every line can be read on its own."""
    s = result.series
    step = max(1, round(window_h / float(s["time_h"].iloc[1] - s["time_h"].iloc[0]))) if len(s) > 1 else 1
    t = np.asarray(_when(result, s["time_h"].to_numpy()[::step]))
    lines = []
    for col in s.columns:
        if col.endswith(".busy_h_cum"):
            name = col.removesuffix(".busy_h_cum")
            busy = np.diff(s[col].to_numpy(dtype=float)[::step])
            staffed = np.diff(s[f"{name}.staffed_h_cum"].to_numpy(dtype=float)[::step])
            with np.errstate(divide="ignore", invalid="ignore"):
                util = np.where(staffed > 0, np.minimum(busy, staffed) / staffed, np.nan)
            if len(util) and np.nanmax(np.nan_to_num(util)) > 0.01:
                lines.append((name, util))
    rows = max(1, len(lines))
    fig, axes = plt.subplots(rows, 1, figsize=(9, 0.9 * rows + 1.2), sharex=True, squeeze=False)
    for k, (name, util) in enumerate(lines):
        ax = axes[k, 0]
        ax.step(t[1:], util, where="pre", linewidth=1, color=_COLOURS[k % len(_COLOURS)])
        ax.fill_between(t[1:], util, step="pre", alpha=0.2, color=_COLOURS[k % len(_COLOURS)])
        ax.set_ylim(0, 1.05)
        ax.set_yticks([0, 0.5, 1])
        ax.tick_params(labelsize=7)
        ax.text(0.005, 0.92, f"{name} (mean {np.nanmean(util):.2f})", transform=ax.transAxes, fontsize=7,
                va="top")  # fmt: skip
        _time_axis(ax, result, "time")
        if k < len(lines) - 1:
            ax.set_xlabel("")
    axes[0, 0].set_title(f"Utilisation over time: busy / staffed, {window_h:g} h averages (gaps: nobody on shift)",
                         fontsize=9)  # fmt: skip
    return _save(fig, path)


def plot_costs(results: list[RunResult], path: Path) -> Path:
    """Logistics cost per order by component (mean over replications); tax shown apart in the title."""
    handled = [max(1, _handled(r)) for r in results]
    parts = [c for c in COST_COMPONENTS if c != "tax"]
    values = [float(np.mean([r.costs_cny[c] / h for r, h in zip(results, handled, strict=True)])) for c in parts]
    tax = float(np.mean([r.costs_cny["tax"] / h for r, h in zip(results, handled, strict=True)]))
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(parts, values, color="#228833")
    for k, v in enumerate(values):
        ax.text(k, v, f"{v:.2f}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("CNY per order")
    ax.set_title(f"Logistics cost per order: {sum(values):.2f} CNY (import tax: {tax:.2f} CNY)")
    return _save(fig, path)


def _handled(result: RunResult) -> int:
    """Orders of every mode that were not rejected over the limits."""
    total = 0
    for orders in (result.orders, result.flow_orders):
        if len(orders):
            total += len(orders) - int((orders["end_reason"] == "over_limit").sum())
    return total


def plot_flow_lead_times(result: RunResult, path: Path) -> Path:
    """Distribution of end-to-end lead time (days) by customs mode, flows and bonded import together."""
    fig, ax = plt.subplots(figsize=(8, 4))
    frames = [(m, p) for m, p in result.orders.groupby("mode", sort=False)] if len(result.orders) else []
    if len(result.flow_orders):
        frames += [(m, p) for m, p in result.flow_orders.groupby("mode", observed=True)]
    for mode, part in frames:
        part = part[part["created_h"] >= result.warmup_h]
        done = part["delivered_h"] <= result.end_h
        days = ((part["delivered_h"] - part["created_h"])[done] / 24.0).to_numpy()
        if len(days):
            ax.hist(days, bins=60, histtype="step", linewidth=1.2, label=f"{mode} (n={len(days):,})")
    ax.set_xlabel("days from order to delivery")
    ax.set_ylabel("orders")
    ax.set_title("End-to-end lead time by customs mode")
    _legend(ax)
    return _save(fig, path)


def plot_routes_map(result: RunResult, path: Path) -> Path:
    """The last-mile routes of the busiest wave on a map (longitude east, latitude north, to scale at the
    depot's latitude): one colour a van, stops numbered in driving order, failed deliveries crossed, each
    route closed at its depot."""
    stops = result.route_stops
    busiest = stops.groupby(["flow", "wave_h"]).size().idxmax()
    wave = stops[(stops["flow"] == busiest[0]) & (stops["wave_h"] == busiest[1])]
    lat0, lon0 = float(wave["depot_lat"].iloc[0]), float(wave["depot_lon"].iloc[0])
    fig, ax = plt.subplots(figsize=(8, 8))
    colours = plt.get_cmap("tab10")
    for n, ((vtype, vehicle), route) in enumerate(wave.groupby(["vehicle_type", "vehicle"], sort=True)):
        route = route.sort_values("stop_no")
        lon = np.concatenate([[lon0], route["lon"].to_numpy(), [lon0]])
        lat = np.concatenate([[lat0], route["lat"].to_numpy(), [lat0]])
        colour = colours(n % 10)
        ax.plot(lon, lat, color=colour, linewidth=1.0, label=f"{vtype} {vehicle} ({len(route)} stops)")
        ax.scatter(route["lon"], route["lat"], color=colour, s=12)
        failed = route[route["outcome"] == "failed"]
        ax.scatter(failed["lon"], failed["lat"], color="red", marker="x", s=30)
        for row in route.itertuples():
            ax.annotate(str(row.stop_no), (row.lon, row.lat), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.scatter([lon0], [lat0], color="black", marker="s", s=50, label="depot", zorder=3)
    ax.set_aspect(1.0 / np.cos(np.radians(lat0)))
    ax.set_xlabel("longitude (deg E)")
    ax.set_ylabel("latitude (deg N)")
    ax.set_title(f"Routes driven, {busiest[0]} wave at {busiest[1]:.1f} h (failed deliveries crossed)")
    _legend(ax, fontsize=7)
    return _save(fig, path)


def plot_lane_fill(result: RunResult, path: Path) -> Path:
    """Fill rate of every scheduled departure of every lane over time (cancelled departures at zero, crossed)."""
    fig, ax = plt.subplots(figsize=(9, 4))
    for lane, part in result.departures.groupby("lane", sort=False):
        run = part[~part["cancelled"] & part["fill_rate"].notna()]
        if len(run):
            ax.plot(_when(result, run["departure_h"]), run["fill_rate"], marker=".", linewidth=0.8, label=str(lane))
        cancelled = part[part["cancelled"]]
        if len(cancelled):
            ax.scatter(_when(result, cancelled["departure_h"]), np.zeros(len(cancelled)), marker="x", color="red")
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=0.8)
    _time_axis(ax, result, "departure")
    ax.set_ylabel("fill rate (max of kg, m3)")
    ax.set_title("Lane fill rate by departure")
    _legend(ax, fontsize=7)
    return _save(fig, path)
