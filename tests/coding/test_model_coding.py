"""The site's model codes open answers through the real local server (tests/llm_fixtures.py).

These tests check the plumbing, not the tiny model's judgement: replies follow the schema, only
codebook codes are stored, the same request gives the same reply at temperature 0 with a seed, a
run resumes and --recode replaces, and a server that ignores the schema gets nothing stored.
"""

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coding import services as coding_services
from coding.codebooks import read_codebook_file
from coding.demo import DEMO_CODEBOOK
from coding.endpoint import ChatEndpoint, SchemaNotEnforced
from coding.models import Coding
from coding.services import (code_answers, code_one, coded_answers, coding_prompt, endpoint_from_settings, reply_model,
                             reply_schema, store_codebook)
from surveys import services
from surveys.demo import DEMO_INSTRUMENT, load_demo
from surveys.models import Answer
from tests.coding.builders import ANSWERS, CODEBOOK_FILE, wave_with_wishes, wishes_codebook
from tests.llm_fixtures import MODEL_ALIAS, llm_server, llm_server_ignoring_schema  # noqa: F401 - fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.llm]
# Demo texts whose replies had raw line breaks in the rationale (invalid JSON) before it had a pattern.
DEMO_HARD_TEXTS = ["A short introductory course would help.", "Aktuell keine Wünsche."]


def endpoint(url, **changes):
    settings = {"model": MODEL_ALIAS, "temperature": 0.0, "seed": 7, "max_tokens": 200}
    return ChatEndpoint(url=url, **{**settings, **changes})


@pytest.fixture
def wave():
    wave, _answers = wave_with_wishes(services.import_instrument(DEMO_INSTRUMENT).version)
    return wave


def test_every_answer_gets_codes_from_the_codebook_only(llm_server, wave, caplog):
    version = wishes_codebook()
    caplog.set_level(logging.DEBUG)
    result = code_answers(wave, version, endpoint(llm_server))
    codings = list(Coding.objects.filter(kind=Coding.Kind.MODEL))
    assert result.stored + result.refused == result.total == 5
    assert len(codings) == result.stored >= 4  # the server enforces the schema; a cut-off reply would be refused
    names = set(version.spec.code_names)
    for coding in codings:
        assert coding.codes and set(coding.codes) <= names
        assert (coding.coder, coding.codebook, coding.temperature, coding.seed) == (MODEL_ALIAS, version, 0.0, 7)
        assert len(coding.prompt_hash) == 64 and coding.endpoint_host == "127.0.0.1"
    # The rationale (the same request again gives the same reply) is in no log line (and has no column).
    codebook = version.spec
    messages = [{"role": "system", "content": coding_prompt(codebook)}, {"role": "user", "content": f"Answer: {ANSWERS[0]}"}]
    reply = endpoint(llm_server).complete_json(messages, "codes_wishes", reply_schema(codebook))
    rationale = json.loads(reply.text)["rationale"]
    assert rationale and rationale not in caplog.text
    assert "stored" in caplog.text  # the run's counts are logged


def test_a_reply_that_breaks_the_schema_is_counted_and_never_stored(llm_server, wave):
    # Every reply cut short, also when asked again with 2x and 4x the room: 8 tokens hold no complete reply.
    result = code_answers(wave, wishes_codebook(), endpoint(llm_server, max_tokens=2))
    assert (result.total, result.refused, result.stored) == (5, 5, 0)
    assert not Coding.objects.exists()


def test_a_reply_cut_off_at_max_tokens_is_asked_again_with_more_room(llm_server, monkeypatch):
    codebook = wishes_codebook().spec
    client = endpoint(llm_server, max_tokens=16)
    messages = [{"role": "system", "content": coding_prompt(codebook)}, {"role": "user", "content": f"Answer: {ANSWERS[0]}"}]
    assert client.complete_json(messages, "codes_wishes", reply_schema(codebook)).truncated
    monkeypatch.setattr(coding_services, "TRUNCATION_RETRIES", 5)  # up to 32 x 16 tokens
    codes, model_id = code_one(client, codebook, ANSWERS[0])
    assert codes and set(codes) <= set(codebook.code_names) and model_id == MODEL_ALIAS


def test_the_demo_waves_answers_all_get_codes_from_the_codebook(llm_server):
    """The demo wave's item, restricted to keep `make test` short: its answers with four texts (the two
    whose replies broke the schema before the rationale had a pattern, and the two longest). The whole
    item (177 answers) was coded by `make llm-server` + `code_answers`: README, "Speed and memory"."""
    wave = load_demo().wave
    version = store_codebook(read_codebook_file(DEMO_CODEBOOK))
    drawn = {answer.value for answer in coded_answers(wave, "wishes")}
    texts = DEMO_HARD_TEXTS + sorted(drawn - set(DEMO_HARD_TEXTS), key=len)[-2:]
    assert set(texts) <= drawn
    Answer.objects.filter(response__wave=wave, item="wishes").exclude(value__in=texts).delete()
    result = code_answers(wave, version, endpoint_from_settings(llm_server, MODEL_ALIAS))  # the command's settings
    assert result.total >= len(texts) and (result.stored, result.refused) == (result.total, 0)
    codings = Coding.objects.filter(answer__response__wave=wave, kind=Coding.Kind.MODEL)
    assert codings.count() == result.total
    assert all(coding.codes and set(coding.codes) <= set(version.spec.code_names) for coding in codings)


def test_same_request_gives_the_same_reply_at_temperature_zero_with_a_seed(llm_server):
    codebook = wishes_codebook().spec
    messages = [{"role": "system", "content": coding_prompt(codebook)},
                {"role": "user", "content": "Answer: Die Antworten kommen morgens sehr langsam."}]
    client = endpoint(llm_server)
    first = client.complete_json(messages, "codes_wishes", reply_schema(codebook)).text
    second = client.complete_json(messages, "codes_wishes", reply_schema(codebook)).text
    assert first == second
    reply = reply_model(codebook).model_validate_json(first)
    assert list(json.loads(first)) == ["rationale", "codes"]  # the rationale comes before the code
    assert set(reply.codes) <= set(codebook.code_names)


def test_a_run_resumes_where_it_stopped_and_recode_replaces(llm_server, wave, settings):
    version = wishes_codebook()
    code_answers(wave, version, endpoint(llm_server))
    stored = Coding.objects.filter(kind=Coding.Kind.MODEL).count()
    first_two = list(Coding.objects.filter(kind=Coding.Kind.MODEL).order_by("answer_id")[:2].values_list("pk", flat=True))
    Coding.objects.filter(pk__in=first_two).delete()  # as if the run had stopped before them
    resumed = code_answers(wave, version, endpoint(llm_server))
    assert (resumed.already_coded, resumed.stored) == (stored - 2, 2)
    assert Coding.objects.filter(kind=Coding.Kind.MODEL).count() == stored
    before = set(Coding.objects.filter(kind=Coding.Kind.MODEL).values_list("pk", flat=True))
    settings.UPTAKE_CODING_ENDPOINT = llm_server
    settings.UPTAKE_CODING_MODEL = MODEL_ALIAS
    call_command("code_answers", wave.slug, "wishes", "--codebook", str(CODEBOOK_FILE), "--recode")
    after = set(Coding.objects.filter(kind=Coding.Kind.MODEL).values_list("pk", flat=True))
    assert len(after) == stored and not before & after


def test_a_server_that_does_not_enforce_the_schema_gets_nothing_stored(llm_server_ignoring_schema, wave):
    with pytest.raises(SchemaNotEnforced, match="does not follow the response schema"):
        code_answers(wave, wishes_codebook(), endpoint(llm_server_ignoring_schema))
    assert not Coding.objects.exists()


def test_command_says_so_when_the_server_ignores_the_schema(llm_server_ignoring_schema, wave):
    with pytest.raises(CommandError, match="nothing was coded"):
        call_command("code_answers", wave.slug, "wishes", "--codebook", str(CODEBOOK_FILE),
                     "--endpoint", llm_server_ignoring_schema, "--model", MODEL_ALIAS)
    assert not Coding.objects.exists()
