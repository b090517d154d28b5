"""`make demo` from a fresh clone until the site answers, against its floor in the same clone.

    .venv/bin/python benchmarks/demo_bench.py [--port 8150] [--repo .]

Clones the repository's committed HEAD into a temporary directory (so nothing of this work tree,
no .venv, no var/, no __pycache__, comes along) and, in that clone, runs `make venv` once untimed (so
that pip's cache and the files it reads are as warm for both measurements), then `git clean -xdf`
(back to a fresh clone: the venv, the database and every compiled module gone) before each of:

1. the floor: what any Django site must do before a browser can open it, one step after the other:
   `make venv` (pip installs the packages, the same step `make demo` starts with), `manage.py migrate`
   on an empty SQLite database, and `manage.py runserver` until it answers an HTTP request. It leaves
   out only what is the demo's own: loading the demo survey, study, usage logs and coding.
2. `make demo PORT=...` until the site answers, with the time its install step took (the stamp file
   .venv/.installed) and `prepare_demo`'s own step times. Then the demo is stopped.

Prints the seconds of each and their ratio, the load average before and after (the development
machine is shared), and whether the login and URL were the last lines printed, after the answer.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 1800


def answers(url):
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def wait_until_answers(url, process, started):
    while time.perf_counter() - started < TIMEOUT:
        if answers(url):
            return time.perf_counter() - started
        if process.poll() is not None:
            raise SystemExit(f"{process.args} ended ({process.returncode}) before {url} answered")
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {TIMEOUT} s")


def stop(process):
    """Stop a process started in its own group, and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def timed(command, clone, env):
    started = time.perf_counter()
    subprocess.run(command, cwd=clone, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def fresh(clone):
    subprocess.run(["git", "clean", "-xdfq"], cwd=clone, check=True)


def floor(clone, env, port):
    """(install, migrate, runserver) seconds in the clone."""
    fresh(clone)
    install = timed(["make", "venv"], clone, env)
    (clone / "var").mkdir(exist_ok=True)
    migrate = timed([".venv/bin/python", "manage.py", "migrate", "--noinput"], clone, env)
    started = time.perf_counter()
    server = subprocess.Popen([".venv/bin/python", "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=clone, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        serve = wait_until_answers(f"http://127.0.0.1:{port}/", server, started)
    finally:
        stop(server)
    return install, migrate, serve


def demo(clone, env, port):
    """(seconds until the site answered, seconds of its install step, what make demo printed, answered at line)."""
    fresh(clone)
    log = clone.parent / "make-demo.log"
    with open(log, "w", encoding="utf-8") as output:
        started, start_clock = time.perf_counter(), time.time()
        process = subprocess.Popen(["make", "demo", f"PORT={port}"], cwd=clone, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            seconds = wait_until_answers(f"http://127.0.0.1:{port}/", process, started)
            lines_when_answered = len(log.read_text(encoding="utf-8").splitlines())
            time.sleep(3)  # what make demo prints once its own wait sees the server
        finally:
            stop(process)
    install = (clone / ".venv" / ".installed").stat().st_mtime - start_clock
    return seconds, install, log.read_text(encoding="utf-8"), lines_when_answered


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--repo", default=str(REPO), help="repository to clone (its committed HEAD)")
    arguments = parser.parse_args()
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "VIRTUAL_ENV", "UPTAKE_PSEUDONYM_KEY_FILE", "UPTAKE_BASE_URL")}
    if answers(f"http://127.0.0.1:{arguments.port}/"):
        sys.exit(f"something already answers on port {arguments.port}")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="uptake-demo-bench-") as directory:
        clone = Path(directory) / "uptake"
        subprocess.run(["git", "clone", "--quiet", arguments.repo, str(clone)], check=True)
        timed(["make", "venv"], clone, env)  # warm-up, untimed
        install, migrate, serve = floor(clone, env, arguments.port)
        seconds, demo_install, printed, lines_when_answered = demo(clone, env, arguments.port)
    load_after = os.getloadavg()
    lines = printed.splitlines()
    ready = next((line for line in lines if line.startswith("Demo data ready")), "(no prepare_demo line)")
    up = next((number for number, line in enumerate(lines) if line.startswith("Uptake demo is up at")), None)
    login = next((number for number, line in enumerate(lines) if "researcher / uptake-demo" in line), None)
    serving = next((number for number, line in enumerate(lines) if "Starting development server" in line), None)
    floor_seconds = install + migrate + serve
    print(f"load average before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}, "
          f"after {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}")
    print(f"floor: {floor_seconds:.0f} s (make venv {install:.0f} s, migrate {migrate:.1f} s, runserver answers {serve:.1f} s)")
    print(f"make demo until the site answers: {seconds:.0f} s (its install step {demo_install:.0f} s, "
          f"after it {seconds - demo_install:.0f} s), {seconds / floor_seconds:.2f}x the floor")
    print(ready)
    print(f"login, then the URL printed after the server started: "
          f"{None not in (serving, login, up) and serving < login < up}; the benchmark saw the answer "
          f"after line {lines_when_answered} of {len(lines)}")
    print("make demo's last lines:", *lines[-8:], sep="\n  ")


if __name__ == "__main__":
    main()
