"""Forked children: collected, killed when they overrun, their errors raised in the parent."""

from __future__ import annotations

import pytest


def test_a_forked_child_that_overruns_is_killed_and_one_that_answers_is_collected() -> None:
    import time

    from logistics.core.process import Forked

    started = time.perf_counter()
    slow = Forked(time.sleep, 30)
    with pytest.raises(TimeoutError):
        slow.result(timeout_s=0.3)
    assert time.perf_counter() - started < 10 and not slow._process.is_alive()
    assert Forked(sum, [1, 2, 3]).result(timeout_s=10) == 6
    with pytest.raises(ZeroDivisionError):
        Forked(divmod, 1, 0).result()
