"""One importer per source; adding a source is adding a module and a line here."""

from . import (
    generic_jsonl,
    keycloak_events,
    litellm_spendlogs,
    ollama_log,
    openwebui_chats_json,
    openwebui_db,
    openwebui_feedback_json,
)
from .base import ImportFormatError

IMPORTERS = {
    "openwebui-db": openwebui_db,
    "openwebui-chats-json": openwebui_chats_json,
    "openwebui-feedback-json": openwebui_feedback_json,
    "ollama-log": ollama_log,
    "litellm-spendlogs": litellm_spendlogs,
    "keycloak-events": keycloak_events,
    "generic-jsonl": generic_jsonl,
}

__all__ = ["IMPORTERS", "ImportFormatError"]
