"""The resilient pool: results in any order, a dying item retried then given up, and a worker whose forked
child outlives it still noticed (the child dies with it)."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from logistics.core.process import die_with_parent
from logistics.experiments.pool import WorkerLost, resilient_map


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
