"""Group comparisons with effect sizes, and multiplicity correction over families of tests."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats


def p_adjust(pvalues, method: str = "holm") -> np.ndarray:
    """Adjusted p-values like R's p.adjust: 'holm' (Holm, 1979) or 'bh' (Benjamini & Hochberg, 1995).

    NaN p-values (tests that could not run) stay NaN and do not count as tests.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    valid = ~np.isnan(p)
    m = int(valid.sum())
    if m == 0:
        return out
    q = p[valid]
    order = np.argsort(q, kind="mergesort")
    ranked = q[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method in ("bh", "fdr_bh", "BH"):
        adjusted = np.minimum.accumulate((m / np.arange(m, 0, -1)) * ranked[::-1])[::-1]
    elif method == "none":
        adjusted = ranked
    else:
        raise ValueError(f"p_adjust: expected method 'holm', 'bh' or 'none', got {method!r}")
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    out[valid] = result
    return out


def _clean(values) -> np.ndarray:
    values = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    return values[~np.isnan(values)]


def mann_whitney(x, y) -> pd.DataFrame:
    """One row: U of x, two-sided p, rank-biserial r (positive when x tends to be larger).

    r = 2U / (n1 n2) - 1 (Kerby, 2014, "The simple difference formula", Comprehensive
    Psychology 3). p is exact for small samples without ties, otherwise normal with tie
    and continuity correction (as R's wilcox.test; scipy chooses).
    """
    x, y = _clean(x), _clean(y)
    n1, n2 = len(x), len(y)
    row = {"n1": n1, "n2": n2, "U": np.nan, "p": np.nan, "r_rb": np.nan, "message": ""}
    if n1 == 0 or n2 == 0:
        row["message"] = f"Mann-Whitney U needs answers in both groups (n1 = {n1}, n2 = {n2})"
        return pd.DataFrame([row])
    result = stats.mannwhitneyu(x, y, alternative="two-sided")
    row.update(U=float(result.statistic), p=float(result.pvalue), r_rb=2 * result.statistic / (n1 * n2) - 1)
    if min(n1, n2) == 1:
        row["message"] = "a group of one response: the test has almost no power"
    return pd.DataFrame([row])


def _groups(values, groups) -> dict:
    frame = pd.DataFrame({"v": pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce"),
                          "g": pd.Series(groups).reset_index(drop=True)}).dropna()
    # Categorical groups keep their category order (questionnaire order); others sort by value.
    return {g: part["v"].to_numpy(float) for g, part in frame.groupby("g", observed=True, sort=True)}


def kruskal(values, groups) -> pd.DataFrame:
    """One row: H, df, p and epsilon-squared = H / (n - 1).

    epsilon^2_R = H / ((n^2 - 1) / (n + 1)) (Tomczak & Tomczak, 2014, Trends in Sport
    Sciences 21(1)), which simplifies to H / (n - 1).
    """
    data = _groups(values, groups)
    n = sum(len(v) for v in data.values())
    row = {"n": n, "groups": len(data), "H": np.nan, "df": len(data) - 1, "p": np.nan,
           "epsilon_squared": np.nan, "message": ""}
    if len(data) < 2:
        row["message"] = f"Kruskal-Wallis needs at least two groups with answers, got {len(data)}"
        return pd.DataFrame([row])
    pooled = np.concatenate(list(data.values()))
    if np.all(pooled == pooled[0]):
        row["message"] = "every answer is identical: ranks carry no information, H is not defined"
        return pd.DataFrame([row])
    h, p = stats.kruskal(*data.values())
    row.update(H=h, p=p, epsilon_squared=h / (n - 1))
    singles = [str(g) for g, v in data.items() if len(v) == 1]
    if singles:
        row["message"] = f"group(s) of one response: {singles}"
    return pd.DataFrame([row])


def dunn(values, groups, adjust: str = "holm") -> pd.DataFrame:
    """Dunn's (1964) pairwise z-tests on mean ranks after Kruskal-Wallis, with tie correction.

    z = (R_i - R_j) / sqrt((N(N+1)/12 - sum(t^3 - t)/(12(N-1))) (1/n_i + 1/n_j)).
    """
    data = _groups(values, groups)
    pooled = np.concatenate(list(data.values())) if data else np.array([])
    columns = ["A", "B", "n_A", "n_B", "mean_rank_A", "mean_rank_B", "z", "p_unc", "p_adj"]
    if len(data) < 2:
        return pd.DataFrame(columns=columns)
    ranks = stats.rankdata(pooled)
    n = len(pooled)
    _, ties = np.unique(pooled, return_counts=True)
    variance = n * (n + 1) / 12 - np.sum(ties**3 - ties) / (12 * (n - 1))
    mean_ranks, start = {}, 0
    for g, v in data.items():
        mean_ranks[g] = ranks[start:start + len(v)].mean()
        start += len(v)
    rows = []
    for a, b in itertools.combinations(data, 2):
        se = np.sqrt(variance * (1 / len(data[a]) + 1 / len(data[b]))) if variance > 0 else np.nan
        z = (mean_ranks[a] - mean_ranks[b]) / se if se else np.nan
        rows.append({"A": a, "B": b, "n_A": len(data[a]), "n_B": len(data[b]), "mean_rank_A": mean_ranks[a],
                     "mean_rank_B": mean_ranks[b], "z": z, "p_unc": 2 * stats.norm.sf(abs(z))})
    table = pd.DataFrame(rows, columns=columns[:-1])
    table["p_adj"] = p_adjust(table["p_unc"], adjust)
    return table


def crosstab(x, y) -> pd.DataFrame:
    frame = pd.DataFrame({"x": pd.Series(x).reset_index(drop=True), "y": pd.Series(y).reset_index(drop=True)}).dropna()
    return pd.crosstab(frame["x"], frame["y"], dropna=True)


def chi_square(table: pd.DataFrame, seed: int = 0, min_expected: float = 5.0) -> pd.DataFrame:
    """One row for a contingency table: chi-square (no Yates correction) with Cramer's V, or
    Fisher's exact test when expected counts are small.

    Fisher is used when any expected count is below `min_expected` in a 2x2 table, or more
    than 20% of cells are (Cochran, 1954, Biometrics 10(4)); for larger tables it is the
    Freeman-Halton extension with a seeded Monte Carlo p-value. V = sqrt(chi2 / (N (min(r, c) - 1)))
    (Cramer, 1946).
    """
    observed = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0].to_numpy(dtype=float)
    n = int(observed.sum())
    row = {"n": n, "rows": observed.shape[0], "columns": observed.shape[1], "test": "", "chi2": np.nan,
           "df": np.nan, "p": np.nan, "cramers_v": np.nan, "odds_ratio": np.nan, "min_expected": np.nan, "message": ""}
    if min(observed.shape) < 2:
        row["message"] = "a contingency test needs at least two rows and two columns with answers"
        return pd.DataFrame([row])
    chi2, p, df, expected = stats.chi2_contingency(observed, correction=False)
    v = np.sqrt(chi2 / (n * (min(observed.shape) - 1)))
    row.update(chi2=chi2, df=df, p=p, cramers_v=v, min_expected=expected.min(), test="chi-square")
    small = expected < min_expected
    use_fisher = small.any() if observed.shape == (2, 2) else small.mean() > 0.2
    if not use_fisher:
        return pd.DataFrame([row])
    if observed.shape == (2, 2):
        result = stats.fisher_exact(observed.astype(int))
        row.update(test="fisher", p=float(result.pvalue), odds_ratio=float(result.statistic))
    else:
        method = stats.MonteCarloMethod(n_resamples=9999, rng=np.random.default_rng(seed))
        result = stats.fisher_exact(observed.astype(int), method=method)
        row.update(test="fisher-freeman-halton (monte carlo)", p=float(result.pvalue))
    row["message"] = f"expected counts below {min_expected:g}: Fisher's exact test instead of chi-square"
    return pd.DataFrame([row])


def group_summary(values, groups) -> pd.DataFrame:
    """n, median, IQR and mean per group: what a reader needs beside a rank test."""
    rows = []
    for g, v in _groups(values, groups).items():
        rows.append({"group": g, "n": len(v), "median": np.median(v), "q1": np.quantile(v, 0.25),
                     "q3": np.quantile(v, 0.75), "mean": v.mean(), "sd": v.std(ddof=1) if len(v) > 1 else np.nan})
    return pd.DataFrame(rows, columns=["group", "n", "median", "q1", "q3", "mean", "sd"])
