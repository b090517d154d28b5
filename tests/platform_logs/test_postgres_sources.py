"""Open WebUI and LiteLLM read from their PostgreSQL databases give the same events as their files.

Each test copies a sample into a scratch database of its own on the PostgreSQL server at
UPTAKE_TEST_POSTGRES_URL (default: postgres@127.0.0.1:5432, trust auth). Without a server the
tests are skipped, except under CI, where they fail.
"""

import csv
import json
import os
import secrets
import sqlite3
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.db import models

from platform_logs.models import UsageEvent
from platform_logs.services import ImportFormatError, import_source

from .builders import chat_record, message, sample, table_counts, upstream

pytestmark = pytest.mark.django_db

SERVER_URL = os.environ.get("UPTAKE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PERSON4_WEBUI_ID = "9c9011ef-256b-4df9-a7e6-529bce76e9f4"

# Open WebUI's tables as its migrations create them on PostgreSQL (ids as text, times as epoch
# seconds in bigint, JSON columns as json); only the columns the sample webui.db holds.
OPENWEBUI_TABLES = {
    "user": {"id": "varchar(255) PRIMARY KEY", "name": "varchar(255) NOT NULL", "email": "varchar(255) NOT NULL",
             "role": "varchar(255) NOT NULL", "profile_image_url": "text NOT NULL", "api_key": "varchar(255)",
             "created_at": "bigint NOT NULL", "updated_at": "bigint NOT NULL", "last_active_at": "bigint NOT NULL",
             "settings": "json", "info": "json", "oauth_sub": "text"},
    "chat": {"id": "varchar(255) PRIMARY KEY", "user_id": "varchar(255) NOT NULL", "title": "text NOT NULL",
             "share_id": "varchar(255)", "archived": "boolean NOT NULL", "created_at": "bigint NOT NULL",
             "updated_at": "bigint NOT NULL", "chat": "json", "pinned": "boolean", "meta": "json NOT NULL DEFAULT '{}'",
             "folder_id": "text"},
    "feedback": {"id": "text PRIMARY KEY", "user_id": "text", "version": "bigint", "type": "text", "data": "json",
                 "meta": "json", "snapshot": "json", "created_at": "bigint NOT NULL", "updated_at": "bigint NOT NULL"},
}

# LiteLLM_SpendLogs as LiteLLM's Prisma schema creates it (DateTime is timestamp(3) without time zone, in UTC).
SPEND_LOGS_TABLE = """
CREATE TABLE "LiteLLM_SpendLogs" (
    request_id text PRIMARY KEY, call_type text NOT NULL, api_key text NOT NULL DEFAULT '',
    spend double precision NOT NULL DEFAULT 0, total_tokens integer NOT NULL DEFAULT 0,
    prompt_tokens integer NOT NULL DEFAULT 0, completion_tokens integer NOT NULL DEFAULT 0,
    "startTime" timestamp(3) NOT NULL, "endTime" timestamp(3) NOT NULL, "completionStartTime" timestamp(3),
    model text NOT NULL DEFAULT '', model_group text DEFAULT '', custom_llm_provider text DEFAULT '',
    "user" text DEFAULT '', end_user text, team_id text, metadata jsonb DEFAULT '{}', cache_hit text DEFAULT '',
    request_tags jsonb DEFAULT '[]', requester_ip_address text, status text, session_id text,
    messages jsonb DEFAULT '{}', response jsonb DEFAULT '{}'
)"""
SPEND_LOG_TIMES = {"startTime", "endTime", "completionStartTime"}
SPEND_LOG_JSON = {"metadata", "request_tags"}
SPEND_LOG_NUMBERS = {"spend", "total_tokens", "prompt_tokens", "completion_tokens"}


@pytest.fixture
def scratch_database():
    """A new, empty database on the server: (psycopg connection to it, its URL); dropped afterwards."""
    import psycopg

    try:
        server = psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL server at {SERVER_URL} (set UPTAKE_TEST_POSTGRES_URL): {error}")
    name = f"uptake_src_{secrets.token_hex(6)}"
    server.execute(f'CREATE DATABASE "{name}"')
    url = SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            yield connection, url
    finally:
        server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.close()


@pytest.fixture
def openwebui_postgres(scratch_database):
    """The sample webui.db copied row by row into Open WebUI's PostgreSQL tables; its URL."""
    connection, url = scratch_database
    with sqlite3.connect(f"file:{sample('openwebui-db')}?mode=ro", uri=True) as webui_db:
        for table, columns in OPENWEBUI_TABLES.items():
            connection.execute(f'CREATE TABLE "{table}" ({", ".join(f"{c} {t}" for c, t in columns.items())})')
            rows = webui_db.execute(f'SELECT {", ".join(columns)} FROM "{table}"').fetchall()
            booleans = [index for index, kind in enumerate(columns.values()) if kind.startswith("boolean")]
            rows = [[bool(v) if i in booleans and v is not None else v for i, v in enumerate(row)] for row in rows]
            placeholders = ", ".join(["%s"] * len(columns))
            connection.cursor().executemany(f'INSERT INTO "{table}" VALUES ({placeholders})', rows)
    return url


@pytest.fixture
def litellm_postgres(scratch_database):
    """The sample spend log CSV loaded into LiteLLM_SpendLogs, with content in messages/response; its URL."""
    connection, url = scratch_database
    connection.execute(SPEND_LOGS_TABLE)
    with open(sample("litellm-spendlogs"), newline="", encoding="utf-8") as spend_logs:
        for row in csv.DictReader(spend_logs):
            values = {column: _spend_log_value(column, text) for column, text in row.items()}
            values["messages"] = json.dumps([{"role": "user", "content": "secret prompt text"}])
            values["response"] = json.dumps({"choices": [{"message": {"content": "secret answer text"}}]})
            columns = ", ".join(f'"{column}"' for column in values)
            connection.execute(f'INSERT INTO "LiteLLM_SpendLogs" ({columns}) VALUES ({", ".join(["%s"] * len(values))})',
                               list(values.values()))
    return url


def _spend_log_value(column, text):
    if text == "":
        return None
    if column in SPEND_LOG_TIMES:
        return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)
    if column in SPEND_LOG_NUMBERS:
        return float(text) if column == "spend" else int(text)
    if column in SPEND_LOG_JSON:
        return json.dumps(json.loads(text))
    return text


def stored_events():
    """What the events say, in a stable order: the comparison between two sources of the same records."""
    fields = ("event_key", "source", "kind", "pseudonym", "account_key", "occurred_at", "model", "features",
              "tokens_in", "tokens_out", "duration_seconds", "success", "rating", "score")
    return list(UsageEvent.objects.order_by("event_key").values_list(*fields))


def import_both(url, sqlite_file):
    """(summary of the PostgreSQL import, its events, the events of the SQLite file's import)."""
    summary = import_source("openwebui-db", url)
    from_postgres = stored_events()
    UsageEvent.objects.all().delete()
    import_source("openwebui-db", sqlite_file)
    return summary, from_postgres, stored_events()


def test_open_webui_on_postgresql_gives_the_same_events_as_its_sqlite_file(openwebui_postgres):
    summary, from_postgres, from_sqlite = import_both(openwebui_postgres, sample("openwebui-db"))

    assert (summary.read, summary.stored) == (47, 47)
    assert from_postgres == from_sqlite
    assert not UsageEvent.objects.filter(pseudonym="").exists()


def test_open_webui_on_postgresql_is_read_incrementally(openwebui_postgres, scratch_database):
    connection, _ = scratch_database
    assert import_source("openwebui-db", openwebui_postgres).stored == 47
    new_chat = chat_record("new-chat", PERSON4_WEBUI_ID, [
        message("n1", "user", 1763000000, models=["gemma3:27b"]),
        message("n2", "assistant", 1763000009, "n1", model="gemma3:27b", usage={"prompt_tokens": 3, "completion_tokens": 4}),
    ])
    connection.execute("INSERT INTO chat (id, user_id, title, archived, created_at, updated_at, chat, pinned) "
                       "VALUES (%s, %s, 'New secret title', false, %s, %s, %s, false)",
                       ("new-chat", PERSON4_WEBUI_ID, 1763000000, 1763000009, json.dumps(new_chat["chat"])))

    second = import_source("openwebui-db", openwebui_postgres)

    # The new chat's two messages; the rows at the cursor's second (a chat's 2 messages and a
    # feedback) are read again as duplicates, the other 42 records not at all.
    assert (second.read, second.stored, second.duplicates) == (5, 2, 3)
    assert UsageEvent.objects.filter(model="gemma3:27b", tokens_in=3, tokens_out=4).count() == 1


def test_open_webui_on_postgresql_stores_no_title_content_or_identity(openwebui_postgres, scratch_database):
    connection, _ = scratch_database
    forbidden = set()
    for row in connection.execute('SELECT name, email, oauth_sub FROM "user"'):
        forbidden.update(row)
    for title, body in connection.execute("SELECT title, chat FROM chat"):
        forbidden.add(title)
        forbidden.update(message["content"] for message in body["history"]["messages"].values())
    for (data,) in connection.execute("SELECT data FROM feedback"):
        forbidden.update([data["comment"], data["reason"]])
    forbidden = {value for value in forbidden if isinstance(value, str) and len(value) >= 4}
    assert len(forbidden) > 40  # the scan has something to find

    import_source("openwebui-db", openwebui_postgres)

    assert [value for value in _stored_text() if any(secret in value for secret in forbidden)] == []


def test_litellm_spend_logs_table_gives_the_same_events_as_the_csv_export(litellm_postgres):
    summary = import_source("litellm-spendlogs", litellm_postgres)
    from_postgres = stored_events()
    UsageEvent.objects.all().delete()

    import_source("litellm-spendlogs", sample("litellm-spendlogs"))

    assert (summary.read, summary.stored) == (22, 22)
    assert from_postgres == stored_events()
    assert [value for value in _stored_text() if "secret" in value or "172.18." in value] == []


def test_a_database_without_the_spend_logs_table_is_refused_and_nothing_stored(scratch_database):
    _, url = scratch_database
    before = table_counts()

    with pytest.raises(ImportFormatError, match='table "LiteLLM_SpendLogs": expected a LiteLLM proxy database') as refused:
        import_source("litellm-spendlogs", _with_password(url, "hunter2"))

    message = str(refused.value)
    assert url.rsplit("/", 1)[1] in message and "hunter2" not in message and "@" not in message
    assert table_counts() == before


def _stored_text():
    """Every value of every text, char and JSON column of the platform_logs models."""
    for model in apps.get_app_config("platform_logs").get_models():
        fields = [field.name for field in model._meta.concrete_fields
                  if isinstance(field, (models.CharField, models.TextField, models.JSONField))]
        for row in model.objects.values_list(*fields):
            yield from (value if isinstance(value, str) else json.dumps(value) for value in row if value not in (None, ""))


def _with_password(url, password):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{password}@{parts.hostname}:{parts.port or 5432}"))


@pytest.fixture
def upstream_openwebui_postgres(scratch_database):
    """Open WebUI 0.12.4's own webui.db (tests/fixtures/upstream) copied into PostgreSQL, each column in the type
    its SQLAlchemy model gives it there (JSON as json, BIGINT, BOOLEAN, the rest text); its URL."""
    connection, url = scratch_database
    postgres_types = {"JSON": "json", "BIGINT": "bigint", "BOOLEAN": "boolean", "DATE": "date"}
    with sqlite3.connect(f"file:{upstream('openwebui-db')}?mode=ro", uri=True) as webui_db:
        for table in ("user", "chat", "chat_message", "feedback"):
            columns = {name: postgres_types.get(kind, "text")
                       for _, name, kind, *_ in webui_db.execute(f'PRAGMA table_info("{table}")')}
            connection.execute(f'CREATE TABLE "{table}" ({", ".join(f"{c} {t}" for c, t in columns.items())})')
            rows = webui_db.execute(f'SELECT {", ".join(columns)} FROM "{table}"').fetchall()
            rows = [[bool(value) if kind == "boolean" and value is not None else value
                     for value, kind in zip(row, columns.values())] for row in rows]
            connection.cursor().executemany(f'INSERT INTO "{table}" VALUES ({", ".join(["%s"] * len(columns))})', rows)
    return url


def test_open_webui_0_12_on_postgresql_gives_the_same_events_as_its_sqlite_file(upstream_openwebui_postgres):
    summary, from_postgres, from_sqlite = import_both(upstream_openwebui_postgres, upstream("openwebui-db"))

    assert (summary.stored, summary.skipped) == (16, 2)
    assert from_postgres == from_sqlite
