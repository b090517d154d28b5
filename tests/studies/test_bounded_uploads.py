"""The workspace upload refuses questionnaire files that lie about their size, in one line naming the file,
within bounded time and memory, and without holding the database while a respondent answers."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from surveys.models import InstrumentVersion, Response
from tests.studies.builders import study_with_members
from tests.surveys.builders import invite, make_wave
from tests.surveys.hostile_files import HOSTILE


def memory_kib(field: str) -> int:
    return int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith(f"{field}:")))


@pytest.mark.django_db(transaction=True)
def test_hostile_uploads_are_refused_in_bounds_while_a_respondent_is_answered(client, tmp_path):
    cast = study_with_members()
    wave = make_wave(tmp_path, slug="open-wave")
    token = invite(wave)
    files = {name: build(tmp_path) for name, (build, _expected) in HOSTILE.items()}
    versions = InstrumentVersion.objects.count()
    refusals = {}

    def upload_all():
        researcher = Client()
        researcher.force_login(cast.owner)
        researcher.get(reverse("studies:upload", args=[cast.study.slug]))  # the first request imports the URLconf's views
        for name, path in files.items():
            started = time.monotonic()
            with path.open("rb") as handle:
                page = researcher.post(reverse("studies:upload", args=[cast.study.slug]), {"file": handle})
            refusals[name] = (page.status_code, page.content.decode(), time.monotonic() - started)
        connection.close()

    rss_before = memory_kib("VmRSS")
    uploads = threading.Thread(target=upload_all)
    uploads.start()
    information = client.get(f"/i/{token}/", follow=True)
    consent = client.post(f"/s/{wave.slug}/", {"consent": "yes"})
    uploads.join(timeout=120)
    peak_growth_kib = memory_kib("VmHWM") - rss_before  # at least what the uploads added at their peak

    assert information.status_code == 200 and consent.status_code == 302
    assert Response.objects.filter(wave=wave).count() == 1
    for name, (_build, expected) in HOSTILE.items():
        status, page, seconds = refusals[name]
        assert status == 400 and name in page and expected in page, (name, page[-2000:])
        assert seconds < 10, (name, seconds)
    assert peak_growth_kib < 500 * 1024  # the test client's copies of the 50 MB body included
    assert InstrumentVersion.objects.count() == versions
