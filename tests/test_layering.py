"""No import cycles in the packages that had one (the scenario readers, the design readers): every import, at
the top of a module or inside a function, read by grimp (import-linter's graph)."""

from __future__ import annotations

import pytest

grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (pip install -e '.[dev]')")


@pytest.mark.parametrize("package", ["logistics.scenario", "logistics.optimize.design", "logistics.experiments"])
def test_no_module_of_the_package_imports_itself_back(package: str) -> None:
    graph = grimp.build_graph("logistics", include_external_packages=False)
    mine = {m for m in graph.modules if m == package or m.startswith(package + ".")}
    cycles = [
        (m, i)
        for m in sorted(mine)
        for i in graph.find_modules_directly_imported_by(m)
        if i != m and graph.chain_exists(importer=i, imported=m)
    ]
    assert not cycles, cycles
