"""Run comparison: the KPIs of several `logistics run` folders side by side, each run against the first with the
difference's 95% interval when the runs have replications (paired when both ran the same seed and replications,
so common random numbers cancel; Welch's otherwise), and their time series overlaid. One self-contained HTML
page."""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from logistics.analysis.stats import benjamini_hochberg, difference_verdict, mean_ci, t_quantile_975, t_two_sided_p
from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.core.html_page import Cell, HtmlPage

__all__ = ["Run", "changed_inputs", "compare_runs", "compare_table", "format_value", "load_run", "write_comparison"]


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


def _difference(base: pd.Series, other: pd.Series, paired: bool) -> tuple[float, float, float, float, str]:
    """Mean difference (other - base), its 95% interval, the p-value of "no difference" (NaN bounds and p without
    an interval) and why there is no interval."""
    if paired:
        common = base.index.intersection(other.index)
        diff = (other[common] - base[common]).to_numpy(dtype=float)
        diff = diff[np.isfinite(diff)]
        mean, half, sd = mean_ci(diff)
        if len(diff) < 2:
            return mean, math.nan, math.nan, math.nan, f"{len(diff)} paired replication(s): no interval"
        if sd == 0:
            return mean, mean, mean, (1.0 if mean == 0 else 0.0), ""
        p = t_two_sided_p(mean / (sd / math.sqrt(len(diff))), len(diff) - 1)
        return mean, mean - half, mean + half, p, ""
    a, b = base.to_numpy(dtype=float), other.to_numpy(dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    mean = float(b.mean() - a.mean()) if len(a) and len(b) else math.nan
    if len(a) < 2 or len(b) < 2:
        return mean, math.nan, math.nan, math.nan, f"{min(len(a), len(b))} replication(s) in a run: no interval"
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    if va + vb == 0:
        return mean, mean, mean, (1.0 if mean == 0 else 0.0), ""
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = t_quantile_975(df) * math.sqrt(va + vb)
    p = t_two_sided_p(mean / math.sqrt(va + vb), df)
    return mean, mean - half, mean + half, p, ""


def compare_table(runs: list[Run], fdr: float = 0.05) -> pd.DataFrame:
    """One row per KPI (the first run's order, then the others' new ones): each run's mean, and each later run's
    difference from the first with its 95% interval, its p-value, the p-value adjusted by Benjamini-Hochberg over
    the KPIs compared (false discovery rate `fdr`) and the verdict (`differs` when the adjusted p-value is at most
    `fdr`; `same` when equal in every paired replication; `not shown` when the data cannot tell; `unknown`, with
    the reason in `why`, when there is no interval). Never a bare False."""
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
                mean, low, high, p, why = _difference(
                    by_run[0].loc[kpi].dropna(), table.loc[kpi].dropna(), _paired(runs[0], run)
                )
            else:
                missing = runs[0].name if kpi not in by_run[0].index else run.name
                mean, low, high, p, why = math.nan, math.nan, math.nan, math.nan, f"not in {missing}"
            row[f"{run.name} - {runs[0].name}"] = mean
            row[f"{run.name} ci95_low"], row[f"{run.name} ci95_high"] = low, high
            row[f"{run.name} p"] = p
            row[f"{run.name} why"] = why
        rows.append(row)
    table = pd.DataFrame(rows)
    for run in runs[1:]:
        adjusted: np.ndarray = benjamini_hochberg(table[f"{run.name} p"].to_numpy(dtype=float))
        table[f"{run.name} p_adjusted"] = adjusted
        verdicts = []
        for low, high, p_adj in zip(
            table[f"{run.name} ci95_low"], table[f"{run.name} ci95_high"], adjusted, strict=True
        ):
            verdict = difference_verdict(low, high)
            if verdict in ("differs", "not shown"):
                verdict = "differs" if p_adj <= fdr else "not shown"
            verdicts.append(verdict)
        table[f"{run.name} verdict"] = verdicts
    return table


def changed_inputs(runs: list[Run]) -> pd.DataFrame:
    """The scenario fields whose values differ between the runs (each later run against the first), from the
    resolved scenario each run wrote into its run.json: field, then each run's value (absent: "-")."""
    flat = [_flatten(r.manifest.get("inputs")) for r in runs]
    if any(f is None for f in flat):
        return pd.DataFrame(columns=["field", *(r.name for r in runs)])
    fields = list(dict.fromkeys(k for f in flat for k in f))  # type: ignore[union-attr]
    rows = []
    for field in fields:
        values = [f.get(field, "-") for f in flat]  # type: ignore[union-attr]
        if any(v != values[0] for v in values[1:]) and not field.endswith(("description",)):
            rows.append([field, *(json.dumps(v) if not isinstance(v, str) else v for v in values)])
    return pd.DataFrame(rows, columns=["field", *(r.name for r in runs)])


def _flatten(data: object, prefix: str = "") -> dict | None:
    """A nested scenario (dicts and lists) as field path -> value (`flows.0.demand.rate`)."""
    if data is None:
        return None
    out: dict = {}
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return {prefix: data}
    if not items:
        return {prefix: data} if prefix else {}
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        out.update(_flatten(value, path) or {})
    return out


def _series_plot(runs: list[Run]) -> bytes | None:
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
    return buffer.getvalue()


def format_value(value: float) -> str:
    """A number as a reader takes it in: thousands separated, no exponent, four significant digits below 1,000
    (`120,300`, `20.98`, `0.9983`, `0.00012`); empty when undefined."""
    if not np.isfinite(value):
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return np.format_float_positional(value, precision=4, unique=False, fractional=False, trim="-")


def _fmt(value: object) -> str:
    if isinstance(value, tuple):
        low, high = value
        if not (np.isfinite(low) and np.isfinite(high)):
            return ""
        return f"[{format_value(low)}, {format_value(high)}]"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format_value(float(value))
    return str(value)


def _relative(value: float) -> str:
    return f"{value:+.1%}" if np.isfinite(value) else ""


def _headline(table: pd.DataFrame, base: Run, other: Run) -> pd.DataFrame:
    """The KPIs that differ (verdict `differs`), largest relative effect first: kpi, unit, both means, the
    difference, its relative size and its interval."""
    diff = f"{other.name} - {base.name}"
    part = table[table[f"{other.name} verdict"] == "differs"].copy()
    base_mean = part[base.name].abs()
    part["relative"] = np.where(base_mean > 0, part[diff] / base_mean.where(base_mean > 0, 1.0), np.inf)
    part = part.reindex(part["relative"].abs().sort_values(ascending=False, kind="stable").index)
    return part


def write_comparison(runs: list[Run], out: Path, fdr: float = 0.05) -> Path:
    """Write the comparison page (self-contained HTML) and compare.csv beside it: the KPIs that differ first
    (largest relative effect first), the scenario fields that differ between the runs, then every KPI."""
    table = compare_table(runs, fdr)
    table.to_csv(out.with_suffix(".csv"), index=False)
    base, others = runs[0], runs[1:]
    page = HtmlPage("Run comparison")
    page.bullets(
        f"{r.name}: scenario {r.manifest.get('scenario', '?')}, seed {r.manifest.get('seed', '?')}" for r in runs
    )
    page.paragraph(
        f"Each run against {base.name}. A KPI differs when its difference stays significant after the "
        f"Benjamini-Hochberg correction over the {len(table)} KPIs compared (false discovery rate {fdr:.0%}); not "
        "shown means the interval covers zero at this many replications (no evidence either way); unknown means "
        "there is no interval (hover for why); same, equal in every paired replication.",
        emphasis=("differs", "not shown", "unknown", "same,"),
    )
    page.bullets(_run_note(table, base, r) for r in others)
    for r in others:
        _what_changed(page, table, base, r)
    page.heading("Scenario fields that differ")
    inputs = changed_inputs(runs)
    if any(r.manifest.get("inputs") is None for r in runs):
        page.paragraph("Unknown: a run folder was written before run.json recorded the scenario.")
    elif len(inputs):
        page.frame(inputs)
    else:
        page.paragraph("None: the runs share every scenario field (seeds and replications aside, see above).")
    head = ["KPI", "unit", *(r.name for r in runs)]
    for r in others:
        head += [f"{r.name} − {base.name}", "95% interval", "verdict"]
    rows = []
    for row in table.to_dict("records"):
        cells: list[Cell | object] = [_fmt(c) for c in (row["kpi"], row["unit"], *(row[r.name] for r in runs))]
        for r in others:
            verdict = row[f"{r.name} verdict"]
            css = "differs" if verdict == "differs" else ""
            interval = (row[f"{r.name} ci95_low"], row[f"{r.name} ci95_high"])
            cells += [
                Cell(_fmt(row[f"{r.name} - {base.name}"]), css),
                Cell(_fmt(interval), css),
                Cell(verdict, css, tooltip=row[f"{r.name} why"]),
            ]
        rows.append(cells)
    page.heading("Every KPI").table(head, rows)
    plot = _series_plot(runs)
    if plot:
        page.heading("Time series (mean over replications)").image("series", plot)
    return page.write(out)


def _run_note(table: pd.DataFrame, base: Run, other: Run) -> str:
    """How `other` was compared with `base` and how many KPIs got each verdict."""
    kind = "paired (same seed and replications)" if _paired(base, other) else "Welch (independent runs)"
    count = len(set(other.kpis["replication"]))
    verdicts = table[f"{other.name} verdict"].value_counts()
    return (
        f"{other.name}: {count} replication(s) against {len(set(base.kpis['replication']))}, intervals {kind}; "
        f"{int(verdicts.get('differs', 0))} KPI(s) differ, {int(verdicts.get('not shown', 0))} not shown either "
        f"way, {int(verdicts.get('unknown', 0))} unknown (no interval), {int(verdicts.get('same', 0))} the same in "
        "every replication"
    )


def _what_changed(page: HtmlPage, table: pd.DataFrame, base: Run, other: Run) -> None:
    """The headline of one run against the base: the KPIs that differ, largest relative effect first, or why
    none can be said to."""
    page.heading(f"What changed: {other.name} against {base.name}")
    top = _headline(table, base, other)
    if not len(top):
        unknown = int(table[f"{other.name} verdict"].value_counts().get("unknown", 0))
        reason = (
            f" ({unknown} KPI(s) have no interval: {table[f'{other.name} why'].iloc[0]}; run both with at least 2 "
            "replications, ideally the same seed)"
            if unknown
            else ""
        )
        page.paragraph(f"No KPI can be said to differ{reason}. This is not evidence that they are the same.")
        return
    page.paragraph(f"{len(top)} KPI(s) differ; the {min(20, len(top))} with the largest relative effect:")
    diff = f"{other.name} - {base.name}"
    page.table(
        ["KPI", "unit", base.name, other.name, "difference", "relative", "95% interval"],
        (
            [
                t["kpi"],
                t["unit"],
                _fmt(t[base.name]),
                _fmt(t[other.name]),
                _fmt(t[diff]),
                _relative(t["relative"]),
                _fmt((t[f"{other.name} ci95_low"], t[f"{other.name} ci95_high"])),
            ]
            for t in top.head(20).to_dict("records")
        ),
    )


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
