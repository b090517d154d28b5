"""The coordinating centre's side: pool the sites' bundles without a single respondent row.

Means and SDs pool exactly from each site's n, mean and variance; proportions from the
category counts; sites are compared by a one-way ANOVA computed from the same statistics; each
planned contrast is meta-analysed over the sites (`analysis.meta`), with leave-one-site-out.
Only variables whose item fingerprint is the same at every site are pooled.

    from analysis import pooling
    payloads = [pooling.read_bundle(path) for path in paths]
    pooling.pooled_descriptives(payloads)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from . import meta
from .aggregates import ALL, verify_bundle
from .errors import InputFormatError


def read_bundle(path: str | Path, trusted_keys: set[str] | None = None) -> dict:
    """The verified payload of one bundle file (see `analysis.aggregates.verify_bundle`)."""
    try:
        bundle = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFormatError(f"{path}: expected a JSON bundle from export_aggregates ({exc})") from exc
    return verify_bundle(bundle, str(path), trusted_keys)


def _site_records(payloads: list[dict]) -> pd.DataFrame:
    rows = []
    for payload in payloads:
        site = payload["manifest"]["site"]
        for entry in payload["variables"]:
            for record in entry["records"]:
                rows.append({"site": site, "variable": entry["variable"], "fingerprint": entry["fingerprint"],
                             "stratum": record["stratum"], "level": record["level"], "n": record["n"],
                             "mean": record["mean"], "variance": record["variance"],
                             "counts": record.get("counts")})
    return pd.DataFrame(rows, columns=["site", "variable", "fingerprint", "stratum", "level", "n", "mean",
                                       "variance", "counts"])


def comparable(payloads: list[dict]) -> pd.DataFrame:
    """Site records of the variables asked identically everywhere (same fingerprint at every site)."""
    records = _site_records(payloads)
    if records.empty:
        return records
    sites = len(payloads)
    shared = records.groupby("variable").agg(prints=("fingerprint", "nunique"), sites=("site", "nunique"))
    keep = shared.index[(shared["prints"] == 1) & (shared["sites"] == sites)]
    return records[records["variable"].isin(keep)].reset_index(drop=True)


def pool_moments(n: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> tuple[int, float, float]:
    """Exact n, mean and SD of the concatenated samples from per-site n, mean and variance.

    Notes
    -----
    Total sum of squares = Σ(nᵢ − 1)·vᵢ + Σnᵢ·(m̄ᵢ − m̄)², divided by N − 1 (the parallel
    algorithm of Chan, Golub & LeVeque, 1979).
    """
    n, mean, variance = (np.asarray(x, dtype=float) for x in (n, mean, variance))
    total = n.sum()
    grand = float(np.sum(n * mean) / total)
    squares = np.sum((n - 1) * np.nan_to_num(variance)) + np.sum(n * (mean - grand) ** 2)
    return int(total), grand, float(np.sqrt(squares / (total - 1))) if total > 1 else float("nan")


def pooled_descriptives(payloads: list[dict]) -> pd.DataFrame:
    """Pooled n, mean and SD per variable and stratum level, from sites that published them.

    Returns
    -------
    pandas.DataFrame
        `variable`, `stratum`, `level`, `sites` (that contributed), `complete` (every site did),
        `n`, `mean`, `sd`.
    """
    records = comparable(payloads)
    rows = []
    for (variable, stratum, level), group in records.groupby(["variable", "stratum", "level"], sort=False):
        usable = group.dropna(subset=["n", "mean", "variance"])
        row = {"variable": variable, "stratum": stratum, "level": level, "sites": len(usable),
               "complete": len(usable) == len(payloads), "n": np.nan, "mean": np.nan, "sd": np.nan}
        if len(usable):
            row["n"], row["mean"], row["sd"] = pool_moments(usable["n"], usable["mean"], usable["variance"])
        rows.append(row)
    return pd.DataFrame(rows, columns=["variable", "stratum", "level", "sites", "complete", "n", "mean", "sd"])


def pooled_counts(payloads: list[dict]) -> pd.DataFrame:
    """Pooled category counts and proportions; a category is `complete` only if no site withheld it."""
    records = comparable(payloads).dropna(subset=["counts"])
    rows = []
    for (variable, stratum, level), group in records.groupby(["variable", "stratum", "level"], sort=False):
        categories = sorted({c for counts in group["counts"] for c in counts}, key=float)
        total = float(pd.to_numeric(group["n"], errors="coerce").sum())
        for category in categories:
            values = [counts.get(category, 0) for counts in group["counts"]]
            shown = [v for v in values if v is not None]
            complete = len(shown) == len(values) and len(values) == len(payloads) and group["n"].notna().all()
            count = int(sum(shown))
            rows.append({"variable": variable, "stratum": stratum, "level": level, "category": category,
                         "count": count, "proportion": count / total if complete and total else np.nan,
                         "complete": complete})
    return pd.DataFrame(rows, columns=["variable", "stratum", "level", "category", "count", "proportion", "complete"])


def site_comparison(payloads: list[dict]) -> pd.DataFrame:
    """One-way ANOVA of each variable across sites, computed from n, mean and variance alone.

    Returns
    -------
    pandas.DataFrame
        `variable`, `sites`, `F`, `df1`, `df2`, `p`, `eta2` (between-site share of the variance).
    """
    records = comparable(payloads)
    overall = records[records["stratum"] == ALL].dropna(subset=["n", "mean", "variance"])
    rows = []
    for variable, group in overall.groupby("variable", sort=False):
        if len(group) < 2:
            continue
        n, mean, variance = (group[c].to_numpy(dtype=float) for c in ("n", "mean", "variance"))
        grand = np.sum(n * mean) / n.sum()
        between, within = np.sum(n * (mean - grand) ** 2), np.sum((n - 1) * variance)
        df1, df2 = len(group) - 1, n.sum() - len(group)
        f = (between / df1) / (within / df2) if within > 0 else np.nan
        rows.append({"variable": variable, "sites": len(group), "F": f, "df1": df1, "df2": int(df2),
                     "p": float(stats.f.sf(f, df1, df2)) if np.isfinite(f) else np.nan,
                     "eta2": between / (between + within) if between + within > 0 else np.nan})
    return pd.DataFrame(rows, columns=["variable", "sites", "F", "df1", "df2", "p", "eta2"])


def contrast_effects(payloads: list[dict]) -> pd.DataFrame:
    """Each site's planned contrasts as study rows for `analysis.meta` (`yi` = effect, `vi` = SE²)."""
    rows = []
    for payload in payloads:
        for planned in payload.get("contrasts", []):
            if planned.get("effect") is None:
                continue
            rows.append({"site": payload["manifest"]["site"], "contrast": _contrast_name(planned),
                         "fingerprint": planned["fingerprint"], "yi": planned["effect"], "vi": planned["se"] ** 2,
                         "n_a": planned["n_a"], "n_b": planned["n_b"]})
    return pd.DataFrame(rows, columns=["site", "contrast", "fingerprint", "yi", "vi", "n_a", "n_b"])


def _contrast_name(planned: dict) -> str:
    return f"{planned['variable']}: {planned['stratum']} {planned['level_a']} vs {planned['level_b']}"


def pooled_contrasts(payloads: list[dict], method: str = "REML", test: str = "knha") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random-effects meta-analysis per planned contrast, and the same leaving each site out.

    Returns
    -------
    tuple of pandas.DataFrame
        (one row per contrast: `contrast` and the columns of `meta.random_effects`;
        one row per contrast and omitted site: `contrast`, `omitted` and the same columns).
    """
    effects = contrast_effects(payloads)
    pooled, left_out = [], []
    for name, group in effects.groupby("contrast", sort=False):
        if group["fingerprint"].nunique() != 1 or len(group) < 2:
            continue
        pooled.append(meta.random_effects(group, method, test).assign(contrast=name))
        if len(group) > 2:
            left_out.append(meta.leave_one_out(group, method, test, label="site").assign(contrast=name))
    first = lambda frame: frame[["contrast", *[c for c in frame.columns if c != "contrast"]]]
    return (first(pd.concat(pooled, ignore_index=True)) if pooled else pd.DataFrame(columns=["contrast"]),
            first(pd.concat(left_out, ignore_index=True)) if left_out else pd.DataFrame(columns=["contrast"]))
