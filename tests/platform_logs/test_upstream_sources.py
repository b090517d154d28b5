"""LiteLLM, Ollama and Keycloak as their current releases write them (tests/fixtures/upstream/build.py)."""

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from platform_logs.features import window_totals
from platform_logs.models import UsageEvent
from platform_logs.services import ImportFormatError, import_source
from surveys.pseudonyms import pseudonymize

from .builders import ALICE_SUBJECT, BOB_SUBJECT, table_counts, upstream

pytestmark = pytest.mark.django_db

DAY = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))


def alice():
    return pseudonymize(ALICE_SUBJECT, "subject")


def bob():
    return pseudonymize(BOB_SUBJECT, "subject")


def api_requests_by_pseudonym(kind="api_request"):
    requests = {}
    for pseudonym in UsageEvent.objects.filter(source="litellm", kind=kind).values_list("pseudonym", flat=True):
        requests[pseudonym] = requests.get(pseudonym, 0) + 1
    return requests


def test_litellm_credits_the_end_user_not_the_owner_of_open_webuis_key():
    import_source("litellm-spendlogs", upstream("litellm-spendlogs"))
    import_source("openwebui-db", upstream("openwebui-db"))  # links Open WebUI user ids and e-mails to pseudonyms

    # alice: two requests through Open WebUI (her Open WebUI id as end_user) and two with her personal key;
    # bob: one, his e-mail as end_user; Open WebUI's own title request (team key, no end user): nobody's.
    assert api_requests_by_pseudonym() == {alice(): 4, bob(): 1, "": 1}


def test_litellm_counts_embeddings_apart_from_chat():
    import_source("litellm-spendlogs", upstream("litellm-spendlogs"))

    embeddings = UsageEvent.objects.filter(kind="embedding_request")
    assert [(event.model, event.tokens_in) for event in embeddings] == [("text-embedding-3-small", 512)]
    assert window_totals(*DAY)["api_requests"] == 6


def test_ollama_counts_only_inference_endpoints_as_model_requests():
    import_source("ollama-log", upstream("ollama-log"))

    totals = window_totals(*DAY)
    # chat, generate, v1/chat/completions, a failed chat, v1/completions, v1/responses, v1/messages
    assert (totals["requests"], totals["other_requests"]) == (7, 9)
    assert totals["latency_p95"] < 5  # the 3-minute /api/pull is not among them


def test_keycloak_keeps_only_the_platforms_client():
    summary = import_source("keycloak-events", upstream("keycloak-events"), clients=["open-webui"])

    assert (summary.stored, summary.skipped) == (3, 5)
    logins = sorted(UsageEvent.objects.values_list("pseudonym", "kind"))
    assert logins == sorted([(alice(), "login"), (bob(), "login_error"), (bob(), "login")])


def test_keycloak_events_of_several_clients_without_client_stop_naming_them():
    before = table_counts()

    with pytest.raises(ImportFormatError, match="several clients: litellm, open-webui, uptake"):
        import_source("keycloak-events", upstream("keycloak-events"))
    assert table_counts() == before


def test_the_client_option_is_repeatable_on_the_command_line(capsys):
    call_command("import_logs", "keycloak-events", str(upstream("keycloak-events")), "--client", "open-webui",
                 "--client", "litellm")

    assert "4 stored" in capsys.readouterr().out
    with pytest.raises(CommandError, match="several clients"):
        call_command("import_logs", "keycloak-events", str(upstream("keycloak-events")))
