"""Where the many runs of `bench`, `plan` and `risk` execute: one layer, three executors.

- "serial": in this process, one after another;
- "local": a process pool that survives its workers: a worker killed mid-run (the OOM killer, kill -9) costs a
  retry of the runs it held, not the command; workers die with their parent. At most `workers` items are in
  flight at once, so when a worker dies only those items are charged an attempt;
- "dask": a Dask cluster (the scheduler at `address`, workers on any machines that have this package
  installed), or a local cluster of `workers` processes when no address is given. Dask re-runs the tasks of a
  worker that dies on the other workers (up to its `distributed.scheduler.allowed-failures`).

In every executor an item that kills its worker `max_attempts` times (Dask: more than its allowed failures) is
given up with a `WorkerLost` in place of its result; exceptions raised by the function itself propagate. Runs
carry their own seeds, so the results do not depend on the executor.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from logistics.core.process import die_with_parent

__all__ = [
    "EXECUTORS",
    "DaskRuns",
    "LocalRuns",
    "RunPool",
    "SerialRuns",
    "WorkerLost",
    "die_with_parent",
    "map_in_order",
    "open_pool",
    "resilient_map",
]

EXECUTORS = ("serial", "local", "dask")

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
    pool = LocalRuns(workers, max_attempts, initializer)
    try:
        yield from pool.map(fn, list(items))
    finally:
        pool.close()


class RunPool(Protocol):
    """Runs a function over items somewhere (see the module's docstring); open one with `open_pool`."""

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R | WorkerLost]]:
        """(index, result) for every item as each finishes, in any order."""
        ...

    def close(self) -> None:
        """Release the workers (a pool is reused across `map` calls until then)."""
        ...


class SerialRuns:
    """Every item in this process, in order."""

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R | WorkerLost]]:
        for index, item in enumerate(items):
            yield index, fn(item)

    def close(self) -> None:
        return None


class LocalRuns:
    """A local process pool of `workers` that survives its workers: kept across `map` calls, started again
    when one of its workers dies (the items that worker's pool held are charged an attempt)."""

    def __init__(self, workers: int, max_attempts: int = 3, initializer: Callable[[], None] | None = None) -> None:
        self.workers = workers
        self.max_attempts = max_attempts
        self._initializer = initializer
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_init, initargs=(self._initializer,))
        return self._pool

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R | WorkerLost]]:
        # A dead worker breaks the whole pool and no one can tell which item killed it: the items in flight are
        # run again one at a time (`solo`), and only an item whose worker dies while it runs alone is charged an
        # attempt, so an innocent item never pays for its neighbour.
        todo = list(enumerate(items))
        solo: list[tuple[int, T]] = []
        attempts: dict[int, int] = {}
        todo.reverse()  # pop() from the end keeps the original order
        while todo or solo:
            broken = False
            pool = self._executor()
            running: dict[Future[Any], tuple[int, T]] = {}
            alone = False  # a suspect is running: nothing else starts until it is done
            try:
                while (todo or solo or running) and not broken:
                    if not running:
                        alone = False
                    while not alone and ((solo and not running) or (not solo and todo and len(running) < self.workers)):
                        alone = bool(solo)
                        index, item = solo.pop() if solo else todo.pop()
                        try:
                            running[pool.submit(fn, item)] = (index, item)
                        except BrokenProcessPool:  # a worker died since the last look (while a result was yielded)
                            (solo if alone else todo).append((index, item))  # never ran: no attempt charged
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
            except BaseException:
                self._restart()  # an error in `fn` (or the caller stopping): nothing left running
                raise
            if broken:
                lost = [
                    (index, item)
                    for future, (index, item) in running.items()
                    if not (future.done() and not future.cancelled() and future.exception() is None)
                ]
                for future, (index, _) in running.items():
                    if future.done() and not future.cancelled() and future.exception() is None:
                        yield index, future.result()
                if len(lost) == 1:  # it ran alone: its own death
                    index, item = lost[0]
                    attempts[index] = attempts.get(index, 0) + 1
                    if attempts[index] >= self.max_attempts:
                        yield index, WorkerLost(attempts[index])
                    else:
                        solo.append((index, item))
                else:
                    solo.extend(reversed(lost))  # suspects: each runs alone next
                self._restart()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskRuns:
    """A Dask cluster: the scheduler at `address` ("tcp://host:8786"), or a local cluster of `workers`
    single-threaded processes started here and closed with the pool."""

    def __init__(self, address: str | None, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ImportError('the dask executor needs dask: pip install -e ".[dask]"') from None
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        self._client = Client(address if address is not None else self._cluster)

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R | WorkerLost]]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        if not items:
            return
        futures = self._client.map(fn, list(items), pure=False)
        index = {f.key: k for k, f in enumerate(futures)}
        try:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except KilledWorker as exc:  # the task's workers died more often than the cluster allows
                    result = WorkerLost(_dask_attempts(exc))
                yield index[future.key], result
        finally:
            for f in futures:  # a caller that stops early (an error) leaves nothing running on the cluster
                f.cancel()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _dask_attempts(exc: Exception) -> int:
    """How many times Dask ran a task whose workers kept dying (its `allowed-failures` + 1)."""
    import dask

    return int(dask.config.get("distributed.scheduler.allowed-failures", 3)) + 1


def open_pool(executor: str, workers: int | None = None, address: str | None = None, max_attempts: int = 3) -> RunPool:
    """The pool named by `executor` ("serial", "local" or "dask"; see the module's docstring); `workers`
    defaults to all cores. "local" with one worker runs serially. Close it when done."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {executor!r}")
    n = workers or os.cpu_count() or 1
    if executor == "dask":
        return DaskRuns(address, n)
    if executor == "serial" or n == 1:
        return SerialRuns()
    return LocalRuns(n, max_attempts)


def map_in_order(pool: RunPool, fn: Callable[[T], R], items: Sequence[T]) -> list[R | WorkerLost]:
    """Every item's result, in the items' order."""
    out: list[Any] = [None] * len(items)
    for index, result in pool.map(fn, items):
        out[index] = result
    return out
