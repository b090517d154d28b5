"""What every importer shares: the error it raises, the markers it yields, and small parsers.

An importer is a module with `read(source, context)`: a generator over one source (a path, a
URL or a binary stream) yielding unsaved model instances (UsageEvent, PlatformRequest,
PlatformAccount), `SKIPPED` for a record that is fine but kept out (before --since, a login
type we do not count, a tolerated truncated line), or `Invalid(error)` for a bad record the
caller may skip. A source that is not of the expected format at all raises ImportFormatError.
An importer with many records per second yields rows instead of model instances (plain tuples of
its ROW_MODEL's columns, such as `usage_row`): building a model instance per record was a third
of an import's time.
"""

import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from platform_logs.models import FEATURES
from platform_logs.privacy_scan import has_identity

# Real records nest a dozen levels and weigh at most a few megabytes (a chat with pasted files);
# anything beyond these bounds is refused before it can take the importer's time and memory.
MAX_NESTING = 64
MAX_RECORD_BYTES = 64 * 2**20
READ_SIZE = 65536

# A model id as the platforms name them (llama3.1:8b, deepseek-r1:70b, openai/gpt-4o,
# hf.co/org/model:Q4_K_M, vertex_ai/claude-3-5-sonnet@20240620): one token, at most 100 characters.
MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}")
MODEL_ID_EXPECTED = "a model id like llama3.1:8b or openai/gpt-4o (letters, digits and ._:/@+-, at most 100 characters)"


class ImportFormatError(Exception):
    """The source, where in it, and what was expected there; never the record's content.

    `got` is a value from the source: the message names only its shape ("text of 57 characters"),
    because records carry prompts, names and addresses that must not reach a console or a log.
    `found` is the importer's own description of the problem (a parser's message, "nesting deeper
    than 64 levels"); with no `expected` it is the whole message.
    """

    def __init__(self, source, location, expected, got=None, found=None):
        self.source, self.location, self.expected = source, location, expected
        where = f"{source} {location}" if location else str(source)
        message = f"{where}: expected {expected}" if expected else f"{where}: {found}"
        if expected and found:
            message += f", found {found}"
        elif expected and got is not None:
            message += f", got {shape(got)}"
        super().__init__(message)


@dataclass(frozen=True)
class Invalid:
    error: ImportFormatError


SKIPPED = object()


@dataclass
class ImportContext:
    """What an importer may know about the run: the source's name, --since, the cursor it may advance, --client."""

    source_label: str
    since: datetime | None = None
    cursor: dict = field(default_factory=dict)
    clients: tuple = ()  # Keycloak: the platform's client ids (--client)


def shape(value):
    """What a value is, never what it says."""
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)} bytes"
    if isinstance(value, str):
        return f"text of {len(value)} characters" if value else "empty text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_model_id(value):
    """True for "" (no model) and for a model id; never for text with spaces, an e-mail or an IP address."""
    return value == "" or isinstance(value, str) and _is_model_name(value)


@lru_cache(maxsize=4096)  # a platform serves a few models, named on every record
def _is_model_name(text):
    return MODEL_ID.fullmatch(text) is not None and not has_identity(text)


def invalid_model(name, location, field_name, value):
    return Invalid(ImportFormatError(name, location, f"'{field_name}' as {MODEL_ID_EXPECTED}", value))


def source_name(source):
    """How messages name a source: the file's name, never a stream's contents."""
    if isinstance(source, (str, Path)):
        return Path(source).name
    return getattr(source, "name", None) and Path(source.name).name or "<stream>"


def is_url(source):
    return isinstance(source, str) and "://" in source


def label(source):
    """How a source is named in messages and import runs: a database URL without its credentials,
    a file's full path, a stream's name. The same source imported again finds its cursor by it."""
    if is_url(source):
        parts = urlsplit(source)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"
    if isinstance(source, (str, Path)):
        return str(Path(source).resolve())
    return source_name(source)


def connect_postgres(url, name):
    """A read-only PostgreSQL session (the importer never writes to a platform's database)."""
    import psycopg  # only the PostgreSQL sources need it

    try:
        connection = psycopg.connect(url)
    except psycopg.Error as error:
        raise ImportFormatError(name, "", "a reachable PostgreSQL database", found=str(error).strip()) from None
    connection.read_only = True
    return connection


def open_binary(source):
    """A binary stream for a path or an already open stream; a missing or unreadable file is an ImportFormatError."""
    if not isinstance(source, (str, Path)):
        return source
    try:
        return open(source, "rb")
    except OSError as error:
        raise ImportFormatError(source_name(source), "", "a readable file", found=error.strerror) from None


def numbered_lines(stream, name):
    """(line number, text) for each line, decoded as UTF-8; an undecodable or oversized line is an Invalid record."""
    number = 0
    while raw := stream.readline(MAX_RECORD_BYTES + 1):
        number += 1
        if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(READ_SIZE)) and not rest.endswith(b"\n"):
                pass  # the rest of the oversized line, read in pieces and dropped
            yield number, Invalid(too_large(name, f"line {number}"))
            continue
        try:
            yield number, raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, Invalid(ImportFormatError(name, f"line {number}", "UTF-8 text", raw))


def text_stream(source, name):
    """A strictly decoding UTF-8 text stream (a leading byte-order mark is dropped)."""
    return io.TextIOWrapper(open_binary(source), encoding="utf-8-sig", errors="strict", newline="")


# Epoch values arrive in seconds, milliseconds, microseconds or nanoseconds depending on the
# system and its version; the magnitude tells which (seconds stay below 1e11 until the year 5138).
_EPOCH_DIVISORS = ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3), (0, 1))


def epoch_to_datetime(value):
    """An aware UTC datetime from epoch seconds/ms/µs/ns; None if it is not a plausible epoch."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d+(\.\d+)?", value):
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    for threshold, divisor in _EPOCH_DIVISORS:
        if number >= threshold:
            number /= divisor
            break
    if not 946_684_800 <= number < 4_102_444_800:  # 2000-01-01 .. 2100-01-01
        return None
    return datetime.fromtimestamp(number, tz=UTC)


def parse_timestamp(value):
    """An aware datetime from an epoch number or an ISO 8601 string with offset; None otherwise."""
    moment = epoch_to_datetime(value)
    if moment is not None or not isinstance(value, str):
        return moment
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment


def non_negative_int(value):
    """A token count as an int, or None when absent or not a count."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None


def usage_row(event_key, source, kind, occurred_at, pseudonym="", account_key="", chat_key="", model="", features="",
              tokens_in=None, tokens_out=None, duration_seconds=None, success=None, rating=None, score=None):
    """A UsageEvent as the row the import stores: its columns in the model's field order, the defaults its fields have."""
    return (event_key, source, kind, pseudonym, account_key, chat_key, occurred_at, model, features,
            tokens_in, tokens_out, duration_seconds, success, rating, score)


def feature_list(found):
    """The stored form of a set of feature names: sorted, comma-separated, "chat" when empty."""
    names = sorted(name for name in found if name in FEATURES and name != "chat")
    return ",".join(names) or "chat"


def is_after_since(moment, context):
    return context.since is None or moment >= context.since


def too_deep(name, location):
    return ImportFormatError(name, location, None, found=f"nesting deeper than {MAX_NESTING} levels")


def too_large(name, location):
    return ImportFormatError(name, location, None, found=f"a record larger than {MAX_RECORD_BYTES // 2**20} MB")


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def nests_too_deep(text):
    """True if JSON text nests containers deeper than MAX_NESTING, found without parsing it.

    Checked before json.loads, whose recursion would otherwise end in a RecursionError (and, on
    Python 3.11, leave the interpreter's recursion count off). A text with at most MAX_NESTING opening
    brackets cannot nest deeper, which spares nearly every record the scan."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return False
    depth = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_NESTING:
            return True
    return False


def load_bounded_json(text, name, location):
    """A JSON value from text; ValueError if it is not JSON, ImportFormatError if too large or nested too deep."""
    if len(text) > MAX_RECORD_BYTES:
        raise too_large(name, location)
    if nests_too_deep(text):
        raise too_deep(name, location)
    return json.loads(text)


class _CheckedChunks:
    """The stream for the JSON parser: `head` first, then the rest, at most one line per read, each piece
    checked for nesting depth and record size before the parser sees it.

    The parser turns each read into records before it reads again, so `line` is the line being
    parsed. Strings are skipped (a bracket in a prompt is text), also across pieces. The caller
    sets `yielded` to the records it has had from the parser, so that errors can name the record.
    """

    def __init__(self, head, stream, name):
        self._buffer, self._offset, self._stream, self.name = head, 0, stream, name
        self.line, self._ended_line = 1, False
        self.depth, self.record_bytes, self.yielded = 0, 0, 0
        self._in_string, self._escaped = False, False

    def read(self, size=-1):
        if self._ended_line:
            self.line += 1
        if self._offset >= len(self._buffer):
            self._buffer, self._offset = self._stream.read(READ_SIZE), 0
            if not self._buffer:
                return b""
        limit = len(self._buffer) if size is None or size < 0 else min(len(self._buffer), self._offset + size)
        newline = self._buffer.find(b"\n", self._offset, limit)
        end = limit if newline < 0 else newline + 1
        chunk = self._buffer[self._offset:end]
        self._offset, self._ended_line = end, newline >= 0
        self._check(chunk)
        return chunk

    def _where(self, depths):
        """Line and record of the end of `depths`: the records the parser has yielded, plus those begun since."""
        begun = sum(1 for before, after in zip(depths, depths[1:]) if before == 1 and after == 2)
        return f"line {self.line}, record {self.yielded + (depths[0] >= 2) + begun}"

    def _check(self, chunk):
        """Follow the nesting through `chunk` with bytes operations only (no Python step per character or token)."""
        text = chunk
        if self._escaped or b"\\" in text:  # escaped backslashes and quotes are no structure
            text = text[1:] if self._escaped else text  # that byte was escaped by a backslash ending the last piece
            text = text.replace(b"\\\\", b"")
            self._escaped = text.endswith(b"\\")
            text = text.replace(b'\\"', b"")
        # Quotes and brackets only (a string begun in an earlier piece gets its quote back); then the strings
        # without brackets, now pairs of adjacent quotes, go: that keeps every other quote's parity.
        skeleton = (b'"' if self._in_string else b"") + text.translate(None, _NOT_STRUCTURE)
        parts = skeleton.replace(b'""', b"").split(b'"')  # outside strings: every other part
        self._in_string = len(parts) % 2 == 0
        steps = memoryview(b"".join(parts[0::2]).translate(_BRACKET_STEPS)).cast("b")  # +1 open, -1 close
        depths = list(accumulate(steps, initial=self.depth))
        if max(depths) - 1 > MAX_NESTING:
            raise too_deep(self.name, self._where(depths[:depths.index(MAX_NESTING + 2) + 1]))
        self.record_bytes = 0 if min(depths) <= 1 else self.record_bytes + len(chunk)
        if self.record_bytes > MAX_RECORD_BYTES:
            raise too_large(self.name, self._where(depths))
        self.depth = depths[-1]


_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_STRUCTURE = bytes(set(range(256)) - set(b'"[]{}'))


def json_array_items(source, expected):
    """Each element of a top-level JSON array, parsed incrementally so memory stays flat.

    The bytes are checked before ijson sees them (ijson's per-event path grows with the depth):
    a record nesting deeper than MAX_NESTING or larger than MAX_RECORD_BYTES stops the import at
    once, naming its line and record.
    """
    import ijson  # only the JSON export importers need it

    name = source_name(source)
    stream = open_binary(source)
    try:
        head = stream.read(READ_SIZE)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        if not head.lstrip(b" \t\r\n").startswith(b"["):
            raise ImportFormatError(name, "start", f"a JSON array of {expected}", head.lstrip())
        chunks = _CheckedChunks(head, stream, name)
        index = 0
        try:
            for index, item in enumerate(ijson.items(chunks, "item", use_float=True), start=1):
                chunks.yielded = index
                yield index, item
        except (ijson.JSONError, UnicodeDecodeError, ValueError):
            raise ImportFormatError(name, f"line {chunks.line}, record {index + 1}",
                                    f"valid UTF-8 JSON ({expected})") from None
    finally:
        if stream is not source:
            stream.close()
