"""Worker processes that do not outlive their parent."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

__all__ = ["die_with_parent"]


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
