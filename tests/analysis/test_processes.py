"""A run's second processes (figures, personas, topics) end with the run, even when the run is killed with
SIGKILL: before, the figure worker blocked forever on its own result pipe and kept the run's memory (seen after a
killed test run). A job whose process died is computed in the run itself, and a job's error is the run's."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.pipeline.figures import render_figure
from analysis.pipeline.processes import Workers

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import sys, time
from analysis.pipeline.processes import Workers
workers = Workers()
workers._pool.submit(int, 0).result()
print(*workers._pool._processes, flush=True)
time.sleep(60)
"""


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for init to reap it has ended
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_the_second_processes_die_with_a_run_killed_by_sigkill():
    run = subprocess.Popen([sys.executable, "-c", RUN], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    processes = [int(pid) for pid in run.stdout.readline().split()]
    assert len(processes) == 2 and all(alive(pid) for pid in processes)

    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in processes)


def test_a_job_whose_process_died_is_computed_in_the_run_itself():
    """The second processes may be killed (for memory, by an operator); the report must still get its figure."""
    spec = {"name": "sus", "kind": "sus", "title": "SUS", "table": pd.DataFrame({"sus_score": np.arange(0, 100, 2.5)})}
    workers = Workers()
    if workers._pool is None:
        pytest.skip("no second process can be started here")
    workers._pool.submit(int, 0).result()  # the worker processes exist
    workers.submit("sus", render_figure, spec, 5)  # pending while the processes are killed
    for process in list(workers._pool._processes.values()):
        process.kill()
        process.join()
    later = dict(spec, name="sus_later")  # submitted after the processes died
    workers.submit("later", render_figure, later, 5)
    try:
        assert workers.result("sus", render_figure, spec, 5) == render_figure(spec, 5)
        assert workers.result("later", render_figure, later, 5) == render_figure(later, 5)
    finally:
        workers.close()


def test_a_job_that_fails_raises_its_error_in_the_run():
    """A statistic that fails in the second process becomes the same exception where its section collects it (the
    section's guard turns it into a message), and a key never submitted is computed on the spot."""
    workers = Workers()
    try:
        workers.submit("bad", int, "not a number")
        with pytest.raises(ValueError, match="invalid literal"):
            workers.result("bad", int, "not a number")
        assert workers.result("never submitted", int, "41") == 41
    finally:
        workers.close()
