import io
import json

import pytest

from platform_logs.importers.base import usage_row
from platform_logs.models import UsageEvent
from platform_logs.services import ImportFormatError, _row_fields, import_source
from surveys.pseudonyms import pseudonymize

from .builders import sample

pytestmark = pytest.mark.django_db


def test_litellm_spend_logs_keep_model_tokens_and_duration():
    summary = import_source("litellm-spendlogs", sample("litellm-spendlogs"))

    assert (summary.read, summary.stored) == (22, 22)
    request = UsageEvent.objects.get(tokens_in=476)
    assert (request.kind, request.model, request.tokens_out, request.duration_seconds, request.success) == (
        "api_request", "mistral-small3.1:24b", 130, pytest.approx(5.2), True)


def test_litellm_callers_given_by_email_link_when_the_site_links_on_email(settings):
    settings.UPTAKE_PSEUDONYM_IDENTIFIER = "email"
    import_source("litellm-spendlogs", sample("litellm-spendlogs"))

    assert UsageEvent.objects.filter(pseudonym=pseudonymize("person1@example.org", "email")).count() == 10


def test_litellm_callers_given_by_email_link_through_open_webui_when_the_site_links_on_subject():
    import_source("litellm-spendlogs", sample("litellm-spendlogs"))
    assert UsageEvent.objects.filter(pseudonym="").count() == 22

    import_source("openwebui-db", sample("openwebui-db"))

    assert UsageEvent.objects.filter(source="litellm", pseudonym="").count() == 0


def test_a_csv_without_the_spend_log_columns_is_refused():
    with pytest.raises(ImportFormatError, match="line 1: expected a LiteLLM spend log header"):
        import_source("litellm-spendlogs", io.BytesIO(b"a,b\n1,2\n"))


def test_a_spend_log_row_with_a_bad_time_names_its_line():
    csv_text = "request_id,startTime,endTime,model\nr1,2025-09-09T11:05:39+00:00,,m\nr2,yesterday,,m\n"

    with pytest.raises(ImportFormatError, match="line 3: expected startTime as an ISO 8601 time"):
        import_source("litellm-spendlogs", io.BytesIO(csv_text.encode()))
    assert UsageEvent.objects.count() == 0


def test_keycloak_logins_and_failed_logins_are_kept_with_the_subjects_pseudonym():
    summary = import_source("keycloak-events", sample("keycloak-events"))

    assert (summary.stored, UsageEvent.objects.filter(kind="login_error").count()) == (23, 2)
    subject = "77216e9e-e7a4-4309-973f-798626b1cffc"
    assert UsageEvent.objects.filter(pseudonym=pseudonymize(subject, "subject")).exists()


def test_keycloak_event_types_we_do_not_count_are_skipped():
    events = [{"time": 1762081200000, "type": "CODE_TO_TOKEN", "userId": "u"}, {"time": 1762081200001, "type": "LOGIN", "userId": "u"}]

    summary = import_source("keycloak-events", io.BytesIO(json.dumps(events).encode()))

    assert (summary.read, summary.stored, summary.skipped) == (2, 1, 1)


GENERIC = [
    {"id": "1", "time": "2025-09-08T12:41:31+02:00", "kind": "prompt", "subject": "sub-1", "model": "m",
     "features": ["web_search", "knowledge"], "content": "never stored"},
    {"id": "2", "time": 1757328100, "kind": "reply", "subject": "sub-1", "model": "m", "tokens_in": 10, "tokens_out": 20,
     "duration_s": 1.5, "success": True},
    {"id": "3", "time": 1757328200, "kind": "rating", "email": "X@example.org", "model": "m", "rating": -1, "score": 3},
]


def test_generic_jsonl_records_are_stored_with_the_documented_fields():
    jsonl = "\n".join(json.dumps(record) for record in GENERIC) + "\n\n"

    summary = import_source("generic-jsonl", io.BytesIO(jsonl.encode()))

    assert summary.stored == 3
    prompt, reply, rating = UsageEvent.objects.order_by("occurred_at")
    assert (prompt.features, prompt.pseudonym) == ("knowledge,web_search", pseudonymize("sub-1", "subject"))
    assert (reply.tokens_in, reply.tokens_out, reply.duration_seconds, reply.success) == (10, 20, 1.5, True)
    assert (rating.rating, rating.score, rating.pseudonym) == (-1, 3, "")


def test_generic_jsonl_with_an_unknown_kind_names_line_and_expectation():
    jsonl = json.dumps(GENERIC[0]) + "\n" + json.dumps({**GENERIC[1], "kind": "chat"})

    with pytest.raises(ImportFormatError, match="line 2: expected 'kind' one of prompt, reply"):
        import_source("generic-jsonl", io.BytesIO(jsonl.encode()))


def test_since_leaves_out_older_records():
    from datetime import UTC, datetime

    summary = import_source("keycloak-events", sample("keycloak-events"), since=datetime(2025, 10, 15, tzinfo=UTC))

    assert summary.skipped > 0 and summary.stored == summary.read - summary.skipped
    assert not UsageEvent.objects.filter(occurred_at__lt=datetime(2025, 10, 15, tzinfo=UTC)).exists()


def test_a_usage_row_holds_the_columns_in_the_order_the_import_stores_them():
    names = [field.attname for field in _row_fields(UsageEvent)]

    assert usage_row(**{name: name for name in names}) == tuple(names)
