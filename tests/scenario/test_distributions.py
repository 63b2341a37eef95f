import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from logistics.scenario import Distribution

adapter = TypeAdapter(Distribution)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "deterministic", "value": 3},
        {"kind": "exponential", "mean": 2},
        {"kind": "lognormal", "mean": 5, "sd": 2},
        {"kind": "triangular", "low": 1, "mode": 2, "high": 6},
        {"kind": "uniform", "low": 1, "high": 3},
        {"kind": "empirical", "values": [1, 2, 4], "weights": [0.5, 0.3, 0.2]},
    ],
)
def test_sample_mean_matches_declared_mean(spec: dict) -> None:
    dist = adapter.validate_python(spec)
    draws = dist.sample(np.random.default_rng(0), 200_000)
    assert draws.min() >= 0
    assert draws.mean() == pytest.approx(dist.mean, rel=0.02)


def test_lognormal_sd_is_the_variable_sd() -> None:
    dist = adapter.validate_python({"kind": "lognormal", "mean": 10, "sd": 4})
    draws = dist.sample(np.random.default_rng(1), 400_000)
    assert draws.std() == pytest.approx(4, rel=0.03)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "triangular", "low": 3, "mode": 2, "high": 6}, "low <= mode <= high"),
        ({"kind": "uniform", "low": 3, "high": 3}, "low < high"),
        ({"kind": "exponential", "mean": 0}, "greater than 0"),
        ({"kind": "lognormal", "mean": 1, "sd": -1}, "greater than or equal to 0"),
        ({"kind": "empirical", "values": [1, 2], "weights": [1]}, "weights has 1 entries"),
        ({"kind": "empirical", "values": []}, "at least 1"),
        ({"kind": "gamma", "shape": 2}, "does not match any of the expected tags"),
    ],
)
def test_impossible_parameters_are_refused(spec: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        adapter.validate_python(spec)
