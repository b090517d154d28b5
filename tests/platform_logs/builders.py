"""Small builders for platform log tests: where the shared samples are, and generated sources."""

import json
import re
from pathlib import Path

from django.apps import apps

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "platform_logs"
SAMPLE_FILES = {
    "openwebui-db": "webui.db",
    "openwebui-chats-json": "openwebui-chats-export.json",
    "openwebui-feedback-json": "openwebui-feedbacks-export.json",
    "ollama-log": "ollama-server.log",
    "litellm-spendlogs": "litellm-spendlogs.csv",
    "keycloak-events": "keycloak-events.json",
}


# Made by the upstream releases' own code (tests/fixtures/upstream/build.py; versions in versions.json).
UPSTREAM = Path(__file__).resolve().parents[1] / "fixtures" / "upstream"
UPSTREAM_FILES = {
    "openwebui-db": "openwebui/webui.db",
    "openwebui-chats-json": "openwebui/chats-export.json",
    "openwebui-feedback-json": "openwebui/feedbacks-export.json",
    "ollama-log": "ollama/server.log",
    "litellm-spendlogs": "litellm/spendlogs.csv",
    "keycloak-events": "keycloak/events.json",
}
# The Keycloak subjects Open WebUI holds for the generated accounts (openwebui_fill.py).
ALICE_SUBJECT, BOB_SUBJECT = "kc-alice-0001", "kc-bob-0002"


def sample(kind):
    return SAMPLES / SAMPLE_FILES[kind]


def upstream(kind):
    return UPSTREAM / UPSTREAM_FILES[kind]


def upstream_users():
    """Open WebUI's user ids of the generated accounts: {"alice": ..., "bob": ..., "dave": ...}."""
    return json.loads((UPSTREAM / "openwebui" / "users.json").read_text())


def table_counts():
    """Rows in every platform_logs table: what "the database is unchanged" is checked on."""
    return {model.__name__: model.objects.count() for model in apps.get_app_config("platform_logs").get_models()}


def gin_line(when="2025/09/08 - 12:41:31", status=200, latency="13.607634s", path="/api/chat", method="POST",
             client="172.18.0.5"):
    return f'[GIN] {when} | {status} | {latency:>15} | {client:>15} | {method:<8} "{path}"'


def message(message_id, role, timestamp, parent=None, **extra):
    return {"id": message_id, "parentId": parent, "childrenIds": [], "role": role, "content": f"secret text of {message_id}",
            "timestamp": timestamp, **extra}


def chat_record(chat_id, user_id, messages, title="Secret chat title"):
    """An Open WebUI chat record whose messages appear both in history.messages and in messages, as in real exports."""
    return {"id": chat_id, "user_id": user_id, "title": title, "created_at": messages[0]["timestamp"],
            "updated_at": messages[-1]["timestamp"],
            "chat": {"title": title, "history": {"messages": {m["id"]: m for m in messages}, "currentId": messages[-1]["id"]},
                     "messages": messages}}


def write_chats(path, chats):
    path.write_text(json.dumps(chats), encoding="utf-8")
    return path


def add_chat_row(database, chat_id, user_id, body, updated_at=1763000009):
    """A row in a copy of webui.db's chat table holding `body` (text) as the chat JSON column."""
    import sqlite3

    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO chat (id, user_id, title, share_id, archived, created_at, updated_at, chat, pinned, meta, folder_id) "
            "VALUES (?, ?, 'Secret title', NULL, 0, ?, ?, ?, 0, '{}', NULL)",
            (chat_id, user_id, updated_at, updated_at, body),
        )
    connection.close()


def deeply_nested(depth):
    """JSON text of `depth` nested arrays: small on disk, ruinous for a parser without a bound."""
    return "[" * depth + "]" * depth


# Identities and content planted into logs: none may be stored, whichever field carries them.
PLANTED = ["anna.schmidt@klinikum.example", "10.23.45.67", "2001:db8:85a3::8a2e:370:7334", "Anna Schmidt",
           "Bitte fasse den Arztbrief von Frau Schmidt zusammen"]
CANARIES = ["Anna Schmidt", "Arztbrief", "klinikum.example"]
ID_KEY = re.compile(r"(?:^|_)id$|Id$|Ids$")


def planted_copies(record):
    """One copy of a JSON record per leaf, with that leaf planted and every id made unique to the copy.

    Unique ids keep each copy's events from being counted as duplicates of another's, so a field
    that leaked would be stored and found."""
    copies = []
    ids = sorted(set(_id_values(record)), key=len, reverse=True)
    for number, path in enumerate(_leaf_paths(record)):
        copy = json.loads(json.dumps(record))
        *parents, last = path
        container = copy
        for key in parents:
            container = container[key]
        container[last] = PLANTED[number % len(PLANTED)]
        text = json.dumps(copy)
        for value in ids:
            text = text.replace(json.dumps(value), json.dumps(f"{value}-{number}"))
        copy = json.loads(text)
        copies.append(copy)
    return copies


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        return [leaf for key, child in value.items() for leaf in _leaf_paths(child, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, child in enumerate(value) for leaf in _leaf_paths(child, (*path, index))]
    return [path]


def _id_values(value, key=""):
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _id_values(child, child_key)
    elif isinstance(value, list):
        for child in value:
            yield from _id_values(child, key)
    elif isinstance(value, str) and value and ID_KEY.search(key):
        yield value
