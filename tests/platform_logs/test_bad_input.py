"""Garbage, truncated files and wrong encodings stop with ImportFormatError and leave the database as it was."""

import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_logs.services import ImportFormatError, import_source

from .builders import SAMPLE_FILES, sample, table_counts

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STREAM_KINDS = [kind for kind in SAMPLE_FILES if kind != "openwebui-db"] + ["generic-jsonl"]
JSON_KINDS = ["openwebui-chats-json", "openwebui-feedback-json", "keycloak-events"]


@pytest.fixture
def stored_before(transactional_db):
    """Some data already stored, so that "unchanged" means something; the import's transaction is the outermost one."""
    import_source("ollama-log", sample("ollama-log"))
    import_source("keycloak-events", sample("keycloak-events"))
    return table_counts()


def import_refused(kind, source):
    """True if the import raised ImportFormatError; any other exception fails the test."""
    try:
        import_source(kind, source)
    except ImportFormatError as error:
        assert str(error)
        return True
    return False


@pytest.mark.parametrize("kind", STREAM_KINDS)
@FAST
@given(garbage=st.binary(min_size=1, max_size=400))
def test_garbage_is_refused_cleanly_or_holds_nothing(stored_before, kind, garbage):
    before = table_counts()
    refused = import_refused(kind, io.BytesIO(garbage))

    assert table_counts() == before or not refused


@pytest.mark.parametrize("kind", JSON_KINDS)
@FAST
@given(data=st.data())
def test_truncated_json_exports_are_refused_and_store_nothing(stored_before, kind, data):
    content = sample(kind).read_bytes().rstrip()
    cut = data.draw(st.integers(min_value=1, max_value=len(content) - 1))

    assert import_refused(kind, io.BytesIO(content[:cut]))
    assert table_counts() == stored_before


@FAST
@given(data=st.data())
def test_truncated_ollama_logs_keep_every_complete_line(transactional_db, data):
    content = sample("ollama-log").read_bytes()
    # A file cut within its first line is a fragment nothing can recognize as an Ollama log.
    cut = data.draw(st.integers(min_value=content.index(b"\n") + 1, max_value=len(content)))
    lines = content[:cut].split(b"\n")
    complete_request_lines = sum(line.startswith(b"[GIN]") and line.endswith(b'"') and line.count(b'"') == 2 for line in lines)

    summary = import_source("ollama-log", io.BytesIO(content[:cut]))

    assert summary.stored + summary.duplicates == complete_request_lines


@pytest.mark.parametrize("kind", STREAM_KINDS[:-1])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_wrong_encodings_are_refused(stored_before, kind, encoding):
    content = sample(kind).read_text(encoding="utf-8").encode(encoding)

    assert import_refused(kind, io.BytesIO(content))
    assert table_counts() == stored_before


@pytest.mark.parametrize("kind", ["ollama-log", "openwebui-chats-json"])
def test_latin1_where_utf8_is_expected_is_refused(stored_before, kind):
    content = sample(kind).read_text(encoding="utf-8").replace("Zusammenfassung", "Zusammenfassung ä").encode("latin-1",
                                                                                                              "replace")

    assert import_refused(kind, io.BytesIO(content))
    assert table_counts() == stored_before


def test_an_error_after_many_good_records_rolls_back_all_of_them(stored_before):
    good = sample("ollama-log").read_text(encoding="utf-8")
    log = good + "".join(good.replace("2025/", "2024/") for _ in range(3)) + '[GIN] 2025/09/08 - 12:41:31 | 200 | soon | x | POST "/api/chat"\n'

    assert import_refused("ollama-log", io.BytesIO(log.encode()))
    assert table_counts() == stored_before


@FAST
@given(garbage=st.binary(min_size=0, max_size=2000), keep=st.integers(min_value=0, max_value=98304))
def test_damaged_databases_are_refused_cleanly(stored_before, garbage, keep):
    before = table_counts()
    with tempfile.TemporaryDirectory() as directory:
        damaged = Path(directory) / "webui.db"
        damaged.write_bytes(sample("openwebui-db").read_bytes()[:keep] + garbage)
        refused = import_refused("openwebui-db", damaged)

    assert table_counts() == before or not refused


@pytest.mark.parametrize("kind", [[], {"reply": 1}, 3])
def test_a_generic_event_whose_kind_is_not_a_word_gets_one_line(stored_before, kind):
    """A list as `kind` once ended in "unhashable type: 'list'" instead of naming the field (found by the fuzz test)."""
    line = ('{"id": "g1", "time": "2025-09-01T10:00:00+00:00", "kind": %s, "subject": "s1", "model": "llama3.1:8b"}'
            % json.dumps(kind))
    with pytest.raises(ImportFormatError, match=r"line 1: .*'kind' one of"):
        import_source("generic-jsonl", io.BytesIO(line.encode()))
    assert table_counts() == stored_before
