"""A user's own policies: a module that registers them (`BATCHING.register("pairs", Pairs)`) is loaded by
`--plugins MODULE` on `validate`, `run` and `bench` (a dotted module name, or a path to a `.py` file), by an
experiment file's `plugins:` list, or, for an installed package, by the `logistics.policies` entry-point
group. Loading is idempotent: a module is imported once per process."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

from logistics.core.errors import LogisticsError

__all__ = ["ENTRY_POINT_GROUP", "PluginError", "load_entry_points", "load_plugins"]

ENTRY_POINT_GROUP = "logistics.policies"

_loaded: set[str] = set()


class PluginError(LogisticsError):
    """A plug-in module that cannot be found or fails while it loads; the message names it and the cause."""


def _module_name(path: Path) -> str:
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    return f"logistics_plugin_{digest}_{path.stem}"


def load_plugins(modules: Sequence[str]) -> list[str]:
    """Import each plug-in module (dotted name or `.py` path) once; returns the names loaded now."""
    done = []
    for spec_text in modules:
        key = str(Path(spec_text).resolve()) if spec_text.endswith(".py") else spec_text
        if key in _loaded:
            continue
        try:
            if spec_text.endswith(".py"):
                path = Path(spec_text).resolve()
                if not path.is_file():
                    raise PluginError(f"plug-in {spec_text!r}: no such file")
                name = _module_name(path)
                spec = importlib.util.spec_from_file_location(name, path)
                if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
                    raise PluginError(f"plug-in {spec_text!r}: cannot be imported")
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[name]
                    raise
            else:
                importlib.import_module(spec_text)
        except PluginError:
            raise
        except ModuleNotFoundError as exc:
            raise PluginError(
                f"plug-in {spec_text!r}: module {exc.name!r} not found (give a module importable from here, "
                "or the path of a .py file)"
            ) from None
        except Exception as exc:
            raise PluginError(f"plug-in {spec_text!r} failed while loading: {type(exc).__name__}: {exc}") from None
        _loaded.add(key)
        done.append(spec_text)
    return done


def load_entry_points() -> list[str]:
    """Load every module registered in the `logistics.policies` entry-point group of installed packages."""
    done = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.value in _loaded:
            continue
        try:
            point.load()
        except Exception as exc:
            raise PluginError(
                f"plug-in entry point {point.name!r} ({point.value}) failed while loading: {type(exc).__name__}: {exc}"
            ) from None
        _loaded.add(point.value)
        done.append(point.value)
    return done
