"""Spearman correlations with confidence intervals, e.g. survey scales x usage features."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .compare import p_adjust


def spearman(x, y, ci: float = 0.95) -> pd.DataFrame:
    """One row: n, rho, CI, p (pairwise complete cases).

    The CI uses Fisher's z with the Bonett & Wright (2000, Psychometrika 65(1)) standard
    error sqrt((1 + rho^2 / 2) / (n - 3)), which keeps coverage for Spearman's rho.
    """
    frame = pd.DataFrame({"x": pd.to_numeric(pd.Series(x).reset_index(drop=True), errors="coerce"),
                          "y": pd.to_numeric(pd.Series(y).reset_index(drop=True), errors="coerce")}).dropna()
    n = len(frame)
    row = {"n": n, "rho": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "message": ""}
    if n < 4:
        row["message"] = f"{n} complete pair(s): a correlation with a CI needs at least four"
        return pd.DataFrame([row])
    if frame["x"].nunique() < 2 or frame["y"].nunique() < 2:
        row["message"] = "a constant variable: correlation not defined"
        return pd.DataFrame([row])
    rho, p = stats.spearmanr(frame["x"], frame["y"])
    row.update(rho=float(rho), p=float(p))
    if abs(rho) < 1:
        z = np.arctanh(rho)
        se = np.sqrt((1 + rho**2 / 2) / (n - 3))
        crit = stats.norm.ppf(1 - (1 - ci) / 2)
        row.update(ci_low=np.tanh(z - crit * se), ci_high=np.tanh(z + crit * se))
    else:
        row.update(ci_low=rho, ci_high=rho, message="perfect monotone relation: CI degenerate")
    return pd.DataFrame([row])


def spearman_table(frame: pd.DataFrame, left: list[str], right: list[str], adjust: str = "holm") -> pd.DataFrame:
    """Every left x right pair as one tidy row, p adjusted over the whole table (one family)."""
    rows = []
    for a in left:
        for b in right:
            if a == b:
                continue
            result = spearman(frame[a], frame[b]).iloc[0].to_dict()
            rows.append({"x": a, "y": b, **result})
    table = pd.DataFrame(rows, columns=["x", "y", "n", "rho", "ci_low", "ci_high", "p", "message"])
    table["p_adj"] = p_adjust(table["p"], adjust) if len(table) else []
    return table
