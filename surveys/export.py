"""A wave as the tidy table and codebook of docs/export-format.md, written as CSV or SPSS .sav.

The table is read in three queries (responses, answers, page visits) and shaped with pandas, so
the cost does not grow with a query per response. Columns follow the wave's current instrument
version: answers to items it no longer has are left out.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from surveys.flow import answer_codes
from surveys.instruments import NOT_APPLICABLE, ChoiceItem, Likert, LikertMatrix, MultipleChoice, Number, Scale010, Text
from surveys.models import Answer, PageVisit, Response

FORMATS = ("csv", "sav")
LANGUAGES = ("en", "de")
NOT_APPLICABLE_CODE = -1
OTHER = "other"
SPSS_NAME_BYTES = 64
SPSS_LABEL_BYTES = 256
CODEBOOK_COLUMNS = [
    "variable", "item", "source", "type", "page", "label_de", "label_en", "value_labels_de", "value_labels_en",
    "missing_codes", "min", "max", "instrument", "scale", "reverse_coded",
]
TIMESTAMPS = ["info_viewed_at", "consented_at", "started_at", "completed_at"]
YES_NO = [(0, Text(de="nein", en="no")), (1, Text(de="ja", en="yes"))]
SELECTED = [(0, Text(de="nicht ausgewählt", en="not selected")), (1, Text(de="ausgewählt", en="selected"))]
PARADATA = [  # variable, type, label, value labels
    ("response_id", "id", Text(de="Antwort-ID", en="Response ID"), None),
    ("wave", "text", Text(de="Welle", en="Wave"), None),
    ("instrument_version", "number", Text(de="Version des Fragebogens", en="Instrument version"), None),
    ("status", "text", Text(de="Status der Antwort", en="Response status"), None),
    ("language", "text", Text(de="Verwendete Sprache", en="Language used"), None),
    ("pseudonym", "text", Text(de="Pseudonym (verknüpft Wellen, nicht Nutzungsdaten)",
                               en="Pseudonym (links waves, not usage records)"), None),
    ("linkage_consent", "number", Text(de="Einwilligung in die Verknüpfung mit Nutzungsdaten",
                                       en="Consented to linkage with usage records"), YES_NO),
    ("info_viewed_at", "timestamp", Text(de="Informationsseite angesehen (UTC)", en="Information page viewed (UTC)"), None),
    ("consented_at", "timestamp", Text(de="Einwilligung erteilt (UTC)", en="Consent given (UTC)"), None),
    ("started_at", "timestamp", Text(de="Befragung begonnen (UTC)", en="Survey started (UTC)"), None),
    ("completed_at", "timestamp", Text(de="Befragung abgeschlossen (UTC)", en="Survey completed (UTC)"), None),
    ("duration_seconds", "number", Text(de="Dauer (Sekunden)", en="Duration (seconds)"), None),
    ("last_page", "text", Text(de="Am weitesten erreichte Seite", en="Furthest page reached"), None),
    ("pages_reached", "number", Text(de="Anzahl betretener Seiten", en="Pages entered"), None),
]


class ExportError(Exception):
    """An export that cannot be written; the message names the variable or option at fault."""


@dataclass
class ExportResult:
    paths: list[Path]
    rows: int


def export_wave(wave, out_dir, fmt, language="en"):
    """Write the wave's table and codebook to out_dir; return the paths and the row count."""
    table, codebook = wave_table(wave)
    return ExportResult(write_export(table, codebook, out_dir, wave.slug, fmt, language), len(table))


# --- the codebook --------------------------------------------------------------------------------


def build_codebook(instrument):
    """One row per table column, in table order: paradata, time per page, then items."""
    rows = [_row(name, source="paradata", type=kind, label=label, value_labels=labels, **_range(labels))
            for name, kind, label, labels in PARADATA]
    for page in instrument.pages:
        title = page.title or Text(de=page.code, en=page.code)
        label = Text(de=f"Zeit auf Seite {title.de} (Sekunden)", en=f"Time on page {title.en} (seconds)")
        rows.append(_row(page_seconds_column(page.code), source="paradata", type="number", page=page.code, label=label))
    for page, item in exported_items(instrument):
        rows += item_codebook_rows(instrument, page, item)
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def exported_items(instrument):
    """(page, item) of every item whose answers leave in an export; `never_export` items (identifiers) stay in."""
    return [(page, item) for page, item in instrument.items() if not item.never_export]


def item_codebook_rows(instrument, page, item):
    """The rows of one item: one per table column it fills."""
    meta = {"item": item.code, "source": "survey", "type": item.type, "page": page.code,
            "instrument": item.instrument or "", "scale": item.scale or "", "reverse_coded": int(item.reverse)}
    if isinstance(item, LikertMatrix):
        return [_matrix_row(instrument, item, row, meta) for row in item.rows]
    if isinstance(item, Likert):
        return [_row(item.code, **meta, label=item.text, **_likert_values(instrument, item))]
    if isinstance(item, MultipleChoice):
        rows = [_row(f"{item.code}__{code}", **meta, label=_labelled(item.text, label), value_labels=SELECTED,
                     min=0, max=1) for code, _value, label in choice_codes(item)]
        return rows + _other_text_rows(item, meta, f"{item.code}__other_text")
    if isinstance(item, ChoiceItem):
        labels = [(value, label) for _code, value, label in choice_codes(item)]
        row = _row(item.code, **meta, label=item.text, value_labels=labels)
        return [row] + _other_text_rows(item, meta, f"{item.code}_other")
    if isinstance(item, Scale010):
        ends = [(value, text) for value, text in ((0, item.low), (10, item.high)) if text]
        return [_row(item.code, **meta, label=item.text, value_labels=ends, min=0, max=10)]
    if isinstance(item, Number):
        return [_row(item.code, **meta, label=item.text, min=_plain(item.min), max=_plain(item.max))]
    return [_row(item.code, **meta, label=item.text)]


def _matrix_row(instrument, item, row, meta):
    """A matrix row is its own variable; its statement is the label, its reverse/scale override the matrix's."""
    meta = meta | {"item": row.code, "scale": row.scale or item.scale or "",
                   "reverse_coded": int(row.reverse or item.reverse)}
    return _row(row.code, **meta, label=row.text, **_likert_values(instrument, item))


def choice_codes(item):
    """(option code, coded value, label) per option; "other" is coded one above the highest option."""
    codes = [(option.code, item.coded_value(option.code), option.label) for option in item.options]
    if item.other:
        codes.append((OTHER, max(value for _code, value, _label in codes) + 1, item.other))
    return codes


def page_seconds_column(page_code):
    return f"page_{page_code}_seconds"


def _likert_values(instrument, item):
    labels = list(enumerate(instrument.likert_labels(item), start=1))
    if item.not_applicable:
        labels.append((NOT_APPLICABLE_CODE, item.not_applicable))
    return {"value_labels": labels, "missing_codes": [NOT_APPLICABLE_CODE], "min": 1, "max": item.points}


def _other_text_rows(item, meta, variable):
    if not item.other:
        return []
    return [_row(variable, **{**meta, "type": "text"}, label=_labelled(item.text, item.other))]


def _row(variable, label, value_labels=None, missing_codes=None, **fields):
    row = dict.fromkeys(CODEBOOK_COLUMNS, "") | {"variable": variable, "reverse_coded": 0} | fields
    row.update(label_de=label.de, label_en=label.en, missing_codes=json.dumps(missing_codes) if missing_codes else "")
    for language in ("de", "en"):
        labels = {str(value): text.get(language) for value, text in value_labels or []}
        row[f"value_labels_{language}"] = json.dumps(labels, ensure_ascii=False) if labels else ""
    return row


def _labelled(text, detail):
    """Item wording with an option's label, as SPSS exports of other tools write it: 'Question [Option]'."""
    return Text(de=f"{text.de} [{detail.de}]", en=f"{text.en} [{detail.en}]")


def _range(value_labels):
    values = [value for value, _text in value_labels or []]
    return {"min": min(values), "max": max(values)} if values else {}


def _plain(number):
    """80.0 -> 80, None -> '' so the codebook reads as written in the instrument."""
    if number is None:
        return ""
    return int(number) if float(number).is_integer() else number


# --- the table -----------------------------------------------------------------------------------


def wave_table(wave):
    """(tidy table, codebook) of the wave's responses, withdrawn ones excluded."""
    instrument = wave.instrument_version.spec
    codebook = build_codebook(instrument)
    responses = Response.objects.filter(wave=wave).exclude(status=Response.Status.WITHDRAWN)
    paradata = _paradata(wave, instrument, responses)
    items = item_columns(instrument, _answers(instrument, responses), paradata.index)
    table = pd.concat([paradata, items], axis=1).reindex(columns=codebook["variable"])
    return table.reset_index(drop=True), codebook


def _paradata(wave, instrument, responses):
    fields = ["pk", "instrument_version__number", "status", "language", "wave_pseudonym", "linkage_consent",
              *TIMESTAMPS, "last_page"]
    rows = pd.DataFrame.from_records(responses.order_by("pk").values_list(*fields), columns=fields)
    times = {name: pd.to_datetime(rows[name], utc=True) for name in TIMESTAMPS}
    frame = pd.DataFrame({
        "response_id": rows["pk"].astype("Int64"),
        "wave": wave.slug,
        "instrument_version": rows["instrument_version__number"].astype("Int64"),
        "status": rows["status"],
        "language": rows["language"],
        # Privacy decisions: anonymous waves never export a pseudonym, whatever is stored; pseudonymous
        # waves export the wave-linkage pseudonym, which links waves but cannot be joined to usage.
        "pseudonym": rows["wave_pseudonym"] if wave.is_pseudonymous else "",
        "linkage_consent": rows["linkage_consent"].astype("Int64"),
        **{name: times[name].dt.strftime("%Y-%m-%dT%H:%M:%SZ") for name in TIMESTAMPS},
        "duration_seconds": (times["completed_at"] - times["started_at"]).dt.total_seconds().round(3)
            .where(rows["status"] == Response.Status.COMPLETED).astype("Float64"),
        "last_page": rows["last_page"].replace("", None),
    })
    frame.index = rows["pk"].rename("response_id")
    return frame.join(_page_times(instrument, responses, frame.index))


def _page_times(instrument, responses, index):
    """pages_reached and page_<page>_seconds; a visit still open (a drop-out) adds no time."""
    fields = ["response_id", "page", "entered_at", "left_at"]
    visits = pd.DataFrame.from_records(PageVisit.objects.filter(response__in=responses).values_list(*fields),
                                       columns=fields)
    seconds = (pd.to_datetime(visits["left_at"], utc=True) - pd.to_datetime(visits["entered_at"], utc=True))
    visits["seconds"] = seconds.dt.total_seconds()
    per_page = visits.dropna(subset=["seconds"]).pivot_table(
        index="response_id", columns="page", values="seconds", aggfunc="sum")
    frame = pd.DataFrame(index=index)
    frame["pages_reached"] = visits.groupby("response_id")["page"].nunique().reindex(index, fill_value=0).astype("Int64")
    for page in instrument.pages:
        column = per_page[page.code] if page.code in per_page else pd.Series(dtype=float)
        frame[page_seconds_column(page.code)] = column.round(3).reindex(index).astype("Float64")
    return frame


def _answers(instrument, responses):
    codes = [code for _page, item in exported_items(instrument) for code in answer_codes(item)]
    fields = ["response_id", "item", "value", "other_text"]
    answers = Answer.objects.filter(response__in=responses, item__in=codes).values_list(*fields)
    return pd.DataFrame.from_records(answers, columns=fields)


def item_columns(instrument, answers, index):
    """The item columns for stored answers (response_id, item, value, other_text), one row per index entry.

    Also used for responses fielded elsewhere (surveys.importers.responses), so both share one coding.
    """
    values = answers.pivot(index="response_id", columns="item", values="value").reindex(index)
    given_other = answers[answers["other_text"] != ""]
    others = given_other.pivot(index="response_id", columns="item", values="other_text").reindex(index)
    stored = lambda frame, code: frame[code] if code in frame else pd.Series(None, index=index, dtype=object)
    columns = {}
    for _page, item in exported_items(instrument):
        for code in answer_codes(item):
            columns.update(_coded(item, code, stored(values, code), stored(others, code)))
    return pd.DataFrame(columns, index=index)


def _coded(item, code, values, other_texts):
    """Table columns for one stored answer code, as docs/export-format.md defines them."""
    text = lambda value: value if isinstance(value, str) and value else None
    if isinstance(item, (Likert, LikertMatrix)):
        likert = lambda value: NOT_APPLICABLE_CODE if value == NOT_APPLICABLE else _number(value)
        return {code: _numbers(values.map(likert))}
    if isinstance(item, MultipleChoice):
        chosen = lambda option: lambda value: int(option in value) if isinstance(value, list) else None
        columns = {f"{code}__{option}": _numbers(values.map(chosen(option))) for option, _v, _l in choice_codes(item)}
        return columns | ({f"{code}__other_text": other_texts.map(text)} if item.other else {})
    if isinstance(item, ChoiceItem):
        coded = {option: value for option, value, _label in choice_codes(item)}
        column = {code: _numbers(values.map(lambda value: coded.get(value) if isinstance(value, str) else None))}
        return column | ({f"{code}_other": other_texts.map(text)} if item.other else {})
    if isinstance(item, (Scale010, Number)):
        return {code: _numbers(values.map(_number))}
    return {code: values.map(text)}


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _numbers(series):
    """Whole numbers as nullable integers (written 4, not 4.0), others as nullable floats."""
    numbers = pd.to_numeric(series, errors="coerce").astype("Float64")
    whole = numbers.dropna()
    return numbers.astype("Int64") if (whole == whole.round()).all() else numbers


# --- writing -------------------------------------------------------------------------------------


def write_export(table, codebook, out_dir, wave_slug, fmt, language="en"):
    """Write <slug>_responses.<fmt> and <slug>_codebook.csv into out_dir; return both paths."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if language not in LANGUAGES:
        raise ExportError(f"unknown label language {language!r}; expected one of {', '.join(LANGUAGES)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table_path = out_dir / f"{wave_slug}_responses.{fmt}"
    if fmt == "csv":
        table.to_csv(table_path, index=False, encoding="utf-8")
    else:
        write_sav(table, codebook, table_path, language)
    codebook_path = out_dir / f"{wave_slug}_codebook.csv"
    codebook.to_csv(codebook_path, index=False, encoding="utf-8")
    return [table_path, codebook_path]


def write_sav(table, codebook, path, language="en"):
    """SPSS file with variable and value labels in `language` and -1 declared user-missing."""
    import pyreadstat  # only needed for .sav

    too_long = [name for name in table.columns if len(name.encode("utf-8")) > SPSS_NAME_BYTES]
    if too_long:
        raise ExportError(f"variable {too_long[0]!r} is longer than SPSS allows ({SPSS_NAME_BYTES} bytes); "
                          "shorten the item or option code in the instrument, or export as csv")
    rows = codebook.set_index("variable")
    data = table.copy()
    for name in data.columns:
        if not pd.api.types.is_numeric_dtype(data[name]):
            data[name] = data[name].fillna("").astype(str)  # SPSS strings have no system-missing value
    pyreadstat.write_sav(
        data, str(path),
        column_labels={name: _spss_label(rows.at[name, f"label_{language}"]) for name in data.columns},
        variable_value_labels={name: {int(value): _spss_label(label) for value, label in json.loads(text).items()}
                               for name, text in rows[f"value_labels_{language}"].items() if text},
        missing_ranges={name: json.loads(codes) for name, codes in rows["missing_codes"].items() if codes},
        variable_format={name: _integer_format(data[name]) for name in data.columns
                         if pd.api.types.is_integer_dtype(data[name])},
    )


def _integer_format(series):
    """Whole numbers shown without decimals (SPSS would show 4.00), wide enough for the largest."""
    digits = len(str(int(series.abs().max()))) if series.notna().any() else 1
    return f"F{max(8, digits + 1)}.0"


def _spss_label(text):
    """At most 256 bytes, cut at a character boundary (SPSS truncates mid-character otherwise)."""
    return text.encode("utf-8")[:SPSS_LABEL_BYTES].decode("utf-8", errors="ignore")
