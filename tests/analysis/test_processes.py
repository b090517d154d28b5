"""A run's second process ends with the run, even when the run is killed with SIGKILL: before, the
figure worker blocked forever on its own result pipe and kept the run's memory (seen after a killed test run)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import sys, time
from analysis.pipeline.figures import FigureDrawer
drawer = FigureDrawer(5)
drawer._pool.submit(int, 0).result()
print(*drawer._pool._processes, flush=True)
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
def test_the_figure_process_dies_with_a_run_killed_by_sigkill():
    run = subprocess.Popen([sys.executable, "-c", RUN], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    worker = int(run.stdout.readline())
    assert alive(worker)

    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker)
