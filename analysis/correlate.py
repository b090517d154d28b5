"""Spearman correlations with confidence intervals, e.g. survey scales x usage features."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from .compare import p_adjust

EXACT_BELOW = 10  # full enumeration of the n! rank permutations, as R's cor.test (AS 89) for n <= 9


def _exact_spearman_p(x: np.ndarray, y: np.ndarray, alternative: str) -> float:
    """P of S = Σd² over all n! permutations of y's ranks (no ties); two-sided as R: twice the smaller tail."""
    n = len(x)
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    observed = np.sum((rx - ry) ** 2)
    ranks = np.arange(1, n + 1)
    permutations = np.array(list(itertools.permutations(ranks)), dtype=np.int32)
    s = np.sum((np.sort(rx).astype(np.int32) - permutations) ** 2, axis=1)
    # Small S = positive rho. Sums of squared integer differences are exact integers.
    lower, upper = np.mean(s <= observed), np.mean(s >= observed)
    if alternative == "greater":
        return float(lower)
    if alternative == "less":
        return float(upper)
    return float(min(1.0, 2 * min(lower, upper)))


def spearman(x, y, ci: float = 0.95, alternative: str = "two-sided") -> pd.DataFrame:
    """Spearman's rank correlation with a Fisher-z confidence interval.

    Parameters
    ----------
    x, y : array_like
        Paired values; pairs with a missing value are dropped (pairwise complete cases).
    ci : float
        Confidence level.
    alternative : {"two-sided", "greater", "less"}
        As R's ``cor.test``: "greater" tests a positive association.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``rho``, ``ci_low``, ``ci_high``, ``p``, ``method`` ("exact" or
        "t approximation") and ``message``.

    Notes
    -----
    p is exact for n < 10 without ties: every one of the n! permutations of the ranks is
    enumerated, as R's ``cor.test(method = "spearman")`` does for n ≤ 9 (AS 89 with exact
    evaluation; two-sided p = twice the smaller tail). Otherwise it uses
    t = rho sqrt((n - 2) / (1 - rho²)) with n - 2 df (scipy); R uses the AS 89 Edgeworth
    series for 10 ≤ n < 1290 without ties, which differs from it in the third decimal at most
    for small n. The CI uses Fisher's z with the Bonett & Wright (2000) standard error
    sqrt((1 + rho²/2) / (n - 3)), which keeps coverage for Spearman's rho.

    References
    ----------
    Best, D. J., & Roberts, D. E. (1975). Algorithm AS 89. Applied Statistics, 24(3), 377-379.
    Bonett, D. G., & Wright, T. A. (2000). Psychometrika, 65(1), 23-28.

    Examples
    --------
    >>> x = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
    >>> y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]
    >>> row = spearman(x, y).iloc[0]
    >>> round(float(row["rho"]), 3), round(float(row["p"]), 4), row["method"]
    (0.6, 0.0968, 'exact')
    """
    return pd.DataFrame([_spearman_row(x, y, ci, alternative)])


def _spearman_row(x, y, ci: float, alternative: str) -> dict:
    """`spearman` as a dict, on arrays: a table of many pairs builds one frame, not one per pair."""
    x = pd.to_numeric(pd.Series(x), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    y = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    complete = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[complete], y[complete]
    n = len(x)
    row = {"n": n, "rho": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "method": "", "message": ""}
    if n < 4:
        row["message"] = f"{n} complete pair(s): a correlation with a CI needs at least four"
        return row
    if np.all(x == x[0]) or np.all(y == y[0]):
        row["message"] = "a constant variable: correlation not defined"
        return row
    rho, p = stats.spearmanr(x, y, alternative=alternative)
    method = "t approximation"
    if n < EXACT_BELOW and len(np.unique(x)) == n and len(np.unique(y)) == n:
        p, method = _exact_spearman_p(x, y, alternative), "exact"
    row.update(rho=float(rho), p=float(p), method=method)
    if abs(rho) < 1:
        z = np.arctanh(rho)
        se = np.sqrt((1 + rho**2 / 2) / (n - 3))
        crit = stats.norm.ppf(1 - (1 - ci) / 2)
        row.update(ci_low=np.tanh(z - crit * se), ci_high=np.tanh(z + crit * se))
    else:
        row.update(ci_low=rho, ci_high=rho, message="perfect monotone relation: CI degenerate")
    return row


def spearman_table(frame: pd.DataFrame, left: list[str], right: list[str], adjust: str = "holm") -> pd.DataFrame:
    """Every left x right pair as one tidy row, p adjusted over the whole table (one family).

    Parameters
    ----------
    frame : pandas.DataFrame
    left, right : list of str
        Columns to pair (a column is not correlated with itself).
    adjust : {"holm", "bh", "none"}
        Adjustment over all pairs (:func:`analysis.compare.p_adjust`).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``x``, ``y`` and the columns of :func:`spearman`, plus ``p_adj``.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 3, 4, 1, 2]})
    >>> list(spearman_table(frame, ["a"], ["b", "c"])["y"])
    ['b', 'c']
    """
    rows = []
    for a in left:
        for b in right:
            if a == b:
                continue
            rows.append({"x": a, "y": b, **_spearman_row(frame[a], frame[b], 0.95, "two-sided")})
    table = pd.DataFrame(rows, columns=["x", "y", "n", "rho", "ci_low", "ci_high", "p", "method", "message"])
    table["p_adj"] = p_adjust(table["p"], adjust) if len(table) else []
    return table
