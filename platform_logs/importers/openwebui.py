"""Open WebUI chats and feedback to usage events, shared by the database and the export importers.

Only metadata leaves this module: message ids and chat ids become keyed hashes, users become
pseudonyms or account keys; titles, contents, file names, comments and snapshots are never read
into an event.
"""

from platform_logs.identity import ImportKeys, event_key, openwebui_account_key
from platform_logs.models import UsageEvent
from surveys.pseudonyms import keyed_hash

from .base import (
    SKIPPED,
    ImportFormatError,
    Invalid,
    epoch_to_datetime,
    feature_list,
    invalid_model,
    is_model_id,
    load_bounded_json,
    non_negative_int,
    usage_row,
)

SOURCE = UsageEvent.Source.OPENWEBUI
OUTPUT_ITEM_FEATURES = {
    "function_call": {"tools"},
    "open_webui:code_interpreter": {"code_interpreter"},
    "web_search_call": {"web_search"},
    "image_generation_call": {"image_generation"},
}
NANOSECONDS = 1e9
PROMPT, REPLY, RATING = UsageEvent.Kind.PROMPT, UsageEvent.Kind.REPLY, UsageEvent.Kind.RATING


def import_keys():
    """The keyed hashes of one import of Open WebUI chats: event keys, and each user's account key once."""
    return ImportKeys(SOURCE, account_key=openwebui_account_key)


def load_json_column(value, name, location):
    """A JSON column's text as Python (the query casts it to text, so PostgreSQL does not decode it unbounded).

    ValueError if it is not JSON; ImportFormatError if it is too large or nests too deep."""
    if value is None:
        return None
    return load_bounded_json(value, name, location)


def chat_events(chat, name, location, since=None, pseudonyms=None, keys=None):
    """Usage event rows (`usage_row`) for each message of one chat record (`id`, `user_id`, `chat`, optional `meta`),
    each message id once; `keys` are the import's `import_keys()`.

    A message counts for its own author (`user_id`, set on every message Open WebUI 0.12 saves, and
    in shared chats another user's) and falls back to the chat's owner; `pseudonyms` maps Open WebUI
    user ids to survey pseudonyms where the user table is known. Internal chats (`meta.internal`:
    a note's or an automation's assistant, sub-agents) are no one's prompting: their messages are skipped.
    """
    if not isinstance(chat, dict) or not chat.get("id") or not chat.get("user_id"):
        yield Invalid(ImportFormatError(name, location, "a chat with 'id', 'user_id' and 'chat'"))
        return
    body = chat.get("chat")
    if not isinstance(body, dict):
        yield Invalid(ImportFormatError(name, location, "'chat' to be a JSON object with 'history' or 'messages'"))
        return
    messages = _unique_messages(body)
    if messages is None:
        yield Invalid(ImportFormatError(name, location, "'history.messages' to be an object and 'messages' a list"))
        return
    meta = chat.get("meta") if isinstance(chat.get("meta"), dict) else {}
    if meta.get("internal"):
        yield from (SKIPPED for _ in messages)
        return
    pseudonyms, owner, keys = pseudonyms or {}, str(chat["user_id"]), keys or import_keys()
    chat_key = keyed_hash(f"openwebui:chat:{chat['id']}")
    for message_id, message in messages.items():
        if message is SKIPPED:
            yield SKIPPED
            continue
        author = message.get("user_id") if isinstance(message.get("user_id"), str) and message.get("user_id") else owner
        yield _message_event(message_id, message, messages, name, location, since,
                             keys, author, pseudonyms.get(author, ""), chat_key)


def _unique_messages(body):
    """id -> message. `history.messages` is authoritative; the flat `messages` list repeats the visible branch
    and is read only for chats without a history (old exports). A flat entry without an id (Open WebUI
    0.12 saves a new chat's first prompt as {role, content} before the history has it) is skipped."""
    history = body.get("history") or {}
    tree = history.get("messages") if isinstance(history, dict) else None
    flat = body.get("messages") or []
    if (tree is not None and not isinstance(tree, dict)) or not isinstance(flat, list):
        return None
    if tree:
        return {str(message_id): message for message_id, message in tree.items()}
    messages = {}
    for message in flat:
        if isinstance(message, dict) and not message.get("id") and "role" in message:
            messages[f"#flat{len(messages)}"] = SKIPPED
        elif not isinstance(message, dict) or not message.get("id"):
            messages[f"#invalid{len(messages)}"] = message
        else:
            messages.setdefault(str(message["id"]), message)
    return messages


def _message_event(message_id, message, messages, name, location, since, keys, author, pseudonym, chat_key):
    if message_id.startswith("#invalid") or not isinstance(message, dict):
        return Invalid(ImportFormatError(name, location, "each message to be an object with an 'id'"))
    role = message.get("role")
    if role not in ("user", "assistant"):
        return SKIPPED if isinstance(role, str) else Invalid(ImportFormatError(name, f"{location} message {message_id}", "a 'role'"))
    occurred_at = epoch_to_datetime(message.get("timestamp"))
    if occurred_at is None:
        return Invalid(ImportFormatError(name, f"{location} message {message_id}", "'timestamp' in epoch seconds",
                                         message.get("timestamp")))
    if since is not None and occurred_at < since:
        return SKIPPED
    event_key = keys.event_key(f"message:{message_id}")
    if role == "user":
        models = message.get("models")
        model = _model_name(models[0] if isinstance(models, list) and models else _answering_model(message_id, messages))
        if not is_model_id(model):
            return invalid_model(name, f"{location} message {message_id}", "models", model)
        return usage_row(event_key, SOURCE, PROMPT, occurred_at, pseudonym, keys.account_key(author), chat_key, model,
                         feature_list(_prompt_features(message)))
    model = _model_name(message.get("model"))
    if not is_model_id(model):
        return invalid_model(name, f"{location} message {message_id}", "model", model)
    parent = messages.get(str(message.get("parentId")))
    found = _reply_features(message) | (_prompt_features(parent) if isinstance(parent, dict) else set())
    tokens_in, tokens_out, duration = _usage(message)
    success = False if message.get("error") else None if message.get("done") is False else True
    return usage_row(event_key, SOURCE, REPLY, occurred_at, pseudonym, keys.account_key(author), chat_key, model,
                     feature_list(found), tokens_in, tokens_out, duration, success)


def _answering_model(prompt_id, messages):
    """The model of the first reply to a prompt that names no model (Open WebUI's chat_message keeps none for prompts)."""
    for message in messages.values():
        if isinstance(message, dict) and message.get("role") == "assistant" and str(message.get("parentId")) == prompt_id:
            return message.get("model")
    return ""


def _model_name(value):
    return value if isinstance(value, str) else ""


def _items(message, key):
    value = message.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _prompt_features(message):
    found = set()
    for attached in _items(message, "files"):
        if attached.get("type") == "image":
            found.add("vision")
        elif attached.get("type") in ("collection", "file", "doc"):
            found.add("knowledge")
    return found


def _reply_features(message):
    found = set()
    for source in _items(message, "sources") + _items(message, "citations"):
        kind = source.get("source", {}).get("type") if isinstance(source.get("source"), dict) else None
        found.add("web_search" if kind == "web_search" else "tools" if kind == "tool" else "knowledge")
    for status in _items(message, "statusHistory"):
        action = status.get("action")
        if action == "web_search":
            found.add("web_search")
        elif action in ("knowledge_search", "queries_generated", "sources_retrieved"):
            found.add("knowledge")
        elif isinstance(action, str) and action.startswith("tool"):
            found.add("tools")
    if any(attached.get("type") == "image" for attached in _items(message, "files")):
        found.add("image_generation")
    if _items(message, "code_executions"):
        found.add("code_interpreter")
    if message.get("tool_calls"):
        found.add("tools")
    for item in _items(message, "output"):  # Open WebUI 0.12 records tool calls and code runs as output items
        found |= OUTPUT_ITEM_FEATURES.get(item.get("type"), set())
    return found


def _usage(message):
    """(tokens in, tokens out, seconds) from Ollama-native, OpenAI-compatible or older `info` usage blocks.

    `input_tokens`/`output_tokens` come first: Open WebUI's merge_usage sums them over every model call
    of a turn (a tool turn makes several), while `prompt_tokens`/`completion_tokens` keep the last call's."""
    usage = message.get("usage") if isinstance(message.get("usage"), dict) else message.get("info")
    if not isinstance(usage, dict):
        return None, None, None
    tokens_in = _first_count(usage, "input_tokens", "prompt_eval_count", "prompt_tokens")
    tokens_out = _first_count(usage, "output_tokens", "eval_count", "completion_tokens")
    total = usage.get("total_duration")
    duration = total / NANOSECONDS if isinstance(total, (int, float)) and not isinstance(total, bool) and total >= 0 else None
    return tokens_in, tokens_out, duration


def _first_count(usage, *keys):
    for key in keys:
        count = non_negative_int(usage.get(key))
        if count is not None:
            return count
    return None


def feedback_event(feedback, name, location, since=None, pseudonym=""):
    """A rating event row (`usage_row`) for one feedback record: thumbs, 1-10 score and the model rated; never
    comment or snapshot."""
    if not isinstance(feedback, dict) or not feedback.get("id") or not feedback.get("user_id"):
        return Invalid(ImportFormatError(name, location, "a feedback record with 'id' and 'user_id'"))
    if feedback.get("type", "rating") != "rating":
        return SKIPPED
    data, meta = feedback.get("data"), feedback.get("meta") or {}
    if not isinstance(data, dict) or not isinstance(meta, dict):
        return Invalid(ImportFormatError(name, location, "'data' and 'meta' to be JSON objects"))
    occurred_at = epoch_to_datetime(feedback.get("created_at"))
    if occurred_at is None:
        return Invalid(ImportFormatError(name, location, "'created_at' in epoch seconds", feedback.get("created_at")))
    if since is not None and occurred_at < since:
        return SKIPPED
    thumbs = data.get("rating")
    rating = int(thumbs) if thumbs in (1, -1) and not isinstance(thumbs, bool) else None
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    score = non_negative_int(details.get("rating"))
    chat_id = meta.get("chat_id")
    model = _model_name(data.get("model_id"))
    if not is_model_id(model):
        return invalid_model(name, location, "data.model_id", model)
    return usage_row(
        event_key=event_key(SOURCE, f"feedback:{feedback['id']}"),
        source=SOURCE,
        kind=RATING,
        pseudonym=pseudonym,
        account_key=openwebui_account_key(feedback["user_id"]),
        chat_key=keyed_hash(f"openwebui:chat:{chat_id}") if chat_id else "",
        occurred_at=occurred_at,
        model=model,
        rating=rating,
        score=score if score is not None and 1 <= score <= 10 else None,
    )
