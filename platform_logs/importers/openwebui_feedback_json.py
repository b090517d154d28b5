"""Open WebUI's feedback export (Admin -> Evaluations): ratings with the model rated, never comments or snapshots."""

from platform_logs.models import UsageEvent

from .base import json_array_items, source_name
from .openwebui import feedback_event

ROW_MODEL = UsageEvent


def read(source, context):
    name = source_name(source)
    for index, feedback in json_array_items(source, "feedback records with 'id', 'user_id' and 'data'"):
        yield feedback_event(feedback, name, f"record {index}", context.since)
