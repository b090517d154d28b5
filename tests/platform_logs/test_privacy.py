"""After importing every sample, no identity or content from them is stored anywhere."""

import csv
import json
import re
import sqlite3

import pytest
from django.apps import apps
from django.db import models

from platform_logs.services import import_source

from .builders import SAMPLE_FILES, sample

pytestmark = pytest.mark.django_db

IP_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


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


def stored_text():
    """Every value of every text, char and JSON column of every model, read through the ORM."""
    for model in apps.get_models():
        fields = [field.name for field in model._meta.concrete_fields
                  if isinstance(field, (models.CharField, models.TextField, models.JSONField))]
        for row in model.objects.values_list(*fields) if fields else ():
            for value in row:
                if value not in (None, ""):
                    yield model.__name__, value if isinstance(value, str) else json.dumps(value)


def test_no_identity_or_content_from_any_sample_is_stored(tmp_path):
    for kind in SAMPLE_FILES:
        import_source(kind, sample(kind))
    forbidden = forbidden_values()
    assert len(forbidden) > 100  # the scan has something to find

    found = [(model, value) for model, value in stored_text()
             if any(secret in value for secret in forbidden) or EMAIL.search(value) or IP_ADDRESS.search(value)]

    assert found == []
