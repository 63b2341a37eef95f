"""Statistics over replications: means with 95% confidence intervals (Student t) and paired differences under
common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "VERDICTS",
    "benjamini_hochberg",
    "difference_verdict",
    "mean_bound",
    "mean_ci",
    "normal_quantile",
    "paired_comparisons",
    "summarize",
    "t_quantile",
    "t_quantile_975",
    "t_two_sided_p",
]


def t_quantile_975(df: float) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95% intervals)."""
    return t_quantile(0.95, df)


def t_quantile(confidence: float, df: float) -> float:
    """The multiplier of a two-sided `confidence` interval from Student's t with `df` degrees of freedom."""
    from scipy import stats

    return float(stats.t.ppf(0.5 + confidence / 2, df)) if df >= 1 else float("nan")


def t_two_sided_p(t_stat: float, df: float) -> float:
    """The two-sided p-value of a t statistic with `df` degrees of freedom."""
    from scipy import stats

    return 2.0 * float(stats.t.sf(abs(t_stat), df))


def normal_quantile(p: float) -> float:
    """The `p` quantile of the standard normal distribution."""
    from scipy import stats

    return float(stats.norm.ppf(p))


def mean_bound(values: np.ndarray, confidence: float, lower: bool) -> float:
    """A one-sided Student-t `confidence` bound of the mean of the finite `values` (lower or upper; the mean
    itself when they do not vary; NaN under two values)."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return float("nan")
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(confidence, len(values) - 1)) * sd / np.sqrt(len(values))
    return float(values.mean()) - half if lower else float(values.mean()) + half


VERDICTS = ("differs", "same", "not shown", "unknown")
"""What a comparison may say of a difference: `differs` (its interval, corrected as stated, excludes zero),
`same` (equal in every paired replication), `not shown` (the interval covers zero: the data cannot tell at
this many replications, which is not evidence of no difference), `unknown` (no interval: a single replication,
or the KPI missing from a run)."""


def difference_verdict(low: float, high: float) -> str:
    """The verdict of a difference from its (already corrected) interval."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "unknown"
    if low == high == 0:
        return "same"
    return "differs" if low > 0 or high < 0 else "not shown"


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN stays NaN): reject where adjusted p <= q controls the false
    discovery rate at q over the tests given."""
    from scipy import stats

    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if finite.any():
        out[finite] = stats.false_discovery_control(p[finite], method="bh")
    return out


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and the half-width of its 95% confidence interval, and the count's standard deviation."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if n == 1:
        return mean, float("nan"), float("nan")
    sd = float(values.std(ddof=1))
    return mean, t_quantile_975(n - 1) * sd / np.sqrt(n), sd


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, grid point, policy and KPI: n, mean, standard deviation, 95% interval."""
    rows = []
    for key, group in results.groupby(["scenario", "point", "policy", "kpi"], sort=False):
        mean, half, sd = mean_ci(group["value"].to_numpy())
        rows.append((*key, len(group), mean, sd, mean - half, mean + half))
    return pd.DataFrame(rows, columns=["scenario", "point", "policy", "kpi", "n", "mean", "sd", "ci_low", "ci_high"])


def paired_comparisons(results: pd.DataFrame, baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """Each policy against `baseline`, replication by replication (same seeds): mean difference, its 95%
    interval, and the interval adjusted for the number of comparisons (Bonferroni over every row of the table:
    each at 1 - (1 - confidence) / rows) with the `verdict` it supports (`difference_verdict`: `unknown` with a
    single pair, never a "no difference")."""
    rows = []
    base = results[results["policy"] == baseline]
    for (scenario, point, policy, kpi), group in results.groupby(["scenario", "point", "policy", "kpi"], sort=False):
        if policy == baseline:
            continue
        ref = base[(base["scenario"] == scenario) & (base["point"] == point) & (base["kpi"] == kpi)]
        joined = group.merge(ref[["replication", "value"]], on="replication", suffixes=("", "_base"))
        diff = (joined["value"] - joined["value_base"]).to_numpy(dtype=float)
        diff = diff[np.isfinite(diff)]
        mean, half, sd = mean_ci(diff)
        rows.append([scenario, point, policy, baseline, kpi, len(diff), mean, mean - half, mean + half, sd])
    columns = ["scenario", "point", "policy", "baseline", "kpi", "pairs", "difference", "ci_low", "ci_high", "sd"]
    table = pd.DataFrame(rows, columns=columns)
    level = 1 - (1 - confidence) / max(1, len(table))
    halves = np.array(
        [
            t_quantile(level, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
            for n, sd in zip(table["pairs"], table["sd"], strict=True)
        ],
        dtype=float,
    )
    table["adjusted_low"] = table["difference"] - halves
    table["adjusted_high"] = table["difference"] + halves
    table["adjusted_confidence"] = level
    table["verdict"] = [
        difference_verdict(lo, hi) for lo, hi in zip(table["adjusted_low"], table["adjusted_high"], strict=True)
    ]
    return table.drop(columns=["sd"])
