"""Hostile records (nested without end, larger than any real one) stop an import quickly with one line naming
where, and change nothing."""

import io
import json
import shutil
import subprocess
import sys

import pytest

from platform_logs.importers.base import MAX_NESTING
from platform_logs.services import ImportFormatError, import_source

from .builders import add_chat_row, chat_record, deeply_nested, message, sample, table_counts, write_chats

DEPTH = 200_000
# The child reads the export through the importer and reports the seconds the reading took (after Python and
# Django have started) and its own peak memory (VmHWM in KiB: the peak of this process's own memory; ru_maxrss
# would also count the parent's memory at fork time, which in a long test run is the whole pytest process).
CHILD = """
import sys, time, django
django.setup()
from platform_logs.importers import IMPORTERS
from platform_logs.importers.base import ImportContext, ImportFormatError
started = time.monotonic()
try:
    for _ in IMPORTERS["openwebui-chats-json"].read(sys.argv[1], ImportContext("deep")):
        pass
except ImportFormatError as error:
    print(error)
print(time.monotonic() - started)
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


@pytest.fixture
def stored_before(transactional_db):
    import_source("keycloak-events", sample("keycloak-events"))
    return table_counts()


@pytest.fixture
def deep_chats_export(tmp_path):
    """The attack as filed: a 1.2 MB chats export whose one chat nests 200,000 levels deep."""
    chat = '{"id": "c1", "user_id": "u1", "chat": {"history": {"messages": {"m1": {"id": "m1", "extra": %s}}}}}'
    path = tmp_path / "deep.json"
    path.write_text("[" + chat % deeply_nested(DEPTH * 3) + "]", encoding="utf-8")
    assert path.stat().st_size > 1_200_000
    return path


def refusal(kind, source):
    with pytest.raises(ImportFormatError) as refused:
        import_source(kind, source)
    return str(refused.value)


def test_a_deeply_nested_chats_export_fails_fast_in_little_memory(deep_chats_export, pseudonym_key_file):
    child = subprocess.run([sys.executable, "-c", CHILD, str(deep_chats_export)], capture_output=True, text=True,
                           timeout=120, env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin",
                                             "UPTAKE_PSEUDONYM_KEY_FILE": str(pseudonym_key_file)})
    message, seconds, peak_kib = child.stdout.strip().splitlines()

    assert child.returncode == 0, child.stderr
    assert message == f"deep.json line 1, record 1: nesting deeper than {MAX_NESTING} levels"
    assert float(seconds) < 10  # the bound; the reading takes well under a second when the machine is idle
    assert int(peak_kib) < 500 * 1024


def test_a_deeply_nested_chats_export_changes_nothing(stored_before, deep_chats_export):
    message = refusal("openwebui-chats-json", deep_chats_export)

    assert message == f"deep.json line 1, record 1: nesting deeper than {MAX_NESTING} levels"
    assert table_counts() == stored_before


def test_the_line_named_is_the_line_of_the_deep_record(stored_before, tmp_path):
    good = json.loads(sample("openwebui-chats-json").read_text(encoding="utf-8"))
    lines = [json.dumps(chat) for chat in good] + ['{"id": "x", "extra": ' + deeply_nested(100) + "}"]
    path = tmp_path / "chats.json"
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")

    message = refusal("openwebui-chats-json", path)

    assert message == f"chats.json line {len(lines) + 1}, record {len(lines)}: nesting deeper than {MAX_NESTING} levels"
    assert table_counts() == stored_before


def test_nesting_up_to_the_bound_is_accepted(stored_before, tmp_path):
    chat = {"id": "c1", "user_id": "u1", "chat": {"history": {"messages": {}}, "extra": json.loads(deeply_nested(MAX_NESTING - 3))}}
    path = tmp_path / "chats.json"
    path.write_text(json.dumps([chat]), encoding="utf-8")

    assert import_source("openwebui-chats-json", path).read == 0


@pytest.mark.parametrize("kind", ["openwebui-feedback-json", "keycloak-events"])
def test_other_json_exports_bound_nesting_too(stored_before, kind):
    message = refusal(kind, io.BytesIO(b'[{"id": "1", "data": ' + deeply_nested(DEPTH).encode() + b"}]"))

    assert message.endswith(f"line 1, record 1: nesting deeper than {MAX_NESTING} levels")
    assert table_counts() == stored_before


def test_a_deeply_nested_jsonl_record_is_one_line_error_or_counted(stored_before):
    jsonl = ('{"id": "1", "time": 1756000000, "kind": "prompt"}\n{"id": "2", "time": 1756000000, "kind": "prompt", '
             '"extra": ' + deeply_nested(DEPTH) + "}\n").encode()

    assert refusal("generic-jsonl", io.BytesIO(jsonl)) == f"<stream> line 2: nesting deeper than {MAX_NESTING} levels"
    assert table_counts() == stored_before
    summary = import_source("generic-jsonl", io.BytesIO(jsonl), skip_invalid=True)
    assert (summary.stored, summary.invalid) == (1, 1)


def test_a_jsonl_line_longer_than_any_record_is_refused_without_reading_it_whole(stored_before, monkeypatch):
    monkeypatch.setattr("platform_logs.importers.base.MAX_RECORD_BYTES", 1000)
    jsonl = b'{"id": "1", "time": 1756000000, "kind": "prompt", "pad": "' + b"x" * 5000 + b'"}\n'

    assert refusal("generic-jsonl", io.BytesIO(jsonl)) == "<stream> line 1: a record larger than 0 MB"
    assert table_counts() == stored_before


def test_a_record_larger_than_the_bound_in_a_json_export_is_refused(stored_before, monkeypatch):
    monkeypatch.setattr("platform_logs.importers.base.MAX_RECORD_BYTES", 1000)
    monkeypatch.setattr("platform_logs.importers.base.READ_SIZE", 100)  # the bound is checked per piece read

    message = refusal("openwebui-chats-json", io.BytesIO(b'[{"id": "c", "pad": "' + b"x" * 5000 + b'"}]'))

    assert message.startswith("<stream> line 1, record 1: a record larger than")
    assert table_counts() == stored_before


def test_deep_json_in_open_webui_database_columns_is_an_invalid_record(stored_before, tmp_path):
    database = tmp_path / "webui.db"
    shutil.copy(sample("openwebui-db"), database)
    add_chat_row(database, "deep-chat", "someone", '{"history": ' + deeply_nested(DEPTH) + "}")

    assert refusal("openwebui-db", database) == f"webui.db chat deep-chat: nesting deeper than {MAX_NESTING} levels"
    assert table_counts() == stored_before
    summary = import_source("openwebui-db", database, skip_invalid=True)
    assert (summary.stored, summary.invalid) == (47, 1)


def test_deep_json_in_litellm_metadata_is_an_invalid_record(stored_before, tmp_path):
    rows = sample("litellm-spendlogs").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    record = dict.fromkeys(header, "") | {"request_id": "deep", "startTime": "2025-09-09 11:05:39",
                                          "metadata": deeply_nested(DEPTH)}
    path = tmp_path / "spend.csv"
    path.write_text(",".join(header) + "\n" + ",".join(record[column] for column in header) + "\n", encoding="utf-8")

    assert refusal("litellm-spendlogs", path) == f"spend.csv line 2 metadata: nesting deeper than {MAX_NESTING} levels"
    assert table_counts() == stored_before


@pytest.mark.parametrize("read_size", [7, 65536])
def test_brackets_and_escapes_inside_text_are_not_nesting(stored_before, tmp_path, monkeypatch, read_size):
    monkeypatch.setattr("platform_logs.importers.base.READ_SIZE", read_size)
    text = 'Code: ' + "[{" * 100 + ' and a quote \\" and a backslash \\\\ and [[' * 20
    chats = [chat_record(f"c{number}", "u1", [message(f"m{number}", "user", 1756000000 + number, models=["llama3.1:8b"],
                                                       content=text)]) for number in range(3)]

    summary = import_source("openwebui-chats-json", write_chats(tmp_path / "chats.json", chats))

    assert summary.stored == 3
