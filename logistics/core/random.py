"""Independent, reproducible random streams.

One root `numpy.random.SeedSequence` per replication; each named stream gets a child derived from the
stream's name (a stable CRC32), so adding a stream never shifts the draws of another one. This is what makes
common random numbers work across policies: the demand stream of replication 3 is the same whatever else the
model draws.
"""

from __future__ import annotations

import zlib

import numpy as np


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication: the `replication`-th child of `SeedSequence(root_seed)`."""
    if root_seed < 0:
        raise ValueError(f"seed must be >= 0, got {root_seed}")
    if replication < 0:
        raise ValueError(f"replication must be >= 0, got {replication}")
    return np.random.SeedSequence(root_seed, spawn_key=(replication,))


class RandomStreams:
    """Named `numpy.random.Generator`s spawned from one seed sequence; same name, same stream."""

    def __init__(self, seed: np.random.SeedSequence) -> None:
        self._seed = seed
        self._made: set[str] = set()

    def generator(self, name: str) -> np.random.Generator:
        """A fresh generator for `name`; asking twice for one name is a bug (the draws would repeat)."""
        if name in self._made:
            raise ValueError(f"random stream {name!r} was already handed out")
        self._made.add(name)
        key = zlib.crc32(name.encode("utf-8"))
        child = np.random.SeedSequence(self._seed.entropy, spawn_key=(*self._seed.spawn_key, key))
        return np.random.Generator(np.random.PCG64(child))
