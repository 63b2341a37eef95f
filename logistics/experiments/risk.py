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
the risk file's seed, so a risk run is reproducible and two risk files with the same seed are paired.

What moves a KPI is told two ways, and a driver is named only when the data support it:

- **Paired one-at-a-time sensitivities** (`sensitivity`, the verdict): every input at its low and high value
  (10th and 90th percentiles of its distribution), every other input at its median, on the same replications
  (common random numbers: replication r of every setting sees the same random streams), plus all inputs at
  their medians. The effect of an input is the mean paired difference high - low, with a Student-t interval
  adjusted for the number of comparisons (Bonferroni over inputs x KPIs). An input is a *driver* of a KPI only
  when its adjusted interval excludes zero; otherwise it is *not told from noise* at this many replications (with
  the replications that would resolve an effect of the size seen), or it has *no effect* (every paired run
  identical). An input whose low or high setting gives exactly the runs of the median setting, while low and
  high differ, acts in *steps* (a closure's end only matters when it crosses a departure): a straight line
  through it is not its effect, and it is reported as step-like.
- **The regression tornado** over the risk runs (a picture of the joint draws): the KPI fitted linearly on all
  inputs; each bar the change of the fit when one input moves from its 10th to its 90th percentile with the
  others at their means, with intervals adjusted the same way (grey bars: not told from noise).
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

from logistics.analysis.stats import t_quantile
from logistics.scenario.distributions import Distribution

__all__ = [
    "RiskResult",
    "RiskSpec",
    "Sensitivity",
    "check_inputs",
    "drivers_text",
    "input_levels",
    "run_risk",
    "sensitivities",
    "tornado",
    "wilson_interval",
]


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


class Sensitivity(_Model):
    """The paired one-at-a-time runs (see the module's docstring); `replications: 0` leaves them out."""

    replications: int = Field(default=10, ge=0, le=10_000, description="Paired replications per setting.")
    low_quantile: float = Field(default=0.1, gt=0, lt=0.5)
    high_quantile: float = Field(default=0.9, gt=0.5, lt=1)
    confidence: float = Field(default=0.95, gt=0.5, lt=1, description="Family confidence over inputs x KPIs.")


class RiskSpec(_Model):
    name: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    overrides: list[str] = Field(default_factory=list)
    inputs: list[UncertainInput] = Field(min_length=1)
    targets: list[Target] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list, description="KPIs to summarise (default: the targets').")
    replications: int = Field(default=30, ge=3, le=10_000)
    seed: int = Field(default=0, ge=0)
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)

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
    oat: pd.DataFrame | None = None  # the one-at-a-time runs: setting, input, level, value, replication, KPIs

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


def input_levels(spec: RiskSpec) -> pd.DataFrame:
    """Each input's low, median and high value: quantiles of its distribution (from 20,000 draws of a fixed
    stream), rounded for integer inputs."""
    rows = []
    for k, u in enumerate(spec.inputs):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(spec.seed, spawn_key=(2**31 - 1, k))))
        sample = u.distribution.sample(rng, 20_000)
        q = np.quantile(sample, [spec.sensitivity.low_quantile, 0.5, spec.sensitivity.high_quantile])
        values = [float(round(v)) if u.integer else float(v) for v in q]
        rows.append({"input": u.name, "low": values[0], "median": values[1], "high": values[2]})
    return pd.DataFrame(rows)


def _override(u: UncertainInput, value: float) -> str:
    return f"{u.field}{'*=' if u.multiply else '='}{int(value) if u.integer else value}"


def check_inputs(spec: RiskSpec, source: str) -> None:
    """Every input's low, median and high value (and a fraction, for an input not marked integer) must give a
    valid scenario: refused here naming the input, not by a run half-way (a fraction drawn for a whole-number
    field says to mark the input `integer: true`)."""
    from logistics.core.errors import ScenarioError, ScenarioIssue
    from logistics.scenario.builtin import load_named

    levels = input_levels(spec)
    issues = []
    for k, u in enumerate(spec.inputs):
        row = levels.iloc[k]
        values = [row["low"], row["median"], row["high"]]
        for value in values:
            try:
                load_named(spec.scenario, [*spec.overrides, _override(u, value)])
            except ScenarioError as exc:
                reasons = "; ".join(i.message for i in exc.issues[:2])
                hint = ""
                if not u.integer and not float(value).is_integer():
                    hint = " (a whole-number field? mark the input integer: true)"
                issues.append(
                    ScenarioIssue(
                        ("inputs", k, "distribution"),
                        f"{_override(u, value)} is refused by the scenario: {reasons}{hint}",
                        source,
                    )
                )
                break
    if issues:
        raise ScenarioError(issues)


def _execute(
    tasks: list,
    executor: str,
    workers: int | None,
    address: str | None,
    on_done: Callable[[int], None] | None = None,
) -> list[dict]:
    """Every run's record in the tasks' order, through the executor layer (`logistics.experiments.pool`); a run
    whose worker kept dying is recorded as failed, saying so."""
    from logistics.experiments.pool import WorkerLost, open_pool
    from logistics.experiments.runner import run_task

    pool = open_pool(executor, workers, address)
    out: list[dict] = [{} for _ in tasks]
    try:
        for index, record in pool.map(run_task, tasks):
            out[index] = {"error": f"WorkerLost: {record}"} if isinstance(record, WorkerLost) else record
            if on_done is not None:
                on_done(index)
    finally:
        pool.close()
    return out


def _kpi_rows(records: list[dict], names: list[str], what: Callable[[int], str]) -> list[dict[str, float]]:
    rows = []
    for k, record in enumerate(records):
        if "error" in record:
            raise RuntimeError(f"{what(k)} failed: {record['error']}")
        values = {name: v for name, v, _ in record["kpis"]}
        rows.append({name: values.get(name, math.nan) for name in names})
    return rows


def run_risk(
    spec: RiskSpec,
    executor: str = "local",
    workers: int | None = None,
    on_run: Callable[[int], None] | None = None,
    address: str | None = None,
) -> RiskResult:
    """Simulate every replication with its input draws (the runs table: inputs and KPIs), and the paired
    one-at-a-time settings of `spec.sensitivity`. Executors as for `run_experiment`: "serial", "local" (a
    process pool of `workers` that survives a lost worker) or "dask" (the scheduler at `address`, or a local
    cluster); the runs carry their seeds, so the result does not depend on the executor. `on_run(r)` is called as
    replication `r` finishes."""
    from logistics.experiments.spec import RunTask

    started = time.perf_counter()
    inputs = draws(spec)
    tasks = []
    for r in range(spec.replications):
        overrides = [_override(u, inputs.at[r, u.name]) for u in spec.inputs]
        resolved = (*spec.overrides, *overrides, f"run.seed={spec.seed}")
        tasks.append(RunTask(spec.scenario, (), "risk", r, resolved, spec.seed))
    settings: list[tuple[str, str, str, float]] = []  # (setting, input, level, value)
    m = spec.sensitivity.replications
    if m:
        levels = input_levels(spec).set_index("input")
        medians = [_override(u, levels.at[u.name, "median"]) for u in spec.inputs]
        settings.append(("median", "", "median", math.nan))
        for u in spec.inputs:
            for level in ("low", "high"):
                settings.append((f"{u.name}={level}", u.name, level, float(levels.at[u.name, level])))
        for setting, name, _level, value in settings:
            overrides = list(medians)
            if name:
                k = next(i for i, u in enumerate(spec.inputs) if u.name == name)
                overrides[k] = _override(spec.inputs[k], value)
            for r in range(m):
                resolved = (*spec.overrides, *overrides, f"run.seed={spec.seed}")
                tasks.append(RunTask(spec.scenario, (), f"oat:{setting}", r, resolved, spec.seed))

    def done(index: int) -> None:
        if on_run is not None and index < spec.replications:
            on_run(index)

    records = _execute(tasks, executor, workers, address, done)
    risk_records, oat_records = records[: spec.replications], records[spec.replications :]
    kpis = _kpi_rows(risk_records, spec.kpi_names, lambda r: f"replication {r}")
    runs = pd.concat([pd.DataFrame({"replication": range(spec.replications)}), inputs, pd.DataFrame(kpis)], axis=1)
    oat = None
    if m:
        rows = _kpi_rows(oat_records, spec.kpi_names, lambda k: f"one-at-a-time run {k}")
        meta = [
            {"setting": setting, "input": name, "level": level, "value": value, "replication": r}
            for setting, name, level, value in settings
            for r in range(m)
        ]
        oat = pd.concat([pd.DataFrame(meta), pd.DataFrame(rows)], axis=1)
    return RiskResult(spec, runs, time.perf_counter() - started, oat)


def sensitivities(result: RiskResult) -> pd.DataFrame:
    """Per (KPI, input) of the one-at-a-time runs: the KPI's mean at the input's low, median and high value
    (others at their medians), the paired effect high - low with its 95% interval and its interval adjusted for
    inputs x KPIs (Bonferroni), the verdict (driver, not told from noise, no effect) and the shape (step-like when
    low or high repeats the median's runs exactly while low and high differ), and the replications that would
    resolve an effect of the size seen. Empty without one-at-a-time runs."""
    spec, oat = result.spec, result.oat
    if oat is None or not len(oat):
        return pd.DataFrame()
    kpis = [t.kpi for t in spec.targets] or spec.kpi_names
    kpis = list(dict.fromkeys(kpis))
    family = len(spec.inputs) * len(kpis)
    level = 1 - (1 - spec.sensitivity.confidence) / family
    base = oat[oat["setting"] == "median"].set_index("replication")
    rows = []
    for kpi in kpis:
        for u in spec.inputs:
            low = oat[(oat["input"] == u.name) & (oat["level"] == "low")].set_index("replication")
            high = oat[(oat["input"] == u.name) & (oat["level"] == "high")].set_index("replication")
            d = (high[kpi] - low[kpi]).to_numpy(dtype=float)
            d = d[np.isfinite(d)]
            n = len(d)
            mean = float(d.mean()) if n else math.nan
            sd = float(d.std(ddof=1)) if n > 1 else math.nan
            half = t_quantile(0.95, n - 1) * sd / math.sqrt(n) if n > 1 else math.nan
            half_adj = t_quantile(level, n - 1) * sd / math.sqrt(n) if n > 1 else math.nan
            same_low = bool(np.array_equal(low[kpi].to_numpy(), base[kpi].to_numpy(), equal_nan=True))
            same_high = bool(np.array_equal(high[kpi].to_numpy(), base[kpi].to_numpy(), equal_nan=True))
            if n and sd == 0 and mean == 0:
                verdict, needed = "no effect", math.nan
            elif n > 1 and (sd == 0 or abs(mean) > half_adj):
                verdict, needed = "driver", float(n)
            else:
                verdict = "not told from noise"
                needed = math.ceil((t_quantile(level, max(1, n - 1)) * sd / abs(mean)) ** 2) if mean else math.inf
            shape = "step-like" if (same_low or same_high) and verdict != "no effect" else ""
            rows.append(
                {
                    "kpi": kpi,
                    "input": u.name,
                    "low": float(low["value"].iloc[0]) if len(low) else math.nan,
                    "high": float(high["value"].iloc[0]) if len(high) else math.nan,
                    "kpi_at_low": float(low[kpi].mean()),
                    "kpi_at_median": float(base[kpi].mean()),
                    "kpi_at_high": float(high[kpi].mean()),
                    "effect": mean,
                    "ci95_low": mean - half,
                    "ci95_high": mean + half,
                    "adjusted_confidence": level,
                    "adjusted_low": mean - half_adj,
                    "adjusted_high": mean + half_adj,
                    "pairs": n,
                    "verdict": verdict,
                    "shape": shape,
                    "replications_to_resolve": needed if verdict == "not told from noise" else math.nan,
                }
            )
    table = pd.DataFrame(rows)
    table["_kpi"] = table["kpi"].map(kpis.index)
    table["_size"] = -table["effect"].abs().fillna(0.0)
    return table.sort_values(["_kpi", "_size"]).drop(columns=["_kpi", "_size"]).reset_index(drop=True)


def drivers_text(result: RiskResult, kpi: str) -> str:
    """One line on what drives `kpi`: the drivers with their adjusted intervals, or that none can be told from
    noise at this many replications (and how many would resolve the largest effect seen); step-like inputs."""
    table = sensitivities(result)
    if not len(table):
        return f"{kpi}: no one-at-a-time runs (sensitivity.replications: 0); see the regression tornado"
    part = table[table["kpi"] == kpi]
    n = int(part["pairs"].max())
    level = float(part["adjusted_confidence"].iloc[0])
    drivers = part[part["verdict"] == "driver"]
    steps = part[part["shape"] == "step-like"]["input"].tolist()
    step_text = f"; acts in steps: {', '.join(steps)}" if steps else ""
    if len(drivers):
        named = ", ".join(
            f"{r.input} {r.effect:+.4g} [{r.adjusted_low:+.4g}, {r.adjusted_high:+.4g}]" for r in drivers.itertuples()
        )
        return (
            f"{kpi}: driven by {named} (low -> high, paired over {n} replications, intervals at {level:.2%} each: "
            f"Bonferroni over {len(result.spec.inputs)} inputs x KPIs){step_text}"
        )
    noisy = part[part["verdict"] == "not told from noise"]
    more = ""
    if len(noisy):
        largest = noisy.iloc[0]
        if np.isfinite(largest["replications_to_resolve"]):
            more = (
                f"; the largest effect seen ({largest['input']}, {largest['effect']:+.4g}) would need about "
                f"{int(largest['replications_to_resolve']):,} paired replications to tell"
            )
    return f"{kpi}: no input can be told from noise at {n} paired replications{more}{step_text}"


def tornado(result: RiskResult, kpi: str) -> pd.DataFrame:
    """Per input: the fitted change of `kpi` from the input's 10th to its 90th percentile (others at their
    means) with its 95% interval and the interval adjusted for inputs x KPIs (Bonferroni; from the least-squares
    fit's standard errors; an interval covering zero means the replications cannot tell the input's effect from
    noise), and the share of the KPI's variance its term explains; largest first."""
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
    kpis = list(dict.fromkeys([t.kpi for t in result.spec.targets] or result.spec.kpi_names))
    family = len(names) * max(1, len(kpis))
    level = 1 - (1 - result.spec.sensitivity.confidence) / family
    t = t_quantile(0.95, dof) if dof > 0 else math.nan
    t_adj = t_quantile(level, dof) if dof > 0 else math.nan
    low, high = np.percentile(x, 10, axis=0), np.percentile(x, 90, axis=0)
    total = y.var() if len(y) > 1 else 0.0
    rows = []
    for k, name in enumerate(names):
        swing = coef[k] * (high[k] - low[k])
        margin = t * se[k] * (high[k] - low[k])
        margin_adj = t_adj * se[k] * (high[k] - low[k])
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
                "adjusted_confidence": level,
                "swing_adjusted_low": swing - margin_adj,
                "swing_adjusted_high": swing + margin_adj,
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
        clear = not (row.swing_adjusted_low <= 0 <= row.swing_adjusted_high)
        colour = ("#c0392b" if row.swing < 0 else "#2e86c1") if clear else "#b3b3b3"
        ax.barh(i, right - left, left=left, color=colour)
        # which end is the input's low value and which its high
        ax.text(row.kpi_at_low, i + 0.32, "low", ha="center", va="bottom", fontsize=7)
        ax.text(row.kpi_at_high, i + 0.32, "high", ha="center", va="bottom", fontsize=7)
        ax.text(right, i, f"  {row.variance_share:.0%}", va="center", fontsize=8)
    ax.set_yticks(
        range(len(table)), [f"{r.input}\n{r.low:.3g} -> {r.high:.3g}" for r in table.itertuples()], fontsize=8
    )
    ax.axvline(mean, color="black", linewidth=1)
    ax.set_xlabel(f"{kpi} (fitted; input from its 10th to its 90th percentile)")
    ax.set_title(
        f"{result.spec.name}: what moves {kpi}\n({result.spec.replications} replications; grey: not told from noise "
        f"at {table['adjusted_confidence'].iloc[0]:.2%} each, Bonferroni over inputs x KPIs)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
