"""Probability distributions of the scenario language, a tagged union on `kind`.

Every quantity drawn from a distribution in this model (a duration, a size, a price) is non-negative, so the
parameters are checked for that at load time: a bad parameter is a scenario error, never a NaN at run time.
Each distribution samples a whole batch at once (`sample(rng, size)`), which is how the simulation draws.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from logistics.scenario.base import ScenarioModel

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "LogNormal",
    "Triangular",
    "Uniform",
]


class Deterministic(ScenarioModel):
    """Always `value`."""

    kind: Literal["deterministic"] = "deterministic"
    value: float = Field(ge=0)

    @property
    def mean(self) -> float:
        """The expected value."""
        return self.value

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` draws (no randomness used, so streams stay aligned whatever the kind)."""
        return np.full(size, self.value, dtype=float)


class Exponential(ScenarioModel):
    """Exponential with the given mean (memoryless service or inter-arrival times)."""

    kind: Literal["exponential"] = "exponential"
    mean: float = Field(gt=0)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent draws."""
        return rng.exponential(self.mean, size)


class LogNormal(ScenarioModel):
    """Log-normal given by the mean and standard deviation of the variable itself (not of its log)."""

    kind: Literal["lognormal"] = "lognormal"
    mean: float = Field(gt=0)
    sd: float = Field(ge=0)

    @model_validator(mode="after")
    def _spread(self) -> LogNormal:
        if self.sd > 1000 * self.mean:
            raise ValueError(f"sd ({self.sd}) is over 1000 times the mean ({self.mean}): no real quantity spreads so")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent draws."""
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2.0
        return rng.lognormal(mu, math.sqrt(sigma2), size)


class Triangular(ScenarioModel):
    """Triangular on [low, high] with its mode at `mode`."""

    kind: Literal["triangular"] = "triangular"
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"needs low <= mode <= high, got {self.low}, {self.mode}, {self.high}")
        if self.low == self.high:
            raise ValueError("low and high are equal; use kind: deterministic for a constant")
        return self

    @property
    def mean(self) -> float:
        """The expected value."""
        return (self.low + self.mode + self.high) / 3.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent draws."""
        return rng.triangular(self.low, self.mode, self.high, size)


class Uniform(ScenarioModel):
    """Uniform on [low, high]."""

    kind: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"needs low < high, got low={self.low}, high={self.high}")
        return self

    @property
    def mean(self) -> float:
        """The expected value."""
        return (self.low + self.high) / 2.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent draws."""
        return rng.uniform(self.low, self.high, size)


class Empirical(ScenarioModel):
    """A discrete distribution over observed `values`, with optional `weights` (equal by default)."""

    kind: Literal["empirical"] = "empirical"
    values: list[Annotated[float, Field(ge=0)]] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"weights has {len(self.weights)} entries but values has {len(self.values)}")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def _probabilities(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.values), 1.0 / len(self.values))
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    @property
    def mean(self) -> float:
        """The expected value."""
        return float(np.dot(self._probabilities(), np.asarray(self.values, dtype=float)))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent draws."""
        return rng.choice(np.asarray(self.values, dtype=float), size=size, p=self._probabilities())


Distribution = Annotated[
    Deterministic | Exponential | LogNormal | Triangular | Uniform | Empirical,
    Field(discriminator="kind"),
]
"""Any of the distributions above, chosen by its `kind` key."""
