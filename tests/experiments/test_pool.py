"""The executor layer: the resilient pool (results in any order, a dying item retried then given up, a worker
whose forked child outlives it still noticed), a pool kept across maps, and every executor giving the same
results. The Dask cluster of separate processes is tested in test_dask_cluster.py (slow)."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from logistics.core.process import die_with_parent
from logistics.experiments.pool import LocalRuns, SerialRuns, WorkerLost, map_in_order, open_pool, resilient_map


def _square(x: int) -> int:
    return x * x


def _dies_on_three(x: int) -> int:
    if x == 3:
        os._exit(9)  # as if killed
    return x


def _forks_a_child_then_dies(x: int) -> int:
    if x == 1:
        pool = ProcessPoolExecutor(1, mp_context=mp.get_context("fork"), initializer=die_with_parent)
        pool.submit(time.sleep, 600)  # a child holding this worker's pipes, as the auto routing backend makes
        time.sleep(0.5)
        os._exit(9)
    return x


def test_every_item_once_in_any_order() -> None:
    got = dict(resilient_map(_square, range(20), workers=2))
    assert got == {i: i * i for i in range(20)}


def test_an_item_that_kills_its_worker_is_retried_then_given_up_and_the_rest_finish() -> None:
    got = dict(resilient_map(_dies_on_three, range(8), workers=2, max_attempts=2))
    assert isinstance(got[3], WorkerLost) and got[3].attempts == 2
    assert {k: v for k, v in got.items() if k != 3} == {i: i for i in range(8) if i != 3}


def _slow_or_dies(x: int) -> int:
    if x == 1:
        os._exit(9)
    time.sleep(1.0)  # still running when its neighbour's worker dies, every time they run side by side
    return x


def test_an_item_running_beside_one_that_kills_its_worker_is_not_charged_for_it() -> None:
    got = dict(resilient_map(_slow_or_dies, [0, 1, 2], workers=2, max_attempts=2))
    assert got[0] == 0 and got[2] == 2  # run again alone, they finish
    assert isinstance(got[1], WorkerLost) and got[1].attempts == 2  # charged only for dying alone


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="parent-death signal is Linux only")
def test_a_worker_dying_with_a_forked_child_is_still_noticed() -> None:
    start = time.monotonic()
    got = dict(resilient_map(_forks_a_child_then_dies, range(4), workers=2, max_attempts=1))
    assert isinstance(got[1], WorkerLost)
    assert [got[i] for i in (0, 2, 3)] == [0, 2, 3]
    assert time.monotonic() - start < 60


def _slow_square(x: int) -> int:
    time.sleep(0.2)
    return x * x


def test_a_worker_killed_while_a_result_is_being_handled_costs_a_retry_not_the_map() -> None:
    got: dict[int, int | WorkerLost] = {}
    before = {p.pid for p in mp.active_children()}
    for index, result in resilient_map(_slow_square, range(10), workers=2):
        if not got:  # the consumer kills a worker (kill -9) and takes its time: the pool is broken meanwhile
            os.kill(next(p.pid for p in mp.active_children() if p.pid not in before), 9)
            time.sleep(1.0)
        got[index] = result
    assert got == {i: i * i for i in range(10)}


def test_serial_and_local_give_the_same_results_in_order() -> None:
    for executor, kind in (("serial", SerialRuns), ("local", LocalRuns)):
        pool = open_pool(executor, workers=2)
        try:
            assert isinstance(pool, kind)
            assert map_in_order(pool, _square, list(range(12))) == [i * i for i in range(12)]
        finally:
            pool.close()


def test_one_local_worker_runs_serially_and_an_unknown_executor_is_refused_by_name() -> None:
    assert isinstance(open_pool("local", workers=1), SerialRuns)
    with pytest.raises(ValueError, match=r"serial, local, dask.*'cluster'"):
        open_pool("cluster")


def test_a_local_pool_is_kept_across_maps_and_starts_again_after_a_lost_worker() -> None:
    pool = LocalRuns(2, max_attempts=2)
    try:
        assert map_in_order(pool, _square, [1, 2, 3]) == [1, 4, 9]
        first = pool._pool
        assert map_in_order(pool, _square, [4, 5]) == [16, 25]
        assert pool._pool is first  # the same workers: no new pool per map (sizing calls map once per run)
        got = map_in_order(pool, _dies_on_three, [0, 3, 5])
        assert got[0] == 0 and got[2] == 5 and isinstance(got[1], WorkerLost) and got[1].attempts == 2
        assert map_in_order(pool, _square, [6, 7]) == [36, 49]  # a new pool after the broken one
    finally:
        pool.close()


def _fails_on_two(x: int) -> int:
    if x == 2:
        raise ArithmeticError("two")
    return x


def test_an_error_raised_by_the_function_propagates_and_the_pool_stays_usable() -> None:
    pool = LocalRuns(2)
    try:
        with pytest.raises(ArithmeticError, match="two"):
            map_in_order(pool, _fails_on_two, [0, 1, 2, 3])
        assert map_in_order(pool, _square, [2, 3]) == [4, 9]
    finally:
        pool.close()
