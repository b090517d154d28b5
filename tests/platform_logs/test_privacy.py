"""After importing every sample, no identity or content from them is stored anywhere."""

import csv
import io
import json
import re
import shutil
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from platform_logs.models import UsageEvent
from platform_logs.privacy_scan import scan_database, scan_files
from platform_logs.services import ImportFormatError, import_source

from .builders import (
    CANARIES,
    PLANTED,
    SAMPLE_FILES,
    UPSTREAM_FILES,
    chat_record,
    message,
    planted_copies,
    sample,
    upstream,
    upstream_users,
    write_chats,
)

pytestmark = pytest.mark.django_db

IP_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def forbidden_values():
    """Every identity and content value in the samples: e-mails, names, ids, IPs, titles, texts, comments."""
    values = set()
    with sqlite3.connect(f"file:{sample('openwebui-db')}?mode=ro", uri=True) as database:
        for row in database.execute('SELECT id, name, email, oauth_sub FROM "user"'):
            values.update(row)
        for chat_id, user_id, title, body in database.execute("SELECT id, user_id, title, chat FROM chat"):
            values.update([chat_id, user_id, title])
            for message in json.loads(body)["history"]["messages"].values():
                values.update([message["id"], message["content"]])
        for feedback_id, data in database.execute("SELECT id, data FROM feedback"):
            values.update([feedback_id, json.loads(data)["comment"], json.loads(data)["reason"]])
    for chat in json.loads(sample("openwebui-chats-json").read_text()):
        values.update([chat["id"], chat["user_id"], chat["title"]])
        for message in chat["chat"]["messages"]:
            values.update([message["id"], message["content"]])
            values.update(item.get("name") for item in message.get("files", []))
    with open(sample("litellm-spendlogs"), newline="") as spend_logs:
        for row in csv.DictReader(spend_logs):
            values.update([row["request_id"], row["user"], row["requester_ip_address"], row["session_id"], row["api_key"]])
    for event in json.loads(sample("keycloak-events").read_text()):
        values.update([event["userId"], event["ipAddress"], event.get("sessionId"), event["details"]["username"]])
    values.update(IP_ADDRESS.findall(sample("ollama-log").read_text()))
    return {value for value in values if isinstance(value, str) and len(value) >= 4}


def test_no_identity_or_content_from_any_sample_is_stored():
    for kind in SAMPLE_FILES:
        import_source(kind, sample(kind))
    forbidden = forbidden_values()
    assert len(forbidden) > 100  # the scan has something to find

    assert scan_database(forbidden) == []


def test_identities_planted_in_every_field_of_every_format_are_never_stored(tmp_path):
    sources = {kind: sample(kind) for kind in SAMPLE_FILES}
    planted = {
        "openwebui-chats-json": planted_json_export(tmp_path, "openwebui-chats-json"),
        "openwebui-feedback-json": planted_json_export(tmp_path, "openwebui-feedback-json"),
        "keycloak-events": planted_json_export(tmp_path, "keycloak-events"),
        "litellm-spendlogs": planted_spend_logs(tmp_path),
        "ollama-log": planted_ollama_log(tmp_path),
        "generic-jsonl": planted_generic_jsonl(tmp_path),
        "openwebui-db": planted_webui_db(tmp_path),
    }
    for kind, source in sources.items():
        import_source(kind, source)
    for kind, source in planted.items():
        summary = import_source(kind, source, skip_invalid=True, clients=planted_clients(source, kind))
        assert summary.stored > 0 and summary.invalid > 0, (kind, str(summary))

    assert scan_database(CANARIES + PLANTED + sorted(forbidden_values())) == []


def planted_clients(source, kind):
    """The Keycloak clients of planted copies (each copy's ids made unique: open-webui-0, -1, ...), not the planted value."""
    if kind != "keycloak-events":
        return ()
    return sorted({event["clientId"] for event in json.loads(source.read_text()) if event["clientId"].startswith("open-webui")})


def upstream_forbidden_values():
    """What the upstream-made files hold that is identity or content: planted names, e-mails, IPs and texts,
    Open WebUI's user, chat and feedback ids, LiteLLM's keys, Keycloak's sessions and usernames."""
    values = set(PLANTED + CANARIES + ["bob@klinikum.example", "Bob Planted-Name", "dave@klinikum.example", "Dave 10.23.45.67",
                                       "Arztbrief", "10.23.45.67", "Frau Anna Schmidt", "google-bob-77"])
    values.update(upstream_users().values())
    with sqlite3.connect(f"file:{upstream('openwebui-db')}?mode=ro", uri=True) as database:
        values.update(row[0] for row in database.execute("SELECT id FROM chat UNION SELECT id FROM feedback"))
    with open(upstream("litellm-spendlogs"), newline="") as spend_logs:
        for row in csv.DictReader(spend_logs):
            values.update([row["api_key"], row["session_id"], row["requester_ip_address"], row["end_user"]])
    for event in json.loads(upstream("keycloak-events").read_text()):
        values.update([event["userId"], event["sessionId"], event["details"]["username"]])
    return sorted(value for value in values if value)


def test_identities_planted_in_every_field_of_the_upstream_made_files_are_never_stored(tmp_path):
    planted = {kind: planted_json_export(tmp_path, kind, upstream(kind))
               for kind in ("openwebui-chats-json", "openwebui-feedback-json", "keycloak-events")}
    planted["litellm-spendlogs"] = planted_spend_logs(tmp_path, upstream("litellm-spendlogs"))

    for kind, source in planted.items():
        summary = import_source(kind, source, skip_invalid=True, clients=planted_clients(source, kind))
        assert summary.stored > 0, (kind, str(summary))

    assert scan_database(CANARIES + PLANTED) == []


def test_nothing_planted_in_the_upstream_made_files_is_stored():
    for kind in UPSTREAM_FILES:
        import_source(kind, upstream(kind), clients=["open-webui", "litellm", "uptake"])
    assert UsageEvent.objects.exclude(pseudonym="").count() > 20  # linked: the hashes of the identities are there

    assert scan_database(upstream_forbidden_values()) == []


def test_the_scan_finds_an_e_mail_address_that_was_stored(tmp_path):
    UsageEvent.objects.create(event_key="k", source="generic", kind="prompt", occurred_at="2025-09-01T10:00:00Z",
                              model="anna.schmidt@klinikum.example")

    findings = scan_database()

    assert [(finding.where.split(" row ")[0], finding.kind) for finding in findings] == [
        ("platform_logs_usageevent.model", "e-mail address")]
    assert "schmidt" not in str(findings[0])  # the report masks what it found


def test_the_scan_finds_planted_text_and_addresses_in_files_naming_file_and_line(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.csv").write_text("a,b\n1,Anna Schmidt\n2,client 10.23.45.67 at 12:41:31\n", encoding="utf-8")

    findings = scan_files([tmp_path], canaries=["Anna Schmidt"])

    assert [(finding.where, finding.kind) for finding in findings] == [
        (f"{tmp_path / 'tables' / 't.csv'}:2", "planted text"), (f"{tmp_path / 'tables' / 't.csv'}:3", "IPv4 address")]


def test_the_file_scan_reads_the_text_of_pdf_word_and_excel_files(tmp_path):
    import docx
    import openpyxl
    from weasyprint import HTML

    HTML(string="<p>Befund an anna.schmidt@klinikum.example geschickt</p>").write_pdf(tmp_path / "report.pdf")
    manuscript = docx.Document()
    manuscript.add_paragraph("Results")
    manuscript.add_table(rows=1, cols=1).cell(0, 0).text = "Anna Schmidt"
    manuscript.save(tmp_path / "manuscript.docx")
    workbook = openpyxl.Workbook()
    workbook.active.append(["client", "10.23.45.67"])
    workbook.save(tmp_path / "table.xlsx")
    raw_bytes = [path.read_bytes() for path in sorted(tmp_path.iterdir())]
    assert not any(b"anna.schmidt@" in data or b"Anna Schmidt" in data or b"10.23.45.67" in data for data in raw_bytes)

    findings = scan_files([tmp_path], canaries=["Anna Schmidt"])

    assert [(finding.where.rsplit(":", 1)[0], finding.kind) for finding in findings] == [
        (f"{tmp_path / 'manuscript.docx'}!word/document.xml", "planted text"),
        (f"{tmp_path / 'report.pdf'}", "e-mail address"),
        (f"{tmp_path / 'table.xlsx'}!xl/worksheets/sheet1.xml", "IPv4 address"),
    ]


def test_a_file_the_scan_cannot_read_is_a_finding_not_a_pass(tmp_path):
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7 cut off")

    [finding] = scan_files([tmp_path])

    assert (finding.where, finding.kind) == (str(tmp_path / "report.pdf"), "unreadable file")


def test_the_privacy_scan_command_fails_naming_each_finding(tmp_path):
    (tmp_path / "export.csv").write_text("x\nwrite to anna.schmidt@klinikum.example\n", encoding="utf-8")
    output = io.StringIO()

    with pytest.raises(CommandError, match="1 finding"):
        call_command("privacy_scan", "--files", str(tmp_path), stdout=output)

    assert output.getvalue() == f"{tmp_path / 'export.csv'}:2: e-mail address 'a********e'\n"


def test_the_privacy_scan_command_passes_a_clean_database_and_directory(tmp_path):
    (tmp_path / "export.csv").write_text("x\n1\n", encoding="utf-8")
    output = io.StringIO()

    call_command("privacy_scan", "--files", str(tmp_path), "--canary", "Anna Schmidt", stdout=output)

    assert output.getvalue() == "privacy scan: no e-mail address, IP address, phone number or IBAN found, nor any of the canaries\n"


def planted_json_export(directory, kind, source=None):
    source = source or sample(kind)
    records = json.loads(source.read_text(encoding="utf-8"))
    path = directory / f"planted-{source.name}"
    path.write_text(json.dumps([copy for record in records for copy in planted_copies(record)]), encoding="utf-8")
    return path


def planted_spend_logs(directory, source=None):
    with open(source or sample("litellm-spendlogs"), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    path = directory / "planted-spendlogs.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for number, (row, column) in enumerate((row, column) for row in rows for column in row):
            writer.writerow(row | {"request_id": f"{row['request_id']}-{number}", column: PLANTED[number % len(PLANTED)]})
    return path


def planted_ollama_log(directory):
    lines = [line for line in sample("ollama-log").read_text(encoding="utf-8").splitlines() if line.startswith("[GIN]")]
    planted = []
    for number, line in enumerate(lines):
        secret = PLANTED[number % len(PLANTED)]
        planted += [line.replace('"/', f'"/{secret}/'), line.replace('"', f'?to={secret}"', 2).replace(f'?to={secret}"', '"', 1),
                    line.replace("POST", secret.split()[0].upper()[:8]), f"time=2025-09-08 level=INFO msg={secret}"]
    path = directory / "planted-ollama.log"
    path.write_text("\n".join(lines + planted) + "\n", encoding="utf-8")
    return path


def planted_generic_jsonl(directory):
    record = {"id": "g1", "time": "2025-09-01T10:00:00+00:00", "kind": "reply", "subject": "s1", "email": "e@example.org",
              "model": "llama3.1:8b", "features": ["web_search"], "tokens_in": 1, "tokens_out": 2, "duration_s": 1.5,
              "success": True, "rating": 1, "score": 8, "chat_id": "c1", "content": "x"}
    path = directory / "planted.jsonl"
    path.write_text("\n".join(json.dumps(copy) for copy in [record, *planted_copies(record)]) + "\n", encoding="utf-8")
    return path


def planted_webui_db(directory):
    path = directory / "planted-webui.db"
    shutil.copy(sample("openwebui-db"), path)
    with sqlite3.connect(path) as database:
        database.execute('UPDATE "user" SET name = ?, email = ?', (PLANTED[3], PLANTED[0]))
        chats = database.execute("SELECT id, user_id, chat, updated_at FROM chat").fetchall()
        for chat_id, user_id, body, updated_at in chats:
            for number, copy in enumerate(planted_copies({"id": chat_id, "chat": json.loads(body)})):
                database.execute("INSERT INTO chat (id, user_id, title, archived, created_at, updated_at, chat, pinned, meta) "
                                 "VALUES (?, ?, ?, 0, ?, ?, ?, 0, '{}')",
                                 (f"{copy['id']} {chat_id}-{number}", user_id, PLANTED[4], updated_at, updated_at, json.dumps(copy["chat"])))
    database.close()
    return path


@pytest.mark.parametrize("model", ["anna.schmidt@klinikum.example", "Anna Schmidt", "10.23.45.67",
                                   "Bitte fasse den Arztbrief zusammen", "x" * 101])
def test_a_model_that_is_no_model_id_is_an_invalid_record_named_without_its_content(model):
    jsonl = json.dumps({"id": "1", "time": 1756000000, "kind": "prompt", "model": model}).encode()

    with pytest.raises(ImportFormatError) as refused:
        import_source("generic-jsonl", io.BytesIO(jsonl))

    assert str(refused.value).startswith("<stream> line 1: expected 'model' as a model id like llama3.1:8b")
    assert str(refused.value).endswith(f"got text of {len(model)} characters")
    assert UsageEvent.objects.count() == 0


def test_a_chats_export_with_an_identity_as_model_stores_the_rest_and_counts_it_invalid(tmp_path):
    chats = [chat_record("c1", "u1", [message("m1", "user", 1756000000, models=["anna.schmidt@klinikum.example"]),
                                      message("m2", "assistant", 1756000009, "m1", model="llama3.1:8b")])]

    summary = import_source("openwebui-chats-json", write_chats(tmp_path / "chats.json", chats), skip_invalid=True)

    assert (summary.stored, summary.invalid) == (1, 1)
    assert summary.problems == ["chats.json record 1 message m1: expected 'models' as a model id like llama3.1:8b or "
                                "openai/gpt-4o (letters, digits and ._:/@+-, at most 100 characters), got text of 29 characters"]
    assert list(UsageEvent.objects.values_list("model", flat=True)) == ["llama3.1:8b"]
