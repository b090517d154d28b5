"""Open WebUI's "Export All Chats (All Users)": a JSON array of chat records, read incrementally.

The export names users only by Open WebUI's user id: their events get an account key and get a
pseudonym once the Open WebUI database (its user table) has been imported too.
"""

from platform_logs.models import UsageEvent

from .base import json_array_items, source_name
from .openwebui import chat_events, import_keys

ROW_MODEL = UsageEvent


def read(source, context):
    name, keys = source_name(source), import_keys()
    for index, chat in json_array_items(source, "chats with 'id', 'user_id' and 'chat'"):
        yield from chat_events(chat, name, f"record {index}", context.since, keys=keys)
