"""A synthetic wave in the export shape of a given codebook (table + codebook + population),
for the benchmark, tests and trying a plan before real data exists. Seeded, vectorized.

The codebook decides the columns: paradata as export_wave writes them, every survey item by
its `type`, `min`/`max`, `value_labels_en`, `missing_codes` and `reverse_coded`; one latent
"likes the platform" drives every rating, so scales cohere and correlate with usage.
Usage features (codebook source `usage`, as platform_logs adds them) are appended when the
codebook has none. Nothing here knows a particular instrument.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

USAGE_COLUMNS = ["usage_active_days", "usage_chats", "usage_messages", "usage_tokens_in", "usage_tokens_out",
                 "usage_models", "usage_share_knowledge", "usage_rating_mean"]
PHRASES = {
    "de": ["schnellere antworten wären hilfreich", "bessere übersetzung medizinischer fachbegriffe",
           "anbindung an das klinische informationssystem", "mehr schulung für neue nutzer"],
    "en": ["faster answers would help", "better translation of medical terms",
           "integration with the clinical information system", "more training for new users"],
}
OTHER_TEXTS = np.array(["Dienstpläne", "email drafts", "Lehre", "quality reports"], dtype=object)


def _codes(row: dict) -> list[float]:
    """Valid codes of a single-choice item: its value labels without missing codes."""
    labels = json.loads(row.get("value_labels_en") or "{}")
    missing = set(json.loads(row.get("missing_codes") or "[]"))
    return sorted(float(k) for k in labels if float(k) not in missing)


def _rating(latent, rng, low: float, high: float, reverse: bool, noise: float = 0.8) -> np.ndarray:
    spread = (high - low) / 4
    centre = (low + high) / 2 + 0.5 * spread
    raw = centre + (-1 if reverse else 1) * spread * latent + rng.normal(0, noise * spread, latent.shape)
    return np.clip(np.round(raw), low, high)


def _paradata(n: int, rng, pages: list[str]) -> pd.DataFrame:
    status = rng.choice(["viewed", "in_progress", "completed"], size=n, p=[0.05, 0.12, 0.83])
    done, started = status == "completed", status != "viewed"
    t0 = pd.Timestamp("2026-03-02T08:00:00Z") + pd.to_timedelta(rng.integers(0, 86400 * 20, n), unit="s")
    duration = np.exp(rng.normal(np.log(600), 0.45, n))
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    reached = np.where(done, len(pages), np.where(started, rng.integers(1, max(len(pages), 2), n), 0))
    frame = pd.DataFrame({
        "response_id": np.arange(1, n + 1), "wave": "synthetic", "instrument_version": 1, "status": status,
        "language": rng.choice(["de", "en"], n, p=[0.7, 0.3]), "pseudonym": [f"p{i:07d}" for i in range(n)],
        "linkage_consent": np.where(started, rng.choice([0, 1], n, p=[0.3, 0.7]), 0),
        "info_viewed_at": t0.strftime(stamp),
        "consented_at": np.where(started, (t0 + pd.Timedelta(seconds=30)).strftime(stamp), None),
        "started_at": np.where(started, (t0 + pd.Timedelta(seconds=40)).strftime(stamp), None),
        "completed_at": np.where(done, (t0 + pd.to_timedelta(duration + 40, unit="s")).strftime(stamp), None),
        "duration_seconds": np.where(done, np.round(duration, 1), np.nan),
        "last_page": np.where(started, np.array(pages or [""], dtype=object)[np.maximum(reached - 1, 0)], None),
        "pages_reached": reached,
    })
    for i, page in enumerate(pages):
        seconds = np.round(duration / max(len(pages), 1) * rng.uniform(0.5, 1.5, n), 1)
        frame[f"page_{page}_seconds"] = np.where(reached > i, seconds, np.nan)
    return frame


def _survey_column(row: dict, latent, rng, language, earlier: dict) -> np.ndarray | None:
    n, kind = len(latent), row["type"]
    if kind in ("likert", "likert_matrix"):
        low, high = float(row["min"]), float(row["max"])
        values = _rating(latent, rng, low, high, row.get("reverse_coded") == "1")
        if -1 in json.loads(row.get("missing_codes") or "[]"):
            values[rng.random(n) < 0.03] = -1  # not applicable
        return values
    if kind == "scale_0_10":
        return np.clip(np.round(6.5 + 2.2 * latent + rng.normal(0, 1.2, n)), 0, 10)
    if kind in ("single_choice", "dropdown"):
        codes = _codes(row)
        return rng.choice(codes, n).astype(float) if codes else np.full(n, np.nan)
    if kind == "multiple_choice":
        return (rng.random(n) < (0.05 if row["variable"].endswith("__other") else 0.35)).astype(float)
    if kind == "number":
        low, high = float(row.get("min") or 0), float(row.get("max") or 100)
        return rng.integers(int(low), int(high) + 1, n).astype(float)
    if kind == "textarea":
        phrase = rng.integers(0, 4, n)
        texts = np.array([PHRASES[lang][p] for lang, p in zip(language, phrase)], dtype=object)
        texts[rng.random(n) < 0.6] = None
        return texts
    if kind == "text":  # "other, please specify": only where "other" was chosen
        chosen = earlier.get(row["variable"].removesuffix("_text"))
        picked = chosen == 1 if chosen is not None else rng.random(n) < 0.03
        return np.where(picked, rng.choice(OTHER_TEXTS, n), None)
    return None


def usage_features(latent: np.ndarray, rng) -> pd.DataFrame:
    """Usage per person over the window; more use goes with liking the platform."""
    n = len(latent)
    days = np.clip(np.round(20 + 12 * latent + rng.normal(0, 6, n)), 0, 90)
    chats = np.round(days * np.exp(rng.normal(0.3, 0.3, n)))
    messages = np.round(chats * np.exp(rng.normal(1.2, 0.4, n)))
    tokens_in = np.round(messages * np.exp(rng.normal(5.5, 0.6, n)))
    ratings = rng.random(n) < 0.3
    return pd.DataFrame({
        "usage_active_days": days, "usage_chats": chats, "usage_messages": messages, "usage_tokens_in": tokens_in,
        "usage_tokens_out": np.round(tokens_in * np.exp(rng.normal(0.8, 0.3, n))),
        "usage_models": np.clip(np.round(1.5 + 0.5 * latent + rng.normal(0, 0.8, n)), 1, 6),
        "usage_share_knowledge": np.clip(rng.beta(2, 5, n) + 0.05 * latent, 0, 1).round(3),
        "usage_rating_mean": np.where(ratings, np.clip(0.3 * latent + rng.normal(0.2, 0.5, n), -1, 1).round(2), np.nan),
    })


def _usage_codebook() -> pd.DataFrame:
    return pd.DataFrame([{"variable": c, "item": "", "source": "usage", "type": "number", "page": "",
                          "label_de": c, "label_en": c, "reverse_coded": "0"} for c in USAGE_COLUMNS])


def generate_wave(n: int, codebook: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(table, codebook, population) for `n` exported responses and 3n platform users.

    The population table is what platform_logs exports for nonresponse: the usage features
    of every platform user and `responded` (0/1), no pseudonym.
    """
    codebook = codebook.astype(str).replace({"nan": ""})
    rng = np.random.default_rng(seed)
    latent = rng.normal(0, 1, n)  # "likes the platform"
    pages = list(dict.fromkeys(p for p, s in zip(codebook["page"], codebook["source"]) if p and s == "survey"))
    frame = _paradata(n, rng, pages)
    language = frame["language"].to_numpy()
    columns = {}
    for row in codebook[codebook["source"] == "survey"].to_dict("records"):
        values = _survey_column(row, latent, rng, language, columns)
        if values is not None:
            columns[row["variable"]] = values
    table = pd.concat([frame, pd.DataFrame(columns)], axis=1)
    done = table["status"].to_numpy() == "completed"
    table.loc[~done, list(columns)] = np.nan
    usage = usage_features(latent, rng)
    linked = done & (table["linkage_consent"].to_numpy() == 1)
    if not (codebook["source"] == "usage").any():
        codebook = pd.concat([codebook, _usage_codebook()], ignore_index=True).fillna("")
    usage_columns = [c for c in codebook.loc[codebook["source"] == "usage", "variable"] if c in usage]
    for column in usage_columns:
        table[column] = np.where(linked, usage[column], np.nan)
    others = usage_features(rng.normal(-0.3, 1, 2 * n), rng)
    population = pd.concat([usage.loc[done, usage_columns].assign(responded=1),
                            others[usage_columns].assign(responded=0)], ignore_index=True)
    codebook = codebook[codebook["variable"].isin(table.columns)].reset_index(drop=True)
    return table[list(codebook["variable"])], codebook, population
