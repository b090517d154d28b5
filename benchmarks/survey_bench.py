"""Survey-side speed: respondent page saves per second, and export time for large waves.

    .venv/bin/python benchmarks/survey_bench.py [--respondents 200] [--export-sizes 5000 50000]

Uses a throw-away SQLite database in a temp dir unless DATABASE_URL is set (then pytest-style
care is yours: use a scratch database). Page saves go through the full Django stack (test client:
middleware, respondent cookie, form validation, row lock); exports through surveys.export.

Floors in the same run: as many POSTs through the same test client and middleware to a view doing
one INSERT (benchmarks/respondent_urls.py), and for each export a raw cursor read of the wave's
answer rows, the part of building the table no code can avoid.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def setup_django(scratch):
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}")
    os.environ.setdefault("UPTAKE_PSEUDONYM_KEY_FILE", str(scratch / "pseudonym.key"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from benchmarks.respondent_urls import create_floor_table

    settings.ROOT_URLCONF = "benchmarks.respondent_urls"  # the product's URLs plus the floor
    call_command("migrate", verbosity=0)
    create_floor_table()


def make_wave(slug):
    from django.utils import timezone

    from surveys import services
    from surveys.demo import DEMO_INSTRUMENT
    from surveys.models import Wave

    version = services.import_instrument(DEMO_INSTRUMENT).version
    now = timezone.now()
    return Wave.objects.create(slug=slug, title=slug, instrument_version=version, opens_at=now - timedelta(days=1),
                               closes_at=now + timedelta(days=30), privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)


def page_saves(respondents):
    """Respondents answer the first three pages of the demo survey; returns (requests, seconds,
    page views, their CPU seconds, page submits, their CPU seconds). Views and submits are
    compared by this process's CPU time (SQLite runs inside it): on a shared machine the wall
    clock of one request is mostly other people's work and the disk's sync."""
    from django.test import Client

    from surveys import services

    wave = make_wave("bench-pages")
    tokens = [token for _identifier, token in services.create_invitations(wave, count=respondents)]
    pages = [
        ("about_you", {"role": "nursing", "department": "internal_medicine", "experience_ai": "3"}),
        ("usage", {"frequency": "weekly"}),
        ("use", {"channel": ["chat"], "use_cases": ["text_drafting", "translation"], "models_used": ["dont_know"]}),
    ]
    requests = views = submits = 0
    view_seconds = submit_seconds = 0.0
    started = time.perf_counter()
    for token in tokens:
        client = Client()
        client.get(f"/i/{token}/")
        client.post(f"/s/{wave.slug}/", {"consent": "yes", "linkage": "yes"})
        requests += 2
        for page, data in pages:
            view_started = time.process_time()
            shown = client.get(f"/s/{wave.slug}/p/{page}/")
            submit_started = time.process_time()
            reply = client.post(f"/s/{wave.slug}/p/{page}/", {**data, "next": "1"})
            view_seconds += submit_started - view_started
            submit_seconds += time.process_time() - submit_started
            assert shown.status_code == 200 and reply.status_code == 302, (page, shown.status_code, reply.status_code)
            requests += 2
            views += 1
            submits += 1
    return requests, time.perf_counter() - started, views, view_seconds, submits, submit_seconds


def floor(requests):
    """The same number of requests as POSTs to the bare-INSERT view; returns seconds."""
    from django.test import Client

    client = Client()
    started = time.perf_counter()
    for _ in range(requests):
        assert client.post("/bench/floor/", {"next": "1"}).status_code == 200
    return time.perf_counter() - started


def raw_answer_read(wave):
    """Seconds to fetch the wave's answer rows through a raw cursor: the export's floor."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.response_id, a.item, a.value, a.other_text FROM surveys_answer a "
                       "JOIN surveys_response r ON r.id = a.response_id WHERE r.wave_id = %s", [wave.pk])
        cursor.fetchall()
    return time.perf_counter() - started


def export(size, out_dir):
    from surveys.demo import add_synthetic_responses
    from surveys.export import wave_table, write_export

    wave = make_wave(f"bench-export-{size}")
    add_synthetic_responses(wave, size, seed=size)
    started = time.perf_counter()
    table, codebook = wave_table(wave)
    built = time.perf_counter()
    write_export(table, codebook, out_dir, wave.slug, "csv")
    csv_done = time.perf_counter()
    write_export(table, codebook, out_dir, wave.slug, "sav")
    return built - started, csv_done - built, time.perf_counter() - csv_done, raw_answer_read(wave)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--export-sizes", type=int, nargs="*", default=[5000, 50000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        setup_django(scratch)
        requests, seconds, views, view_seconds, submits, submit_seconds = page_saves(args.respondents)
        floor_seconds = floor(requests)
        print(f"page requests: {requests} in {seconds:.1f} s = {requests / seconds:.0f} requests/s "
              f"({seconds / requests * 1000:.1f} ms each)")
        view_ms, submit_ms = view_seconds / views * 1000, submit_seconds / submits * 1000
        print(f"CPU per page view (GET) {view_ms:.2f} ms, per page submit (POST) {submit_ms:.2f} ms: "
              f"a view costs {view_ms / submit_ms:.2f}x a submit (target <= 1.5x)")
        print(f"floor (one INSERT, same client): {requests / floor_seconds:.0f} requests/s "
              f"({floor_seconds / requests * 1000:.2f} ms each); page requests / floor "
              f"{floor_seconds / seconds:.2f}x")
        for size in args.export_sizes:
            build, csv, sav, raw = export(size, scratch)
            print(f"export {size:>6} responses: table {build:.1f} s (raw read of its answers {raw:.2f} s, "
                  f"{build / raw:.0f}x), csv {csv:.1f} s, sav {sav:.1f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (whole run): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
