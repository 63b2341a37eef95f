"""Sizing by simulation-based optimization: the search against the exhaustive grid, the confidence rule, the
outputs."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

pytest.importorskip("optuna", reason="logistics plan needs optuna (pip install -e '.[plan]')")

from logistics.cli import app
from logistics.experiments.sizing import Constraint, plan_capacity, verdict
from logistics.experiments.sizing_report import load_plan, plan_path
from logistics.scenario.loader import load_scenario

runner = CliRunner()


def test_the_confidence_rule_meets_misses_or_asks_for_more() -> None:
    at_most = Constraint(kpi="k", at_most=10.0, confidence=0.95)
    assert verdict(at_most, np.array([8.0, 8.5, 9.0])) == "met"
    assert verdict(at_most, np.array([12.0, 12.5, 13.0])) == "missed"
    assert verdict(at_most, np.array([9.0, 10.5, 10.0])) == "undecided"
    assert verdict(at_most, np.array([9.0, np.nan, 9.0])) == "missed"  # an undefined KPI meets nothing
    at_least = Constraint(kpi="k", at_least=0.95, confidence=0.99)
    assert verdict(at_least, np.array([0.97, 0.98, 0.96])) == "undecided"  # 99%: the interval is wide
    assert verdict(at_least, np.array([0.97, 0.98, 0.96, 0.97, 0.975, 0.965, 0.97, 0.972])) == "met"


def test_a_short_search_keeps_every_candidate_and_applies_the_best_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", "staffing_small", "--trials", "6", "--out", str(out), "--workers", "2"])
    assert result.exit_code in (0, 1), result.output
    spec = load_plan(plan_path("staffing_small"))
    trials = pd.read_csv(out / "trials.csv")
    assert 1 <= len(trials) <= 6 and trials["replications"].between(3, 8).all()
    kpi = "lead_time.order_to_dispatch_h.p95"
    # a candidate got more than the minimum only while its constraint was undecided
    more = trials[trials["replications"] > 3]
    assert (more[f"{kpi} (mean)"] - 34).abs().max() < 5 if len(more) else True
    if result.exit_code == 0:
        best = json.loads((out / "best.json").read_text())["best"]
        feasible = trials[trials["feasible"]]
        assert best["objectives"][0] == feasible["objective 1"].min()
        assert best["kpis"][kpi]["ci95"][1] >= best["kpis"][kpi]["mean"]
        applied = load_scenario(out / "best_scenario.yaml")
        warehouse = applied.flows[0].warehouse
        assert warehouse.pick.workers["day"] == best["plan"]["pickers_day"]
        assert warehouse.pack.workers["day"] == best["plan"]["packers_day"]
    assert spec.grid_size == 49


@pytest.mark.slow
def test_the_search_finds_the_grid_optimum_with_a_third_of_the_evaluations() -> None:
    spec = load_plan(plan_path("staffing_small"))
    grid = plan_capacity(
        spec.model_copy(update={"search": spec.search.model_copy(update={"method": "grid"})}), workers=2
    )
    search = plan_capacity(spec, workers=2)
    assert grid.best is not None and search.best is not None
    assert search.best.values == grid.best.values and search.best.objectives == grid.best.objectives
    assert search.evaluations <= grid.evaluations / 3
    # common random numbers: the same candidate has the same KPIs in both
    same = next(c for c in grid.candidates if c.values == search.best.values)
    assert same.kpis == search.best.kpis


def test_two_objectives_give_a_pareto_front_and_its_plot(tmp_path: Path) -> None:
    plan = tmp_path / "pareto.yaml"
    plan.write_text(
        """
name: pareto_small
scenario: bonded_import_small
overrides: [run.horizon_h=24, run.cooldown_h=24]
variables:
  - {name: pickers_day, field: flows.0.warehouse.pick.workers.day, low: 2, high: 6, cost_cny: 600}
objectives:
  - {plan_cost: true}
  - {kpi: lead_time.pick_h.mean, plan_cost: false}
replications: {min: 2, max: 2}
search: {trials: 5, seed: 1}
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(plan), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    front = json.loads((out / "best.json").read_text())["pareto"]
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 5 and (out / "pareto.png").stat().st_size > 1000
    # on the front, more pickers cost more and pick faster: no point dominates another
    points = sorted((p["objectives"][0], p["objectives"][1]) for p in front)
    assert len(points) >= 2 and all(b[1] < a[1] for a, b in itertools.pairwise(points))


def test_a_bad_plan_file_names_the_line_and_field(tmp_path: Path) -> None:
    plan = tmp_path / "bad.yaml"
    plan.write_text(
        "name: x\nscenario: bonded_import_small\nvariables:\n  - {name: a, field: run.seed, low: 5, high: 2}\n"
    )
    result = runner.invoke(app, ["plan", str(plan)])
    assert result.exit_code == 2 and "bad.yaml:4" in result.output and "below low" in result.output, result.output
