"""Statistics over replications: means with 95% confidence intervals (Student t) and paired differences under
common random numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["mean_ci", "paired_comparisons", "summarize", "t_quantile_975"]

# Student t 0.975 quantiles for 1..30 degrees of freedom; beyond, interpolated in 1/df towards the normal 1.96.
_T975 = [
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
]


def t_quantile_975(df: int) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95% intervals)."""
    if df < 1:
        return float("nan")
    if df <= 30:
        return _T975[df - 1]
    return 1.959964 + (2.042 - 1.959964) * 30.0 / df


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


def paired_comparisons(results: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each policy against `baseline`, replication by replication (same seeds): mean difference and its 95%
    interval; `significant` when the interval excludes zero."""
    rows = []
    base = results[results["policy"] == baseline]
    for (scenario, point, policy, kpi), group in results.groupby(["scenario", "point", "policy", "kpi"], sort=False):
        if policy == baseline:
            continue
        ref = base[(base["scenario"] == scenario) & (base["point"] == point) & (base["kpi"] == kpi)]
        joined = group.merge(ref[["replication", "value"]], on="replication", suffixes=("", "_base"))
        diff = (joined["value"] - joined["value_base"]).to_numpy(dtype=float)
        mean, half, _ = mean_ci(diff)
        rows.append(
            (
                scenario,
                point,
                policy,
                baseline,
                kpi,
                len(diff),
                mean,
                mean - half,
                mean + half,
                bool(np.isfinite(half) and (mean - half > 0 or mean + half < 0)),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "point",
            "policy",
            "baseline",
            "kpi",
            "pairs",
            "difference",
            "ci_low",
            "ci_high",
            "significant",
        ],
    )
