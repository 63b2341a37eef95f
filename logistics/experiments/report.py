"""The experiment report: a self-contained HTML page (plots embedded) with the set-up, KPI means by policy with
95% interval bars, paired comparisons against the baseline, end-to-end lead-time quantiles by policy, and the
response curves of a one-parameter sweep."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from logistics.analysis.order_kpis import QUANTILES
from logistics.analysis.stats import summarize
from logistics.core.html_page import HtmlPage

if TYPE_CHECKING:
    from pathlib import Path

    from logistics.experiments.runner import Results
    from logistics.experiments.spec import ExperimentSpec

__all__ = ["write_experiment_report"]


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def _kpi_bars(summary: pd.DataFrame, scenario: str, kpis: list[str]) -> bytes:
    cols = min(3, len(kpis))
    rows = int(np.ceil(len(kpis) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax, kpi in zip(axes.ravel(), kpis, strict=False):
        part = summary[(summary["scenario"] == scenario) & (summary["kpi"] == kpi)]
        part = part.groupby("policy", sort=False).first().reset_index()  # first grid point
        err = (part["ci_high"] - part["mean"]).fillna(0.0)
        ax.bar(part["policy"], part["mean"], yerr=err, capsize=4, color="#4c78a8")
        ax.set_title(kpi, fontsize=9)
        ax.tick_params(axis="x", labelsize=8, rotation=20)
    for ax in axes.ravel()[len(kpis) :]:
        ax.axis("off")
    return _png(fig)


def _quantiles(all_kpis: pd.DataFrame, scenario: str) -> bytes | None:
    names = [f"lead_time.end_to_end_h.{q}" for q, _ in QUANTILES]
    part = all_kpis[(all_kpis["scenario"] == scenario) & all_kpis["kpi"].isin(names)]
    if part.empty:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.4))
    drawn: dict[str, list[float]] = {}
    groups = list(part.groupby("policy", sort=False))
    for k, (policy, group) in enumerate(groups):
        means = group.groupby("kpi")["value"].mean()
        xs = [float(means.get(n, np.nan)) for n in names]
        same = [other for other, values in drawn.items() if np.allclose(values, xs, rtol=1e-9, equal_nan=True)]
        label = f"{policy} (same as {same[0]})" if same else str(policy)
        drawn[str(policy)] = xs
        # each policy its own marker and dash, and a small vertical offset: identical curves stay visible
        offset = (k - (len(groups) - 1) / 2) * 0.012
        ax.plot(xs, [p + offset for _, p in QUANTILES], marker="osD^v<>"[k % 7], markersize=5,
                linestyle=("-", "--", "-.", ":")[k % 4], label=label)  # fmt: skip
    ax.set_xlabel("end-to-end lead time (h)")
    ax.set_ylabel("share of orders (quantile)")
    ax.set_yticks([p for _, p in QUANTILES], [q for q, _ in QUANTILES])
    ax.set_title(f"{scenario}: lead-time distribution (quantiles, mean over replications)", fontsize=9)
    ax.legend(fontsize=8)
    return _png(fig)


def _sweep(summary: pd.DataFrame, spec: ExperimentSpec, scenario: str, kpis: list[str]) -> bytes | None:
    if len(spec.grid) != 1:
        return None
    ((param, values),) = spec.grid.items()
    try:
        xs = [float(v) for v in values]
    except ValueError:
        return None
    cols = min(3, len(kpis))
    rows = int(np.ceil(len(kpis) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax, kpi in zip(axes.ravel(), kpis, strict=False):
        for policy in spec.policies:
            part = summary[(summary["scenario"] == scenario) & (summary["kpi"] == kpi) & (summary["policy"] == policy)]
            by_point = {p: r for p, r in zip(part["point"], part.itertuples(), strict=True)}
            labels = [f"{param}={v}" for v in values]
            ys = [by_point[lbl].mean if lbl in by_point else np.nan for lbl in labels]
            lo = [by_point[lbl].ci_low if lbl in by_point else np.nan for lbl in labels]
            hi = [by_point[lbl].ci_high if lbl in by_point else np.nan for lbl in labels]
            ax.plot(xs, ys, marker="o", label=policy)
            ax.fill_between(xs, lo, hi, alpha=0.2)
        ax.set_title(kpi, fontsize=9)
        ax.set_xlabel(param, fontsize=8)
    axes.ravel()[0].legend(fontsize=7)
    for ax in axes.ravel()[len(kpis) :]:
        ax.axis("off")
    return _png(fig)


def write_experiment_report(spec: ExperimentSpec, results: Results, out_dir: Path) -> Path:
    """Write `report.html` into `out_dir` (opens in a browser with no server) and return its path."""
    kpis = list(spec.kpis) or sorted(results.table["kpi"].unique())[:9]
    summary = results.summary if len(results.summary) else summarize(results.table)
    finished = results.table[["scenario", "point", "policy", "replication"]].drop_duplicates().shape[0]
    page = HtmlPage(f"Experiment: {spec.name}")
    page.paragraph(
        f"{len(spec.scenarios)} scenario(s), {len(spec.policies)} policies, {spec.replications} replications "
        f"each, root seed {spec.seed}; every policy sees the same random draws in a replication (common random "
        f"numbers). Runs finished: {finished}; failed: {len(results.failures)}."
    )
    page.heading("Policies").bullets(
        (
            f"{name}{' (baseline)' if name == spec.baseline_policy else ''}: "
            f"{', '.join(o) or 'the scenario as written'}"
            for name, o in spec.policies.items()
        ),
        bold_lead=True,
    )
    for scenario in dict.fromkeys(results.table["scenario"]):
        page.heading(str(scenario)).heading("KPIs by policy (mean, 95% interval)", 3)
        page.image(f"{scenario}: KPIs by policy", _kpi_bars(summary, scenario, kpis))
        comp = results.comparisons
        if len(comp):
            part = comp[comp["scenario"] == scenario].drop(columns=["scenario"])
            page.heading(f"Against {spec.baseline_policy}, paired by replication", 3).paragraph(
                f"The verdict uses the adjusted interval (each at {float(comp['adjusted_confidence'].iloc[0]):.3%}, "
                f"Bonferroni over the {len(comp)} comparisons): differs when it excludes zero, not shown when it "
                "covers zero (no evidence either way at this many replications), unknown without an interval.",
                emphasis=("differs", "not shown", "unknown"),
            )
            page.frame(part, float_format=lambda v: f"{v:.4g}")
        quantiles = _quantiles(results.all_kpis, scenario)
        if quantiles:
            page.heading("End-to-end lead time by policy", 3).image(f"{scenario}: lead-time quantiles", quantiles)
        sweep = _sweep(summary, spec, scenario, kpis)
        if sweep:
            page.heading(f"Response to {next(iter(spec.grid))}", 3).image(f"{scenario}: response curves", sweep)
        table = summary[summary["scenario"] == scenario].drop(columns=["scenario"])
        page.heading("All KPI summaries", 3).frame(table, float_format=lambda v: f"{v:.4g}")
    if len(results.failures):
        page.heading("Failed runs").frame(results.failures)
    return page.write(out_dir / "report.html")
