"""A process pool that survives its workers: a worker killed mid-run (the OOM killer, kill -9) costs a retry of
the runs it held, not the whole experiment; workers die with their parent.

At most `workers` items are in flight at once, so when a worker dies only those items are charged an attempt;
an item that kills its worker `max_attempts` times is given up with a `WorkerLost` in place of its result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from logistics.core.process import die_with_parent

__all__ = ["WorkerLost", "die_with_parent", "resilient_map"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class WorkerLost:
    """The result of an item whose worker process died every time it ran it."""

    attempts: int

    def __str__(self) -> str:
        return f"its worker process died {self.attempts} time(s) (killed, or out of memory)"


def _init(initializer: Callable[[], None] | None) -> None:
    die_with_parent()
    if initializer is not None:
        initializer()


def resilient_map(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    max_attempts: int = 3,
    initializer: Callable[[], None] | None = None,
) -> Iterator[tuple[int, R | WorkerLost]]:
    """Run `fn` on every item in worker processes and yield (index, result) as each finishes, in any order.
    Exceptions raised by `fn` propagate (catch them inside `fn` to record them); a dead worker restarts the
    pool and re-runs the items it held, up to `max_attempts` times each."""
    todo = list(enumerate(items))
    attempts: dict[int, int] = {}
    todo.reverse()  # pop() from the end keeps the original order
    while todo:
        broken = False
        with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(initializer,)) as pool:
            running: dict[Future[Any], tuple[int, T]] = {}
            while (todo or running) and not broken:
                while todo and len(running) < workers:
                    index, item = todo.pop()
                    try:
                        running[pool.submit(fn, item)] = (index, item)
                    except BrokenProcessPool:  # a worker died since the last look (while a result was yielded)
                        todo.append((index, item))  # never ran: no attempt charged
                        broken = True
                        break
                if broken:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    index, item = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        running[future] = (index, item)  # handled with the other in-flight items below
                        continue
                    yield index, result
            if broken:
                for future, (index, item) in running.items():
                    if future.done() and not future.cancelled() and future.exception() is None:
                        yield index, future.result()
                        continue
                    attempts[index] = attempts.get(index, 0) + 1
                    if attempts[index] >= max_attempts:
                        yield index, WorkerLost(attempts[index])
                    else:
                        todo.append((index, item))
                pool.shutdown(wait=False, cancel_futures=True)
