"""Risk analysis: uncertain inputs as distributions over scenario fields (a demand multiplier, a lane's delay, an
inspection rate, a closure's length), one draw of every input per replication; the distribution of each KPI,
the probability of missing each service target (with a 95% Wilson interval), and a tornado chart of which
inputs move a KPI most.

A risk file:

    name: disrupted_risk
    scenario: bonded_import_disrupted
    replications: 40
    seed: 3
    inputs:
      - {name: demand, field: flows.0.demand.orders_per_day, multiply: true,
         distribution: {kind: triangular, low: 0.8, mode: 1.0, high: 1.6}}
      - {name: typhoon_end_h, field: disruptions.0.end_h, distribution: {kind: uniform, low: 60, high: 108}}
    targets:
      - {kpi: service.on_time_delivery_rate, at_least: 0.99}

Replication r runs with the scenario's own random streams of replication r and input draws from stream r of
the risk file's seed, so a risk run is reproducible and two risk files with the same seed are paired. The
tornado is a regression one: the KPI is fitted linearly on all inputs, and each bar is the change of the fit
when one input moves from its 10th to its 90th percentile with the others at their means (its share of the
variance explained is listed beside it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from logistics.analysis.stats import t_quantile_975
from logistics.scenario.distributions import Distribution

__all__ = ["RiskResult", "RiskSpec", "run_risk", "tornado", "wilson_interval"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UncertainInput(_Model):
    """A scenario field drawn from `distribution` for every replication (`multiply`: the draw multiplies the
    field's value in the scenario instead of replacing it)."""

    name: str = Field(min_length=1)
    field: str = Field(min_length=1, description="Scenario path, as in --set.")
    distribution: Distribution
    multiply: bool = False
    integer: bool = False


class Target(_Model):
    """A service target each replication meets or misses."""

    kpi: str = Field(min_length=1)
    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one(self) -> Target:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least and at_most")
        return self

    def missed(self, values: np.ndarray) -> np.ndarray:
        """Per replication: the target missed (an undefined KPI counts as missed)."""
        if self.at_least is not None:
            return ~(values >= self.at_least)
        assert self.at_most is not None
        return ~(values <= self.at_most)

    @property
    def label(self) -> str:
        if self.at_least is not None:
            return f"{self.kpi} >= {self.at_least:g}"
        return f"{self.kpi} <= {self.at_most:g}"


class RiskSpec(_Model):
    name: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    overrides: list[str] = Field(default_factory=list)
    inputs: list[UncertainInput] = Field(min_length=1)
    targets: list[Target] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list, description="KPIs to summarise (default: the targets').")
    replications: int = Field(default=30, ge=3, le=10_000)
    seed: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _names(self) -> RiskSpec:
        names = [i.name for i in self.inputs]
        if len(set(names)) != len(names):
            raise ValueError("input names must be unique")
        return self

    @property
    def kpi_names(self) -> list[str]:
        return list(dict.fromkeys([*(t.kpi for t in self.targets), *self.kpis]))


@dataclass(frozen=True)
class RiskResult:
    spec: RiskSpec
    runs: pd.DataFrame  # one row per replication: the inputs drawn, then every KPI
    wall_s: float

    def summary(self) -> pd.DataFrame:
        """Per KPI: mean, standard deviation, 5th, 50th and 95th percentiles over the replications."""
        rows = []
        for kpi in self.spec.kpi_names:
            values = self.runs[kpi].to_numpy(dtype=float)
            row = {"kpi": kpi, "mean": np.nanmean(values), "sd": np.nanstd(values, ddof=1)}
            row.update({f"p{q}": np.nanpercentile(values, q) for q in (5, 50, 95)})
            rows.append({**row, "replications": int(np.isfinite(values).sum())})
        return pd.DataFrame(rows)

    def misses(self) -> pd.DataFrame:
        """Per target: the probability of missing it, with its 95% Wilson interval."""
        rows = []
        for target in self.spec.targets:
            missed = target.missed(self.runs[target.kpi].to_numpy(dtype=float))
            low, high = wilson_interval(int(missed.sum()), len(missed))
            rows.append({"target": target.label, "missed": int(missed.sum()), "replications": len(missed),
                         "probability": missed.mean(), "ci95_low": low, "ci95_high": high})  # fmt: skip
        return pd.DataFrame(rows)


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default): sound near 0 and 1, unlike the normal one."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def draws(spec: RiskSpec) -> pd.DataFrame:
    """Every replication's input values (replication r from stream r of the spec's seed)."""
    rows = []
    for r in range(spec.replications):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(spec.seed, spawn_key=(r,))))
        row = {}
        for uncertain in spec.inputs:
            value = float(uncertain.distribution.sample(rng, 1)[0])
            row[uncertain.name] = round(value) if uncertain.integer else value
        rows.append(row)
    return pd.DataFrame(rows)


def run_risk(
    spec: RiskSpec, executor: str = "local", workers: int | None = None, on_run: Callable[[int], None] | None = None
) -> RiskResult:
    """Simulate every replication with its input draws; the runs table (inputs and KPIs)."""
    import os

    from logistics.experiments.runner import run_task
    from logistics.experiments.spec import RunTask

    started = time.perf_counter()
    inputs = draws(spec)
    tasks = []
    for r in range(spec.replications):
        overrides = [f"{u.field}{'*=' if u.multiply else '='}{inputs.at[r, u.name]}" for u in spec.inputs]
        resolved = (*spec.overrides, *overrides, f"run.seed={spec.seed}")
        tasks.append(RunTask(spec.scenario, (), "risk", r, resolved, spec.seed))
    if executor == "serial" or (workers or os.cpu_count() or 1) == 1:
        records = [run_task(t) for t in tasks]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            records = list(pool.map(run_task, tasks))
    kpis = []
    for r, record in enumerate(records):
        if "error" in record:
            raise RuntimeError(f"replication {r} failed: {record['error']}")
        values = {k: v for k, v, _ in record["kpis"]}
        kpis.append({name: values.get(name, math.nan) for name in spec.kpi_names})
        if on_run is not None:
            on_run(r)
    runs = pd.concat([pd.DataFrame({"replication": range(spec.replications)}), inputs, pd.DataFrame(kpis)], axis=1)
    return RiskResult(spec, runs, time.perf_counter() - started)


def tornado(result: RiskResult, kpi: str) -> pd.DataFrame:
    """Per input: the fitted change of `kpi` from the input's 10th to its 90th percentile (others at their
    means) with its 95% interval (from the least-squares fit's standard errors; an interval covering zero means
    the replications cannot tell the input's effect from noise), and the share of the KPI's variance its term
    explains; largest first."""
    names = [u.name for u in result.spec.inputs]
    runs = result.runs[np.isfinite(result.runs[kpi].to_numpy(dtype=float))]
    x = runs[names].to_numpy(dtype=float)
    y = runs[kpi].to_numpy(dtype=float)
    varying = x.std(axis=0) > 0
    design = np.column_stack([np.ones(len(x)), x[:, varying]])
    coef = np.zeros(len(names))
    se = np.full(len(names), np.nan)
    dof = len(y) - design.shape[1]
    if dof > 0:
        fitted, *_ = np.linalg.lstsq(design, y, rcond=None)
        coef[varying] = fitted[1:]
        residual = y - design @ fitted
        sigma2 = float(residual @ residual) / dof
        covariance = sigma2 * np.linalg.pinv(design.T @ design)
        se[varying] = np.sqrt(np.maximum(np.diag(covariance)[1:], 0.0))
    t = t_quantile_975(dof) if dof > 0 else math.nan
    low, high = np.percentile(x, 10, axis=0), np.percentile(x, 90, axis=0)
    total = y.var() if len(y) > 1 else 0.0
    rows = []
    for k, name in enumerate(names):
        swing = coef[k] * (high[k] - low[k])
        margin = t * se[k] * (high[k] - low[k])
        share = (coef[k] ** 2 * x[:, k].var() / total) if total > 0 else 0.0
        centre = x[:, k].mean()
        rows.append(
            {
                "input": name,
                "low": low[k],
                "high": high[k],
                "kpi_at_low": y.mean() + coef[k] * (low[k] - centre),
                "kpi_at_high": y.mean() + coef[k] * (high[k] - centre),
                "swing": swing,
                "swing_ci95_low": swing - margin,
                "swing_ci95_high": swing + margin,
                "variance_share": share,
            }
        )
    return pd.DataFrame(rows).sort_values("swing", key=np.abs, ascending=False).reset_index(drop=True)


def plot_tornado(result: RiskResult, kpi: str, path: Path) -> None:
    """The tornado chart of `kpi` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = tornado(result, kpi).iloc[::-1]
    mean = float(np.nanmean(result.runs[kpi]))
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(table) + 1.8))
    for i, row in enumerate(table.itertuples()):
        left, right = sorted((row.kpi_at_low, row.kpi_at_high))
        clear = not (row.swing_ci95_low <= 0 <= row.swing_ci95_high)
        colour = ("#c0392b" if row.swing < 0 else "#2e86c1") if clear else "#b3b3b3"
        ax.barh(i, right - left, left=left, color=colour)
        ax.text(right, i, f"  {row.variance_share:.0%}", va="center", fontsize=8)
    ax.set_yticks(
        range(len(table)), [f"{r.input}\n{r.low:.3g} -> {r.high:.3g}" for r in table.itertuples()], fontsize=8
    )
    ax.axvline(mean, color="black", linewidth=1)
    ax.set_xlabel(f"{kpi} (fitted; input from its 10th to its 90th percentile)")
    ax.set_title(
        f"{result.spec.name}: what moves {kpi}\n({result.spec.replications} replications; grey: not told from noise)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
