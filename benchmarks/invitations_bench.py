"""Invitation mail speed: 5,000 personal invitations sent by the background worker through a local SMTP server.

    .venv/bin/python benchmarks/invitations_bench.py [--participants 5000]

Imports a participant list (encrypted addresses, one invitation each), schedules the mailout from
the workspace service, runs `manage.py db_worker --batch` as a separate process (the production
worker) and polls the mailout's progress as the workspace page does. Floor: a raw smtplib loop
sending the same number of similar messages over one connection to the same server, in a separate
process too, measured in the same run. Throttling is off (UPTAKE_MAIL_RATE=0) for both; peak memory
is each process's maximum resident set size. The job's time includes the worker's start-up (Django
and every app imported); its rate while sending comes from the polled progress. Uses a throw-away SQLite database unless DATABASE_URL is set.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FLOOR = """
import smtplib, sys
from email.message import EmailMessage
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
body = "Guten Tag,\\n\\nIhr persoenlicher Link:\\n\\nhttp://127.0.0.1:8000/i/{token}/\\n\\n" + "x" * 600
with smtplib.SMTP(host, port) as connection:
    for number in range(count):
        message = EmailMessage()
        message["Subject"], message["From"] = "Einladung zur Umfrage", "uptake@localhost"
        message["To"] = f"person{number}@klinikum.example"
        message.set_content(body.format(token=f"{number:032d}"))
        connection.send_message(message)
"""


class CountingSink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += len(envelope.rcpt_tos)
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_django(scratch, port):
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ.update({
        "UPTAKE_PSEUDONYM_KEY_FILE": str(scratch / "pseudonym.key"),
        "UPTAKE_ADDRESS_KEY_FILE": str(scratch / "address.key"),
        "DJANGO_DEBUG": "1",  # creates both key files in the scratch directory
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "UPTAKE_MAIL_RATE": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "ERROR",
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def participant_list(count):
    from studies.participant_lists import Person

    return [Person(where=f"line {number + 2}", email=f"person{number}@klinikum.example", language=("de", "en")[number % 2],
                   attributes={"role": "nurse"}) for number in range(count)]


def run_child(arguments):
    """Run a process to its end; returns (seconds, peak RSS in MB)."""
    started = time.perf_counter()
    child = subprocess.Popen(arguments, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"{arguments[1]} failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=5000)
    count = parser.parse_args().participants
    from aiosmtpd.controller import Controller

    sink, port = CountingSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as scratch:
        setup_django(Path(scratch), port)
        from datetime import timedelta

        from django.utils import timezone

        from studies.models import MailKind, Mailout
        from studies.participant_lists import add_participants
        from studies.tasks import schedule_mailout
        from surveys import services
        from surveys.demo import DEMO_INSTRUMENT
        from surveys.models import Wave

        now = timezone.now()
        wave = Wave.objects.create(slug="bench-mail", title="Bench", opens_at=now - timedelta(days=1),
                                   closes_at=now + timedelta(days=30),
                                   instrument_version=services.import_instrument(DEMO_INSTRUMENT).version)
        started = time.perf_counter()
        add_participants(wave, participant_list(count), "bench.csv")
        import_seconds = time.perf_counter() - started

        mailout = schedule_mailout(wave, MailKind.INVITATION)
        progress = []
        poller = threading.Thread(target=poll, args=(mailout.pk, progress), daemon=True)
        poller.start()
        worker_seconds, worker_mb = run_child([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"])
        poller.join(timeout=5)
        mailout = Mailout.objects.get(pk=mailout.pk)
        assert (mailout.status, mailout.sent, sink.count) == ("finished", count, count), (mailout.status, mailout.sent, sink.count)

        floor_seconds, floor_mb = run_child([sys.executable, "-c", FLOOR, "127.0.0.1", str(port), str(count)])
    controller.stop()
    print(f"participants: {count}; list import {import_seconds:.2f} s ({count / import_seconds:,.0f} rows/s)")
    shown = progress[:: max(1, len(progress) // 8)] + progress[-1:]
    print("progress seen while sending (sent/total): " + ", ".join(f"{sent}/{total}" for _at, sent, total in shown))
    sending = [(at, sent) for at, sent, _total in progress if sent]
    steady = (sending[-1][1] - sending[0][1]) / (sending[-1][0] - sending[0][0]) if len(sending) > 1 else float("nan")
    print(f"background job (db_worker): {worker_seconds:.2f} s, {count / worker_seconds:,.0f} mails/s, "
          f"peak RSS {worker_mb:.0f} MB; while sending (after start-up) {steady:,.0f} mails/s")
    print(f"floor (raw smtplib, one connection): {floor_seconds:.2f} s, {count / floor_seconds:,.0f} mails/s, "
          f"peak RSS {floor_mb:.0f} MB")
    print(f"ratio job/floor: {worker_seconds / floor_seconds:.1f}x time overall, "
          f"{(count / floor_seconds) / steady:.1f}x while sending")


def poll(mailout_id, progress):
    """What the workspace page shows while the job runs (it polls the same numbers)."""
    from django.db import connection

    from studies.models import Mailout

    while True:
        mailout = Mailout.objects.get(pk=mailout_id)
        if mailout.total:
            progress.append((time.perf_counter(), mailout.sent, mailout.total))
        if mailout.status in ("finished", "failed"):
            break
        time.sleep(0.5)
    connection.close()


if __name__ == "__main__":
    main()
