"""Worker processes that do not outlive their parent."""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["Forked", "die_with_parent"]


def die_with_parent() -> None:
    """In a child process: ask Linux to kill it when its parent dies. Without it, a worker whose parent was
    killed (kill -9, the OOM killer) lives on idle, and a forked grandchild keeps its dead parent's pipes open,
    so a process pool never learns that its worker died. Does nothing on other systems."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


class Forked:
    """`fn(*args)` started at once in a forked child (Linux) that dies with its parent; `result()` collects it.

    The call and its arguments travel by the fork itself, not through a pool's feeder thread: a pool's thread
    needs the interpreter lock to hand a job over, and a caller that goes straight into a long C++ call holding
    it (an OR-Tools search) kept the job from starting until that call returned, doubling the wall time."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        ctx = mp.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_run_and_send, args=(send, fn, args), daemon=True)
        self._process.start()
        send.close()

    def result(self, timeout_s: float | None = None) -> Any:
        """The child's return value (its exception is raised here; a child that died raises RuntimeError, one
        that has not answered within `timeout_s` is killed and raises TimeoutError)."""
        if timeout_s is not None and not self._recv.poll(timeout_s):
            self.cancel()
            raise TimeoutError(f"the child process did not answer within {timeout_s:g} s")
        try:
            ok, value = self._recv.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"the child process died (exit code {self._process.exitcode})") from None
        finally:
            self._recv.close()
        self._process.join()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child (if still running) without waiting for its result."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._recv.close()


def _run_and_send(send: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    die_with_parent()
    try:
        outcome: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # handed to the parent, which raises it
        outcome = (False, exc)
    send.send(outcome)
    send.close()
