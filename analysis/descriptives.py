"""Descriptive tables: numeric summaries, full Likert distributions, multi-select
frequencies, categorical frequencies and the list of "other, please specify" texts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


def value_labels(codebook_row: dict, language: str = "en") -> dict:
    text = codebook_row.get(f"value_labels_{language}", "") or codebook_row.get("value_labels_en", "")
    if not text:
        return {}
    try:
        labels = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return {float(k): v for k, v in labels.items() if _is_number(k)}


def missing_codes(codebook_row: dict) -> list[float]:
    text = codebook_row.get("missing_codes", "") or "[]"
    try:
        return [float(v) for v in json.loads(text)]
    except (json.JSONDecodeError, TypeError, ValueError):
        return []


def _is_number(text) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def numeric_summary(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per column: n, missing, mean, SD, median, quartiles, min, max."""
    rows = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        valid = values.dropna()
        row = {"variable": column, "n": int(len(valid)), "missing": int(values.isna().sum()), "mean": np.nan,
               "sd": np.nan, "median": np.nan, "q1": np.nan, "q3": np.nan, "min": np.nan, "max": np.nan, "message": ""}
        if len(valid):
            row.update(mean=valid.mean(), median=valid.median(), q1=valid.quantile(0.25), q3=valid.quantile(0.75),
                       min=valid.min(), max=valid.max())
            row["sd"] = valid.std(ddof=1) if len(valid) > 1 else np.nan
        row["message"] = "" if len(valid) > 1 else f"{column}: {len(valid)} answer(s), SD not computable"
        rows.append(row)
    return pd.DataFrame(rows)


def distribution(raw: pd.Series, labels: dict | None = None, missing: list[float] = (),
                 points: list[float] | None = None) -> pd.DataFrame:
    """Every answer option with n and percent of valid answers, including options nobody
    chose, then one row per declared missing code and one for 'not answered'."""
    labels = labels or {}
    values = pd.to_numeric(raw, errors="coerce")
    valid = values[~values.isin(missing)].dropna()
    levels = sorted((set(points or labels.keys() or []) | set(valid.unique())) - set(missing))
    counts = valid.value_counts()
    total = len(valid)
    rows = [{"value": v, "label": labels.get(v, ""), "n": int(counts.get(v, 0)),
             "percent": 100 * counts.get(v, 0) / total if total else np.nan, "kind": "valid"} for v in levels]
    for code in missing:
        rows.append({"value": code, "label": labels.get(code, "missing code"), "n": int((values == code).sum()),
                     "percent": np.nan, "kind": "missing code"})
    rows.append({"value": None, "label": "not answered", "n": int(values.isna().sum()), "percent": np.nan,
                 "kind": "not answered"})
    table = pd.DataFrame(rows, columns=["value", "label", "n", "percent", "kind"])
    table["value"] = table["value"].astype(object)  # the 'not answered' row has no code: null, not NaN
    return table


def multi_select(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per option: how many selected it, of those who answered the item (any option cell not empty)."""
    data = frame[columns].apply(pd.to_numeric, errors="coerce")
    answered = data.notna().any(axis=1)
    n_answered = int(answered.sum())
    rows = [{"option": c, "n": int((data.loc[answered, c] == 1).sum()), "n_answered": n_answered,
             "percent": 100 * (data.loc[answered, c] == 1).sum() / n_answered if n_answered else np.nan}
            for c in columns]
    return pd.DataFrame(rows, columns=["option", "n", "n_answered", "percent"])


def other_texts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Non-empty free texts, sorted alphabetically per column.

    Sorting (not response order) keeps a text from being matched to a row of the table.
    """
    rows = []
    for column in columns:
        texts = frame[column].dropna().astype(str).str.strip()
        rows += [{"variable": column, "text": t} for t in sorted(texts[texts != ""])]
    return pd.DataFrame(rows, columns=["variable", "text"])
