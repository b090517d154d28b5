"""Random and adversarial records for every importer (files and the Open WebUI database) end in stored records
that pass the privacy scan, or in a one-line error and an unchanged database."""

import csv
import io
import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_logs.privacy_scan import scan_database
from platform_logs.services import ImportFormatError, import_source

from .builders import CANARIES, PLANTED, add_chat_row, deeply_nested, gin_line, sample, table_counts

FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HOSTILE_TEXT = st.one_of(st.sampled_from(PLANTED), st.text(max_size=40), st.sampled_from(["", " ", "\x00", "=cmd|x", "../../etc"]))
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=20,
)


def mutated(record, data):
    """The record with a few leaves (anywhere in it) replaced by hostile values."""
    text = json.dumps(record)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        value = json.loads(text)
        node = value
        while isinstance(node, (dict, list)) and node:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            key = data.draw(st.sampled_from(keys))
            if not isinstance(node[key], (dict, list)) or data.draw(st.booleans()):
                node[key] = data.draw(JSON_VALUES | st.just(json.loads(deeply_nested(80))))
                break
            node = node[key]
        text = json.dumps(value)
    return json.loads(text)


def imported_cleanly_or_refused(kind, content):
    before = table_counts()
    try:
        import_source(kind, io.BytesIO(content))
    except ImportFormatError as error:
        assert "\n" not in str(error)
        assert not any(secret.lower() in str(error).lower() for secret in PLANTED)
        assert table_counts() == before
        return
    assert scan_database(CANARIES + PLANTED) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["openwebui-chats-json", "openwebui-feedback-json", "keycloak-events"])
@FUZZ
@given(data=st.data())
def test_json_exports_with_hostile_records(kind, data):
    records = json.loads(sample(kind).read_text(encoding="utf-8"))
    chosen = data.draw(st.lists(st.sampled_from(records), min_size=1, max_size=3))

    imported_cleanly_or_refused(kind, json.dumps([mutated(record, data) for record in chosen]).encode())


@pytest.mark.django_db(transaction=True)
@FUZZ
@given(data=st.data())
def test_generic_jsonl_with_hostile_records(data):
    record = {"id": "g1", "time": "2025-09-01T10:00:00+00:00", "kind": "reply", "subject": "s1", "model": "llama3.1:8b",
              "features": ["web_search"], "tokens_in": 1, "tokens_out": 2, "duration_s": 1.5, "chat_id": "c1"}
    lines = [json.dumps(mutated(record, data)) for _ in range(data.draw(st.integers(min_value=1, max_value=3)))]

    imported_cleanly_or_refused("generic-jsonl", "\n".join(lines).encode())


@pytest.mark.django_db(transaction=True)
@FUZZ
@given(rows=st.lists(st.dictionaries(st.sampled_from(["request_id", "startTime", "model", "model_group", "user", "metadata",
                                                      "requester_ip_address", "status", "prompt_tokens"]),
                                     HOSTILE_TEXT, max_size=5), min_size=1, max_size=3))
def test_litellm_spend_logs_with_hostile_rows(rows):
    with open(sample("litellm-spendlogs"), newline="", encoding="utf-8") as handle:
        template = next(csv.DictReader(handle))
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=list(template))
    writer.writeheader()
    writer.writerows(template | {"request_id": f"fuzz-{number}"} | row for number, row in enumerate(rows))

    imported_cleanly_or_refused("litellm-spendlogs", output.getvalue().encode())


@pytest.mark.django_db(transaction=True)
@FUZZ
@given(parts=st.lists(st.tuples(HOSTILE_TEXT, HOSTILE_TEXT, st.sampled_from(["GET", "POST", "DELETE"])), min_size=1, max_size=3))
def test_ollama_logs_with_hostile_request_lines(parts):
    lines = [gin_line(path=f"/api/{path}", client=client, method=method) for path, client, method in parts]

    imported_cleanly_or_refused("ollama-log", ("\n".join(lines) + "\n").encode())


@pytest.mark.django_db(transaction=True)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_open_webui_database_with_hostile_chat_rows(tmp_path_factory, data):
    database = tmp_path_factory.mktemp("db") / "webui.db"
    shutil.copy(sample("openwebui-db"), database)
    chats = json.loads(sample("openwebui-chats-json").read_text(encoding="utf-8"))
    chat = mutated(data.draw(st.sampled_from(chats)), data)
    add_chat_row(database, "hostile-chat", str(chat.get("user_id")), json.dumps(chat.get("chat")))

    before = table_counts()
    try:
        import_source("openwebui-db", database)
    except ImportFormatError as error:
        assert "\n" not in str(error) and table_counts() == before
        return
    assert scan_database(CANARIES + PLANTED) == []
