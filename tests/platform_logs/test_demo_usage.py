"""The demo's usage logs: imported through the real pipeline, once, and visible in the export and the platform summary."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from platform_logs.models import PlatformRequest, UsageEvent
from platform_logs.services import platform_summary
from surveys.demo import DEMO_WAVE
from surveys.models import Response, Wave

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_with_usage(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo wave with its usage loaded twice, once for the module, inside a transaction that is rolled back."""
    key_file = tmp_path_factory.getbasetemp() / "pseudonym.key"  # the key tests/conftest.py gives every test
    if not key_file.exists():
        key_file.write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
    with django_db_blocker.unblock(), override_settings(UPTAKE_PSEUDONYM_KEY_FILE=key_file), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        first, second = io.StringIO(), io.StringIO()
        call_command("load_demo_usage", stdout=first)
        counts = (UsageEvent.objects.count(), PlatformRequest.objects.count())
        call_command("load_demo_usage", stdout=second)
        yield {"first": first.getvalue(), "second": second.getvalue(), "counts": counts,
               "wave": Wave.objects.get(slug=DEMO_WAVE)}
        transaction.set_rollback(True)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_loading_the_demo_usage_again_adds_nothing(demo_with_usage):
    events, requests = demo_with_usage["counts"]

    assert events > 10_000 and requests > events / 3
    assert (UsageEvent.objects.count(), PlatformRequest.objects.count()) == (events, requests)
    assert f"{events} events stored (0 already there)" in demo_with_usage["first"]
    assert f"0 events stored ({events} already there)" in demo_with_usage["second"]
    assert "0 model server requests stored" in demo_with_usage["second"]


def test_the_export_carries_usage_for_consenting_completed_respondents_only(demo_with_usage, tmp_path):
    call_command("export_wave", DEMO_WAVE, "--out", str(tmp_path), "--keep-pseudonym", stdout=io.StringIO())
    rows = read_csv(tmp_path / f"{DEMO_WAVE}_responses.csv")
    linked = {response.wave_pseudonym for response in Response.objects.filter(
        wave=demo_with_usage["wave"], status=Response.Status.COMPLETED, linkage_consent=True)}

    consenting = [row for row in rows if row["pseudonym"] in linked]
    others = [row for row in rows if row["pseudonym"] not in linked]
    assert consenting and others
    assert all(row["usage_messages"] != "" for row in consenting)
    assert sum(int(row["usage_messages"]) > 0 for row in consenting) > len(consenting) / 2
    assert all(value == "" for row in others for name, value in row.items() if name.startswith("usage_"))


def test_the_population_holds_more_platform_users_than_respondents(demo_with_usage, tmp_path):
    call_command("export_wave", DEMO_WAVE, "--out", str(tmp_path), "--with-population", stdout=io.StringIO())
    population = read_csv(tmp_path / f"{DEMO_WAVE}_population.csv")

    responded = [row for row in population if row["responded"] == "1"]
    assert len(population) > 2 * len(responded) > 0


def test_the_platform_summary_has_daily_series_latency_and_costs(demo_with_usage):
    summary = platform_summary(demo_with_usage["wave"])

    busy_days = [day for day in summary["daily"] if day["active_users"]]
    assert len(busy_days) > 30
    assert all(day["latency_p50"] > 0 and day["error_rate"] is not None for day in busy_days)
    assert summary["totals"]["active_users"] > 200
    assert 0 < summary["totals"]["error_rate"] < 0.1
    assert summary["costs"]["total"] and all(cost > 0 for cost in summary["costs"]["total"].values())
    assert any(month["tokens_out"] > 0 for month in summary["costs"]["monthly"])


def test_the_privacy_scan_of_the_whole_demo_finds_nothing(demo_with_usage):
    """The demo's survey, study and usage hold no one's identity; its published contact address is no finding."""
    call_command("load_demo_study", stdout=io.StringIO())
    output = io.StringIO()

    call_command("privacy_scan", stdout=output)

    assert output.getvalue().startswith("privacy scan: no e-mail address, IP address, phone number or IBAN found")
