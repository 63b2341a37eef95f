"""Run comparison: the KPIs of several `logistics run` folders side by side, each run against the first with the
difference's 95% interval when the runs have replications (paired when both ran the same seed and replications,
so common random numbers cancel; Welch's otherwise), and their time series overlaid. One self-contained HTML
page."""

from __future__ import annotations

import base64
import html
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from logistics.analysis.stats import mean_ci, t_quantile_975
from logistics.core.errors import ScenarioError, ScenarioIssue

__all__ = ["Run", "compare_runs", "compare_table", "load_run", "write_comparison"]


@dataclass(frozen=True)
class Run:
    """A run folder's name, manifest, KPIs (replication, kpi, value, unit) and time series (may be empty)."""

    name: str
    manifest: dict
    kpis: pd.DataFrame
    series: pd.DataFrame


def load_run(folder: Path) -> Run:
    """A `logistics run` output folder (kpis.csv, series.csv, run.json); errors name the folder."""
    kpis_file = folder / "kpis.csv"
    if not kpis_file.is_file():
        raise ScenarioError([ScenarioIssue((), "not a run folder: it has no kpis.csv", str(folder))])
    manifest = json.loads((folder / "run.json").read_text()) if (folder / "run.json").is_file() else {}
    series = pd.read_csv(folder / "series.csv") if (folder / "series.csv").is_file() else pd.DataFrame()
    return Run(folder.name, manifest, pd.read_csv(kpis_file), series)


def _paired(a: Run, b: Run) -> bool:
    """Both runs used the same seed and replications: replication r of each saw the same random draws."""
    same_seed = a.manifest.get("seed") is not None and a.manifest.get("seed") == b.manifest.get("seed")
    return same_seed and set(a.kpis["replication"]) == set(b.kpis["replication"])


def _difference(base: pd.Series, other: pd.Series, paired: bool) -> tuple[float, float, float]:
    """Mean difference (other - base) and its 95% interval (NaN bounds without replications)."""
    if paired:
        common = base.index.intersection(other.index)
        diff = (other[common] - base[common]).to_numpy(dtype=float)
        mean, half, _ = mean_ci(diff)
        return mean, mean - half, mean + half
    a, b = base.to_numpy(dtype=float), other.to_numpy(dtype=float)
    mean = float(np.nanmean(b) - np.nanmean(a))
    if len(a) < 2 or len(b) < 2:
        return mean, math.nan, math.nan
    va, vb = np.nanvar(a, ddof=1) / len(a), np.nanvar(b, ddof=1) / len(b)
    if va + vb == 0:
        return mean, mean, mean
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_quantile_975(max(1, int(df))) * math.sqrt(va + vb)
    return mean, mean - half, mean + half


def compare_table(runs: list[Run]) -> pd.DataFrame:
    """One row per KPI (the first run's order, then the others' new ones): each run's mean, and each later run's
    difference from the first with its 95% interval and whether it excludes zero."""
    order = list(dict.fromkeys(k for run in runs for k in run.kpis["kpi"]))
    by_run = [run.kpis.pivot_table(index="kpi", columns="replication", values="value") for run in runs]
    units = pd.concat([r.kpis[["kpi", "unit"]] for r in runs]).drop_duplicates("kpi").set_index("kpi")["unit"]
    rows = []
    for kpi in order:
        row: dict = {"kpi": kpi, "unit": units.get(kpi, "")}
        for run, table in zip(runs, by_run, strict=True):
            row[run.name] = float(table.loc[kpi].mean()) if kpi in table.index else math.nan
        for run, table in zip(runs[1:], by_run[1:], strict=True):
            if kpi in table.index and kpi in by_run[0].index:
                mean, low, high = _difference(
                    by_run[0].loc[kpi].dropna(), table.loc[kpi].dropna(), _paired(runs[0], run)
                )
            else:
                mean, low, high = math.nan, math.nan, math.nan
            row[f"{run.name} - {runs[0].name}"] = mean
            row[f"{run.name} ci95_low"], row[f"{run.name} ci95_high"] = low, high
            row[f"{run.name} differs"] = bool(np.isfinite(low) and (low > 0 or high < 0))
        rows.append(row)
    return pd.DataFrame(rows)


def _series_plot(runs: list[Run]) -> str | None:
    """The queues and stock levels every run recorded, one panel each, one line per run (mean over its
    replications); a base64 PNG, or None without series."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frames = [r.series for r in runs if not r.series.empty]
    if len(frames) != len(runs):
        return None
    shared = set.intersection(*(set(f.columns) for f in frames))
    columns = sorted(c for c in shared if c.endswith((".queue", ".waiting")) or c.startswith(("orders.", "stock.")))
    columns = [c for c in columns if any(f[c].abs().sum() > 0 for f in frames)][:8]
    if not columns:
        return None
    fig, axes = plt.subplots(len(columns), 1, figsize=(9, 2.2 * len(columns)), sharex=True, squeeze=False)
    for ax, column in zip(axes[:, 0], columns, strict=True):
        for run in runs:
            mean = run.series.groupby("time_h")[column].mean()
            ax.plot(mean.index, mean.to_numpy(), label=run.name, linewidth=1)
        ax.set_title(column, fontsize=9)
    axes[0, 0].legend(fontsize=8)
    axes[-1, 0].set_xlabel("simulated hours")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _fmt(value: object) -> str:
    if isinstance(value, tuple):
        low, high = value
        return "" if not (np.isfinite(low) and np.isfinite(high)) else f"[{low:.4g}, {high:.4g}]"
    if isinstance(value, float):
        return "" if not np.isfinite(value) else f"{value:,.4g}"
    return html.escape(str(value))


def write_comparison(runs: list[Run], out: Path) -> Path:
    """Write the comparison page (self-contained HTML) and compare.csv beside it."""
    table = compare_table(runs)
    table.to_csv(out.with_suffix(".csv"), index=False)
    others = runs[1:]
    head = ["KPI", "unit", *(r.name for r in runs)]
    for r in others:
        head += [f"{r.name} − {runs[0].name}", "95% interval"]
    lines = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for row in table.to_dict("records"):
        cells = [row["kpi"], row["unit"], *(row[r.name] for r in runs)]
        tds = [f"<td>{_fmt(c)}</td>" for c in cells]
        for r in others:
            style = ' class="differs"' if row[f"{r.name} differs"] else ""
            tds.append(f"<td{style}>{_fmt(row[f'{r.name} - {runs[0].name}'])}</td>")
            interval = (row[f"{r.name} ci95_low"], row[f"{r.name} ci95_high"])
            tds.append(f"<td{style}>{_fmt(interval)}</td>")
        lines.append("<tr>" + "".join(tds) + "</tr>")
    notes = []
    for r in others:
        kind = "paired (same seed and replications)" if _paired(runs[0], r) else "Welch (independent runs)"
        count = len(set(r.kpis["replication"]))
        notes.append(f"<li>{html.escape(r.name)}: {count} replication(s), intervals {kind}</li>")
    plot = _series_plot(runs)
    figure = (
        f'<h2>Time series (mean over replications)</h2><img alt="series" src="data:image/png;base64,{plot}">'
        if plot
        else ""
    )
    described = "".join(
        f"<li>{html.escape(r.name)}: scenario {html.escape(str(r.manifest.get('scenario', '?')))}, seed "
        f"{html.escape(str(r.manifest.get('seed', '?')))}</li>"
        for r in runs
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Run comparison</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;font-size:12px}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}td:first-child{{text-align:left}}
.differs{{background:#fde2c8}}img{{max-width:100%}}</style></head><body>
<h1>Run comparison</h1><ul>{described}</ul>
<p>Each run against {html.escape(runs[0].name)}; a shaded difference has a 95% interval that excludes zero.</p>
<ul>{"".join(notes)}</ul><table>{"".join(lines)}</table>{figure}</body></html>"""
    out.write_text(page, encoding="utf-8")
    return out


def compare_runs(folders: list[Path], out: Path) -> Path:
    """Load the run folders and write their comparison page to `out`."""
    if len(folders) < 2:
        raise ScenarioError([ScenarioIssue(("RUN_DIR",), "give at least two run folders", "command line")])
    names = [f.name for f in folders]
    runs = [load_run(f) for f in folders]
    if len(set(names)) != len(names):  # two folders named alike: tell them apart by their parent
        runs = [
            Run(f"{f.parent.name}/{f.name}", r.manifest, r.kpis, r.series) for f, r in zip(folders, runs, strict=True)
        ]
    return write_comparison(runs, out)
