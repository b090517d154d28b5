import io
import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from platform_logs.features import COLUMNS, platform_daily, usage_features, usage_for_wave
from platform_logs.services import import_source
from surveys.models import Response, Wave
from surveys.pseudonyms import pseudonymize, wave_linkage_pseudonym
from tests.surveys.builders import make_wave

from .builders import gin_line, sample

pytestmark = pytest.mark.django_db


RECORD_IDS = itertools.count()  # every record its own id: one with an id already imported would update that record


def import_events(*records):
    jsonl = "\n".join(json.dumps({"id": str(next(RECORD_IDS)), **record}) for record in records)
    return import_source("generic-jsonl", io.BytesIO(jsonl.encode()))


def days_before(moment, days, hours=0):
    return (moment - timedelta(days=days, hours=hours)).isoformat()


def respond(wave, subject, consent=True, status=Response.Status.COMPLETED):
    """A response as surveys stores it: the usage pseudonym only with linkage consent."""
    return Response.objects.create(
        wave=wave, instrument_version=wave.instrument_version, participant_key=f"key-{subject}",
        pseudonym=pseudonymize(subject) if consent else "", wave_pseudonym=wave_linkage_pseudonym(pseudonymize(subject)),
        linkage_consent=consent, status=status,
        completed_at=timezone.now() if status == Response.Status.COMPLETED else None,
    )


def test_usage_for_wave_describes_consenting_completed_respondents_only(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    opened = wave.opens_at
    for subject in ("alice", "bob", "carol", "dave"):
        import_events({"time": days_before(opened, 3), "kind": "prompt", "subject": subject, "chat_id": "c", "model": "m"})
    respond(wave, "alice")
    respond(wave, "bob", consent=False)
    respond(wave, "carol", status=Response.Status.IN_PROGRESS)
    respond(wave, "erin")  # consented, but never used the platform

    features = usage_for_wave(wave)

    assert list(features.columns) == COLUMNS
    assert sorted(features.index) == sorted([pseudonymize("alice"), pseudonymize("erin")])
    assert features.loc[pseudonymize("alice"), "usage_messages"] == 1
    assert features.loc[pseudonymize("erin"), "usage_messages"] == 0


def test_usage_features_count_only_the_window_before_the_wave(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    # Anchor at local noon: events an hour apart must not straddle midnight whatever the clock says.
    wave.opens_at = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    wave.save()
    opened, alice = wave.opens_at, {"subject": "alice", "model": "m"}
    import_events(
        {**alice, "time": days_before(opened, 100), "kind": "prompt", "chat_id": "old"},
        {**alice, "time": days_before(opened, 10), "kind": "prompt", "chat_id": "a", "features": ["web_search"]},
        {**alice, "time": days_before(opened, 10, hours=-1), "kind": "reply", "chat_id": "a", "tokens_in": 10,
         "tokens_out": 30, "features": ["web_search"]},
        {**alice, "time": days_before(opened, 5), "kind": "prompt", "chat_id": "b", "model": "n"},
        {**alice, "time": days_before(opened, 5, hours=-1), "kind": "reply", "chat_id": "b", "model": "n", "tokens_in": 5,
         "tokens_out": 5},
        {**alice, "time": days_before(opened, 4), "kind": "rating", "rating": 1, "score": 8},
        {**alice, "time": days_before(opened, 4), "kind": "rating", "rating": -1, "score": 4},
        {**alice, "time": days_before(opened, -2), "kind": "prompt", "chat_id": "late"},
    )
    respond(wave, "alice")

    row = usage_for_wave(wave).loc[pseudonymize("alice")]

    assert (row.usage_messages, row.usage_replies, row.usage_chats, row.usage_models) == (2, 2, 2, 2)
    assert (row.usage_tokens_in, row.usage_tokens_out, row.usage_active_days) == (15, 35, 3)
    assert (row.usage_share_web_search, row.usage_share_chat) == (0.5, 0.5)
    assert (row.usage_ratings, row.usage_rating_mean, row.usage_score_mean) == (2, 0.0, 6.0)
    assert row.usage_first_seen == (opened - timedelta(days=100)).astimezone(timezone.get_current_timezone()).date()


def test_usage_features_of_the_samples_cover_every_linked_user():
    for kind, name in [("openwebui-db", "openwebui-db"), ("keycloak-events", "keycloak-events")]:
        import_source(kind, sample(name))
    start, end = datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 12, 1, tzinfo=UTC)

    features = usage_features(start, end)

    assert features["usage_messages"].sum() == 22 and features["usage_ratings"].sum() == 3
    assert len(features) == 6


def test_platform_daily_series_reports_load_latency_and_errors(settings):
    settings.TIME_ZONE = "UTC"
    lines = [gin_line(latency="1s"), gin_line(latency="3s", when="2025/09/08 - 12:41:32"),
             gin_line(status=500, latency="2s", when="2025/09/08 - 12:41:33"),
             gin_line(method="GET", path="/api/tags", latency="5µs", when="2025/09/08 - 12:41:34")]
    import_source("ollama-log", io.BytesIO("\n".join(lines).encode()))
    start = datetime(2025, 9, 8, tzinfo=UTC)

    daily = platform_daily(start, start + timedelta(days=2))

    day = daily.iloc[0]
    assert (day.requests, day.latency_p50, day.error_rate) == (3, 2.0, 0.25)
    assert len(daily) == 2 and daily.iloc[1].requests == 0


def test_the_command_prints_a_summary(capsys):
    call_command("import_logs", "ollama-log", str(sample("ollama-log")))

    assert "ollama-log ollama-server.log: 24 records read, 23 stored, 0 updated, 0 duplicates, 1 skipped" in capsys.readouterr().out


def test_the_command_reports_a_format_error_with_its_location():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ImportFormatError: litellm-spendlogs.csv line 1: expected an Ollama server log"):
        call_command("import_logs", "ollama-log", str(sample("litellm-spendlogs")))
