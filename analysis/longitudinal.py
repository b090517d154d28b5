"""Change between repeated waves of a survey: within-person change where pseudonymous waves
can be linked (paired tests), between-wave change otherwise (independent-sample tests)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .compare import EXACT_BELOW, chi_square, crosstab, mann_whitney

WITHIN, BETWEEN = "within-person", "between-wave"


def paired_change(before, after) -> pd.DataFrame:
    """Within-person change: Wilcoxon signed-rank and paired t test on after - before.

    Parameters
    ----------
    before, after : array_like
        The same people's values in the earlier and the later wave, aligned; pairs with a
        missing value are dropped.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_linked`` (complete pairs), ``mean_before``, ``mean_after``,
        ``mean_change``, ``sd_change``, ``median_change``, ``V`` (sum of the ranks of positive
        changes, R's V), ``p`` (signed-rank, two-sided), ``method``, ``r_rb`` (matched-pairs
        rank-biserial r), ``t``, ``df``, ``p_t`` (paired t, two-sided), ``d_z`` (mean change /
        SD of change) and ``message``.

    Notes
    -----
    As R's ``wilcox.test(after, before, paired = TRUE)``: zero changes are dropped; the p is
    exact below 50 pairs without ties or zeros, otherwise normal with tie and continuity
    correction. r_rb = (T+ - T-) / (T+ + T-) (Kerby, 2014). Paired t: t = mean / (SD / sqrt(n))
    on n - 1 df (R's ``t.test(paired = TRUE)``), d_z = mean / SD (Lakens, 2013).

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin, 1(6), 80-83.
    Hollander, M., & Wolfe, D. A. (1973). Nonparametric statistical methods, p. 29f.
    Lakens, D. (2013). Calculating and reporting effect sizes. Frontiers in Psychology, 4, 863.

    Examples
    --------
    >>> first = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    >>> second = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    >>> row = paired_change(first, second).iloc[0]
    >>> float(row["V"]), round(float(row["p"]), 5), row["method"]
    (40.0, 0.03906, 'exact')
    """
    pairs = pd.DataFrame({"before": pd.to_numeric(pd.Series(before).reset_index(drop=True), errors="coerce"),
                          "after": pd.to_numeric(pd.Series(after).reset_index(drop=True), errors="coerce")}).dropna()
    change = (pairs["after"] - pairs["before"]).to_numpy(float)
    n = len(change)
    row = {"n_linked": n, "mean_before": pairs["before"].mean() if n else np.nan,
           "mean_after": pairs["after"].mean() if n else np.nan, "mean_change": change.mean() if n else np.nan,
           "sd_change": change.std(ddof=1) if n > 1 else np.nan, "median_change": np.median(change) if n else np.nan,
           "V": np.nan, "p": np.nan, "method": "", "r_rb": np.nan, "t": np.nan, "df": n - 1, "p_t": np.nan,
           "d_z": np.nan, "message": ""}
    nonzero = change[change != 0]
    if len(nonzero) < 1 or n < 2:
        row["message"] = f"{n} linked pair(s), {len(nonzero)} with a change: paired tests need at least two pairs and a change"
        return pd.DataFrame([row])
    ranks = stats.rankdata(np.abs(nonzero))
    positive, negative = ranks[nonzero > 0].sum(), ranks[nonzero < 0].sum()
    exact = len(nonzero) < EXACT_BELOW and len(nonzero) == n and len(np.unique(np.abs(nonzero))) == len(nonzero)
    if exact:
        result = stats.wilcoxon(change, method="exact")
        method = "exact"
    else:
        result = stats.wilcoxon(change, zero_method="wilcox", correction=True, method="approx")
        method = "normal approximation, tie and continuity corrected"
    row.update(V=positive, p=float(result.pvalue), method=method, r_rb=(positive - negative) / (positive + negative))
    if row["sd_change"] > 0:
        paired = stats.ttest_1samp(change, 0.0)
        row.update(t=float(paired.statistic), p_t=float(paired.pvalue), d_z=row["mean_change"] / row["sd_change"])
    return pd.DataFrame([row])


def link_waves(previous: pd.DataFrame, current: pd.DataFrame, key: str, outcomes: list[str]) -> pd.DataFrame:
    """The people in both waves, one row each: ``<outcome>_before`` and ``<outcome>_after``.

    A pseudonym that occurs more than once in a wave cannot be linked and is left out.
    """
    def once(frame):
        keyed = frame.dropna(subset=[key])
        return keyed[~keyed[key].duplicated(keep=False)].set_index(key)[outcomes]
    return once(previous).merge(once(current), left_index=True, right_index=True, suffixes=("_before", "_after"))


def wave_change(previous: pd.DataFrame, current: pd.DataFrame, outcomes: list[str], key: str | None = None,
                categorical: list[str] = (), seed: int = 0) -> pd.DataFrame:
    """Change in each outcome from the previous to the current wave, with the right test for each.

    Parameters
    ----------
    previous, current : pandas.DataFrame
        The two waves' responses (scores already added).
    outcomes : list of str
        Columns both waves have.
    key : str, optional
        Pseudonym column linking the waves. Given: within-person change of the linked people
        (:func:`paired_change`). Absent: between-wave change, Mann-Whitney U for rank outcomes and
        chi-square / Fisher for ``categorical`` ones (independent samples, see
        :mod:`analysis.compare`).
    categorical : list of str
        Nominal outcomes (between-wave only: paired nominal change is not computed).
    seed : int
        Seed of a Monte Carlo Fisher-Freeman-Halton p.

    Returns
    -------
    pandas.DataFrame
        One row per outcome: ``outcome``, ``design`` ("within-person" or "between-wave"),
        ``test``, ``n_previous``, ``n_current``, ``n_linked``, ``statistic``, ``df`` and ``correction`` (chi-square), ``p``, ``method``,
        ``effect_size``, ``effect_size_name``, ``mean_previous``, ``mean_current``, for within-person
        change also the paired t test (``t``, ``df_t``, ``p_t``) and ``d_z``, and ``message``.

    Examples
    --------
    >>> before = pd.DataFrame({"pseudonym": ["a", "b", "c"], "sus": [50.0, 60.0, 70.0]})
    >>> after = pd.DataFrame({"pseudonym": ["a", "b", "c"], "sus": [55.0, 70.0, 72.5]})
    >>> row = wave_change(before, after, ["sus"], key="pseudonym").iloc[0]
    >>> row["design"], int(row["n_linked"])
    ('within-person', 3)
    """
    rows = []
    linked = link_waves(previous, current, key, list(outcomes)) if key else None
    for outcome in outcomes:
        row = {"outcome": outcome, "design": WITHIN if key else BETWEEN, "test": "", "n_previous": int(previous[outcome].notna().sum()),
               "n_current": int(current[outcome].notna().sum()), "n_linked": np.nan, "statistic": np.nan, "df": np.nan, "correction": "", "p": np.nan,
               "method": "", "effect_size": np.nan, "effect_size_name": "", "mean_previous": np.nan,
               "mean_current": np.nan, "t": np.nan, "df_t": np.nan, "p_t": np.nan, "d_z": np.nan, "message": ""}
        if key and outcome in categorical:
            row["message"] = f"{outcome}: paired change of a nominal outcome is not computed (McNemar-type tests not offered)"
        elif key:
            found = paired_change(linked[f"{outcome}_before"], linked[f"{outcome}_after"]).iloc[0]
            row.update(test="wilcoxon signed-rank", n_linked=found["n_linked"], statistic=found["V"], p=found["p"],
                       method=found["method"], effect_size=found["r_rb"], effect_size_name="matched-pairs rank-biserial r",
                       mean_previous=found["mean_before"], mean_current=found["mean_after"], t=found["t"],
                       df_t=found["df"], p_t=found["p_t"], d_z=found["d_z"], message=found["message"])
        elif outcome in categorical:
            values = pd.concat([previous[outcome], current[outcome]], ignore_index=True)
            wave = ["previous"] * len(previous) + ["current"] * len(current)
            found = chi_square(crosstab(pd.Series(wave), values), seed=seed).iloc[0]
            row.update(test=found["test"], statistic=found["chi2"], df=found["df"], correction=found["correction"], p=found["p"], method=found["method"],
                       effect_size=found["cramers_v"], effect_size_name="Cramér's V", message=found["message"])
        else:
            found = mann_whitney(current[outcome], previous[outcome]).iloc[0]
            row.update(test="mann-whitney", statistic=found["U"], p=found["p"], method=found["method"],
                       effect_size=found["r_rb"], effect_size_name="rank-biserial r",
                       mean_previous=pd.to_numeric(previous[outcome], errors="coerce").mean(),
                       mean_current=pd.to_numeric(current[outcome], errors="coerce").mean(), message=found["message"])
        rows.append(row)
    return pd.DataFrame(rows)


def attrition(previous: pd.DataFrame, current: pd.DataFrame, key: str, outcomes: list[str]) -> pd.DataFrame:
    """Stayers (in both waves) against leavers (in the previous wave only) on the previous wave's answers.

    Parameters
    ----------
    previous, current : pandas.DataFrame
        The two waves with the pseudonym column `key`.
    outcomes : list of str

    Returns
    -------
    pandas.DataFrame
        One row per outcome: ``outcome``, ``n_stayers``, ``n_leavers``, ``n_joiners`` (current wave only),
        ``mean_stayers``, ``mean_leavers``, ``smd``, ``smd_ci_low``, ``smd_ci_high`` and ``message``.

    Notes
    -----
    Panel attrition biases within-person change when who stays depends on the outcome; the SMD of
    the first wave's answers shows whether it did (Lynn, 2009). SMD and its CI as in
    :func:`analysis.nonresponse.balance`.

    References
    ----------
    Lynn, P. (Ed.) (2009). Methodology of longitudinal surveys. Wiley.

    Examples
    --------
    >>> before = pd.DataFrame({"id": ["a", "b", "c", "d"], "sus": [80.0, 70.0, 40.0, 50.0]})
    >>> after = pd.DataFrame({"id": ["a", "b", "e"], "sus": [85.0, 75.0, 60.0]})
    >>> row = attrition(before, after, "id", ["sus"]).iloc[0]
    >>> int(row["n_stayers"]), int(row["n_leavers"]), int(row["n_joiners"]), round(float(row["smd"]), 3)
    (2, 2, 1, 4.243)
    """
    from .nonresponse import balance

    stayed = previous[key].isin(set(current[key].dropna()))
    joiners = int((~current[key].isin(set(previous[key].dropna()))).sum())
    stayers, leavers = previous[stayed], previous[~stayed]
    table = balance(stayers, pd.Series(1.0, index=stayers.index), leavers, outcomes)
    table = table.rename(columns={"feature": "outcome", "n_respondents": "n_stayers", "n_nonrespondents": "n_leavers",
                                  "mean_respondents": "mean_stayers", "mean_nonrespondents": "mean_leavers"})
    table.insert(3, "n_joiners", joiners)
    return table[["outcome", "n_stayers", "n_leavers", "n_joiners", "mean_stayers", "mean_leavers", "smd",
                  "smd_ci_low", "smd_ci_high", "message"]]
