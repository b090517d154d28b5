"""Respondents at full speed, through faults: the production server on loopback, driven like browsers.

    .venv/bin/python benchmarks/respondent_load.py --respondents 200 --think 5 15 --ramp 60
    .venv/bin/python benchmarks/respondent_load.py --respondents 1000 --ramp 10
    .venv/bin/python benchmarks/respondent_load.py --respondents 300 --faults kill-worker@15 restart@35 terminate-db@55
    .venv/bin/python benchmarks/respondent_load.py --suite     # the three runs of issue 11, one after the other

One run:
1. makes a PostgreSQL database of its own (--database, dropped and created), migrates it, collects
   static files, and creates a wave of the demo instrument with one invitation link per respondent;
2. starts gunicorn with config/gunicorn.conf.py and production settings (benchmarks/respondent_settings.py)
   on a free port of 127.0.0.1, behind nginx configured as in docs/deploy.md when nginx is installed;
3. the floors: --floor-clients respondents who consented POST their pages' form data, with their
   cookies, to a view that does one INSERT (and reads neither); then to one that checks the CSRF
   token and reads the respondent's cookie before the same INSERT;
4. submits: --submit-respondents consent first (not timed); as many clients as for the floor post
   their pages one after the other (without fetching each page first), so a page submit is
   compared with the floor on equal terms. The three phases take turns (--floor-rounds), each for
   --floor-seconds in all, so that the machine's drift falls on all three. The CPU time the
   driver, the gunicorn workers, nginx and PostgreSQL used per request is shown for each;
5. respondents: each follows its own invitation link, reads the information page, consents and
   answers every page as a browser does (GET the page, fill the form, POST it with the CSRF token
   and cookies, follow the redirect), pausing --think seconds on each page; all start within --ramp
   seconds. Faults (--faults NAME@SECONDS) happen meanwhile. A respondent who gets an error page or
   no answer waits a few seconds and tries again, as a person would, and we record what they saw;
6. checks every acknowledged answer (a POST answered with a redirect onward) against the database.

Everything is bounded: respondents give up after --max-seconds, and the servers are stopped at the
end. Only 127.0.0.1 is ever contacted.
"""

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import lxml.html
import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
HOST = "127.0.0.1"
FAULT_MARKER = 'id="uptake-fault"'  # in templates/500.html, the friendly page
WAVE = "bench"


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, scratch: Path, port: int) -> dict:
    return {
        **os.environ,
        "UPTAKE_PRODUCTION": "1",
        "DJANGO_SETTINGS_MODULE": "benchmarks.respondent_settings",
        "SECRET_KEY": "benchmark-only-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(scratch / "static"),
        "UPTAKE_PSEUDONYM_KEY_FILE": str(scratch / "pseudonym.key"),
        "GUNICORN_BIND": f"{HOST}:{port}",
        "PYTHONPATH": str(REPO),
    }


def recreate_database(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict, respondents: int, seed: int) -> list[str]:
    """Migrate, collect static files, create the wave and its invitations; returns the tokens."""
    (Path(env["STATIC_ROOT"])).mkdir(parents=True, exist_ok=True)
    key_file = Path(env["UPTAKE_PSEUDONYM_KEY_FILE"])
    key_file.write_text(random.Random(seed).randbytes(32).hex() + "\n")
    key_file.chmod(0o600)
    os.environ.update(env)
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks.respondent_urls import create_floor_table
    from surveys import services
    from surveys.demo import DEMO_INSTRUMENT
    from surveys.models import Wave

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    create_floor_table()
    version = services.import_instrument(DEMO_INSTRUMENT).version
    now = timezone.now()
    wave = Wave.objects.create(slug=WAVE, title=WAVE, instrument_version=version, opens_at=now - timedelta(days=1),
                               closes_at=now + timedelta(days=7), privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    tokens = [token for _identifier, token in services.create_invitations(wave, count=respondents)]
    connection.close()
    return tokens


class Server:
    """gunicorn (config/gunicorn.conf.py), optionally behind nginx as docs/deploy.md configures it."""

    def __init__(self, env: dict, scratch: Path, use_proxy: bool):
        self.env, self.scratch = env, scratch
        self.app_port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.proxy_port = free_port() if use_proxy else None
        self.gunicorn: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.log = open(scratch / "server.log", "ab")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.proxy_port or self.app_port}"

    def start(self) -> None:
        self.start_app()
        if self.proxy_port:
            conf = self.scratch / "nginx.conf"
            conf.write_text(nginx_conf(self.scratch, self.proxy_port, self.app_port))
            self.nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(self.scratch)],
                                          stdout=self.log, stderr=self.log)
        wait_until_up(self.url)

    def start_app(self) -> None:
        self.gunicorn = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "gunicorn"), "-c", str(REPO / "config" / "gunicorn.conf.py"), "config.wsgi"],
            cwd=REPO, env=self.env, stdout=self.log, stderr=self.log,
        )

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def nginx_workers(self) -> list[int]:
        if self.nginx is None:
            return []
        return [int(pid) for pid in Path(f"/proc/{self.nginx.pid}/task/{self.nginx.pid}/children").read_text().split()]

    def restart(self) -> None:
        """Stop the whole application server (gracefully, as systemctl restart does) and start it again."""
        self.gunicorn.send_signal(signal.SIGTERM)
        self.gunicorn.wait(timeout=60)
        self.start_app()

    def stop(self) -> None:
        for process in (self.nginx, self.gunicorn):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM if process is self.gunicorn else signal.SIGQUIT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.log.close()


def nginx_conf(scratch: Path, port: int, app_port: int) -> str:
    """The proxy settings of docs/deploy.md (minus TLS): buffered requests, the friendly page on 502-504."""
    return f"""
daemon off;
user root;
worker_processes auto;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {scratch}/nginx-body;
    proxy_temp_path {scratch}/nginx-proxy;
    fastcgi_temp_path {scratch}/nginx-fastcgi;
    uwsgi_temp_path {scratch}/nginx-uwsgi;
    scgi_temp_path {scratch}/nginx-scgi;
    client_header_timeout 15s;
    client_body_timeout 15s;
    client_max_body_size 1m;
    upstream uptake {{ server {HOST}:{app_port}; keepalive 16; keepalive_timeout 4s; }}
    server {{
        listen {HOST}:{port} backlog=4096;
        location / {{
            proxy_pass http://uptake;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_request_buffering on;
            proxy_buffering on;
            proxy_connect_timeout 5s;
            proxy_read_timeout 60s;
        }}
        error_page 502 503 504 /500.html;
        location = /500.html {{ root {REPO / "templates"}; internal; }}
    }}
}}
"""


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s (see server.log)")


def terminate_database_connections(database_url: str) -> int:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", [name]).fetchall()
    return len(rows)


# --- the driver ----------------------------------------------------------------------------------


def main_form(html: str) -> dict:
    """The fields of the page's main form (not the language switch), as a browser would submit them.

    Parsed with lxml (C): the pure-Python HTMLParser cost the driver about 10 ms a page, and a
    starved driver opened connections it then left silent until nginx dropped them.
    """
    page = lxml.html.fromstring(html)
    element = [form for form in page.iter("form") if "language-switch" not in (form.get("class") or "")][-1]
    form = {"hidden": {}, "radio": defaultdict(list), "checkbox": defaultdict(list), "select": defaultdict(list),
            "number": {}, "text": [], "buttons": []}
    for control in element.iter("input", "textarea", "select", "button"):
        name, kind = control.get("name"), control.get("type", "text")
        if not name:
            continue
        if control.tag == "button":
            form["buttons"].append(name)
        elif control.tag == "select":
            form["select"][name] = [option.get("value") for option in control.iter("option") if option.get("value")]
        elif control.tag == "textarea":
            form["text"].append(name)
        elif kind == "hidden":
            form["hidden"][name] = control.get("value", "")
        elif kind in ("radio", "checkbox"):
            form[kind][name].append(control.get("value", "on"))
        elif kind == "number":
            form["number"][name] = (int(control.get("min") or 0), int(control.get("max") or 100))
        else:
            form["text"].append(name)
    return form


def fill(form: dict, rng: random.Random) -> tuple[dict, dict]:
    """(POST data, the answers in it) choosing like a respondent: one option each, some text."""
    answers: dict = {}
    for name, values in form["radio"].items():
        answers[name] = rng.choice([value for value in values if value != "other"])
    for name, values in form["checkbox"].items():
        choices = [value for value in values if value != "other"]
        answers[name] = choices[0] if name in ("consent", "linkage") else [rng.choice(choices)]
    for name, values in form["select"].items():
        answers[name] = rng.choice([value for value in values if value != "other"])
    for name, (low, high) in form["number"].items():
        answers[name] = str(rng.randint(low, min(high, low + 20)))
    for name in form["text"]:
        if not name.endswith("_other"):
            answers[name] = f"benchmark text {rng.randint(1, 999)}"
    data = {**form["hidden"], **answers}
    if "next" in form["buttons"]:
        data["next"] = "1"
    return data, answers


@dataclass
class Record:
    phase: str
    kind: str  # "get", "submit" (a page POST), "post" (consent), "floor"
    started: float
    seconds: float
    outcome: str  # "ok", "friendly" (our try-again page), "bare" (any other error page), "connection"
    status: int = 0


@dataclass
class Respondent:
    token: str
    acknowledged: dict = field(default_factory=dict)  # item -> value the server confirmed storing
    completed: bool = False
    gave_up: str = ""


class Browser(httpx.AsyncClient):
    """httpx prepares the request that would follow a redirect even when told not to follow it
    (response.next_request: a copy of the cookie jar and a Cookie header, 0.27 ms of the driver's
    CPU on this machine). The driver reads Location itself, so a page submit, answered with a
    redirect, would cost the driver more than a floor request, answered with 200, for nothing."""

    def _build_redirect_request(self, request: httpx.Request, response: httpx.Response) -> None:
        return None


class Driver:
    def __init__(self, base_url: str, records: list, deadline: float, retry_wait=(2.0, 5.0), max_attempts=40):
        self.base_url, self.records, self.deadline = base_url, records, deadline
        self.retry_wait, self.max_attempts = retry_wait, max_attempts
        self.connection_errors: Counter = Counter()
        # httpx builds an SSL context for every client unless given one: 17 ms each, which at the
        # start of a burst of 1,000 blocked the driver's event loop for seconds.
        self.ssl_context = ssl.create_default_context()

    def client(self) -> Browser:
        """A browser of its own: its cookies and its own keep-alive connection, as a browser has.
        (One pool shared by hundreds of clients made the driver scan every pooled connection on
        each request: its CPU per request grew with the number of respondents.)"""
        transport = httpx.AsyncHTTPTransport(retries=0, verify=self.ssl_context)
        return Browser(base_url=self.base_url, transport=transport, verify=self.ssl_context, trust_env=False,
                       follow_redirects=False, timeout=httpx.Timeout(120.0, connect=30.0),
                       headers={"Accept-Language": "de"})

    async def request(self, client, phase, kind, method, url, data=None) -> httpx.Response:
        """One request as a person makes it: on an error page or no answer, wait and try again."""
        for _attempt in range(self.max_attempts):
            if time.monotonic() > self.deadline:
                break
            started = time.monotonic()
            try:
                reply = await client.request(method, url, data=data)
            except httpx.HTTPError as exc:
                self.records.append(Record(phase, kind, started, time.monotonic() - started, "connection"))
                self.connection_errors[type(exc).__name__] += 1
            else:
                outcome = "ok"
                if reply.status_code >= 500:
                    outcome = "friendly" if FAULT_MARKER in reply.text else "bare"
                elif reply.status_code in (400, 403, 404):
                    outcome = "bare"
                self.records.append(Record(phase, kind, started, time.monotonic() - started, outcome, reply.status_code))
                if outcome == "ok" or reply.status_code in (400, 403, 404):
                    return reply
            await asyncio.sleep(random.uniform(*self.retry_wait))
        raise TimeoutError(f"{method} {url}: no answer after {self.max_attempts} attempts or past the deadline")

    async def respondent(self, person: Respondent, phase: str, think: tuple[float, float], seed: int,
                         static_paths: list[str]) -> None:
        rng = random.Random(seed)
        async with self.client() as client:
            try:
                await self._answer_survey(client, person, phase, think, rng, static_paths)
            except (TimeoutError, StopIteration, ValueError) as exc:
                person.gave_up = str(exc)[:200]

    async def _answer_survey(self, client, person, phase, think, rng, static_paths):
        reply = await self.request(client, phase, "get", "GET", f"/i/{person.token}/")
        url = reply.headers["location"]
        for path in static_paths:  # an empty browser cache: the stylesheet and script once
            await self.request(client, phase, "get", "GET", path)
        while True:
            page = await self.request(client, phase, "get", "GET", url)
            if page.status_code != 200:
                raise ValueError(f"GET {url} answered {page.status_code}")
            if url.endswith("/thanks/"):
                person.completed = True
                return
            data, answers = fill(main_form(page.text), rng)
            await asyncio.sleep(rng.uniform(*think))
            is_page = "/p/" in url
            reply = await self.request(client, phase, "submit" if is_page else "post", "POST", url, data=data)
            if reply.status_code != 302:
                raise ValueError(f"POST {url} answered {reply.status_code}")
            if is_page:
                person.acknowledged.update(answers)
            url = reply.headers["location"]

    async def consent(self, token: str, phase: str) -> tuple[Browser, dict, str]:
        """Open the invitation and consent: (the browser, its CSRF field, the first page's URL)."""
        client = self.client()
        reply = await self.request(client, phase, "get", "GET", f"/i/{token}/")
        url = reply.headers["location"]
        info = await self.request(client, phase, "get", "GET", url)
        csrf = main_form(info.text)["hidden"]
        reply = await self.request(client, phase, "post", "POST", url, data={**csrf, "consent": "yes"})
        return client, csrf, reply.headers["location"]

    async def submitter(self, consented: list, phase: str, until: float, pages: dict) -> None:
        """POST page after page of consented respondents, with answers learnt from a first respondent."""
        while consented and time.monotonic() < until:
            client, csrf, url = consented.pop()
            try:
                while "/p/" in url and time.monotonic() < until:
                    answers = pages[url.rstrip("/").rsplit("/", 1)[1]]
                    reply = await self.request(client, phase, "submit", "POST", url,
                                               data={**csrf, **answers, "next": "1"})
                    url = reply.headers["location"]
            finally:
                await client.aclose()

    async def floor(self, browser: tuple, phase: str, path: str, until: float, pages: dict) -> None:
        """POST to a floor view what a page submit posts: the same cookies and form data, so the
        ratio compares the server's work on equal requests."""
        client, csrf, _url = browser
        while time.monotonic() < until:
            for answers in pages.values():
                await self.request(client, phase, "floor", "POST", path, data={**csrf, **answers, "next": "1"})


async def consent_all(driver: Driver, tokens: list[str], clients: int) -> list:
    """Consent for every token, at most `clients` at a time, before the submit phase is timed."""
    gate = asyncio.Semaphore(clients)

    async def one(token):
        async with gate:
            return await driver.consent(token, "consent")

    return list(await asyncio.gather(*(one(token) for token in tokens)))


class CpuMeter:
    """CPU seconds used since the last lap by the driver, the gunicorn workers, nginx and PostgreSQL
    (all its processes on this machine) from /proc."""

    def __init__(self, server: Server):
        self.server = server
        self.last = self.read()

    def read(self) -> dict:
        """(part, pid) -> CPU seconds that process has used; the driver is this process."""
        tick = os.sysconf("SC_CLK_TCK")
        used = {("driver", os.getpid()): sum(os.times()[:2])}
        postgres = postgres_processes()
        for part, pids in (("gunicorn", self.server.workers()), ("nginx", self.server.nginx_workers()),
                           ("postgres", postgres)):
            for pid in pids:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except FileNotFoundError:  # a worker that just exited
                    continue
                seconds = int(fields[11]) + int(fields[12])
                if part == "postgres" and int(fields[1]) not in postgres:
                    # The postmaster: with the CPU of its exited children, the backends of closed
                    # connections (CONN_MAX_AGE ends them mid-run), which would otherwise vanish.
                    seconds += int(fields[13]) + int(fields[14])
                used[part, pid] = seconds / tick
        return used

    def worker_memory(self) -> str:
        """Resident memory of each gunicorn worker, in MB."""
        sizes = []
        for pid in self.server.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(status.split("VmRSS:")[1].split()[0]) // 1024)
        return " / ".join(f"{size} MB" for size in sizes)

    def lap(self) -> dict:
        """part -> CPU seconds since the last lap, summed over its processes (new ones from zero)."""
        now = self.read()
        used = {"driver": 0.0, "gunicorn": 0.0, "nginx": 0.0, "postgres": 0.0}
        for (part, pid), seconds in now.items():
            if part != "postgres":
                used[part] += seconds - self.last.get((part, pid), 0.0)
        # PostgreSQL's total only grows: a backend that exits moves its whole CPU time into the
        # postmaster's count of its children, so the difference of the totals is what it used.
        used["postgres"] = sum(s for (part, _), s in now.items() if part == "postgres") - sum(
            s for (part, _), s in self.last.items() if part == "postgres")
        self.last = now
        return used


def postgres_processes() -> list[int]:
    """The PostgreSQL server's processes: it shares the cores with the app, so its CPU counts too."""
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                pids.append(int(comm.parent.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return pids


async def learn_pages(driver: Driver, token: str) -> dict:
    """Page code -> the form data one respondent posted, for the submit phase."""
    pages = {}
    rng = random.Random(0)
    async with driver.client() as client:
        reply = await driver.request(client, "learn", "get", "GET", f"/i/{token}/")
        url = reply.headers["location"]
        while not url.endswith("/thanks/"):
            page = await driver.request(client, "learn", "get", "GET", url)
            data, answers = fill(main_form(page.text), rng)
            if "/p/" in url:
                pages[url.rstrip("/").rsplit("/", 1)[1]] = answers
            url = (await driver.request(client, "learn", "post", "POST", url, data=data)).headers["location"]
    return pages


# --- checking and reporting ----------------------------------------------------------------------


def same_answer(stored, posted) -> bool:
    if isinstance(posted, list):
        return isinstance(stored, list) and sorted(map(str, stored)) == sorted(posted)
    if isinstance(stored, (int, float)) and not isinstance(stored, bool):
        try:
            return float(posted) == float(stored)
        except ValueError:
            return False
    return str(stored) == posted


def check_answers(people: list[Respondent]) -> tuple[int, int, int]:
    """(acknowledged answers checked, lost or altered, completed respondents not stored as completed).

    On a connection of its own, closed afterwards: a later terminate-db fault would otherwise cut
    the driver's kept connection too.
    """
    from django.db import connection

    from surveys.models import Invitation, Response
    from surveys.services import hash_token

    checked = lost = not_completed = 0
    try:
        for person in people:
            invitation = Invitation.objects.filter(token_hash=hash_token(person.token)).first()
            response = Response.objects.filter(invitation=invitation).first() if invitation else None
            stored = {answer.item: answer.value for answer in response.answers.all()} if response else {}
            for item, value in person.acknowledged.items():
                checked += 1
                lost += not (item in stored and same_answer(stored[item], value))
            not_completed += person.completed and (response is None or response.status != Response.Status.COMPLETED)
    finally:
        connection.close()
    return checked, lost, not_completed


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(records: list[Record], phase: str, kinds: tuple[str, ...], seconds: float | None = None) -> dict:
    """Counts, throughput and latencies of one phase; its duration is `seconds` when it ran in
    rounds, else the span from its first request to its last answer."""
    mine = [r for r in records if r.phase == phase and r.kind in kinds]
    ok = [r for r in mine if r.outcome == "ok"]
    if not mine:
        return {"requests": 0}
    span = seconds or max(r.started + r.seconds for r in mine) - min(r.started for r in mine)
    outcomes = Counter(r.outcome for r in mine)
    return {
        "requests": len(ok),
        "per_second": len(ok) / span if span else float("nan"),
        "p50": percentile([r.seconds for r in ok], 0.50),
        "p95": percentile([r.seconds for r in ok], 0.95),
        "p99": percentile([r.seconds for r in ok], 0.99),
        "friendly": outcomes["friendly"],
        "bare": outcomes["bare"],
        "connection": outcomes["connection"],
        "status_5xx": sum(1 for r in mine if r.status >= 500),
    }


def show(label: str, numbers: dict) -> None:
    if not numbers.get("requests"):
        print(f"{label:<34} no requests")
        return
    print(f"{label:<34} {numbers['requests']:>7} ok  {numbers['per_second']:8.1f}/s  "
          f"p50 {numbers['p50'] * 1000:7.0f} ms  p95 {numbers['p95'] * 1000:7.0f} ms  p99 {numbers['p99'] * 1000:7.0f} ms  "
          f"5xx {numbers['status_5xx']} (friendly {numbers['friendly']}, bare {numbers['bare']}), "
          f"connection errors {numbers['connection']}")


# --- the run -------------------------------------------------------------------------------------


def parse_faults(specs: list[str]) -> list[tuple[float, str]]:
    faults = []
    for spec in specs:
        name, _, at = spec.partition("@")
        if name not in ("kill-worker", "restart", "terminate-db") or not at:
            raise SystemExit(f"--faults {spec}: expected kill-worker@S, restart@S or terminate-db@S")
        faults.append((float(at), name))
    return sorted(faults)


async def inject_faults(server: Server, database_url: str, faults: list, started: float, done: asyncio.Event,
                        happened: list):
    for at, name in faults:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        if done.is_set():
            return
        happened.append((time.monotonic(), name))
        if name == "kill-worker":
            victim = server.workers()[0]
            os.kill(victim, signal.SIGKILL)
            print(f"  fault at {at:.0f} s: kill -9 gunicorn worker {victim}")
        elif name == "restart":
            began = time.monotonic()
            await asyncio.to_thread(server.restart)
            print(f"  fault at {at:.0f} s: restarted gunicorn (stop took {time.monotonic() - began:.1f} s)")
        else:
            count = await asyncio.to_thread(terminate_database_connections, database_url)
            print(f"  fault at {at:.0f} s: terminated {count} database connections")


@dataclass
class Scenario:
    name: str
    respondents: int
    think: tuple[float, float]
    ramp: float
    faults: list[str]

    def describe(self) -> str:
        return (f"{self.name}: {self.respondents} respondents starting within {self.ramp:g} s, think "
                f"{self.think[0]:g}-{self.think[1]:g} s, faults {' '.join(self.faults) or 'none'}")


# The runs issue 11 asks for, in one go (--suite): the fault run last, since a restart replaces
# the workers whose CPU time the meter reads.
SUITE = [
    Scenario("reading", 200, (5.0, 15.0), 10.0, []),
    Scenario("burst", 1000, (0.0, 0.0), 10.0, []),
    Scenario("faults", 200, (2.0, 5.0), 10.0, ["kill-worker@15", "restart@30", "terminate-db@45"]),
]


async def run(args, server: Server, tokens: list[str], scenarios: list[Scenario]) -> int:
    records: list[Record] = []
    driver = Driver(server.url, records, deadline=time.monotonic() + args.max_seconds)
    static_paths = static_files(server.url)
    pages = await learn_pages(driver, tokens.pop())
    cpu = CpuMeter(server)
    memory_before = cpu.worker_memory()
    await measure_floors(args, driver, server, cpu, tokens, pages, records)
    failed = 0
    for scenario in scenarios:
        people = [Respondent(token) for token in tokens[: scenario.respondents]]
        del tokens[: scenario.respondents]
        driver.deadline = time.monotonic() + args.max_seconds
        failed |= await answer_survey(args, driver, server, cpu, scenario, people, static_paths, records)
    print(f"\ngunicorn workers' memory: {memory_before} after one respondent, {cpu.worker_memory()} at the end")
    return failed


async def measure_floors(args, driver: Driver, server: Server, cpu: "CpuMeter", tokens: list, pages: dict,
                         records: list) -> None:
    """The two floors and page submits alone, on equal requests from consented respondents."""
    browsers = args.floor_clients + args.submit_respondents
    consented = await consent_all(driver, tokens[:browsers], args.floor_clients)
    del tokens[:browsers]
    floor_browsers, consented = consented[: args.floor_clients], consented[args.floor_clients:]
    cpu.lap()
    floor_paths = {"floor": "/bench/floor/", "session-floor": "/bench/session-floor/"}
    used = {phase: Counter() for phase in (*floor_paths, "submits")}
    elapsed = Counter()
    # Rounds, each phase in turn: the machine's speed drifts over a minute (other guests on the
    # host), and interleaving puts the same drift into the floors and the submits.
    slot = args.floor_seconds / args.floor_rounds
    for _round in range(args.floor_rounds):
        for phase in used:
            started = time.monotonic()
            if phase in floor_paths:
                work = [driver.floor(browser, phase, floor_paths[phase], started + slot, pages)
                        for browser in floor_browsers]
            else:
                work = [driver.submitter(consented, phase, started + slot, pages) for _ in range(args.floor_clients)]
            await asyncio.gather(*work)
            elapsed[phase] += time.monotonic() - started
            used[phase].update(cpu.lap())
    for client, _csrf, _url in floor_browsers + consented:  # consented: those the submit phase left over
        await client.aclose()

    floor = summary(records, "floor", ("floor",), elapsed["floor"])
    session_floor = summary(records, "session-floor", ("floor",), elapsed["session-floor"])
    submits = summary(records, "submits", ("submit",), elapsed["submits"])
    print(f"\nserver: gunicorn {len(server.workers())} workers x {os.environ.get('GUNICORN_THREADS', 4)} threads "
          f"(gthread){', behind nginx' if server.proxy_port else ', no proxy'}; floor and submit clients "
          f"{args.floor_clients}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    show("floor: one INSERT", floor)
    show("floor + CSRF check + cookie read", session_floor)
    show("page submits (POST only)", submits)
    if not (floor.get("requests") and session_floor.get("requests") and submits.get("requests")):
        return
    print(f"{'page submits / floor':<34} {submits['per_second'] / floor['per_second']:.2f}x")
    print(f"{'page submits / CSRF+cookie floor':<34} {submits['per_second'] / session_floor['per_second']:.2f}x")
    for label, phase, numbers in (("floor", "floor", floor), ("CSRF+cookie", "session-floor", session_floor),
                                  ("page submit", "submits", submits)):
        print(f"CPU per {label:<12} " + ", ".join(f"{part} {seconds / numbers['requests'] * 1000:.2f} ms"
                                               for part, seconds in used[phase].items()))


async def answer_survey(args, driver: Driver, server: Server, cpu: "CpuMeter", scenario: Scenario,
                        people: list[Respondent], static_paths: list[str], records: list) -> int:
    """Respondents answer the whole survey as browsers do, faults meanwhile; 1 if an answer was lost."""
    phase = scenario.name
    cpu.lap()
    started = time.monotonic()
    done = asyncio.Event()
    happened: list[tuple[float, str]] = []
    faults = asyncio.create_task(inject_faults(server, args.database, parse_faults(scenario.faults), started, done,
                                               happened))

    async def one(index, person):
        await asyncio.sleep(scenario.ramp * index / max(1, len(people)))
        await driver.respondent(person, phase, scenario.think, seed=index, static_paths=static_paths)

    await asyncio.gather(*(one(index, person) for index, person in enumerate(people)))
    done.set()
    await faults
    used = cpu.lap()
    finished = time.monotonic() - started

    print(f"\n{scenario.describe()}")
    answered = summary(records, phase, ("get", "post", "submit"))
    show("all respondent requests", answered)
    show("page views (GET)", summary(records, phase, ("get",)))
    show("page submits (POST)", summary(records, phase, ("submit",)))
    if answered.get("requests") and not scenario.faults:  # a killed or restarted worker takes its CPU count along
        print("CPU per respondent request " + ", ".join(f"{part} {seconds / answered['requests'] * 1000:.2f} ms"
                                                     for part, seconds in used.items()))
    for (at, name), (until, _next) in zip(happened, [*happened[1:], (float("inf"), "")]):
        seen = Counter(r.outcome for r in records if r.phase == phase and at <= r.started < until)
        print(f"after {name:<13} ok {seen['ok']}, friendly try-again page {seen['friendly']}, bare error page "
              f"{seen['bare']}, no answer (connection) {seen['connection']}")
    if driver.connection_errors:
        print("connection errors by kind: " + ", ".join(f"{k} {v}" for k, v in driver.connection_errors.most_common()))
        driver.connection_errors.clear()
    completed = sum(person.completed for person in people)
    print(f"completed {completed} of {len(people)} in {finished:.0f} s; gave up: {sum(bool(p.gave_up) for p in people)}")
    for reason, count in Counter(p.gave_up for p in people if p.gave_up).most_common(5):
        print(f"  {count} x {reason}")
    checked, lost, not_completed = await asyncio.to_thread(check_answers, people)
    print(f"answers acknowledged and checked: {checked}; lost or altered: {lost}; "
          f"completed but not stored as completed: {not_completed}")
    return 1 if lost or not_completed else 0


def static_files(base_url: str) -> list[str]:
    """The hashed stylesheet and script a page links to; checks they are cached for a long time."""
    html = httpx.get(base_url + "/").text
    paths = [part.split('"')[0] for part in html.split('="/static/')[1:]]
    paths = ["/static/" + path for path in paths]
    for path in paths:
        cache = httpx.get(base_url + path).headers.get("cache-control", "")
        if "immutable" not in cache:
            print(f"warning: {path} is served with Cache-Control '{cache}', not a long immutable cache")
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--think", type=float, nargs=2, default=[0.0, 0.0], metavar=("MIN", "MAX"),
                        help="seconds a respondent spends on each page (default: none)")
    parser.add_argument("--ramp", type=float, default=10.0, help="all respondents start within this many seconds")
    parser.add_argument("--faults", nargs="*", default=[], help="kill-worker@S restart@S terminate-db@S")
    parser.add_argument("--suite", action="store_true",
                        help="instead of one run of respondents, the three of issue 11 one after the other: "
                             + "; ".join(scenario.describe() for scenario in SUITE))
    parser.add_argument("--floor-seconds", type=float, default=30.0, help="for each of floor, CSRF floor and submits")
    parser.add_argument("--floor-rounds", type=int, default=3, help="the three phases take turns this many times")
    parser.add_argument("--floor-clients", type=int, default=50, help="concurrent clients for floor and submits")
    parser.add_argument("--submit-respondents", type=int, default=1200,
                        help="respondents who consent before the submit phase, whose pages it posts")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="respondents give up after this")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/uptake_bench")
    parser.add_argument("--no-proxy", action="store_true", help="drive gunicorn directly, without nginx")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (logs, nginx.conf)")
    args = parser.parse_args()
    if not args.database.startswith("postgres://postgres@127.0.0.1:"):
        raise SystemExit("--database must be a PostgreSQL database on 127.0.0.1")
    use_proxy = not args.no_proxy and shutil.which("nginx") is not None
    scratch = Path(tempfile.mkdtemp(prefix="uptake-load-"))
    env = server_environment(args.database, scratch, free_port())
    recreate_database(args.database)
    parse_faults(args.faults)
    scenarios = SUITE if args.suite else [Scenario("respondents", args.respondents, tuple(args.think), args.ramp,
                                                   args.faults)]
    needed = sum(scenario.respondents for scenario in scenarios) + args.submit_respondents + args.floor_clients + 1
    tokens = prepare(env, needed, seed=1)
    server = Server(env, scratch, use_proxy)
    try:
        server.start()
        return asyncio.run(run(args, server, tokens, scenarios))
    finally:
        server.stop()
        if args.keep:
            print(f"scratch directory: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
