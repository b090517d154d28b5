"""Second processes that work beside a run (figures, statistics, a report's journal files) and end with it."""

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

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


class Workers:
    """Forked processes that compute parts of a run beside it: its figures, and the costliest statistics
    (personas, topics), started when the run begins and collected by the section that reports them.

    A job is a pure function of its arguments, so its result is the one the run's own process would compute,
    which it does when no process could be started (no fork here) or the job's process died (killed for
    memory, say). Two processes: on two cores the statistics the run computes itself, the jobs and the
    figures then share both cores instead of waiting for one."""

    def __init__(self, processes: int = 2):
        self._jobs: dict[Hashable, Future] = {}
        try:
            self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"),
                                             initializer=die_with_parent, initargs=(os.getpid(),))
        except (OSError, ValueError):  # no fork (or no processes) here: everything is computed when asked
            self._pool = None

    def submit(self, key: Hashable, function: Callable, *args, **kwargs) -> None:
        if self._pool is not None:
            try:
                self._jobs[key] = self._pool.submit(function, *args, **kwargs)
            except BrokenProcessPool:  # a process died: the rest is computed when asked
                self._pool = None

    def result(self, key: Hashable, function: Callable, *args, **kwargs):
        """The submitted job's result; `function(*args, **kwargs)` computed here if no process had it or its process died.
        An exception the job raised is raised here, as if it had run here."""
        job = self._jobs.pop(key, None)
        if job is not None:
            try:
                return job.result()
            except BrokenProcessPool:
                pass
        return function(*args, **kwargs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
