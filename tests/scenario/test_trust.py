"""Each way a hostile or careless scenario file broke a run, reproduced as a small file: refused by
`validate` with the file, line and field, or run to the end with every order accounted for and finite KPIs."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest

from logistics.analysis.kpis import run_kpis
from logistics.core import ScenarioError
from logistics.scenario import builtin_text, load_builtin, load_scenario, parse_scenario
from logistics.sim import simulate
from logistics.sim.size import SizeError, check_size

SMALL = builtin_text("bonded_import_small")
SHORT = ["run.horizon_h=24", "run.cooldown_h=24"]


def _refused(text: str, field: str | None = None, words: str = "") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="bad.yaml")
    issues = info.value.issues
    assert all(i.source == "bad.yaml" for i in issues)
    if field is not None:
        assert any(i.field == field for i in issues), [str(i) for i in issues]
    assert words in str(info.value), str(info.value)
    return info.value


def _runs_clean(name: str, sets: list[str]) -> None:
    run = simulate(load_builtin(name, sets))  # the accounting check runs at the end
    kpis = run_kpis(run)
    assert kpis["kpi"].is_unique
    assert np.isfinite(kpis["value"].to_numpy(dtype=float)).all()


# --- loader -------------------------------------------------------------------------------------------------


def test_an_impossible_date_is_an_error_at_its_line() -> None:
    err = _refused(SMALL.replace("start: 2026-11-09T00:00:00", "start: 2026-11-31"), words="day is out of range")
    assert err.issues[0].line == 7


def test_an_impossible_date_through_set_is_an_error_naming_the_override() -> None:
    with pytest.raises(ScenarioError, match=re.escape("--set run.start=2026-11-31")):
        load_builtin("bonded_import_small", ["run.start=2026-11-31"])


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("seed_note: !!int 1.5\n", "cannot read '1.5' as an integer"),
        ("note: &r [*r]\n", "recursive alias"),
        ("? [a, b]\n: 1\n", "a key must be a plain name"),
        ("note: " + "[" * 200 + "]" * 200 + "\n", "nesting deeper than"),
        ("note: " + "[" * 5000 + "]" * 5000 + "\n", "nesting"),
        ("note: !!python/object:os.system ls\n", "could not determine a constructor"),
    ],
)
def test_yaml_tricks_are_refused_with_a_message(extra: str, words: str) -> None:
    _refused(SMALL + extra, words=words)


def test_a_billion_laughs_file_is_refused_fast() -> None:
    bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )
    start = time.perf_counter()
    _refused(bomb + SMALL, words="expands to more than")
    assert time.perf_counter() - start < 5


def test_a_megabyte_file_validates_in_seconds() -> None:
    big = SMALL + "description_long:\n" + "".join(f"  - line {i} {'x' * 40}\n" for i in range(20_000))
    assert len(big) > 1_000_000
    start = time.perf_counter()
    _refused(big, field="description_long", words="unknown key")
    assert time.perf_counter() - start < 10


# --- values and references ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("costs.storage_cny_per_m3_day=.inf", "costs.storage_cny_per_m3_day"),
        ("costs.storage_cny_per_m3_day=1e308", "costs.storage_cny_per_m3_day"),
        ("demand.orders_per_day=.nan", "flows.0.demand.orders_per_day"),
        ("run.start=9999-12-31T00:00:00", "run.start"),
        ("demand.customers=1e18", "flows.0.demand.customers"),
        ("run.horizon_h=1.68e8", "run"),  # a calendar past the year 9999 (found by the long fuzz run)
    ],
)
def test_infinite_huge_and_out_of_range_numbers_are_refused(setting: str, field: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_builtin("bonded_import_small", [setting])
    assert info.value.issues[0].field == field


def test_duplicated_ids_names_and_dates_are_refused(tmp_path: Path) -> None:
    fleet = "{id: van, count: 2, capacity_parcels: 50, capacity_kg: 500}"
    with pytest.raises(ScenarioError, match=r"last_mile.dispatch.fleet.1.id: id 'van' is used twice"):
        load_builtin("last_mile_city", [f"last_mile.dispatch.fleet=[{fleet}, {fleet}]"])
    peaks = "[{name: a, date: 2026-11-11, multiplier: 2}, {name: b, date: 2026-11-11, multiplier: 3}]"
    with pytest.raises(ScenarioError, match=re.escape("demand.peak_days.1.date")):
        load_builtin("bonded_import_small", [f"demand.peak_days={peaks}"])
    cps = load_builtin("direct_mail_import").model_dump(mode="json")["customs"]["checkpoints"]
    with pytest.raises(ScenarioError, match=re.escape("customs.checkpoints.1.id")):
        load_builtin("direct_mail_import", [f"customs.checkpoints={[cps[0], cps[0]]}"])


def test_unknown_shift_and_tax_category_names_are_refused() -> None:
    with pytest.raises(ScenarioError, match="no shift called 'nite'"):
        load_builtin("direct_mail_import", ["flows.0.fulfilment.workers={day: 45, nite: 22}"])
    with pytest.raises(ScenarioError, match="no tax category 'jewels'"):
        load_builtin("last_mile_city", ["catalog.generate.tax_category_shares={cosmetics: 0.5, jewels: 0.5}"])


# --- accepted, then crashed after the whole simulation ----------------------------------------------------------


def test_a_flow_without_checkpoints_runs() -> None:
    _runs_clean("direct_mail_import", [*SHORT, "flows.0.checkpoints=[]"])


def test_a_run_whose_every_dispatch_wave_is_skipped_runs() -> None:
    _runs_clean("last_mile_city", [*SHORT, "last_mile.dispatch.waves_h=[3]"])


def test_a_run_with_no_time_series_samples_writes_its_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from logistics.cli import app

    sets = ["--set", "run.sample_interval_min=1440", "--set", "run.horizon_h=12", "--set", "run.cooldown_h=0"]
    result = CliRunner().invoke(
        app, ["run", "b2b_direct_export", "--out", str(tmp_path / "o"), "-q", *sets, "--set", "disruptions=[]"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "report.html").exists()


# --- size guard ---------------------------------------------------------------------------------------------------


def test_a_ten_year_horizon_is_refused_before_it_runs_unless_forced() -> None:
    scenario = load_builtin("bonded_import_peak", ["run.horizon_h=87600"])
    with pytest.raises(SizeError, match="too large for this machine"):
        check_size(scenario)
    assert check_size(scenario, force=True).orders_per_replication > 30_000_000


def test_the_size_estimate_is_close_to_the_orders_a_run_creates() -> None:
    scenario = load_builtin("bonded_import_small")
    created = simulate(scenario).counts["created"]
    estimate = check_size(scenario).orders_per_replication
    assert 0.7 * created < estimate < 1.5 * created


def test_a_scenario_file_with_a_path_outside_is_still_only_data(tmp_path: Path) -> None:
    # scenario files name no paths today; the loader reads exactly the file it is given
    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    assert load_scenario(path).name == "bonded_import_small"


@pytest.mark.parametrize("threshold", [None, 40])
def test_the_optimizer_bound_covers_every_wave_a_run_plans(threshold: int | None) -> None:
    sets = [*SHORT, "last_mile.dispatch.policy={name: ortools, params: {time_limit_s: 7}}"]
    if threshold is not None:
        sets.append(f"last_mile.dispatch.threshold_parcels={threshold}")
    scenario = load_builtin("last_mile_city", sets)
    bound_s = check_size(scenario).optimizer_cap_s
    kpis = run_kpis(simulate(scenario)).set_index("kpi")["value"]
    assert 0 < kpis["dispatch.waves"] * 7 <= bound_s < 3 * kpis["dispatch.waves"] * 7 + 7 * 6
    greedy = load_builtin("last_mile_city", [*SHORT, "last_mile.dispatch.policy={name: nearest_neighbour}"])
    assert check_size(greedy).optimizer_cap_s == 0
