"""The fuzzing harness in CI mode: a fixed seed and a bounded count of mutated scenario files and optimizer
inputs, each refused with the project's error or run to the end with finite KPIs (`benchmarks/fuzz.py` is the
long mode). A failure prints the mutant's id: `scenario_mutant(builtin_names(), SEED, i)` rebuilds it."""

from __future__ import annotations

import pytest

from logistics.scenario import builtin_names
from logistics.testing.fuzz import (
    check_optimizer_input,
    check_scenario_text,
    optimizer_mutant,
    report_failures,
    scenario_mutant,
    summarize,
)

SEED = 20261129
SCENARIOS = 30  # the long mode (benchmarks/fuzz.py) and the slow sample below run many more
OPTIMIZER_INPUTS = 60


def test_mutated_scenarios_are_refused_clearly_or_run_to_the_end() -> None:
    names = builtin_names()
    outcomes = []
    for i in range(SCENARIOS):
        name, raw, what = scenario_mutant(names, SEED, i)
        outcomes.append(check_scenario_text(raw, f"scenario {SEED}/{i} ({name}: {what})", horizon_cap_h=12.0))
    counts = summarize(outcomes)
    assert not any(o.failed for o in outcomes), f"{counts}\n{report_failures(outcomes)}"
    assert counts.get("ran", 0) >= SCENARIOS // 10, f"too few mutants ran, the run-time half is untested: {counts}"
    assert counts.get("refused", 0) >= SCENARIOS // 2, counts


def test_mutated_optimizer_inputs_are_refused_clearly_or_solved_and_checked() -> None:
    outcomes = []
    for i in range(OPTIMIZER_INPUTS):
        fmt, files, what = optimizer_mutant(SEED, i)
        outcomes.append(check_optimizer_input(fmt, files, f"optimizer {SEED}/{i} ({fmt}: {what})"))
    counts = summarize(outcomes)
    assert not any(o.failed for o in outcomes), f"{counts}\n{report_failures(outcomes)}"
    assert counts.get("ran", 0) >= OPTIMIZER_INPUTS // 10, counts


@pytest.mark.slow
def test_a_larger_fuzz_sample() -> None:
    names = builtin_names()
    outcomes = [check_scenario_text(scenario_mutant(names, SEED + 1, i)[1], f"{SEED + 1}/{i}") for i in range(600)]
    assert not any(o.failed for o in outcomes), report_failures(outcomes)
