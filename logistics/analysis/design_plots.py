"""Pictures of a network design: the map (sites, markets and flows, to scale in lon/lat, no tiles) and the
cost-against-service front."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from logistics.optimize.design import DesignPlan, DesignProblem

__all__ = ["plot_design_front", "plot_design_map"]


def plot_design_map(problem: DesignProblem, plan: DesignPlan, path: Path) -> Path:
    """Markets (circles by demand), candidate and open sites, and a line from each open site to each market
    it serves (width by orders a day). An overseas warehouse's flows are drawn from the gateway where its
    parcels enter, labelled with the warehouse. Degrees of longitude are shrunk by cos(mid latitude), so
    the map is to scale."""
    sites = {s.id: s for s in problem.sites}
    markets = {m.id: m for m in problem.markets}
    demand = {(m.id, d.sku_class): d.orders_per_day for m in problem.markets for d in m.demand}
    served: dict[tuple[str, str], float] = defaultdict(float)  # (site, market) -> orders a day
    for a in plan.assignments:
        served[(a.site, a.market)] += demand.get((a.market, a.sku_class), 0.0)

    def where(site_id: str) -> tuple[float, float]:
        s = sites[site_id]
        return (s.gateway[0], s.gateway[1]) if s.kind == "overseas" and s.gateway else (s.lon, s.lat)

    points = [(m.lon, m.lat) for m in problem.markets] + [where(s.id) for s in problem.sites]
    lats = [p[1] for p in points]
    fig, ax = plt.subplots(figsize=(9, 8))
    ax.set_aspect(1.0 / max(0.2, math.cos(math.radians((min(lats) + max(lats)) / 2))))
    top = max(served.values(), default=1.0)
    for (site, market), orders in sorted(served.items()):
        (x0, y0), m = where(site), markets[market]
        colour = "tab:red" if sites[site].kind == "bonded" else "tab:blue"
        ax.plot([x0, m.lon], [y0, m.lat], color=colour, alpha=0.45, lw=0.5 + 4.0 * orders / top, zorder=1)
    totals = {m.id: sum(d.orders_per_day for d in m.demand) for m in problem.markets}
    biggest = max(totals.values(), default=1.0) or 1.0
    ax.scatter(
        [m.lon for m in problem.markets],
        [m.lat for m in problem.markets],
        s=[20 + 280 * totals[m.id] / biggest for m in problem.markets],
        facecolors="none",
        edgecolors="0.3",
        label="market (orders a day)",
        zorder=2,
    )
    opened = set(plan.open_sites)
    for kind, marker, colour in (("bonded", "s", "tab:red"), ("overseas", "^", "tab:blue")):
        closed = [where(s.id) for s in problem.sites if s.kind == kind and s.id not in opened]
        chosen = [(s.id, where(s.id)) for s in problem.sites if s.kind == kind and s.id in opened]
        if closed:
            cx, cy = zip(*closed, strict=True)
            ax.scatter(cx, cy, marker=marker, color="0.75", s=25, zorder=3, label=f"{kind} candidate")
        if chosen:
            label = f"{kind} open" + (" (at its gateway)" if kind == "overseas" else "")
            ox, oy = [p[0] for _, p in chosen], [p[1] for _, p in chosen]
            ax.scatter(ox, oy, marker=marker, color=colour, s=80, edgecolors="k", zorder=4, label=label)
            for name, (x, y) in chosen:
                ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7, zorder=5)
    ax.set_xlabel("longitude (degrees)")
    ax.set_ylabel("latitude (degrees)")
    ax.set_title(f"{problem.name}: {len(opened)} sites open, {plan.cost_cny / 1e6:,.1f} M CNY a year")
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_design_front(targets: Sequence[float], plans: Sequence[DesignPlan], path: Path) -> Path:
    """Yearly cost against the service target (share of eligible orders within the promise); each point the
    design solved at that target, labelled with its proven gap (a point not proven optimal may lie above the
    true front)."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    xs = [t for t, p in zip(targets, plans, strict=True) if math.isfinite(p.cost_cny)]
    ys = [p.cost_cny / 1e6 for p in plans if math.isfinite(p.cost_cny)]
    ax.plot(xs, ys, "o-", color="tab:red")
    for t, p in zip(targets, plans, strict=True):
        if math.isfinite(p.cost_cny):
            label = f"gap {p.gap:.1%}" if math.isfinite(p.gap) else p.status.value
            ax.annotate(label, (t, p.cost_cny / 1e6), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("service target: share of eligible orders within the promise")
    ax.set_ylabel("cost (million CNY a year)")
    ax.set_title("cost against service")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
