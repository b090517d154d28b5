"""A synthetic wave in the export shape (table + codebook + population), for the
benchmark, tests and trying a plan before real data exists. Seeded, vectorized."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

ROLES = {1: "physician", 2: "nurse", 3: "administration", 4: "research"}
DEPARTMENTS = {1: "internal medicine", 2: "surgery", 3: "radiology", 4: "IT", 5: "other"}
FREQUENCY = {1: "never", 2: "monthly", 3: "weekly", 4: "daily"}
USE_CASES = ["writing", "summarising", "translation", "coding", "research", "other"]
DATA_KINDS = ["public", "internal", "pseudonymised", "identifiable"]
AGREE = {"1": "strongly disagree", "2": "disagree", "3": "neutral", "4": "agree", "5": "strongly agree",
         "-1": "not applicable"}
USAGE = ["usage_active_days", "usage_sessions", "usage_prompts", "usage_share_rag"]
PHRASES = {
    "de": ["schnellere antworten wären hilfreich", "bessere übersetzung medizinischer fachbegriffe",
           "anbindung an das klinische informationssystem", "mehr schulung für neue nutzer"],
    "en": ["faster answers would help", "better translation of medical terms",
           "integration with the clinical information system", "more training for new users"],
}


def _likert(latent: np.ndarray, rng, points=5, noise=0.8) -> np.ndarray:
    raw = np.round((points + 1) / 2 + latent + rng.normal(0, noise, latent.shape))
    return np.clip(raw, 1, points)


def generate_wave(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(table, codebook, population) for `n` exported responses and 3n platform users."""
    rng = np.random.default_rng(seed)
    status = rng.choice(["viewed", "in_progress", "completed"], size=n, p=[0.08, 0.12, 0.80])
    done, started = status == "completed", status != "viewed"
    latent = rng.normal(0, 1, n)  # "likes the platform"
    t0 = pd.Timestamp("2025-03-01T08:00:00Z") + pd.to_timedelta(rng.integers(0, 86400 * 20, n), unit="s")
    duration = np.exp(rng.normal(np.log(600), 0.45, n))
    table = pd.DataFrame({
        "response_id": np.arange(1, n + 1), "wave": "demo-2025", "instrument_version": 1, "status": status,
        "language": rng.choice(["de", "en"], n, p=[0.7, 0.3]), "pseudonym": [f"p{i:06d}" for i in range(n)],
        "linkage_consent": rng.choice([0, 1], n, p=[0.2, 0.8]),
        "info_viewed_at": t0.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "consented_at": np.where(started, (t0 + pd.Timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), None),
        "started_at": np.where(started, (t0 + pd.Timedelta(seconds=40)).strftime("%Y-%m-%dT%H:%M:%SZ"), None),
        "completed_at": np.where(done, (t0 + pd.to_timedelta(duration + 40, unit="s")).strftime("%Y-%m-%dT%H:%M:%SZ"), None),
        "duration_seconds": np.where(done, np.round(duration, 1), np.nan),
        "last_page": np.where(done, "feedback", np.where(started, rng.choice(["usage", "sus", "reliability"], n), "info")),
    })
    table["role"] = rng.choice(list(ROLES), n, p=[0.35, 0.35, 0.2, 0.1]).astype(float)
    table["department"] = rng.choice(list(DEPARTMENTS), n).astype(float)
    table["frequency"] = np.clip(np.round(2.6 + 0.6 * latent + rng.normal(0, 0.7, n)), 1, 4)
    for option in USE_CASES:
        table[f"use_cases__{option}"] = (rng.random(n) < (0.1 if option == "other" else 0.45)).astype(float)
    table["use_cases__other_text"] = np.where(table["use_cases__other"] == 1,
                                              rng.choice(["Dienstpläne", "email drafts", "Lehre"], n), None)
    for option in DATA_KINDS:
        table[f"data_kinds__{option}"] = (rng.random(n) < 0.4).astype(float)
    for i in range(1, 11):
        positive = i % 2 == 1
        table[f"sus_{i:02d}"] = _likert(latent if positive else -latent, rng)
    table["overall_satisfaction"] = _likert(latent, rng, noise=0.6)
    for i in range(1, 5):
        reverse = i == 4
        values = _likert(-0.8 * latent if reverse else 0.8 * latent, rng)
        values[rng.random(n) < 0.03] = -1  # not applicable
        table[f"reliability_{i:02d}"] = values
    lang = table["language"].to_numpy()
    phrase = rng.integers(0, 4, n)
    texts = np.array([PHRASES[l][p] for l, p in zip(lang, phrase)], dtype=object)
    texts[rng.random(n) < 0.5] = None
    table["improvements"] = texts
    usage = usage_features(latent, rng)
    for column in USAGE:
        table[column] = np.where(table["linkage_consent"] == 1, usage[column], np.nan)
    item_columns = [c for c in table.columns if c not in ("response_id", "wave", "instrument_version", "status",
                                                          "language", "pseudonym", "linkage_consent")]
    table.loc[~done, [c for c in item_columns if not c.endswith("_at") and c != "last_page"]] = np.nan
    population = usage_features(rng.normal(-0.3, 1, 3 * n), rng)
    return table, codebook(table), population


def usage_features(latent: np.ndarray, rng) -> pd.DataFrame:
    n = len(latent)
    days = np.clip(np.round(20 + 12 * latent + rng.normal(0, 6, n)), 0, 90)
    return pd.DataFrame({
        "usage_active_days": days,
        "usage_sessions": np.round(days * np.exp(rng.normal(0.3, 0.3, n))),
        "usage_prompts": np.round(days * np.exp(rng.normal(2.0, 0.5, n))),
        "usage_share_rag": np.clip(rng.beta(2, 5, n) + 0.05 * latent, 0, 1).round(3),
    })


def codebook(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for column in table.columns:
        row = {"variable": column, "item": column, "source": "survey", "type": "", "page": "", "label_de": "",
               "label_en": column.replace("_", " "), "value_labels_de": "", "value_labels_en": "",
               "missing_codes": "", "min": "", "max": "", "instrument": "", "scale": "", "reverse_coded": "0"}
        if column in ("response_id", "wave", "instrument_version", "status", "language", "pseudonym",
                      "linkage_consent", "duration_seconds", "last_page") or column.endswith("_at"):
            row.update(source="paradata", type="timestamp" if column.endswith("_at") else "id")
            if column == "duration_seconds":
                row["type"] = "number"
        elif column.startswith("usage_"):
            row.update(source="usage", type="number")
        elif column in ("role", "department", "frequency"):
            labels = {"role": ROLES, "department": DEPARTMENTS, "frequency": FREQUENCY}[column]
            row.update(type="single_choice", page="about", value_labels_en=json.dumps({str(k): v for k, v in labels.items()}))
        elif "__" in column:
            item = column.split("__")[0]
            row.update(item=item, page="usage", type="text" if column.endswith("other_text") else "multiple_choice")
        elif column.startswith("sus_"):
            row.update(type="likert", page="sus", instrument="sus", min="1", max="5",
                       value_labels_en=json.dumps({k: v for k, v in AGREE.items() if k != "-1"}))
        elif column.startswith("reliability_") or column == "overall_satisfaction":
            row.update(type="likert", page="reliability", min="1", max="5", value_labels_en=json.dumps(AGREE),
                       missing_codes="[-1]", scale="reliability" if column.startswith("reliability_") else "",
                       reverse_coded="1" if column == "reliability_04" else "0")
        elif column == "improvements":
            row.update(type="textarea", page="feedback")
        rows.append(row)
    return pd.DataFrame(rows)
