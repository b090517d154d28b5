"""Survey-side speed: respondent page saves per second, and export time for large waves.

    .venv/bin/python benchmarks/survey_bench.py [--respondents 200] [--export-sizes 5000 50000]

Uses a throw-away SQLite database in a temp dir unless DATABASE_URL is set (then pytest-style
care is yours: use a scratch database). Page saves go through the full Django stack (test client:
middleware, respondent cookie, form validation, row lock); exports through surveys.export.
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
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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
    """Respondents answer the first three pages of the demo survey; returns (requests, seconds)."""
    from django.test import Client

    from surveys import services

    wave = make_wave("bench-pages")
    tokens = [token for _identifier, token in services.create_invitations(wave, count=respondents)]
    pages = [
        ("about_you", {"role": "nursing", "department": "internal_medicine", "experience_ai": "3"}),
        ("usage", {"frequency": "weekly"}),
        ("use", {"use_cases": ["text_drafting", "translation"], "models_used": ["dont_know"]}),
    ]
    requests = 0
    started = time.perf_counter()
    for token in tokens:
        client = Client()
        client.get(f"/i/{token}/")
        client.post(f"/s/{wave.slug}/", {"consent": "yes", "linkage": "yes"})
        requests += 2
        for page, data in pages:
            client.get(f"/s/{wave.slug}/p/{page}/")
            reply = client.post(f"/s/{wave.slug}/p/{page}/", {**data, "next": "1"})
            assert reply.status_code == 302, (page, reply.status_code)
            requests += 2
    return requests, time.perf_counter() - started


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
    return built - started, csv_done - built, time.perf_counter() - csv_done


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--export-sizes", type=int, nargs="*", default=[5000, 50000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        setup_django(scratch)
        requests, seconds = page_saves(args.respondents)
        print(f"page requests: {requests} in {seconds:.1f} s = {requests / seconds:.0f} requests/s "
              f"({seconds / requests * 1000:.1f} ms each)")
        for size in args.export_sizes:
            build, csv, sav = export(size, scratch)
            print(f"export {size:>6} responses: table {build:.1f} s, csv {csv:.1f} s, sav {sav:.1f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (whole run): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
