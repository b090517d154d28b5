"""Small builders for analysis tests: a tidy table and codebook in the export shape."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def codebook_for(table: pd.DataFrame, **overrides: dict) -> pd.DataFrame:
    """A codebook row per column: paradata for the standard columns, survey otherwise;
    `overrides` maps a column to the fields to set (type, source, missing_codes ...)."""
    paradata = {"response_id", "wave", "status", "duration_seconds", "last_page", "info_viewed_at", "consented_at"}
    rows = []
    for column in table.columns:
        row = {"variable": column, "item": column, "source": "paradata" if column in paradata else "survey",
               "type": "number" if column in paradata else "likert", "page": "p1", "label_de": "", "label_en": column,
               "value_labels_de": "", "value_labels_en": "", "missing_codes": "", "min": "", "max": "",
               "instrument": "", "scale": "", "reverse_coded": "0"}
        row.update(overrides.get(column, {}))
        rows.append(row)
    return pd.DataFrame(rows)


def labels(mapping: dict) -> str:
    return json.dumps({str(k): v for k, v in mapping.items()})


DEMO_CODEBOOK = Path(__file__).parent / "data" / "demo_codebook.csv"


def demo_codebook() -> pd.DataFrame:
    """The codebook `export_wave ai-platform-2026` writes for the demo survey (a copy that
    tests/integration/test_export_to_analysis.py keeps equal to the real export)."""
    return pd.read_csv(DEMO_CODEBOOK, dtype=str, keep_default_na=False)


def demo_wave(n: int, seed: int = 0):
    """(table, codebook, population) of a synthetic wave in the demo survey's export shape."""
    from analysis.synthetic import generate_wave

    return generate_wave(n, demo_codebook(), seed=seed)
