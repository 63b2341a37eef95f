"""Registries of policies by name: the simulation looks a policy up by the name a scenario file gives, with the
parameters given beside it, so a researcher can add one (`register`) without touching the simulation code."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["PolicyError", "Registry"]

T = TypeVar("T")


class PolicyError(ValueError):
    """An unknown policy name or bad parameters; the message names the registered policies or parameters."""


class Registry(Generic[T]):
    """Factories by name for one kind of decision (`kind`, e.g. "batching")."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str, factory: Callable[..., T] | None = None, *, replace: bool = False):
        """Register `factory` under `name` (usable as a decorator). Its keyword arguments are the policy's
        parameters in a scenario file. Registering a taken name needs `replace=True`."""

        def add(f: Callable[..., T]) -> Callable[..., T]:
            if not name or not isinstance(name, str):
                raise PolicyError(f"a {self.kind} policy needs a non-empty name")
            if name in self._factories and not replace:
                raise PolicyError(f"a {self.kind} policy called {name!r} is already registered")
            self._factories[name] = f
            return f

        return add(factory) if factory is not None else add

    def unregister(self, name: str) -> None:
        """Remove a policy (tests that register their own clean up with it)."""
        self._factories.pop(name, None)

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._factories)

    def __contains__(self, name: str) -> bool:
        return name in self._factories

    def make(self, name: str, params: dict[str, Any] | None = None) -> T:
        """A policy built from its name and parameters; `PolicyError` says what is wrong."""
        try:
            factory = self._factories[name]
        except KeyError:
            raise PolicyError(
                f"no {self.kind} policy called {name!r} (registered: {', '.join(self.names()) or 'none'})"
            ) from None
        params = dict(params or {})
        try:
            signature = inspect.signature(factory)
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            signature = None
        if signature is not None:
            accepted = signature.parameters
            takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
            unknown = [k for k in params if k not in accepted and not takes_any]
            if unknown:
                known = [k for k, p in accepted.items() if p.kind is not inspect.Parameter.VAR_KEYWORD]
                listed = ", ".join(known) or "none"
                raise PolicyError(f"{self.kind} policy {name!r} has no parameter {unknown[0]!r} (parameters: {listed})")
        try:
            return factory(**params)
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"{self.kind} policy {name!r}: {exc}") from None
