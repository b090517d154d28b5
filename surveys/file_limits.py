"""Bounds on questionnaire files, checked before and while they are parsed.

An upload or import is read by the web process (or the command) that received it, so a small file
that claims or unpacks to a large one must be refused before it costs memory or time: a size limit
for every file (UPTAKE_UPLOAD_MAX_BYTES), archive member sizes and compression ratios for .xlsx,
row and column caps counted while rows stream (never the sheet's declared <dimension>), and YAML
with limits on nesting depth, aliases and nodes. Every refusal is one line naming file and place.
"""

import zipfile
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from surveys.instruments import InstrumentError

class FileLimitError(InstrumentError):
    """A file over one of the bounds: one line naming the file and the place."""


MAX_UNPACKED_FACTOR = 10  # an .xlsx may unpack to ten times the upload limit, no more
MAX_COMPRESSION_RATIO = 100  # sheet XML compresses 5-20x; a zip bomb thousands of times
RATIO_CHECKED_FROM_BYTES = 2**20  # tiny members (styles, rels) may compress better, harmlessly
MAX_ARCHIVE_MEMBERS = 1000
MAX_SHEET_ROWS = 20_000
LAST_SHEET_ROW = 1_048_576  # the format's own limit (Excel, LibreOffice)
MAX_SHEET_COLUMNS = 1_000
MAX_YAML_DEPTH = 50
MAX_YAML_ALIASES = 100
MAX_YAML_NODES = 500_000


def upload_limit() -> int:
    return settings.UPTAKE_UPLOAD_MAX_BYTES


def megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size} bytes"


def too_large_message(name: str, size: int) -> str:
    return (f"{name}: {megabytes(size)} is larger than the limit of {megabytes(upload_limit())} for questionnaire "
            "and participant files (UPTAKE_UPLOAD_MAX_BYTES)")


def check_file_size(path: str | Path) -> None:
    """Refuse a file over the upload limit before anything reads it."""
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise FileLimitError(f"{path}: cannot read the file ({exc})") from None
    if size > upload_limit():
        raise FileLimitError(too_large_message(str(path), size))


def validate_upload_size(uploaded) -> None:
    """Form validator: the same limit for an uploaded file, before the view reads it."""
    if uploaded.size > upload_limit():
        raise ValidationError(too_large_message(uploaded.name, uploaded.size))


def check_workbook_archive(path: str | Path) -> None:
    """Refuse an .xlsx whose members would unpack to more than the bounds allow.

    Python's zipfile stops inflating a member at its declared size, so the declared sizes checked
    here bound what openpyxl can unpack.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileLimitError(f"{path}: not a readable xlsx workbook ({exc})") from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise FileLimitError(f"{path}: the workbook has {len(members)} parts; expected at most {MAX_ARCHIVE_MEMBERS}")
    unpacked, allowed = 0, MAX_UNPACKED_FACTOR * upload_limit()
    for member in members:
        unpacked += member.file_size
        if unpacked > allowed:
            raise FileLimitError(f"{path} ({member.filename}): the workbook unpacks to more than {megabytes(allowed)}; "
                                  "refused as a possible zip bomb")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise FileLimitError(f"{path} ({member.filename}): compressed {ratio:.0f} to 1, expected at most "
                                  f"{MAX_COMPRESSION_RATIO} to 1; refused as a possible zip bomb")


def capped_rows(rows, path: str | Path, sheet: str):
    """Yield (row number, values) of the filled rows of a sheet, refusing more rows or columns than a questionnaire has.

    Blank rows and trailing blank cells do not count: LibreOffice writes formatted empty cells up to
    column AMJ (1024) and blank rows up to the sheet's last (1,048,576), as in pyxform's own test
    forms. Streaming those takes a few seconds at most; a filled row past MAX_SHEET_ROWS is refused.
    """
    for number, values in enumerate(rows, start=1):
        values = _without_trailing_blanks(values)
        if not values:
            if number > LAST_SHEET_ROW:
                raise FileLimitError(f"{path} sheet {sheet} row {number}: past the last row a workbook can have")
            continue
        if number > MAX_SHEET_ROWS:
            raise FileLimitError(f"{path} sheet {sheet} row {number}: a filled row past row {MAX_SHEET_ROWS}; "
                                  "a questionnaire has fewer rows")
        if len(values) > MAX_SHEET_COLUMNS:
            raise FileLimitError(f"{path} sheet {sheet} row {number}: {len(values)} columns; expected at most "
                                  f"{MAX_SHEET_COLUMNS}")
        yield number, values


def _without_trailing_blanks(values):
    end = len(values)
    while end and values[end - 1] in (None, ""):
        end -= 1
    return values[:end]


def workbook_sheet_rows(sheet, path: str | Path):
    """Rows of an openpyxl read-only sheet, streamed without trusting its declared <dimension>.

    openpyxl pads every row to the declared width and the sheet to the declared height; a 5 kB file
    declaring A1:XFD1048576 would become 17 billion cells. Forgetting the dimension makes it yield
    only the cells the file holds.
    """
    sheet.reset_dimensions()
    return capped_rows(sheet.iter_rows(values_only=True), path, sheet.title)


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with limits on nesting depth, aliases and the number of nodes.

    PyYAML composes recursively (deep nesting ends in RecursionError) and shares aliased nodes, so a
    few aliases can stand for billions of nodes once the definition is walked; these limits refuse
    both with a line number, long before a questionnaire's real size.
    """

    def __init__(self, stream, source):
        super().__init__(stream)
        self.source, self.depth, self.aliases, self.nodes = source, 0, 0, 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                self.refuse(event, f"more than {MAX_YAML_ALIASES} aliases (*name)")
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            self.refuse(event, f"more than {MAX_YAML_NODES} values")
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            self.refuse(event, f"nested more than {MAX_YAML_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def refuse(self, event, problem):
        raise FileLimitError(f"{self.source} line {event.start_mark.line + 1}: {problem}; "
                              "expected a questionnaire, refused")


def load_yaml(text: str, source: str):
    """yaml.safe_load with the bounds above; a refusal is an InstrumentError naming the line."""
    loader = BoundedLoader(text, source)
    try:
        node = loader.get_single_node()
        if node is not None and expanded_size(node) > MAX_YAML_NODES:
            raise FileLimitError(f"{source}: its aliases expand to more than {MAX_YAML_NODES} values; refused")
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def expanded_size(node, sizes=None) -> int:
    """How many nodes the document has once every alias is written out (shared nodes counted once each use)."""
    sizes = {} if sizes is None else sizes
    if id(node) in sizes:
        return sizes[id(node)]
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(expanded_size(key, sizes) + expanded_size(value, sizes) for key, value in node.value)
    sizes[id(node)] = size
    return size
