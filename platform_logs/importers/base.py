"""What every importer shares: the error it raises, the markers it yields, and small parsers.

An importer is a module with `read(source, context)`: a generator over one source (a path, a
URL or a binary stream) yielding unsaved model instances (UsageEvent, PlatformRequest,
PlatformAccount), `SKIPPED` for a record that is fine but kept out (before --since, a login
type we do not count, a tolerated truncated line), or `Invalid(error)` for a bad record the
caller may skip. A source that is not of the expected format at all raises ImportFormatError.
"""

import io
import json
import re
from dataclasses import dataclass, field
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
    """What an importer may know about the run: the source's name, --since, and the cursor it may advance."""

    source_label: str
    since: datetime | None = None
    cursor: dict = field(default_factory=dict)


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
    if value == "":
        return True
    return isinstance(value, str) and MODEL_ID.fullmatch(value) is not None and not has_identity(value)


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
    Python 3.11, leave the interpreter's recursion count off)."""
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


class _LineChunks:
    """The stream for the JSON parser: `head` first, then the rest, handed out at most one line per read.

    The parser turns each read into events before it reads again, so `line` is the line of the
    events being handled: errors can name it even in a file of one long line or of many short ones.
    """

    def __init__(self, head, stream):
        self._buffer, self._offset, self._stream = head, 0, stream
        self.line, self._ended_line = 1, False

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
        return chunk


def json_array_items(source, expected):
    """Each element of a top-level JSON array, parsed incrementally so memory stays flat.

    Records are built here from the parser's events (not by ijson.items, whose per-event path
    grows with the depth) so that a record nesting deeper than MAX_NESTING or larger than
    MAX_RECORD_BYTES stops the import at once, naming its line and record.
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
        chunks = _LineChunks(head, stream)
        builder = _RecordBuilder(name, chunks)
        try:
            for event, value in ijson.basic_parse(chunks, use_float=True):
                record = builder.add(event, value)
                if record is not _INCOMPLETE:
                    yield builder.index, record
        except (ijson.JSONError, UnicodeDecodeError, ValueError):
            raise ImportFormatError(name, f"line {chunks.line}, record {builder.index + 1}",
                                    f"valid UTF-8 JSON ({expected})") from None
    finally:
        if stream is not source:
            stream.close()


_INCOMPLETE = object()
_OPEN = {"start_map": dict, "start_array": list}
_CLOSE = {"end_map", "end_array"}


class _RecordBuilder:
    """Builds the top-level array's elements from ijson's basic events, within MAX_NESTING and MAX_RECORD_BYTES."""

    def __init__(self, name, chunks):
        self.name, self.chunks = name, chunks
        self.index, self.size, self.depth = 0, 0, 0
        self.stack = []  # [container, pending key] from the record down to the innermost open container

    def add(self, event, value):
        """The finished record when `event` completes one, else _INCOMPLETE."""
        if event in _OPEN:
            self.depth += 1
            if self.depth == 1:
                return _INCOMPLETE  # the top-level array itself
            if self.depth == 2:
                self.index, self.size = self.index + 1, 0
            elif self.depth - 1 > MAX_NESTING:
                raise too_deep(self.name, self._where())
            container = _OPEN[event]()
            self._place(container)
            self.stack.append([container, None])
            return _INCOMPLETE
        if event in _CLOSE:
            self.depth -= 1
            finished = self.stack.pop()[0] if self.stack else None
            return finished if self.depth == 1 else _INCOMPLETE
        if event == "map_key":
            self.stack[-1][1] = value
            self._grow(len(value))
            return _INCOMPLETE
        if self.depth == 1:  # a scalar element of the top-level array
            self.index += 1
            return value
        self._grow(len(value) if isinstance(value, str) else 8)
        self._place(value)
        return _INCOMPLETE

    def _place(self, value):
        if not self.stack:
            return
        container, key = self.stack[-1]
        if isinstance(container, list):
            container.append(value)
        else:
            container[key] = value

    def _grow(self, size):
        self.size += size
        if self.size > MAX_RECORD_BYTES:
            raise too_large(self.name, self._where())

    def _where(self):
        return f"line {self.chunks.line}, record {self.index}"
