"""A site's contribution to a multi-site study: sufficient statistics only, disclosure-checked and signed.

No site of a consortium hands out respondent rows. What leaves instead is, per variable and
stratum, n, mean and variance (enough to pool means and SDs exactly) and category counts, after
the rules of aggregate-only exchange (DataSHIELD, OHDSI, the MII feasibility portal):

- small cells: a count from 1 to threshold − 1 is withheld, and a further cell on every line
  whose total is published (complementary suppression, `analysis.disclosure`);
- a stratum smaller than the threshold has no n, mean or variance; when that leaves one stratum
  recoverable from the whole, the next smallest is withheld too;
- where a level's category counts lose a cell, its mean and variance are withheld (n, the counts
  shown and the mean would otherwise give the hidden cells back), and a second level's too when
  a published total would give that level's sum back;
- no minimum, maximum, median or other order statistic (each is one person's answer);
- headcounts of the wave (responses, registered users, linkage) optionally rounded up.

The bundle is JSON: `payload` (schema, manifest, statistics) and an Ed25519 `signature` over
its canonical form, made with the site's private key (a file outside the database).
"""

from __future__ import annotations

import base64
import json
import math
from datetime import date

import numpy as np
import pandas as pd
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .disclosure import suppression_mask
from .errors import InputFormatError

SCHEMA = "uptake.aggregates/1"
ALL = "all"
MISSING = "missing"
# Codebook types whose answers are few ordered or nominal categories: counts are published.
CATEGORICAL = {"likert", "likert_matrix", "scale_0_10", "single_choice", "dropdown", "multiple_choice"}
NUMERIC_ONLY = {"number"}
LABEL_FIELDS = ("label_de", "label_en", "value_labels_de", "value_labels_en")  # instrument wording, no answers


def _levels(data: pd.DataFrame, stratum: str | None) -> list[tuple[str, pd.DataFrame]]:
    """The levels of a stratum, with respondents who did not answer it as a level of their own: the
    levels must add up to the whole, or the whole minus the levels would show that group."""
    if stratum is None:
        return [(ALL, data)]
    codes = data[stratum].dropna()
    levels = [(_code(level), data[data[stratum] == level]) for level in sorted(codes.unique())]
    unanswered = data[data[stratum].isna()]
    return levels + ([(MISSING, unanswered)] if len(unanswered) else [])


def _code(value) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _count_grid(values: pd.Series, groups: list[tuple[str, pd.Series]]) -> pd.DataFrame:
    categories = sorted(values.dropna().unique())
    return pd.DataFrame([[int((group == category).sum()) for category in categories] for _name, group in groups],
                        index=[name for name, _group in groups], columns=[_code(c) for c in categories])


def _moments(values: pd.Series) -> dict:
    valid = values.dropna().astype(float)
    n = int(len(valid))
    return {"n": n, "mean": float(valid.mean()) if n else None,
            "variance": float(valid.var(ddof=1)) if n > 1 else None}


def _hidden_strata(ns: list[int], threshold: int) -> list[bool]:
    """Strata to withhold: small ones, and enough others that none is the whole minus the rest."""
    return list(suppression_mask(pd.Series(ns, dtype=float), threshold))


def variable_statistics(data: pd.DataFrame, variable: str, kind: str, stratum: str | None,
                        threshold: int) -> list[dict]:
    """One record per level of `stratum` (or one for all) with n, mean, variance and counts, protected."""
    levels = _levels(data, stratum)
    records = [{"stratum": stratum or ALL, "level": name, **_moments(group[variable])} for name, group in levels]
    hidden = [record["n"] < threshold for record in records] if stratum is None else \
        _hidden_strata([record["n"] for record in records], threshold)
    withheld = [False] * len(records)
    if kind in CATEGORICAL:
        grid = _count_grid(data[variable], [(name, group[variable]) for name, group in levels])
        mask = suppression_mask(grid, threshold) if grid.size else np.zeros(grid.shape, dtype=bool)
        for record, row, row_mask in zip(records, grid.itertuples(index=False), mask):
            record["counts"] = {category: (None if hide else int(count))
                                for category, count, hide in zip(grid.columns, row, row_mask)}
        withheld = _withheld_means(mask, hidden, [record["n"] for record in records], stratum is not None)
    for record, hide, withhold in zip(records, hidden, withheld):
        if hide:
            record.update(n=None, mean=None, variance=None, counts=None, suppressed=True)
        elif withhold:
            record.update(mean=None, variance=None)
    return records


def _withheld_means(mask: np.ndarray, hidden: list[bool], ns: list[int], by_stratum: bool) -> list[bool]:
    """Levels whose mean and variance must not leave: those with a withheld count (n, the counts
    shown and the mean would give two hidden cells back) and, when that leaves exactly one level's
    sum unknown beside a published total, the smallest other level as well."""
    withheld = [bool(row.any()) or hide for row, hide in zip(mask, hidden)]
    if by_stratum and sum(withheld) == 1 and len(withheld) > 1:
        others = [i for i, flag in enumerate(withheld) if not flag]
        withheld[min(others, key=lambda i: (ns[i], i))] = True
    return withheld


def _round_up(count: int | None, rounding: int | None) -> int | None:
    if count is None or not rounding:
        return count
    return int(math.ceil(count / rounding) * rounding)


def headcount(count: int | None, threshold: int, rounding: int | None) -> int | None:
    """A count of people for the manifest: withheld below the threshold (zero stays), rounded up if asked."""
    if count is None or 0 < count < threshold:
        return None
    return _round_up(int(count), rounding)


def contrast(records: list[dict], level_a: str, level_b: str) -> dict | None:
    """Mean difference of two levels with SE √(v_a/n_a + v_b/n_b), only when both levels are published
    (a difference of proportions for a 0/1 column)."""
    by_level = {record["level"]: record for record in records}
    a, b = by_level.get(level_a), by_level.get(level_b)
    if not a or not b or any(r.get("mean") is None or r.get("variance") is None for r in (a, b)):
        return None
    se = math.sqrt(a["variance"] / a["n"] + b["variance"] / b["n"])
    if se <= 0:  # no variation in either level: nothing to weigh a meta-analysis by
        return None
    return {"measure": "MD", "effect": a["mean"] - b["mean"], "se": se, "n_a": a["n"], "n_b": b["n"]}


def site_aggregates(table: pd.DataFrame, codebook: pd.DataFrame, *, site: str, wave: str, threshold: int = 5,
                    rounding: int | None = None, strata: tuple[str, ...] = (), contrasts: tuple = (),
                    fingerprints: dict | None = None, core: dict | None = None,
                    headcounts: dict | None = None) -> dict:
    """The payload of a site bundle (JSON-ready), with every disclosure rule applied.

    Parameters
    ----------
    table, codebook : pandas.DataFrame
        The wave's tidy export and its codebook (missing codes already set to NaN).
    site, wave : str
        Names that the coordinating centre sees (a site may choose a code name).
    threshold : int
        Smallest count that may leave the site.
    rounding : int, optional
        Round headcounts up to a multiple of this (the MII feasibility portal rounds to 10).
    strata : tuple of str
        Categorical variables to break every statistic down by (each on its own, not crossed).
    contrasts : tuple of (variable, stratum, level_a, level_b)
        Planned contrasts: the mean difference of `variable` between two levels, with its SE.
    fingerprints : dict
        Item code -> content hash (surveys.instrument_files.item_fingerprint): pooling joins
        only variables whose item reads the same at every site.
    core : dict
        The core module's version (code, sha256, instruments).
    headcounts : dict
        Wave-level counts of people (responses, registered users, linkage counts).

    Returns
    -------
    dict
        `schema`, `manifest` (site, wave, date, rules, core, items), `headcounts`,
        `variables` (one entry per variable with its records per stratum level), `contrasts`.
    """
    if threshold < 1:
        raise InputFormatError(f"threshold: expected a whole number of at least 1, got {threshold}")
    missing = [name for name in strata if name not in table]
    if missing:
        raise InputFormatError(f"stratum {missing[0]!r}: not a column of the export")
    fingerprints = fingerprints or {}
    variables, by_name, stratum_labels = [], {}, {}
    for row in codebook.fillna("").astype(str).to_dict("records"):
        if row["variable"] in strata:
            stratum_labels[row["variable"]] = {key: row.get(key, "") for key in LABEL_FIELDS}
        name, kind, source = row["variable"], row["type"], row["source"]
        if source not in ("survey", "usage") or name not in table:
            continue
        if kind not in CATEGORICAL | NUMERIC_ONLY or name in strata:
            continue
        values = pd.to_numeric(table[name], errors="coerce")
        frame = table[list(strata)].assign(**{name: values}) if strata else pd.DataFrame({name: values})
        records = variable_statistics(frame, name, kind, None, threshold)
        for stratum in strata:
            records += variable_statistics(frame, name, kind, stratum, threshold)
        entry = {"variable": name, "item": row.get("item", ""), "source": source, "type": kind,
                 "fingerprint": fingerprints.get(row.get("item", ""), "") if source == "survey" else f"usage:{name}",
                 **{key: row.get(key, "") for key in LABEL_FIELDS}, "records": records}
        variables.append(entry)
        by_name[name] = entry
    planned = []
    for variable, stratum, level_a, level_b in contrasts:
        entry = by_name.get(variable)
        if entry is None:
            raise InputFormatError(f"contrast {variable}: not a variable with sufficient statistics in this export")
        records = [r for r in entry["records"] if r["stratum"] == stratum]
        result = contrast(records, str(level_a), str(level_b))
        planned.append({"variable": variable, "fingerprint": entry["fingerprint"], "stratum": stratum,
                        "level_a": str(level_a), "level_b": str(level_b),
                        **(result or {"measure": "MD", "effect": None, "se": None, "suppressed": True})})
    return {
        "schema": SCHEMA,
        "manifest": {
            "site": site, "wave": wave, "created": date.today().isoformat(),
            "rules": {"min_cell": threshold, "secondary_suppression": True, "rounding": rounding,
                      "order_statistics": "none (no minimum, maximum or median leaves a site)",
                      "strata": list(strata), "means_beside_suppressed_counts": "withheld"},
            "core": core or {}, "items": fingerprints,
        },
        "headcounts": {key: headcount(value, threshold, rounding) for key, value in (headcounts or {}).items()},
        "strata": stratum_labels,
        "variables": variables,
        "contrasts": planned,
    }


# --- signing ------------------------------------------------------------------------------------


def canonical(payload: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8 (the same at every site)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign_bundle(payload: dict, private_key: Ed25519PrivateKey) -> dict:
    """The bundle: the payload and its Ed25519 signature with the site's public key beside it."""
    signature = private_key.sign(canonical(payload))
    return {"payload": payload, "signature": {"algorithm": "Ed25519", "public_key": public_key_text(private_key.public_key()),
                                              "value": base64.b64encode(signature).decode("ascii")}}


def verify_bundle(bundle: dict, source: str = "bundle", trusted_keys: set[str] | None = None) -> dict:
    """The payload if the signature holds (and, given `trusted_keys`, the key is a known site's), else an error."""
    try:
        signature = bundle["signature"]
        payload = bundle["payload"]
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(signature["public_key"]))
        key.verify(base64.b64decode(signature["value"]), canonical(payload))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFormatError(f"{source}: expected a signed bundle with payload and signature ({exc})") from exc
    except InvalidSignature as exc:
        raise InputFormatError(f"{source}: the signature does not match the content (changed after signing?)") from exc
    if trusted_keys is not None and signature["public_key"] not in trusted_keys:
        raise InputFormatError(f"{source}: signed with a key that is not in the list of the consortium's site keys")
    if payload.get("schema") != SCHEMA:
        raise InputFormatError(f"{source}: expected schema {SCHEMA}, got {payload.get('schema')!r}")
    return payload


def load_private_key(path) -> Ed25519PrivateKey:
    """The site's signing key (PEM, PKCS8), kept in a file outside the database like the pseudonym key."""
    try:
        key = serialization.load_pem_private_key(open(path, "rb").read(), password=None)
    except (OSError, ValueError) as exc:
        raise InputFormatError(f"{path}: expected an Ed25519 private key in PEM (PKCS8) format ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputFormatError(f"{path}: expected an Ed25519 private key, got {type(key).__name__}")
    return key


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption())
