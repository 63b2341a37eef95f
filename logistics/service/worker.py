"""Where jobs run: worker processes (one job at a time each, so a crash fails that job, not the server) or a
Dask cluster. A `WorkerPool` starts jobs on free slots, relays their progress, stops them when cancelled
(the solver stops and its best plan stands; a job that does not stop within a second loses its worker, which
is replaced) and replaces a worker that died."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from logistics.service.kinds import KINDS, Caps, Outcome

__all__ = ["Finished", "Progress", "Slot", "WorkerPool", "run_job"]


@dataclass(frozen=True)
class Progress:
    job_id: str
    facts: dict[str, Any]


@dataclass(frozen=True)
class Finished:
    """A job's end as a slot reports it: state done, failed or cancelled."""

    job_id: str
    state: str
    outcome: Outcome | None
    error: str | None
    note: str | None = None
    lost: bool = False  # its worker died: the job may run again (as when its server dies)


def run_job(kind: str, body: dict, caps: Caps) -> tuple[str, Outcome | None, str | None]:
    """Run one job here: (state, outcome, error). A library error (bad input found late) fails the job with
    its message; any other exception with its type, message and the last lines of the traceback."""
    from logistics.core.errors import LogisticsError

    try:
        outcome = KINDS[kind].run(body, caps)
    except LogisticsError as exc:
        return "failed", None, str(exc)
    except Exception as exc:
        tail = "".join(traceback.format_exception(exc)[-3:]).strip()
        return "failed", None, f"{type(exc).__name__}: {exc} ({tail})"
    return ("cancelled" if outcome.stopped else "done"), outcome, None


def _worker_main(conn: Connection, flag: Any) -> None:
    """A worker process: runs the jobs its pool sends, one at a time, under the stop flag."""
    import signal

    from logistics.core.control import controlled
    from logistics.core.process import die_with_parent

    die_with_parent()
    # the server ends its workers (after a shutdown's grace): a SIGTERM or Ctrl-C sent to the whole process group
    # must not kill the jobs it lets finish
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    last = [0.0]
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        job_id, kind, body, caps = message

        def report(facts: dict[str, Any], job_id: str = job_id) -> None:
            now = time.perf_counter()
            if now - last[0] >= 0.2:
                last[0] = now
                conn.send(("progress", job_id, facts))

        with controlled(flag, report):
            state, outcome, error = run_job(kind, body, caps)
        conn.send(("finished", job_id, state, outcome, error))


class Slot(Protocol):
    """A place a job runs (a worker process, a Dask task)."""

    job_id: str | None

    def start(self, job_id: str, kind: str, body: dict, caps: Caps, limit_s: float) -> None: ...
    def stop(self) -> None: ...


class _ProcessSlot:
    """One worker process and the job it runs."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.job_id: str | None = None
        self.started = 0.0
        self.limit_s = 0.0
        self.stop_at: float | None = None
        self.grace_s = 1.0
        self._spawn()

    def _spawn(self) -> None:
        self.flag = self._ctx.Event()
        self.conn, child = self._ctx.Pipe()
        # not a daemon: a job may start processes of its own (the `auto` backend forks PyVRP); it dies with the
        # server (`die_with_parent`) and `close` ends it
        self.process = self._ctx.Process(target=_worker_main, args=(child, self.flag), daemon=False)
        self.process.start()
        child.close()

    def start(self, job_id: str, kind: str, body: dict, caps: Caps, limit_s: float) -> None:
        self.flag.clear()
        self.job_id, self.started, self.limit_s, self.stop_at = job_id, time.monotonic(), limit_s, None
        self.grace_s = KINDS[kind].stop_grace_s
        self.conn.send((job_id, kind, body, caps))

    def stop(self) -> None:
        """Ask the running job to stop (it keeps its best plan); ended by force after its kind's grace (a
        solver: one second)."""
        if self.job_id is not None and self.stop_at is None:
            self.flag.set()
            self.stop_at = time.monotonic() + self.grace_s

    def restart(self) -> None:
        """End the worker (whatever it runs) and start a fresh one."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()
        self.job_id, self.stop_at = None, None
        self._spawn()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)


class WorkerPool:
    """`workers` worker processes (spawned: the server's threads are not copied into them)."""

    def __init__(self, workers: int) -> None:
        ctx = mp.get_context("spawn")
        self.slots = [_ProcessSlot(ctx) for _ in range(workers)]

    def free(self) -> list[_ProcessSlot]:
        return [s for s in self.slots if s.job_id is None]

    def alive(self) -> bool:
        return all(s.process.is_alive() for s in self.slots)

    def slot_of(self, job_id: str) -> _ProcessSlot | None:
        return next((s for s in self.slots if s.job_id == job_id), None)

    def poll(self, timeout_s: float) -> list[Progress | Finished]:
        """Messages from the workers (progress, finished jobs), and the ends of jobs whose worker died,
        overran its safety limit or did not stop in time after a cancel."""
        events: list[Progress | Finished] = []
        busy = {s.conn: s for s in self.slots if s.job_id is not None}
        if busy:
            ready = wait(list(busy), timeout=timeout_s)
        else:
            time.sleep(timeout_s)
            ready = []
        for conn in ready:
            slot = busy[conn]
            try:
                while slot.conn.poll():
                    message = slot.conn.recv()
                    if message[0] == "progress":
                        events.append(Progress(message[1], message[2]))
                    else:
                        _, job_id, state, outcome, error = message
                        events.append(Finished(job_id, state, outcome, error))
                        slot.job_id, slot.stop_at = None, None
                        break
            except (EOFError, OSError):
                job_id = slot.job_id
                code = slot.process.exitcode
                slot.restart()
                if job_id is not None:
                    events.append(
                        Finished(job_id, "failed", None, f"its worker process died (exit code {code})", lost=True)
                    )
        now = time.monotonic()
        for slot in self.slots:
            if slot.job_id is None:
                if not slot.process.is_alive():
                    slot.restart()
                continue
            if slot.stop_at is not None and now > slot.stop_at:
                job_id = slot.job_id
                slot.restart()
                events.append(Finished(job_id, "cancelled", None, None, "did not stop in time: its worker was ended"))
            elif now - slot.started > 1.5 * slot.limit_s + 60:
                job_id = slot.job_id
                slot.restart()
                events.append(
                    Finished(
                        job_id, "failed", None, f"ran past its time limit ({slot.limit_s:g} s): its worker was ended"
                    )
                )
        return events

    def busy(self) -> list[str]:
        """The ids of the jobs running now."""
        return [s.job_id for s in self.slots if s.job_id is not None]

    def close(self) -> None:
        import gc

        for slot in self.slots:
            slot.close()
        self.slots = []  # the stop flags' named semaphores are unlinked when collected: now, not at exit
        gc.collect()
