"""The callback-driven station against queueing theory, and its shift behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from logistics.sim.station import Station
from tests.sim.queueing import mmc_mean_wait


def _mmc(arrival_rate: float, service_rate: float, servers: int, n: int, seed: int) -> tuple[np.ndarray, Station]:
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    arrivals = np.cumsum(rng.exponential(1 / arrival_rate, n))
    service = rng.exponential(1 / service_rate, n).tolist()
    started = np.full(n, np.nan)
    finished = np.full(n, np.nan)
    station = Station(env, "s", [(0.0, servers)], lambda j: service[j], lambda j: None, started, finished)
    for j, t in enumerate(arrivals.tolist()):
        env.timeout(t, j).callbacks.append(lambda ev: station.arrive(ev.value))
    env.run()
    station.close()
    return started - arrivals, station


@pytest.mark.parametrize(
    ("lam", "mu", "c"),
    [
        (0.8, 1.0, 1),
        pytest.param(2.7, 1.0, 3, marks=pytest.mark.slow),
        pytest.param(8.0, 1.0, 10, marks=pytest.mark.slow),
    ],
)
def test_mmc_mean_wait_matches_erlang_c(lam: float, mu: float, c: int) -> None:
    waits, station = _mmc(lam, mu, c, 300_000, seed=11)
    steady = waits[20_000:]
    assert steady.mean() == pytest.approx(mmc_mean_wait(lam, mu, c), rel=0.05)
    assert station.served == 300_000
    assert station.busy_area / station.capacity_area == pytest.approx(lam / (mu * c), rel=0.02)


def test_fifo_and_non_preemptive_capacity_drop() -> None:
    env = simpy.Environment()
    started = np.full(3, np.nan)
    finished = np.full(3, np.nan)
    # Two servers until t=1, then none until t=5, then one.
    station = Station(env, "s", [(0.0, 2), (1.0, 0), (5.0, 1)], lambda j: 2.0, lambda j: None, started, finished)
    for j in range(3):
        station.arrive(j)
    env.run()
    assert started.tolist() == [0.0, 0.0, 5.0]
    assert finished.tolist() == [2.0, 2.0, 7.0]
    assert station.peak_queue == 1
