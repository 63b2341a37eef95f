import numpy as np
import pytest

from logistics.core import RandomStreams, replication_seed


def test_same_name_same_draws_across_instances() -> None:
    a = RandomStreams(replication_seed(5, 2)).generator("demand").random(5)
    b = RandomStreams(replication_seed(5, 2)).generator("demand").random(5)
    assert np.array_equal(a, b)


def test_streams_and_replications_are_independent() -> None:
    streams = RandomStreams(replication_seed(5, 0))
    demand = streams.generator("demand").random(5)
    other = streams.generator("pick").random(5)
    next_rep = RandomStreams(replication_seed(5, 1)).generator("demand").random(5)
    assert not np.array_equal(demand, other)
    assert not np.array_equal(demand, next_rep)


def test_adding_a_stream_does_not_shift_another() -> None:
    s1 = RandomStreams(replication_seed(9, 0))
    s1.generator("extra")
    with_extra = s1.generator("demand").random(3)
    without = RandomStreams(replication_seed(9, 0)).generator("demand").random(3)
    assert np.array_equal(with_extra, without)


def test_a_stream_is_handed_out_once() -> None:
    streams = RandomStreams(replication_seed(1, 0))
    streams.generator("x")
    with pytest.raises(ValueError, match="already handed out"):
        streams.generator("x")


def test_negative_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="seed"):
        replication_seed(-1, 0)
