import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from surveys.demo import DEMO_WAVE

DEMO_REPORTS = [(kind, language) for language in ("de", "en") for kind in ("publication", "strategy")]


class Command(BaseCommand):
    help = ("What `make demo` does before it serves, in one process: migrate, load the demo survey, study, usage "
            "logs and coding, and queue the four demo reports for the task worker (idempotent). The links and the "
            "demo login go to --welcome, to be printed once the server answers.")

    def add_arguments(self, parser):
        parser.add_argument("--welcome", required=True, help="file for the demo's links and login")

    def handle(self, *args, welcome, **options):
        # One interpreter for all steps: each `manage.py` process started Django and ran the system checks
        # (importing every view) again, about two seconds of CPU apiece on the shared machine.
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            # The demo database is made anew from seeds: its ~70 migrations and loads need not wait for the
            # disk at every commit (this connection only; the server and the worker keep the default). SQLite
            # refuses the pragma inside a transaction, as in a test, where nothing waits for the disk anyway.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
        steps = []

        def step(label, command, *arguments, **keywords):
            started = time.perf_counter()
            call_command(command, *arguments, **keywords)
            steps.append(f"{label} {time.perf_counter() - started:.1f} s")

        step("migrate", "migrate", interactive=False, verbosity=0)
        with open(welcome, "w", encoding="utf-8") as text:
            step("survey", "load_demo", stdout=text)
            step("study", "load_demo_study", stdout=text)
        step("usage logs", "load_demo_usage", stdout=self.stdout)
        step("coding", "load_demo_coding", stdout=self.stdout)
        for kind, language in DEMO_REPORTS:
            step(f"{kind} report ({language}) queued", "build_report", DEMO_WAVE, kind=kind, language=language, queue=True,
                 stdout=self.stdout)
        self.stdout.write("Demo data ready: " + ", ".join(steps) + ".")
