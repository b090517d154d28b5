"""Second processes that work beside a run (figures, a report's journal files) and end with it."""

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this forked process when the process that started it dies, even by SIGKILL.

    A forked worker holds both ends of its own pipes: if its parent is killed (the OOM killer, kill -9 on a
    task worker) it blocks forever writing its result, keeping the run's memory. Elsewhere, or if prctl is
    missing, nothing changes; if the parent is already gone, exit now.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        os._exit(0)
