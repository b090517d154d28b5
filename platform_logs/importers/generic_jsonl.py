"""The generic JSON Lines format for any other system (documented in docs/platform-logs.md).

One object per line: `id`, `time` and `kind` required; `subject` or `email`, `model`, `features`,
`tokens_in`, `tokens_out`, `duration_s`, `success`, `rating`, `score`, `chat_id` optional;
anything else (such as content) is ignored and never stored.
"""

from platform_logs.identity import ImportKeys, email_account_key, pseudonym_for, subject_account_key
from platform_logs.models import FEATURES, UsageEvent
from surveys.pseudonyms import keyed_hash

from .base import (
    SKIPPED,
    ImportFormatError,
    Invalid,
    feature_list,
    invalid_model,
    is_model_id,
    load_bounded_json,
    non_negative_int,
    numbered_lines,
    open_binary,
    parse_timestamp,
    source_name,
    usage_row,
)

SOURCE = UsageEvent.Source.GENERIC
EXPECTED = "a JSON object with 'id', 'time' and 'kind'"
KINDS = frozenset(UsageEvent.Kind.values)  # Kind.values builds a new list on every call: once per line was a tenth of an import
ROW_MODEL = UsageEvent


def _person(subject, email):
    """(pseudonym, account key) of whoever the record names."""
    return pseudonym_for(subject=subject, email=email), subject_account_key(subject) or email_account_key(email)


def _chat_key(chat_id):
    return keyed_hash(f"generic:chat:{chat_id}")


def read(source, context):
    name, keys = source_name(source), ImportKeys(SOURCE, person=_person, chat_key=_chat_key)
    stream = open_binary(source)
    try:
        for number, line in numbered_lines(stream, name):
            if isinstance(line, Invalid):
                yield line
            elif line.strip():
                yield _event(line, name, f"line {number}", context, keys)
    finally:
        if stream is not source:
            stream.close()


def _event(line, name, location, context, keys):
    try:
        record = load_bounded_json(line, name, location)
    except ImportFormatError as error:
        return Invalid(error)
    except ValueError:
        return Invalid(ImportFormatError(name, location, EXPECTED, line))
    if not isinstance(record, dict) or not record.get("id") or "time" not in record:
        return Invalid(ImportFormatError(name, location, EXPECTED, record))
    if not isinstance(record.get("kind"), str) or record["kind"] not in KINDS:  # a list or object is no kind (and unhashable)
        return Invalid(ImportFormatError(name, location, f"'kind' one of {', '.join(UsageEvent.Kind.values)}", record.get("kind")))
    occurred_at = parse_timestamp(record["time"])
    if occurred_at is None:
        return Invalid(ImportFormatError(name, location, "'time' as epoch seconds or ISO 8601 with an offset", record["time"]))
    if context.since is not None and occurred_at < context.since:
        return SKIPPED
    features = record.get("features", record.get("feature", []))
    features = [features] if isinstance(features, str) else features
    if not isinstance(features, list) or any(feature not in FEATURES for feature in features):
        return Invalid(ImportFormatError(name, location, f"'features' from {', '.join(FEATURES)}", features))
    model = _text(record.get("model"))
    if not is_model_id(model):
        return invalid_model(name, location, "model", model)
    pseudonym, account_key = keys.person(_text(record.get("subject")), _text(record.get("email")))
    success, rating, score = record.get("success"), record.get("rating"), record.get("score")
    duration = record.get("duration_s")
    return usage_row(
        event_key=keys.event_key(str(record["id"])),
        source=SOURCE,
        kind=record["kind"],
        pseudonym=pseudonym,
        account_key=account_key,
        chat_key=keys.chat_key(str(record["chat_id"])) if record.get("chat_id") else "",
        occurred_at=occurred_at,
        model=model,
        features=feature_list(features),
        tokens_in=non_negative_int(record.get("tokens_in")),
        tokens_out=non_negative_int(record.get("tokens_out")),
        duration_seconds=float(duration) if _is_number(duration) and duration >= 0 else None,
        success=success if isinstance(success, bool) else None,
        rating=rating if rating in (1, -1) and not isinstance(rating, bool) else None,
        score=int(score) if _is_number(score) and score in range(1, 11) else None,
    )


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)
