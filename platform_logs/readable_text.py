"""The text a person or a program could read from a file, for the privacy scan.

Exports are zip archives, logs are gzipped, reports are PDFs, manuscripts Word files and some
exports Excel workbooks: their text is compressed inside, so reading their bytes would find
nothing. `readable_text(path)` yields (place, text) for everything inside: archive members in
turn (nested ones too), Office documents part by part (body, tables, headers, footers, comments,
sheet names, document properties), PDFs' text and their metadata. The place names the member and
the line, e.g. `export.zip!responses.csv:2` or `report.docx!docProps/core.xml:3`.
"""

import gzip
import io
import re
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from defusedxml.ElementTree import iterparse

OFFICE_SUFFIXES = (".docx", ".xlsx", ".pptx", ".odt", ".ods")
# Elements whose text is read as one line: a paragraph (runs joined), a sheet row, a shared string, a comment.
BLOCKS = {"p", "row", "si", "comment", "is"}
# Excel's header and footer codes (&L, &C, &R for the sections, &P page, &"Arial,Bold" fonts, &12 sizes) read as spaces.
HEADER_FOOTER = {"oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"}
HEADER_FOOTER_CODE = re.compile(r'&(?:"[^"]*"|\d+|K[0-9A-Fa-f]{6}|.)')


def readable_text(path: Path) -> Iterator[tuple[str, str]]:
    with path.open("rb") as handle:
        yield from _text_of(str(path), path.name, handle)


def _text_of(place: str, name: str, handle: IO[bytes]) -> Iterator[tuple[str, str]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".gz":
        with gzip.open(handle) as inner:
            yield from _text_of(f"{place}!{Path(name).stem}", Path(name).stem, inner)
    elif suffix in (".zip", *OFFICE_SUFFIXES):
        yield from _archive_text(place, _seekable(handle), office=suffix != ".zip")
    elif suffix == ".pdf":
        yield from _pdf_text(place, handle)
    elif suffix == ".png":
        yield from _png_text(place, handle)
    else:
        lines = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        yield from ((f"{place}:{number}", line) for number, line in enumerate(lines, start=1))


def _png_text(place: str, handle: IO[bytes]) -> Iterator[tuple[str, str]]:
    """A PNG's text chunks (tEXt, zTXt, iTXt: what an image viewer shows as its metadata). Its pixel
    bytes are not text: read as text they look like addresses by chance (a figure read as an IPv6)."""
    if handle.read(8) != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    while header := handle.read(8):
        length, kind = int.from_bytes(header[:4], "big"), header[4:]
        data = handle.read(length)
        handle.read(4)  # the chunk's CRC
        if kind not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        keyword, _sep, rest = data.partition(b"\0")
        if kind == b"zTXt":
            text = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            compressed, rest = rest[0], rest[2:]
            text_bytes = rest.split(b"\0", 2)[-1]
            text = (zlib.decompress(text_bytes) if compressed else text_bytes).decode("utf-8", errors="replace")
        else:
            text = rest.decode("latin-1")
        yield f"{place}!{keyword.decode('latin-1')}", text


def _seekable(handle: IO[bytes]) -> IO[bytes]:
    return handle if handle.seekable() else io.BytesIO(handle.read())


def _archive_text(place: str, handle: IO[bytes], office: bool) -> Iterator[tuple[str, str]]:
    """Each member of a zip archive in turn; of an Office document, each XML part (its media are not text)."""
    with zipfile.ZipFile(handle) as archive:
        for member in archive.namelist():
            is_xml = member.endswith((".xml", ".rels"))
            if member.endswith("/") or (office and not is_xml):
                continue
            with archive.open(member) as inner:
                if office:
                    yield from _xml_text(f"{place}!{member}", inner)
                else:
                    yield from _text_of(f"{place}!{member}", member, inner)


def _xml_text(place: str, handle: IO[bytes]) -> Iterator[tuple[str, str]]:
    """Every text and attribute value of an Office XML part; a paragraph, sheet row or comment is one line."""
    block_depth, number = 0, 0  # block_depth: elements open since the outermost block started
    for event, element in iterparse(handle, events=("start", "end")):
        local = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            if block_depth:
                block_depth += 1
                continue
            for value in element.attrib.values():
                number += 1
                yield f"{place}:{number}", value
            block_depth = int(local in BLOCKS)
            continue
        if block_depth > 1:
            block_depth -= 1
            continue
        if block_depth == 1:
            block_depth = 0
            text = "\t".join("".join(cell.itertext()) for cell in element) if local == "row" else "".join(element.itertext())
        else:
            text = element.text or ""
        if local in HEADER_FOOTER:
            text = HEADER_FOOTER_CODE.sub(" ", text)
        if text.strip():
            number += 1
            yield f"{place}:{number}", text
        element.clear()


def _pdf_text(place: str, handle: IO[bytes]) -> Iterator[tuple[str, str]]:
    """The text through poppler's pdftotext, then the document information (author, title, keywords)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        copy.write(handle.read())
        copy.flush()
        text = subprocess.run(["pdftotext", "-layout", copy.name, "-"], capture_output=True, check=True).stdout
        info = subprocess.run(["pdfinfo", "-isodates", copy.name], capture_output=True, check=True).stdout
    lines = text.decode("utf-8", errors="replace").splitlines()
    yield from ((f"{place}:{number}", line) for number, line in enumerate(lines, start=1))
    yield from ((f"{place} (document information)", line) for line in info.decode("utf-8", errors="replace").splitlines())
