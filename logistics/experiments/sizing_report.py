"""Reading a plan file and writing a sizing search's results: every candidate in a table, the best plan with
its KPIs' 95% intervals, the scenario with the plan applied, and the Pareto front's plot for several
objectives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel

from logistics.core.errors import ScenarioError, ScenarioIssue
from logistics.experiments.sizing import Candidate, PlanResult, PlanSpec

T = TypeVar("T", bound=BaseModel)

__all__ = ["builtin_plan_names", "load_plan", "load_spec", "plan_path", "write_plan_results"]

_BUILTIN = Path(__file__).resolve().parent / "builtin" / "plans"


def builtin_plan_names(kind: str = "plans") -> list[str]:
    return sorted(p.stem for p in (_BUILTIN.parent / kind).glob("*.yaml"))


def plan_path(name_or_path: str, kind: str = "plans") -> Path:
    """A plan (or risk) file, or a built-in one by name when no such file exists (the rule of
    `core/naming.py`)."""
    from logistics.core.naming import names_builtin

    names = builtin_plan_names(kind)
    if names_builtin(name_or_path, names):
        return _BUILTIN.parent / kind / f"{name_or_path}.yaml"
    if not Path(name_or_path).exists():
        what = kind.rstrip("s")
        message = f"no {what} file or built-in {what} {name_or_path!r} (built-in: {', '.join(names)})"
        raise ScenarioError([ScenarioIssue((), message)])
    return Path(name_or_path)


def load_plan(path: Path) -> PlanSpec:
    """A plan file, validated (errors name the file, line and field); a scenario file it names is relative to it."""
    return load_spec(path, PlanSpec)


def load_spec(path: Path, model: type[T]) -> T:
    """A YAML file of a plan or risk model, validated (errors name the file, line and field); a scenario file it
    names is relative to it."""
    from logistics.experiments.spec import load_yaml_model

    spec = load_yaml_model(path, model)
    scenario = getattr(spec, "scenario", "")
    if scenario.endswith((".yaml", ".yml", ".xlsx")):
        spec = spec.model_copy(update={"scenario": str((path.parent / scenario).resolve())})
    return spec


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    from logistics.analysis.stats import mean_ci

    mean, half, _ = mean_ci(values)
    return mean, mean - half, mean + half


def trials_table(result: PlanResult) -> pd.DataFrame:
    """One row per candidate: its values, replications, each constraint's mean and verdict, the objectives."""
    rows = []
    for c in result.candidates:
        row: dict = {"evaluation": c.order + 1, "source": c.source, **c.values, "replications": len(c.kpis)}
        for k, constraint in enumerate(result.spec.constraints):
            row[f"{constraint.kpi} (mean)"] = float(np.nanmean(c.kpi(constraint.kpi)))
            row[f"{constraint.kpi} (verdict)"] = c.verdicts[k]
        for k, value in enumerate(c.objectives):
            row[f"objective {k + 1}"] = value
        row["feasible (search)"] = c.feasible
        row["checked"] = any(check.candidate is c for check in result.checks)
        row["best"] = result.best is not None and c.order == result.best.order
        rows.append(row)
    return pd.DataFrame(rows)


MEANING = (
    "A constraint 'at {confidence:.0%} confidence' means: the recommended plan truly misses it (its KPI's mean over "
    "replications on the wrong side of the target) with probability at most {miss:.0%}. It is decided on fresh "
    "replications that the search never used ({runs}), with a one-sided Student-t bound at level "
    "1 - {miss:.0%} / {k} (Bonferroni over the at most {k} candidates tested, cheapest first; a pilot of "
    "{pilot} replications of another seed only sized each test; the looks of a test share that level). The "
    "search's own verdicts are screening only."
)


def meaning(spec: PlanSpec, n: int | None = None) -> str:
    """What the stated confidence means for this plan's recommendation (printed and written in best.json); `n`:
    the recommended plan's test replications."""
    confidence = min((c.confidence for c in spec.constraints), default=0.95)
    runs = f"seed {spec.confirm_seed}, replications 0..{n - 1}" if n else f"seed {spec.confirm_seed}"
    return MEANING.format(
        confidence=confidence, miss=1 - confidence, runs=runs, k=spec.confirm.candidates, pilot=spec.confirm.pilot
    )


def best_summary(result: PlanResult, best: Candidate) -> dict:
    """The recommended plan: its values, cost, objectives, every constraint's verdict with the one-sided bound
    the confirmation used, and every constraint's and objective KPI's 95% interval on the confirmation runs
    (on the search's runs when unconfirmed: several objectives)."""
    spec = result.spec
    check = result.confirmation
    kpis = {o.kpi for o in spec.objectives if o.kpi} | {c.kpi for c in spec.constraints}
    source = check if check is not None and check.candidate is best else best
    intervals = {}
    for name in sorted(kpis):
        mean, low, high = _interval(source.kpi(name))
        intervals[name] = {"mean": mean, "ci95_two_sided": [low, high], "replications": len(source.kpis)}
    constraints = []
    for k, c in enumerate(spec.constraints):
        row = {**c.model_dump(), "search_verdict": best.verdicts[k]}
        if check is not None and check.candidate is best:
            side = "lower" if c.at_least is not None else "upper"
            row.update(
                verdict=check.verdicts[k],
                bound={"side": side, "one_sided_level": check.levels[k], "value": check.bounds[k]},
            )
        else:
            row["verdict"] = "unconfirmed (search verdict only)"
        constraints.append(row)
    out = {
        "plan": best.values,
        "objectives": best.objectives,
        "constraints": constraints,
        "kpis": intervals,
        "kpis_from": "confirmation replications" if source is check else "search replications",
    }
    if check is not None:
        out["confirmation"] = {
            "procedure": "two-stage: a pilot sizes each test; a one-sided t test per constraint on fresh "
            "replications with interim looks (Bonferroni over the looks; non-binding futility stops), Bonferroni over "
            "the candidates tested (see "
            "`logistics.experiments.sizing`)",
            "seed": spec.confirm_seed,
            "replications": len(check.kpis),
            "replication_indices": [0, len(check.kpis) - 1],
            "pilot": {"seed": spec.pilot_seed, "replications": spec.confirm.pilot},
            "max_candidates": spec.confirm.candidates,
            "tested": [
                {
                    "plan": c.candidate.values,
                    "replications": len(c.kpis),
                    "planned_replications": c.planned,
                    "stopped_early": c.stopped,
                    "verdicts": c.verdicts,
                    "bounds": c.bounds,
                }
                for c in result.checks
                if c.tested
            ],
            "passed_over_after_pilot": [c.candidate.values for c in result.checks if not c.tested],
            "meaning": meaning(spec, len(check.kpis)),
        }
    return out


def checks_table(result: PlanResult) -> pd.DataFrame:
    """One row per candidate checked on the confirmation replications: its values, per constraint the mean, the
    one-sided bound and its level, and the verdict."""
    rows = []
    for k, check in enumerate(result.checks):
        row: dict = {"check": k + 1, "evaluation": check.candidate.order + 1, **check.candidate.values}
        row["pilot replications"] = len(check.pilot)
        row["replications"] = len(check.kpis)
        row["planned replications"] = check.planned
        row["stopped early"] = check.stopped
        row["tested"] = check.tested
        for j, constraint in enumerate(result.spec.constraints):
            row[f"{constraint.kpi} (mean)"] = float(np.nanmean(check.kpi(constraint.kpi)))
            row[f"{constraint.kpi} (bound)"] = check.bounds[j]
            row[f"{constraint.kpi} (level)"] = check.levels[j]
            row[f"{constraint.kpi} (verdict)"] = check.verdicts[j]
        row["objective 1"] = check.candidate.objectives[0]
        row["confirmed"] = check.confirmed
        rows.append(row)
    return pd.DataFrame(rows)


def write_plan_results(result: PlanResult, out: Path) -> dict[str, Path]:
    """Write trials.csv, best.json, the scenario with the best plan applied (best_scenario.yaml) and, for
    several objectives, pareto.png and pareto.csv; returns what was written."""
    import yaml

    from logistics.scenario.builtin import load_named

    out.mkdir(parents=True, exist_ok=True)
    written = {"trials": out / "trials.csv"}
    table = trials_table(result)
    table.to_csv(written["trials"], index=False)
    summary: dict = {
        "name": result.spec.name,
        "evaluations": result.evaluations,
        "grid_size": result.spec.grid_size,
        "simulation_runs": result.runs,
        "wall_s": result.wall_s,
        "best": None,
        "search_best": None if result.search_best is None else result.search_best.values,
    }
    if result.checks:
        written["confirmation"] = out / "confirmation.csv"
        checks_table(result).to_csv(written["confirmation"], index=False)
    if len(result.spec.objectives) == 1:
        check = result.confirmation
        summary["meaning"] = meaning(result.spec, len(check.kpis) if check is not None else None)
    if result.best is not None:
        summary["best"] = best_summary(result, result.best)
        overrides = list(result.spec.overrides_of(result.best.values))
        check = result.confirmation
        n = len(check.kpis) if check is not None else 0
        replay = [f"run.seed={result.spec.confirm_seed}", f"run.replications={n}"]
        scenario = load_named(result.spec.scenario, [*result.spec.overrides, *overrides, *(replay if check else [])])
        data = scenario.model_dump(mode="json", exclude_unset=True, by_alias=True)
        written["scenario"] = out / "best_scenario.yaml"
        header = f"# {scenario.name} with the plan of {result.spec.name} applied: " + ", ".join(overrides) + "\n"
        if check is not None:
            header += (
                f"# run.seed and run.replications are the confirmation's ({', '.join(replay)}): `logistics run` of "
                "this file replays the runs that confirmed the plan.\n"
            )
        written["scenario"].write_text(
            header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None),
            encoding="utf-8",
        )
    if len(result.spec.objectives) > 1:
        front = result.pareto()
        written["pareto_csv"] = out / "pareto.csv"
        table[table["evaluation"].isin([c.order + 1 for c in front])].to_csv(written["pareto_csv"], index=False)
        written["pareto_plot"] = out / "pareto.png"
        _plot_front(result, front, written["pareto_plot"])
        summary["pareto"] = [{"plan": c.values, "objectives": c.objectives} for c in front]
    written["best"] = out / "best.json"
    written["best"].write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return written


def _unit(kpi: str) -> str:
    """A KPI's unit from its name (the project's habit: units in names)."""
    for suffix, unit in (("_cny", "CNY"), ("_h", "h"), ("_m", "m"), ("_km", "km"), ("_kg", "kg")):
        if kpi.endswith(suffix) or f"{suffix}." in kpi:
            return unit
    return "share" if kpi.endswith(("rate", "share", "utilisation")) else ""


def _axis_label(kpi: str | None, plan_cost: bool, maximise: bool) -> str:
    if kpi is None:
        return "plan cost (CNY)"
    unit = _unit(kpi)
    text = f"{'minus ' if maximise else ''}{kpi}" + (f" ({unit})" if unit else "")
    return f"plan cost (CNY) + {text}" if plan_cost else text


def _plot_front(result: PlanResult, front: list[Candidate], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    feasible = [c for c in result.candidates if c.feasible]
    others = [c for c in result.candidates if not c.feasible]
    for group, style, label in ((others, "x", "misses (search verdict)"), (feasible, "o", "meets (search verdict)")):
        if group:
            ax.scatter([c.objectives[0] for c in group], [c.objectives[1] for c in group], marker=style, label=label,
                       alpha=0.5)  # fmt: skip
    points = sorted((c.objectives[0], c.objectives[1]) for c in front)
    if points:
        ax.plot(*zip(*points, strict=True), "-", color="black", label="Pareto front")
    names = [_axis_label(o.kpi, o.plan_cost, o.maximise) for o in result.spec.objectives]
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    # a constraint on a KPI that is also an objective: its target as a line (a KPI objective alone, no plan cost)
    for k, objective in enumerate(result.spec.objectives[:2]):
        for constraint in result.spec.constraints:
            if objective.kpi == constraint.kpi and not objective.plan_cost:
                target = constraint.at_least if constraint.at_least is not None else constraint.at_most
                assert target is not None
                value = -target if objective.maximise else target
                (ax.axvline if k == 0 else ax.axhline)(value, color="#c0392b", linestyle="--", linewidth=1,
                                                       label=f"target {constraint.kpi} {target:g}")  # fmt: skip
    ax.set_title(f"{result.spec.name}: {result.evaluations} candidates")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
