"""Responses collected in LimeSurvey or REDCap, as the tidy table and codebook `export_wave` writes.

The source CSV is read into answers as Uptake stores them (option codes, lists for multiple
choice, numbers, texts) for the instrument imported from the same survey, and then shaped by the
export's own code, so analysis and reports run on a study fielded elsewhere. Columns are matched by
the same code rules the questionnaire importers use (`Q2[SQ001]` -> item q2, option sq001;
`kinds___2` -> item kinds, option c2). Identifier items (`never_export`) are never read.

All or nothing: a value that does not fit its item stops with file, line, column and what was
expected; columns the instrument has no item for are listed, not guessed.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from surveys.export import PARADATA, build_codebook, exported_items, item_columns, page_seconds_column
from surveys.importers.common import SourceFormatError, uptake_code
from surveys.instruments import NOT_APPLICABLE, ChoiceItem, Likert, LikertMatrix, MultipleChoice, Number, Scale010
from surveys.models import InstrumentVersion

SOURCES = ("limesurvey", "redcap")
LIMESURVEY_SYSTEM = {"id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "token",
                     "ipaddr", "refurl", "interviewtime"}
SELECTED = {"limesurvey": {"Y": True, "": None}, "redcap": {"1": True, "0": False, "": None}}  # None: no mark


@dataclass
class ConvertedResponses:
    table: pd.DataFrame
    codebook: pd.DataFrame
    ignored_columns: list[str] = field(default_factory=list)


def convert_responses(version: InstrumentVersion, path: str | Path, source: str, wave_name: str) -> ConvertedResponses:
    """(tidy table, codebook, ignored columns) for a LimeSurvey or REDCap response CSV."""
    if source not in SOURCES:
        raise SourceFormatError(f"{path}: unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    instrument = version.spec
    rows = _read(path)
    columns = _columns(instrument, source)
    answers, ignored = [], []
    for header in rows[0]:
        key = _key(header, source)
        if key not in columns:
            if header.lower() not in LIMESURVEY_SYSTEM and not re.search(r"(_complete|_timestamp|^redcap_)", header):
                ignored.append(header)
            continue
        item, role, option = columns[key]
        for number, row in enumerate(rows[1:], start=2):
            value = row.get(header, "")
            answers.append(_answer(number - 1, item, role, option, value, source, f"{path} line {number} column {header}"))
    index = pd.Index(range(1, len(rows)), name="response_id")
    table = pd.concat([_paradata(rows[1:], version, instrument, source, wave_name, index),
                       item_columns(instrument, _stored(answers), index)], axis=1)
    codebook = build_codebook(instrument)
    return ConvertedResponses(table.reindex(columns=codebook["variable"]).reset_index(drop=True), codebook, ignored)


def _read(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{path}: cannot read the file ({exc})") from None
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    reader = csv.DictReader(text.splitlines(), dialect=dialect)
    rows = list(reader)
    if not reader.fieldnames:
        raise SourceFormatError(f"{path} line 1: empty file; expected a header row of question codes")
    return [list(reader.fieldnames), *rows]


def _key(header, source):
    """A source column as the code the importer gave it: Q2[SQ001] -> q2_sq001, kinds___2 -> kinds_c2."""
    if source == "redcap" and "___" in header:
        field_name, _sep, raw = header.partition("___")
        return f"{uptake_code(field_name)}_{uptake_code(raw.replace('neg', '-'), prefix='c')}"
    return uptake_code(re.sub(r"\[([^\]]*)\]", r"_\1", header))


def _columns(instrument, source):
    """{column key: (item, role, option code)} for every exported item."""
    columns = {}
    for _page, item in exported_items(instrument):
        if isinstance(item, LikertMatrix):
            columns.update({row.code: (item, "row", row.code) for row in item.rows})
            continue
        columns[item.code] = (item, "value", None)
        if isinstance(item, MultipleChoice):
            columns.update({f"{item.code}_{option.code}": (item, "option", option.code) for option in item.options})
        if getattr(item, "other", None):
            columns[f"{item.code}_other"] = (item, "other", None)
    return columns


def _answer(response, item, role, option, value, source, where):
    code = item.code
    if role == "option":
        if value not in SELECTED[source]:
            raise SourceFormatError(f"{where}: {_shown(value)} is not a ticked/unticked mark "
                                    f"({' or '.join(repr(mark) for mark in SELECTED[source])})")
        ticked = SELECTED[source][value]
        return response, code, None if ticked is None else [option] * ticked, ""
    if role == "other":
        return response, code, ["other"] if value and isinstance(item, MultipleChoice) else None, value
    if role == "row":
        code = option
    return response, code, _value(item, value, where), ""


def _value(item, value, where):
    if value == "":
        return None
    if isinstance(item, MultipleChoice):
        return None  # ticks come from the option columns
    if isinstance(item, ChoiceItem):
        if value == "-oth-" and item.other:
            return "other"
        for option in item.options:
            if (option.value is not None and str(option.value) == value) or option.code == uptake_code(value, prefix="c"):
                return option.code
        expected = [str(option.value) if option.value is not None else option.code for option in item.options]
        raise SourceFormatError(f"{where}: {_shown(value)} is not an option of {item.code}; "
                                f"expected one of {', '.join(expected)}")
    if isinstance(item, (Likert, LikertMatrix, Scale010, Number)):
        if isinstance(item, (Likert, LikertMatrix)) and value.lower() in ("na", "-1") and item.not_applicable:
            return NOT_APPLICABLE
        try:
            number = float(value.replace(",", ".") if isinstance(item, Number) else value)
        except ValueError:
            raise SourceFormatError(f"{where}: {_shown(value)} is not a number") from None
        return int(number) if number.is_integer() else number
    return value


def _shown(value):
    """A wrong value as an error shows it: short, since a respondent may have typed something personal."""
    return repr(value if len(value) <= 12 else f"{value[:12]}…")


def _stored(answers):
    """One stored answer per response and item: option ticks and 'other' texts merged as Uptake keeps them."""
    merged = {}
    for response, code, value, other_text in answers:
        previous = merged.get((response, code), (None, ""))
        if isinstance(value, list) or isinstance(previous[0], list):
            value = (previous[0] or []) + (value or [])
        elif value is None:
            value = previous[0]
        merged[(response, code)] = (value, other_text or previous[1])
    records = [(response, code, value, other) for (response, code), (value, other) in merged.items()]
    return pd.DataFrame.from_records(records, columns=["response_id", "item", "value", "other_text"])


def _paradata(rows, version, instrument, source, wave_name, index):
    """The paradata columns the source has (status, language, start and submit times); the rest empty."""
    frame = pd.DataFrame(index=index, columns=[name for name, *_rest in PARADATA], dtype=object)
    frame["response_id"] = index.to_series().astype("Int64")
    frame["wave"] = wave_name
    frame["instrument_version"] = version.number
    frame["linkage_consent"] = 0  # fielded elsewhere: never linked with usage records
    if source == "limesurvey":
        submitted = pd.Series([row.get("submitdate", "") for row in rows], index=index)
        started = pd.Series([row.get("startdate", "") for row in rows], index=index)
        frame["status"] = submitted.map(lambda value: "completed" if value else "in_progress")
        frame["language"] = [row.get("startlanguage", "") for row in rows]
        frame["started_at"], frame["completed_at"] = _times(started), _times(submitted)
        duration = (pd.to_datetime(submitted.replace("", None)) - pd.to_datetime(started.replace("", None)))
        frame["duration_seconds"] = duration.dt.total_seconds().astype("Float64")
    else:
        forms = [key for key in (rows[0] if rows else {}) if key.endswith("_complete")]
        frame["status"] = ["completed" if forms and all(row[key] == "2" for key in forms) else "in_progress"
                           for row in rows]
    frame["pages_reached"] = pd.Series(pd.NA, index=index, dtype="Int64")
    for page in instrument.pages:
        frame[page_seconds_column(page.code)] = pd.Series(pd.NA, index=index, dtype="Float64")
    return frame


def _times(series):
    """Source timestamps in the export's ISO form (they are the source server's local time)."""
    return pd.to_datetime(series.replace("", None)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
