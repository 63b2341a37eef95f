"""Fast scalar draws for the event hot path: distributions sampled in batches, handed out one by one."""

from __future__ import annotations

import numpy as np

from logistics.scenario.distributions import Distribution

_BATCH = 4096


class BufferedSampler:
    """Calling it returns the next draw of `distribution x scale` (scale converts units, e.g. min -> h)."""

    __slots__ = ("_buffer", "_distribution", "_pos", "_rng", "_scale")

    def __init__(self, distribution: Distribution, rng: np.random.Generator, scale: float = 1.0) -> None:
        self._distribution = distribution
        self._rng = rng
        self._scale = scale
        self._buffer: list[float] = []
        self._pos = 0

    def __call__(self) -> float:
        pos = self._pos
        if pos >= len(self._buffer):
            self._buffer = (self._distribution.sample(self._rng, _BATCH) * self._scale).tolist()
            pos = 0
        self._pos = pos + 1
        return self._buffer[pos]


class UniformStream:
    """U(0, 1) draws in batches, handed out one at a time (decisions drawn as they come up, reproducibly)."""

    __slots__ = ("_buffer", "_pos", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buffer: list[float] = []
        self._pos = 0

    def __call__(self) -> float:
        if self._pos >= len(self._buffer):
            self._buffer = self._rng.random(4096).tolist()
            self._pos = 0
        self._pos += 1
        return self._buffer[self._pos - 1]
