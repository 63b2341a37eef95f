"""SimPy's private attributes are read in one module (`logistics/sim/simpy_access.py`): what it reads matches
SimPy's public values on the installed SimPy, and no other module of the package reads a private attribute of a
SimPy object."""

from __future__ import annotations

import ast
from pathlib import Path

import simpy

from logistics.sim.simpy_access import event_value, now_of

ROOT = Path(__file__).resolve().parents[2] / "logistics"


def _simpy_private_names() -> set[str]:
    """The private instance attributes of SimPy's environment, events, processes and resources."""
    env = simpy.Environment()
    resource = simpy.Resource(env)
    event = env.event()

    def proc(env: simpy.Environment):  # type: ignore[no-untyped-def]
        yield env.timeout(1)

    objects = [env, event, env.timeout(1), env.process(proc(env)), resource, resource.request(), simpy.Store(env)]
    names: set[str] = set()
    for obj in objects:
        names |= {n for n in getattr(obj, "__dict__", {}) if n.startswith("_") and not n.startswith("__")}
        for cls in type(obj).__mro__:
            names |= {n for n in getattr(cls, "__slots__", ()) if n.startswith("_") and not n.startswith("__")}
    return names


def test_the_accessors_read_what_the_public_api_returns() -> None:
    env = simpy.Environment(initial_time=3.5)
    seen: list[object] = []
    event = env.event()
    event.callbacks.append(lambda e: seen.append((event_value(e), e.value)))
    env.timeout(2.0).callbacks.append(lambda e: event.succeed(("job", 7)))
    env.run()
    assert seen == [(("job", 7), ("job", 7))]
    assert now_of(env) == env.now == 5.5


def test_no_other_module_reads_a_private_attribute_of_simpy() -> None:
    private = _simpy_private_names()
    assert {"_value", "_now"} <= private  # the scan knows what to look for
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name == "simpy_access.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in private:
                if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                    continue  # a class's own private attribute of that name
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} .{node.attr}")
    assert not found, found
