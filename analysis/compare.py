"""Group comparisons with effect sizes, and multiplicity correction over families of tests."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats


def p_adjust(pvalues, method: str = "holm") -> np.ndarray:
    """Adjusted p-values as R's ``p.adjust``.

    Parameters
    ----------
    pvalues : array_like
        NaN (a test that could not run) stays NaN and does not count as a test.
    method : {"holm", "bh", "none"}

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order, capped at 1.

    Notes
    -----
    Holm: running maximum of (m - i + 1) p_(i); BH: running minimum from the top of m p_(i) / i.

    References
    ----------
    Holm, S. (1979). Scandinavian Journal of Statistics, 6(2), 65-70.
    Benjamini, Y., & Hochberg, Y. (1995). JRSS B, 57(1), 289-300.

    Examples
    --------
    >>> p_adjust([0.01, 0.02, 0.03, 0.04, 0.05], "holm").round(2).tolist()
    [0.05, 0.08, 0.09, 0.09, 0.09]
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


EXACT_BELOW = 50  # R wilcox.test: exact p when both samples have fewer than 50 values and no ties


def mann_whitney(x, y, alternative: str = "two-sided") -> pd.DataFrame:
    """Mann-Whitney U (Wilcoxon rank-sum) test with the rank-biserial correlation.

    Parameters
    ----------
    x, y : array_like
        The two samples; missing and non-numeric values are dropped.
    alternative : {"two-sided", "greater", "less"}
        "greater": x tends to be larger than y (R's ``alternative = "greater"``).

    Returns
    -------
    pandas.DataFrame
        One row: ``n1``, ``n2``, ``n`` (n1 + n2), ``U`` (U of x, R's W), ``p``, ``method``
        ("exact" or "normal approximation, tie and continuity corrected"), ``r_rb``
        (rank-biserial r, positive when x tends to be larger) and ``message``.

    Notes
    -----
    The p-value is exact when both samples have fewer than 50 values and there are no
    ties, otherwise normal with tie and continuity correction: R's ``wilcox.test``
    default. r_rb = 2U / (n1 n2) - 1 (Kerby, 2014).

    References
    ----------
    Hollander, M., & Wolfe, D. A. (1973). Nonparametric statistical methods. Wiley.
    Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology, 3.

    Examples
    --------
    >>> x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    >>> y = [1.15, 0.88, 0.90, 0.74, 1.21]
    >>> row = mann_whitney(x, y, alternative="greater").iloc[0]
    >>> float(row["U"]), round(float(row["p"]), 4), row["method"]
    (35.0, 0.1272, 'exact')
    """
    x, y = _clean(x), _clean(y)
    n1, n2 = len(x), len(y)
    row = {"n1": n1, "n2": n2, "n": n1 + n2, "U": np.nan, "p": np.nan, "method": "", "r_rb": np.nan, "message": ""}
    if n1 == 0 or n2 == 0:
        row["message"] = f"Mann-Whitney U needs answers in both groups (n1 = {n1}, n2 = {n2})"
        return pd.DataFrame([row])
    pooled = np.concatenate([x, y])
    exact = n1 < EXACT_BELOW and n2 < EXACT_BELOW and len(np.unique(pooled)) == len(pooled)
    if exact:
        result = stats.mannwhitneyu(x, y, alternative=alternative, method="exact")
        method = "exact"
    else:
        result = stats.mannwhitneyu(x, y, alternative=alternative, method="asymptotic", use_continuity=True)
        method = "normal approximation, tie and continuity corrected"
    row.update(U=float(result.statistic), p=float(result.pvalue), method=method,
               r_rb=2 * result.statistic / (n1 * n2) - 1)
    if min(n1, n2) == 1:
        row["message"] = "a group of one response: the test has almost no power"
    return pd.DataFrame([row])


def _groups(values, groups) -> dict:
    frame = pd.DataFrame({"v": pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce"),
                          "g": pd.Series(groups).reset_index(drop=True)}).dropna()
    # Categorical groups keep their category order (questionnaire order); others sort by value.
    return {g: part["v"].to_numpy(float) for g, part in frame.groupby("g", observed=True, sort=True)}


def kruskal(values, groups) -> pd.DataFrame:
    """Kruskal-Wallis H test with two named effect sizes, ε² and η²_H.

    Parameters
    ----------
    values : array_like
        The outcome (ranked); missing values are dropped together with their group.
    groups : array_like
        Group of each value.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``groups`` (k), ``H`` (tie-corrected), ``df`` (k - 1), ``p``
        (chi-square approximation, as R's ``kruskal.test``), ``epsilon_squared``,
        ``eta_squared_h`` and ``message``.

    Notes
    -----
    ε²_R = H / ((n² - 1) / (n + 1)) = H / (n - 1) (Tomczak & Tomczak, 2014, eq. 14);
    η²_H = (H - k + 1) / (n - k) (Cohen, 2008; Tomczak & Tomczak, 2014, eq. 15), which can
    be slightly negative when H < k - 1.

    References
    ----------
    Kruskal, W. H., & Wallis, W. A. (1952). JASA, 47(260), 583-621.
    Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited.
    Trends in Sport Sciences, 21(1), 19-25.
    Cohen, B. H. (2008). Explaining psychological statistics (3rd ed.). Wiley.

    Examples
    --------
    >>> values = [2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0]
    >>> groups = ["n"] * 5 + ["o"] * 4 + ["a"] * 5
    >>> row = kruskal(values, groups).iloc[0]
    >>> round(float(row["H"]), 5), int(row["n"])
    (0.77143, 14)
    """
    data = _groups(values, groups)
    n, k = sum(len(v) for v in data.values()), len(data)
    row = {"n": n, "groups": k, "H": np.nan, "df": k - 1, "p": np.nan,
           "epsilon_squared": np.nan, "eta_squared_h": np.nan, "message": ""}
    if k < 2:
        row["message"] = f"Kruskal-Wallis needs at least two groups with answers, got {k}"
        return pd.DataFrame([row])
    pooled = np.concatenate(list(data.values()))
    if np.all(pooled == pooled[0]):
        row["message"] = "every answer is identical: ranks carry no information, H is not defined"
        return pd.DataFrame([row])
    h, p = stats.kruskal(*data.values())
    row.update(H=h, p=p, epsilon_squared=h / (n - 1), eta_squared_h=(h - k + 1) / (n - k) if n > k else np.nan)
    singles = [str(g) for g, v in data.items() if len(v) == 1]
    if singles:
        row["message"] = f"group(s) of one response: {singles}"
    return pd.DataFrame([row])


def dunn(values, groups, adjust: str = "holm") -> pd.DataFrame:
    """Dunn's (1964) pairwise z-tests on mean ranks after Kruskal-Wallis, with tie correction.

    Parameters
    ----------
    values, groups : array_like
        As for :func:`kruskal`.
    adjust : {"holm", "bh", "none"}
        Adjustment over the pairs of this test (:func:`p_adjust`).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``A``, ``B``, ``n_A``, ``n_B``, ``mean_rank_A``, ``mean_rank_B``,
        ``z``, ``p_unc`` (two-sided) and ``p_adj``.

    Notes
    -----
    z = (R̄_A - R̄_B) / sqrt((N(N+1)/12 - Σ(t³ - t)/(12(N-1))) (1/n_A + 1/n_B)).

    References
    ----------
    Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics, 6(3), 241-252.

    Examples
    --------
    >>> table = dunn([1, 2, 3, 4, 5, 6], ["a", "a", "b", "b", "c", "c"])
    >>> list(table["A"] + table["B"])
    ['ab', 'ac', 'bc']
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


def fisher_exact(table, alternative: str = "two-sided", ci: float = 0.95) -> pd.DataFrame:
    """Fisher's exact test of a 2x2 table with the conditional maximum-likelihood odds ratio.

    Parameters
    ----------
    table : array_like
        2x2 counts.
    alternative : {"two-sided", "greater", "less"}
    ci : float
        Confidence level of the odds-ratio interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``p``, ``odds_ratio`` (conditional MLE), ``or_ci_low``, ``or_ci_high``
        and ``sample_odds_ratio`` (ad / bc).

    Notes
    -----
    As R's ``fisher.test``: the estimate maximises the conditional (noncentral
    hypergeometric) likelihood given the margins, and the interval inverts the two
    one-sided exact tests (Cornfield, 1956); a two-sided p sums the tables no more likely
    than the observed one. R finds the upper limit with ``uniroot``'s default tolerance,
    so large upper limits printed by R can differ from the exact root (scipy's) in the
    third significant digit.

    References
    ----------
    Agresti, A. (2002). Categorical data analysis (2nd ed.), sec. 3.5.
    R Core Team. fisher.test, package stats.

    Examples
    --------
    >>> row = fisher_exact([[3, 1], [1, 3]]).iloc[0]
    >>> round(float(row["p"]), 4), round(float(row["odds_ratio"]), 3)
    (0.4857, 6.408)
    """
    observed = np.asarray(table, dtype=int)
    result = stats.fisher_exact(observed, alternative=alternative)
    estimate = stats.contingency.odds_ratio(observed, kind="conditional")
    interval = estimate.confidence_interval(ci, alternative=alternative)
    (a, b), (c, d) = observed
    return pd.DataFrame([{"n": int(observed.sum()), "p": float(result.pvalue), "odds_ratio": float(estimate.statistic),
                          "or_ci_low": float(interval.low), "or_ci_high": float(interval.high),
                          "sample_odds_ratio": a * d / (b * c) if b * c else np.nan}])


MONTE_CARLO_RESAMPLES = 10_000


def chi_square(table: pd.DataFrame, seed: int = 0, min_expected: float = 5.0, correction: bool = True,
               resamples: int = MONTE_CARLO_RESAMPLES) -> pd.DataFrame:
    """Chi-square test of independence with Cramér's V, or Fisher's exact test when
    expected counts are small.

    Parameters
    ----------
    table : pandas.DataFrame
        Counts (e.g. :func:`crosstab`); empty rows and columns are dropped.
    seed : int
        Seed of the Monte Carlo p of the Fisher-Freeman-Halton test.
    min_expected : float
        Expected count below which Fisher's test replaces chi-square.
    correction : bool
        Yates' continuity correction for a 2x2 table (R's ``chisq.test`` default, True).
    resamples : int
        Monte Carlo resamples for the Fisher-Freeman-Halton test of tables beyond 2x2.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``rows``, ``columns``, ``test`` ("chi-square", "fisher" or
        "fisher-freeman-halton"), ``method`` ("asymptotic", "exact" or "Monte Carlo"),
        ``correction`` ("Yates" or "none"), ``resamples``, ``seed``, ``chi2``, ``df``, ``p``,
        ``cramers_v``, ``odds_ratio`` (2x2 Fisher: conditional MLE), ``or_ci_low``,
        ``or_ci_high``, ``min_expected`` and ``message``.

    Notes
    -----
    Fisher's test is used when any expected count is below ``min_expected`` in a 2x2
    table, or in more than 20% of the cells of a larger one (Cochran, 1954); beyond 2x2
    it is the Freeman-Halton extension with a seeded Monte Carlo p (scipy's
    ``random_table``; p = (1 + #{tables as or less probable}) / (resamples + 1)).
    Yates: χ² = Σ (|O - E| - min(0.5, |O - E|))² / E, as R's ``chisq.test``.
    V = sqrt(χ² / (N (min(r, c) - 1))) (Cramér, 1946), from the uncorrected χ².

    References
    ----------
    Yates, F. (1934). Contingency tables involving small numbers and the χ² test. JRSS
    Supplement, 1(2), 217-235.
    Cochran, W. G. (1954). Some methods for strengthening the common χ² tests.
    Biometrics, 10(4), 417-451.
    Freeman, G. H., & Halton, J. H. (1951). Biometrika, 38(1/2), 141-149.

    Examples
    --------
    >>> row = chi_square(pd.DataFrame([[10, 20], [30, 40]])).iloc[0]
    >>> row["test"], row["correction"], round(float(row["chi2"]), 4)
    ('chi-square', 'Yates', 0.4464)
    """
    observed = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0].to_numpy(dtype=float)
    n = int(observed.sum())
    row = {"n": n, "rows": observed.shape[0], "columns": observed.shape[1], "test": "", "method": "",
           "correction": "none", "resamples": np.nan, "seed": np.nan, "chi2": np.nan, "df": np.nan, "p": np.nan,
           "cramers_v": np.nan, "odds_ratio": np.nan, "or_ci_low": np.nan, "or_ci_high": np.nan,
           "min_expected": np.nan, "message": ""}
    if min(observed.shape) < 2:
        row["message"] = "a contingency test needs at least two rows and two columns with answers"
        return pd.DataFrame([row])
    two_by_two = observed.shape == (2, 2)
    uncorrected, _, _, expected = stats.chi2_contingency(observed, correction=False)
    chi2, p, df, _ = stats.chi2_contingency(observed, correction=correction and two_by_two)
    v = np.sqrt(uncorrected / (n * (min(observed.shape) - 1)))
    row.update(chi2=chi2, df=df, p=p, cramers_v=v, min_expected=expected.min(), test="chi-square",
               method="asymptotic", correction="Yates" if correction and two_by_two else "none")
    small = expected < min_expected
    use_fisher = small.any() if two_by_two else small.mean() > 0.2
    if not use_fisher:
        return pd.DataFrame([row])
    if two_by_two:
        exact = fisher_exact(observed).iloc[0]
        row.update(test="fisher", method="exact", p=exact["p"], odds_ratio=exact["odds_ratio"],
                   or_ci_low=exact["or_ci_low"], or_ci_high=exact["or_ci_high"])
    else:
        method = stats.MonteCarloMethod(n_resamples=resamples, rng=np.random.default_rng(seed))
        result = stats.fisher_exact(observed.astype(int), method=method)
        row.update(test="fisher-freeman-halton", method="Monte Carlo", p=float(result.pvalue), resamples=resamples,
                   seed=seed)
    row["message"] = f"expected counts below {min_expected:g}: Fisher's exact test instead of chi-square"
    return pd.DataFrame([row])


def group_summary(values, groups) -> pd.DataFrame:
    """n, median, IQR and mean per group: what a reader needs beside a rank test."""
    rows = []
    for g, v in _groups(values, groups).items():
        rows.append({"group": g, "n": len(v), "median": np.median(v), "q1": np.quantile(v, 0.25),
                     "q3": np.quantile(v, 0.75), "mean": v.mean(), "sd": v.std(ddof=1) if len(v) > 1 else np.nan})
    return pd.DataFrame(rows, columns=["group", "n", "median", "q1", "q3", "mean", "sd"])
