"""A user's own policies through the command line: `--plugins` on validate, run and bench, the entry-point
group, and every bad policy choice reported at once with its file, line and field."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.policies import BATCHING
from logistics.policies import plugins as plugin_loader

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = str(ROOT / "examples" / "my_policies.py")
SHORT = ["--set", "run.horizon_h=12", "--set", "run.cooldown_h=12", "--set", "disruptions=[]"]
SHORT += ["--set", "demand.peak_days=[]"]


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    """Each test loads its plug-ins itself (the README's example may have registered "pairs" already)."""
    BATCHING.unregister("pairs")
    plugin_loader._loaded.clear()
    yield
    BATCHING.unregister("pairs")
    plugin_loader._loaded.clear()


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_a_plugin_module_makes_its_policy_usable_from_the_command_line(tmp_path: Path) -> None:
    code, output = _cli("validate", "bonded_import_peak", "--set", "warehouse.floor.batching=pairs")
    assert code == 2 and "warehouse.floor.batching" in output and "'pairs'" in output
    code, output = _cli(
        "run", "bonded_import_peak", "--plugins", PLUGIN, "--set", "warehouse.floor.batching=pairs",
        *SHORT, "-q", "--out", str(tmp_path / "pairs"),
    )  # fmt: skip
    assert code == 0, output
    kpis = pd.read_csv(tmp_path / "pairs" / "kpis.csv").set_index("kpi")["value"]
    # two orders a pick list: as many lists as half the orders picked (rounded up per batch)
    assert kpis["warehouse.pick_lists"] >= kpis["orders.delivered"] / 2


def test_a_plugin_that_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no licence')\n", encoding="utf-8")
    code, output = _cli("validate", "bonded_import_small", "--plugins", str(broken))
    assert code == 2 and "broken.py" in output and "RuntimeError: no licence" in output
    code, output = _cli("validate", "bonded_import_small", "--plugins", "no_such_module_here")
    assert code == 2 and "'no_such_module_here'" in output and "not found" in output
    code, output = _cli("validate", "bonded_import_small", "--plugins", str(tmp_path / "missing.py"))
    assert code == 2 and "no such file" in output


def test_an_installed_package_registers_through_the_entry_point_group(monkeypatch: pytest.MonkeyPatch) -> None:
    point = EntryPoint("mine", "logistics_test_plugin_mod", plugin_loader.ENTRY_POINT_GROUP)
    monkeypatch.setattr(plugin_loader, "entry_points", lambda group: [point] if group == point.group else [])
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(PLUGIN, Path(folder) / "logistics_test_plugin_mod.py")
        monkeypatch.syspath_prepend(folder)
        code, output = _cli("validate", "bonded_import_peak", "--set", "warehouse.floor.batching=pairs")
    assert code == 0, output


def test_every_bad_policy_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    from logistics.scenario import builtin_text

    text = builtin_text("bonded_import_peak")
    text = text.replace("slotting: {name: optimal", "slotting: {name: optimall", 1)
    assert "optimall" in text
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    code, output = _cli(
        "validate", str(path), "--set", "warehouse.floor.batching={name: time_window, params: {window: 3}}",
        "--set", "warehouse.replenishment.policy=lifo",
    )  # fmt: skip
    errors = [line for line in output.splitlines() if line.startswith("error")]
    assert code == 2 and len(errors) == 3, output
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if "optimall" in t)
    assert any(f"bad.yaml:{line}: flows.0.warehouse.floor.slotting" in e and "'optimall'" in e for e in errors), errors
    assert any("warehouse.floor.batching" in e and "'window'" in e for e in errors), errors
    assert any("warehouse.replenishment.policy" in e and "'lifo'" in e for e in errors), errors


def test_an_experiment_file_names_its_plugins(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(
        f"""name: pairs_vs_single
scenarios: [bonded_import_peak]
plugins: [{PLUGIN}]
policies:
  single: ["warehouse.floor.batching=single_order"]
  pairs: ["warehouse.floor.batching=pairs"]
baseline: single
replications: 2
seed: 3
kpis: [warehouse.pick_lists]
""",
        encoding="utf-8",
    )
    sets = [f"{k}" for k in ("run.horizon_h=6", "run.cooldown_h=6", "disruptions=[]", "demand.peak_days=[]")]
    exp = (tmp_path / "exp.yaml").read_text(encoding="utf-8")
    exp = exp.replace('batching=single_order"]', 'batching=single_order", ' + ", ".join(f'"{s}"' for s in sets) + "]")
    exp = exp.replace('batching=pairs"]', 'batching=pairs", ' + ", ".join(f'"{s}"' for s in sets) + "]")
    (tmp_path / "exp.yaml").write_text(exp, encoding="utf-8")
    code, output = _cli("bench", str(tmp_path / "exp.yaml"), "--backend", "serial", "--out", str(tmp_path / "o"))
    assert code == 0, output
    results = pd.read_parquet(tmp_path / "o" / "results.parquet")
    lists = results[results["kpi"] == "warehouse.pick_lists"].groupby("policy")["value"].mean()
    assert lists["pairs"] < lists["single"]


def test_the_docs_show_the_example_plugin_as_it_is() -> None:
    import textwrap

    code = (ROOT / "examples" / "my_policies.py").read_text(encoding="utf-8").split('"""', 2)[2].strip()
    page = (ROOT / "docs" / "background" / "model.md").read_text(encoding="utf-8")
    assert textwrap.indent(code, "  ").replace("\n  \n", "\n\n") in page
