"""The services behind the command line: run a plan (load, check, run, write); pool studies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import meta, pooling
from ..errors import InputFormatError
from .bundle import write_bundle
from .io import load_dataset, private_directory, write_csv
from .plan import load_plan
from .run import run_plan


def run_command(plan_path, data_path, codebook_path, out, population_path=None, language=None) -> Path:
    """`language` (de, en) overrides the plan's: it picks the codebook labels shown; keys and codes stay."""
    plan, plan_sha256 = load_plan(plan_path)
    if language:
        plan = {**plan, "language": language}
    dataset = load_dataset(data_path, codebook_path)
    population = pd.read_csv(population_path) if population_path else None
    ctx = run_plan(plan, dataset, population)
    if population_path:
        from .io import file_sha256

        dataset.hashes["population_sha256"] = file_sha256(population_path)
    return write_bundle(ctx, out, plan_sha256)


def meta_command(studies_path, measure=None, method="REML", test="z", as_json=False) -> str:
    """Pool a CSV of studies: effect sizes from counts or means when `measure` is given, else its yi, vi."""
    try:
        studies = pd.read_csv(studies_path)
    except (OSError, ValueError) as exc:
        raise InputFormatError(f"{studies_path}: expected a readable CSV file ({exc})") from exc
    try:
        if measure:
            studies = meta.effect_sizes(studies, measure)
        fit = meta.random_effects(studies, method, test).iloc[0]
    except InputFormatError as exc:
        raise InputFormatError(f"{studies_path}: {exc}") from exc
    if as_json:
        return json.dumps({key: _plain(value) for key, value in fit.items()})
    lines = [f"{key}: {_plain(value)}" for key, value in fit.items() if key != "message"]
    return "\n".join(lines + ([f"warning: {fit.message}"] if fit.message else []))


def _plain(value):
    """JSON-ready: text stays text, counts stay whole numbers, an undefined df is null."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    return None if pd.isna(value) else float(value)


def pool_command(bundle_paths, out, method="REML", test="knha", trusted_keys_path=None) -> Path:
    """Verify and pool the sites' bundles; write pooled.json and one CSV per table into `out`."""
    trusted = None
    if trusted_keys_path:
        lines = Path(trusted_keys_path).read_text(encoding="utf-8").splitlines()
        trusted = {line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()}
    payloads = [pooling.read_bundle(path, trusted) for path in bundle_paths]
    sites = [payload["manifest"]["site"] for payload in payloads]
    if len(set(sites)) != len(sites):
        raise InputFormatError(f"bundles: two bundles name the same site ({', '.join(sites)})")
    contrasts, left_out = pooling.pooled_contrasts(payloads, method, test)
    tables = {"descriptives": pooling.pooled_descriptives(payloads), "counts": pooling.pooled_counts(payloads),
              "site_comparison": pooling.site_comparison(payloads), "contrasts": contrasts,
              "leave_one_site_out": left_out, "site_contrasts": pooling.contrast_effects(payloads)}
    directory = private_directory(out)
    for name, table in tables.items():
        write_csv(table, directory / f"{name}.csv")
    result = {"sites": [payload["manifest"] for payload in payloads],
              "headcounts": {payload["manifest"]["site"]: payload["headcounts"] for payload in payloads},
              "warning": meta.few_studies_warning(len(payloads)),
              "labels": {payload["manifest"]["site"]: _labels(payload) for payload in payloads},
              **{name: json.loads(table.to_json(orient="records")) for name, table in tables.items()}}
    path = directory / "pooled.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def _labels(payload) -> dict:
    """Variable and stratum -> wording per language, with the strata's value labels (for the report)."""
    entries = [*payload["variables"], *({"variable": name, **texts} for name, texts in payload.get("strata", {}).items())]
    return {entry["variable"]: {"de": entry.get("label_de", ""), "en": entry.get("label_en", ""),
                                "values_de": entry.get("value_labels_de", ""), "values_en": entry.get("value_labels_en", "")}
            for entry in entries}
