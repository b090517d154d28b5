"""Result records and their JSON form: null (never NaN) plus a message saying why."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Ten significant digits: far beyond what is reported, and stable across BLAS builds
# in the last bits, which keeps results.json byte-identical for identical inputs.
SIGNIFICANT_DIGITS = 10


def clean_float(value: float):
    if math.isnan(value) or math.isinf(value):
        return None
    if value == 0:
        return 0.0
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def to_jsonable(value):
    """Plain JSON types: numpy scalars unwrapped, NaN/inf as None, keys as strings."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return frame_records(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return clean_float(float(value))
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    return str(value)


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as a list of row dicts, index included when it carries names."""
    if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame = frame.astype(object)
    return [to_jsonable(dict(zip(map(str, frame.columns), row))) for row in frame.itertuples(index=False)]


def null_messages(frame: pd.DataFrame) -> list[str]:
    """Name each numeric column holding values that could not be computed."""
    messages = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_float_dtype(series) and series.isna().any():
            messages.append(f"{column}: {int(series.isna().sum())} value(s) not computable, shown as null")
    return messages


@dataclass
class Result:
    """One analysis outcome: a table and/or headline values, APA text, and messages."""

    id: str
    section: str
    title: str
    table: pd.DataFrame | None = None
    values: dict = field(default_factory=dict)
    text: str = ""
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        messages = list(self.messages)
        if self.table is not None:
            if "message" in self.table:
                messages += [m for m in self.table["message"].dropna().astype(str).unique() if m]
            messages += null_messages(self.table)
        for key, value in self.values.items():
            if isinstance(value, float) and math.isnan(value):
                messages.append(f"{key}: not computable, shown as null")
        body = {
            "id": self.id,
            "section": self.section,
            "title": self.title,
            "values": to_jsonable(self.values),
            "text": self.text,
            "messages": sorted(set(messages)),
        }
        if self.table is not None:
            body["table"] = frame_records(self.table)
            body["table_file"] = f"tables/{self.id.replace('/', '__')}.csv"
        return body
