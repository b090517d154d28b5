"""Server time of a wave's live dashboard and its results pages with 5,000 responses, against a bare one-SELECT view.

    .venv/bin/python benchmarks/dashboard_bench.py [--responses 5000] [--repeat 20]

Both go through the full Django stack (test client: middleware, session, login, role check); the
floor is a view that runs one SELECT and renders a line, measured in the same run. Uses a throw-away
SQLite database in a temp dir unless DATABASE_URL is set (then use a scratch database).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from survey_bench import setup_django  # noqa: E402 - the same throw-away database set-up


def bare_view(request):
    """The floor: one SELECT, one line of HTML."""
    from django.http import HttpResponse

    from surveys.models import Response

    return HttpResponse(f"<p>{Response.objects.count()}</p>")


def timed(client, url, repeat):
    client.get(url)  # warm caches (templates, instrument spec)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "pseudonym.key").write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
        setup_django(Path(tmp))
        from django.contrib.auth import get_user_model
        from django.test import Client, override_settings
        from django.urls import path

        from studies.models import Membership, Study
        from surveys.demo import add_synthetic_responses
        from tests.studies.builders import make_wave
        from surveys import services
        from surveys.demo import DEMO_INSTRUMENT

        version = services.import_instrument(DEMO_INSTRUMENT).version
        wave = make_wave(version, slug="bench")
        add_synthetic_responses(wave, args.responses, seed=1)
        study = Study.objects.create(slug="bench", title="Bench", instrument=version.instrument)
        user = get_user_model().objects.create_user("bench", password="bench-password-1")
        Membership.objects.create(study=study, user=user, role=Membership.Role.ANALYST)  # the results pages need it

        import config.urls

        urls = type("urls", (), {"urlpatterns": [path("bare/", bare_view), *config.urls.urlpatterns]})
        with override_settings(ROOT_URLCONF=urls, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            client.force_login(user)
            floor = timed(client, "/bare/", args.repeat)
            dashboard = timed(client, f"/studies/bench/waves/{wave.slug}/", args.repeat)
            fragment = timed(client, f"/studies/bench/waves/{wave.slug}/?partial=1", args.repeat)
            results = timed(client, f"/studies/bench/waves/{wave.slug}/results/", args.repeat)
            crosstab = timed(client, f"/studies/bench/waves/{wave.slug}/results/crosstab/", args.repeat)
            listed = timed(client, f"/studies/bench/waves/{wave.slug}/responses/?status=completed&page=2", args.repeat)
        print(f"responses: {wave.responses.count()} ({args.repeat} requests each, median)")
        print(f"floor (one SELECT): {floor * 1000:.1f} ms")
        print(f"dashboard page:     {dashboard * 1000:.1f} ms ({dashboard / floor:.1f} x floor)")
        print(f"live fragment:      {fragment * 1000:.1f} ms ({fragment / floor:.1f} x floor)")
        print(f"results (charts):   {results * 1000:.1f} ms ({results / floor:.1f} x floor)")
        print(f"cross-tab:          {crosstab * 1000:.1f} ms ({crosstab / floor:.1f} x floor)")
        print(f"response list:      {listed * 1000:.1f} ms ({listed / floor:.1f} x floor)")


if __name__ == "__main__":
    main()
