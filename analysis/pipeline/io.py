"""Read what `export_wave` writes: the tidy table (CSV or SPSS .sav) and its codebook.

The contract is docs/export-format.md. Other tools (LimeSurvey, REDCap) are supported
by writing a codebook of the same shape, so nothing here assumes our survey app.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputFormatError

CODEBOOK_COLUMNS = ("variable", "source", "type")
TEXT_TYPES = {"text", "textarea", "id", "timestamp"}

# A text cell starting with one of these is run as a formula by Excel or LibreOffice (OWASP, "CSV
# Injection"); the fullwidth forms are included because some spreadsheets fold them to ASCII.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A negative number written as text (-1, -0.25, -.12, -3,5 %) is a number to a spreadsheet, never a formula.
NEGATIVE_NUMBER = re.compile(r"-(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?(?: ?%)?")
PRIVATE_FILE, PRIVATE_DIRECTORY = 0o600, 0o700


@dataclass
class Dataset:
    """A wave ready for analysis.

    `raw` keeps the coded values as exported (missing codes such as -1 = not applicable
    still present, for full Likert distributions); `data` has missing codes set to NaN.
    """

    raw: pd.DataFrame
    data: pd.DataFrame
    codebook: pd.DataFrame
    hashes: dict = field(default_factory=dict)

    def columns_from_source(self, source: str) -> list[str]:
        """Columns whose codebook `source` is `source` (e.g. `usage`), in table order."""
        if self.codebook.empty or "source" not in self.codebook:
            return []
        wanted = set(self.codebook.loc[self.codebook["source"] == source, "variable"])
        return [c for c in self.data.columns if c in wanted]

    def codebook_row(self, variable: str) -> dict:
        return dict(self._codebook_rows.get(variable, {}))

    @cached_property
    def _codebook_rows(self) -> dict[str, dict]:
        """Each variable's (first) codebook row: a run looks rows up about 900 times, and filtering the
        codebook each time was a twentieth of the run."""
        rows: dict[str, dict] = {}
        for position in range(len(self.codebook)):
            row = self.codebook.iloc[position].to_dict()
            rows.setdefault(row["variable"], row)
        return rows


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with ' so it shows as the text it is.

    Numbers, missing values and text that is a negative number (-1, -.12) are returned unchanged.
    Only CSV needs this: SPSS .sav and JSON keep the raw value.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_safe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell made spreadsheet-safe (numeric columns are left as they are)."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe, na_action="ignore")
    safe.columns = [spreadsheet_safe(column) for column in safe.columns]
    return safe


def private_directory(path: str | Path) -> Path:
    """The directory; created readable by its owner only if it does not exist (exports and reports hold personal data)."""
    path = Path(path)
    if not path.exists():  # a directory the caller named (such as /tmp) keeps its mode
        path.mkdir(parents=True, mode=PRIVATE_DIRECTORY)
        path.chmod(PRIVATE_DIRECTORY)
    return path


def open_private(path: str | Path, mode: str = "w", **options):
    """open() for a new file readable by its owner only (an existing one is made so too)."""
    handle = open(path, mode, opener=lambda name, flags: os.open(name, flags, PRIVATE_FILE), **options)
    os.chmod(handle.fileno(), PRIVATE_FILE)
    return handle


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """The frame as UTF-8 CSV without index, spreadsheet-safe and readable by its owner only.

    Lines end in CRLF (RFC 4180), so that a text cell holding a lone CR is quoted and stays one cell."""
    with open_private(path, "w", encoding="utf-8", newline="") as handle:
        spreadsheet_safe_table(frame).to_csv(handle, index=False, lineterminator="\r\n")
    return Path(path)


def read_table(path: str | Path) -> pd.DataFrame:
    """The tidy table from `.csv` or `.sav`; value labels stay codes (the codebook has them)."""
    path = Path(path)
    if not path.exists():
        raise InputFormatError(f"{path}: file not found")
    if path.suffix.lower() == ".sav":
        import pyreadstat

        # user_missing=True keeps declared missing codes (-1 "not applicable") as values, exactly as
        # in the CSV export; the codebook's missing_codes decide what counts as missing.
        frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
        return frame
    if path.suffix.lower() == ".csv":
        # keep_default_na=False + na_values=[""]: only an empty cell is missing, so the
        # free-text answer "NA" (e.g. a department called NA) survives as text.
        return pd.read_csv(path, keep_default_na=False, na_values=[""], low_memory=False)
    raise InputFormatError(f"{path}: expected a .csv or .sav table, got '{path.suffix}'")


def read_codebook(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputFormatError(f"{path}: file not found")
    codebook = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CODEBOOK_COLUMNS if c not in codebook.columns]
    if missing:
        raise InputFormatError(
            f"{path}: expected codebook columns {list(CODEBOOK_COLUMNS)}, missing {missing}"
        )
    return codebook


def _json_list(text: str, where: str) -> list:
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFormatError(f"{where}: expected a JSON list such as [-1], got {text!r}") from exc
    if not isinstance(value, list):
        raise InputFormatError(f"{where}: expected a JSON list such as [-1], got {text!r}")
    return value


def coerce_types(frame: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns as float, text columns as text, guided by the codebook `type`."""
    types = dict(zip(codebook.get("variable", []), codebook.get("type", [])))
    columns = {}
    for column in frame.columns:
        values, kind = frame[column], types.get(column, "")
        if kind in TEXT_TYPES or column in ("wave", "status", "language", "pseudonym", "last_page"):
            values = values.astype("string")
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            converted = pd.to_numeric(values, errors="coerce")
            # Only convert when nothing but blanks is lost: a real text column stays text.
            values = converted.astype(float) if converted.notna().sum() == values.notna().sum() else values.astype("string")
        elif pd.api.types.is_numeric_dtype(values):
            values = values.astype(float)
        columns[column] = values
    return pd.DataFrame(columns, index=frame.index)  # one new frame (apply_missing_codes says why)


def apply_missing_codes(frame: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Set declared missing codes (e.g. -1 = not applicable) to NaN."""
    if "missing_codes" not in codebook:
        return frame.copy()
    replaced = {}
    for row in codebook.itertuples(index=False):
        codes = _json_list(row.missing_codes, f"codebook variable {row.variable!r} missing_codes")
        if codes and row.variable in frame and pd.api.types.is_numeric_dtype(frame[row.variable]):
            values = frame[row.variable]
            replaced[row.variable] = values.where(~values.isin(codes), np.nan)
    # One new frame, not one assignment per column: each assignment into a wide frame copied blocks of it.
    return pd.DataFrame({column: replaced.get(column, frame[column]) for column in frame.columns}, index=frame.index)


def load_dataset(data_path: str | Path, codebook_path: str | Path | None) -> Dataset:
    """Read table + codebook, coerce types, apply missing codes, and hash both inputs."""
    table = read_table(data_path)
    codebook = read_codebook(codebook_path) if codebook_path else pd.DataFrame(columns=CODEBOOK_COLUMNS)
    raw = coerce_types(table, codebook)
    hashes = {"data_sha256": file_sha256(data_path)}
    if codebook_path:
        hashes["codebook_sha256"] = file_sha256(codebook_path)
    return Dataset(raw=raw, data=apply_missing_codes(raw, codebook), codebook=codebook, hashes=hashes)


def dataset_from_frames(table: pd.DataFrame, codebook: pd.DataFrame | None = None) -> Dataset:
    """The same as `load_dataset` for frames already in memory (notebooks, tests)."""
    codebook = codebook if codebook is not None else pd.DataFrame(columns=CODEBOOK_COLUMNS)
    codebook = codebook.astype(str).replace({"nan": ""})
    raw = coerce_types(table, codebook)
    return Dataset(raw=raw, data=apply_missing_codes(raw, codebook), codebook=codebook)
