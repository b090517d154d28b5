"""Nonresponse: how respondents differ from nonrespondents, and weights that correct it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def _key(value):
    """Margins from YAML have int or str keys; table codes are floats. Compare as floats when possible."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def standardized_differences(respondents: pd.DataFrame, nonrespondents: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Standardized mean differences between respondents and nonrespondents.

    Parameters
    ----------
    respondents, nonrespondents : pandas.DataFrame
        The two groups (disjoint: a respondent must not count among the comparison group).
    features : list of str
        Numeric columns both tables have (e.g. usage features).

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``feature``, ``n_respondents``, ``n_nonrespondents``,
        ``mean_respondents``, ``mean_nonrespondents``, ``smd``, ``imbalanced`` (|SMD| > 0.1)
        and ``message``.

    Notes
    -----
    SMD = (m_r - m_n) / sqrt((s_r² + s_n²) / 2); |SMD| > 0.1 is the usual threshold for a
    meaningful imbalance (Austin, 2009).

    References
    ----------
    Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples. Statistics in
    Medicine, 28(25), 3083-3107.

    Examples
    --------
    >>> r = pd.DataFrame({"days": [2.0, 4.0, 6.0]})
    >>> n = pd.DataFrame({"days": [1.0, 2.0, 3.0]})
    >>> round(float(standardized_differences(r, n, ["days"]).loc[0, "smd"]), 4)
    1.2649
    """
    rows = []
    for feature in features:
        r = pd.to_numeric(respondents[feature], errors="coerce").dropna()
        p = pd.to_numeric(nonrespondents[feature], errors="coerce").dropna()
        pooled = np.sqrt((r.var(ddof=1) + p.var(ddof=1)) / 2) if len(r) > 1 and len(p) > 1 else np.nan
        smd = (r.mean() - p.mean()) / pooled if pooled and not np.isnan(pooled) else np.nan
        message = "" if not np.isnan(smd) else f"{feature}: no variance or too few values, SMD not computable"
        rows.append({"feature": feature, "n_respondents": len(r), "n_nonrespondents": len(p),
                     "mean_respondents": r.mean(), "mean_nonrespondents": p.mean(), "smd": smd, "imbalanced": bool(abs(smd) > 0.1) if not np.isnan(smd) else None,
                     "message": message})
    return pd.DataFrame(rows)


def poststratification_weights(frame: pd.DataFrame, variable: str, shares: dict) -> pd.Series:
    """weight = population share / sample share of the respondent's cell, mean 1 over the sample.

    Respondents in a cell without a target get weight NaN (they cannot be placed).
    """
    targets = {_key(k): float(v) for k, v in shares.items()}
    cells = frame[variable].map(_key)
    sample = cells.value_counts(normalize=True)
    weights = cells.map(lambda c: targets.get(c, np.nan) / sample.get(c, np.nan))
    return (weights / weights.mean()).rename("weight")


def rake(frame: pd.DataFrame, margins: dict[str, dict], max_iter: int = 100, tol: float = 1e-8) -> tuple[pd.Series, str]:
    """Raking weights (iterative proportional fitting) to several population margins.

    Parameters
    ----------
    frame : pandas.DataFrame
    margins : dict
        Population shares per variable, ``{"role": {1: 0.35, 2: 0.65}, "site": {...}}``.
    max_iter, tol : int, float
        Stop when no factor changes a weight by more than ``tol``.

    Returns
    -------
    tuple of (pandas.Series, str)
        Weights with mean 1 (NaN for respondents missing a raking variable) and a message
        ('' when it converged).

    References
    ----------
    Deming, W. E., & Stephan, F. F. (1940). Ann. Math. Stat., 11(4), 427-444.

    Examples
    --------
    >>> frame = pd.DataFrame({"role": [1, 1, 1, 2]})
    >>> weights, message = rake(frame, {"role": {1: 0.5, 2: 0.5}})
    >>> [round(w, 4) for w in weights], message
    ([0.6667, 0.6667, 0.6667, 2.0], '')
    """
    cells = {v: frame[v].map(_key) for v in margins}
    complete = pd.concat(cells, axis=1).notna().all(axis=1)
    weights = pd.Series(np.where(complete, 1.0, np.nan), index=frame.index)
    for variable, shares in margins.items():
        absent = {_key(k) for k, v in shares.items() if v > 0} - set(cells[variable][complete].unique())
        if absent:
            return weights.rename("weight"), f"raking: {variable} level(s) {sorted(absent, key=str)} have no respondents"
    for _ in range(max_iter):
        largest_change = 0.0
        for variable, shares in margins.items():
            targets = {_key(k): float(v) / sum(shares.values()) for k, v in shares.items()}
            current = weights.groupby(cells[variable]).sum() / weights.sum()
            # One factor per level, spread over the rows (a function per row was most of the run's raking).
            factor = cells[variable].map({c: targets.get(c, np.nan) / current.get(c, np.nan)
                                          for c in cells[variable].dropna().unique()})
            weights = weights * factor
            largest_change = max(largest_change, float(np.nanmax(np.abs(factor - 1))))
        if largest_change < tol:
            return (weights / weights.mean()).rename("weight"), ""
    return (weights / weights.mean()).rename("weight"), f"raking did not converge in {max_iter} iterations"


def weighted_mean(values, weights, ci: float = 0.95) -> pd.DataFrame:
    """Weighted mean with its Taylor-linearisation standard error and normal CI.

    Parameters
    ----------
    values, weights : array_like
        Outcome and weight of each respondent; pairs with a missing value are dropped.
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``mean_weighted``, ``se``, ``ci_low``, ``ci_high``, ``effective_n``.

    Notes
    -----
    ŷ = Σwᵢyᵢ / Σwᵢ, a ratio estimator; its linearised variance with the weights treated as
    fixed and respondents as a with-replacement sample of one stratum is
    v(ŷ) = n/(n-1) Σ zᵢ², zᵢ = wᵢ(yᵢ - ŷ) / Σwᵢ (Lumley, 2010, sec. 2.2 and appendix;
    Lohr, 2019, sec. 9.1), which is what R's ``svymean`` gives for
    ``svydesign(ids = ~1, weights = ~w)``. The CI is ŷ ± z SE (``confint`` of ``svymean``).
    Calibrated (raked) weights are treated as fixed, so the SE ignores the variance reduction
    calibration brings: conservative. Kish's (1965) effective n = (Σw)² / Σw².

    References
    ----------
    Lumley, T. (2010). Complex surveys: A guide to analysis using R. Wiley.
    Lohr, S. L. (2019). Sampling: Design and analysis (2nd ed.). CRC Press.
    Kish, L. (1965). Survey sampling. Wiley.

    Examples
    --------
    >>> row = weighted_mean([2, 4, 6, 8], [1, 1, 2, 4]).iloc[0]
    >>> float(row["mean_weighted"]), round(float(row["se"]), 4)
    (6.25, 1.2279)
    """
    data = pd.DataFrame({"y": pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce"),
                         "w": pd.to_numeric(pd.Series(weights).reset_index(drop=True), errors="coerce")}).dropna()
    n = len(data)
    row = {"n": n, "mean_weighted": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "effective_n": np.nan}
    if n == 0 or data["w"].sum() <= 0:
        return pd.DataFrame([row])
    y, w = data["y"].to_numpy(float), data["w"].to_numpy(float)
    mean = float(np.sum(w * y) / w.sum())
    row.update(mean_weighted=mean, effective_n=w.sum() ** 2 / np.sum(w**2))
    if n > 1:
        z = w * (y - mean) / w.sum()
        se = float(np.sqrt(n / (n - 1) * np.sum(z**2)))
        crit = stats.norm.ppf(1 - (1 - ci) / 2)
        row.update(se=se, ci_low=mean - crit * se, ci_high=mean + crit * se)
    return pd.DataFrame([row])


def calibration_weights(frame: pd.DataFrame, margins: dict[str, dict]) -> tuple[pd.Series, str, str]:
    """Weights, a message, and the method: post-stratification for one margin, raking for several."""
    if len(margins) == 1:
        (variable, shares), = margins.items()
        return poststratification_weights(frame, variable, shares), "", "post-stratification"
    weights, message = rake(frame, margins)
    return weights, message, "raking"


def weighted_estimates(frame: pd.DataFrame, columns: list[str], margins: dict[str, dict]) -> pd.DataFrame:
    """Unweighted and weighted means side by side, each with its 95% CI.

    Parameters
    ----------
    frame : pandas.DataFrame
        Respondents with the outcome columns and the weighting variables.
    columns : list of str
        Outcomes to estimate.
    margins : dict
        Population shares per weighting variable, ``{"role": {1: 0.35, 2: 0.45, 3: 0.20}}``.

    Returns
    -------
    pandas.DataFrame
        One row per outcome: ``variable``, ``n`` (respondents with the outcome and every
        weighting variable), ``mean_unweighted``, ``ci_low_unweighted``, ``ci_high_unweighted``
        (t interval), ``mean_weighted``, ``se``, ``ci_low``, ``ci_high`` (linearisation, see
        :func:`weighted_mean`), ``effective_n``, ``method``, ``weight_min``, ``weight_max`` and
        ``message``.

    Notes
    -----
    The weights are calibrated separately for each outcome on the respondents who have it
    (post-stratification for one margin, raking (Deming & Stephan, 1940) for several), so
    the weighted sample of that analysis meets the population margins; weights calibrated
    on all respondents miss them on a subset.

    References
    ----------
    Deming, W. E., & Stephan, F. F. (1940). Ann. Math. Stat., 11(4), 427-444.
    Kolenikov, S. (2014). Calibrating survey data using iterative proportional fitting
    (raking). The Stata Journal, 14(1), 22-59.

    Examples
    --------
    >>> frame = pd.DataFrame({"role": [1, 1, 1, 2], "score": [10.0, 20.0, 30.0, 60.0]})
    >>> row = weighted_estimates(frame, ["score"], {"role": {1: 0.5, 2: 0.5}}).iloc[0]
    >>> float(row["mean_unweighted"]), float(row["mean_weighted"])
    (30.0, 40.0)
    """
    rows = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        subset = frame[values.notna()]
        weights, message, method = calibration_weights(subset, margins) if len(subset) else (
            pd.Series(dtype=float), "no answers", "")
        placed = weights.notna()
        unplaced = int((~placed).sum())
        if unplaced:
            message = "; ".join(filter(None, [message, f"{unplaced} respondent(s) outside the margins got no weight"]))
        y = values[subset.index][placed]
        unweighted = y.mean() if len(y) else np.nan
        half = stats.t.ppf(0.975, len(y) - 1) * y.std(ddof=1) / np.sqrt(len(y)) if len(y) > 1 else np.nan
        weighted = weighted_mean(y, weights[placed]).iloc[0]
        rows.append({"variable": column, "n": int(len(y)), "mean_unweighted": unweighted,
                     "ci_low_unweighted": unweighted - half, "ci_high_unweighted": unweighted + half,
                     "mean_weighted": weighted["mean_weighted"], "se": weighted["se"], "ci_low": weighted["ci_low"],
                     "ci_high": weighted["ci_high"], "effective_n": weighted["effective_n"], "method": method,
                     "weight_min": weights.min(), "weight_max": weights.max(), "message": message})
    return pd.DataFrame(rows, columns=["variable", "n", "mean_unweighted", "ci_low_unweighted", "ci_high_unweighted",
                                       "mean_weighted", "se", "ci_low", "ci_high", "effective_n", "method",
                                       "weight_min", "weight_max", "message"])


def smd_interval(smd: float, n1: float, n2: float, ci: float = 0.95) -> tuple[float, float]:
    """Normal-theory CI of a standardised mean difference, SE² = (n1 + n2) / (n1 n2) + d² / (2 (n1 + n2))
    (Hedges & Olkin, 1985, eq. 5.14); with weights, n1 is Kish's effective n."""
    if np.isnan(smd) or n1 < 2 or n2 < 2:
        return np.nan, np.nan
    se = np.sqrt((n1 + n2) / (n1 * n2) + smd**2 / (2 * (n1 + n2)))
    crit = stats.norm.ppf(1 - (1 - ci) / 2)
    return smd - crit * se, smd + crit * se


def usage_bands(population: pd.Series, respondents: pd.Series, bands: int = 3) -> tuple[pd.Series, dict]:
    """Usage-intensity bands cut at the population's quantiles: the respondents' band and each band's
    population share (the raking margin only a usage log can give).

    Examples
    --------
    >>> band, shares = usage_bands(pd.Series([1, 2, 3, 4, 5, 6.0]), pd.Series([1, 6.0]))
    >>> band.tolist(), shares
    ([1.0, 3.0], {1.0: 0.3333333333, 2.0: 0.3333333333, 3.0: 0.3333333333})
    """
    values = pd.to_numeric(population, errors="coerce").dropna()
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bands + 1)))
    edges[0], edges[-1] = -np.inf, np.inf

    def band(series):
        return pd.cut(pd.to_numeric(series, errors="coerce"), edges, labels=False).astype(float) + 1

    shares = band(values).value_counts(normalize=True).sort_index()
    return band(respondents), {float(k): round(float(v), 10) for k, v in shares.items()}


def distinct_features(population: pd.DataFrame, features: list[str]) -> tuple[list[str], dict[str, str]]:
    """The features worth comparing, and why each other one is left out.

    A feature constant across all users has no SMD, and one that repeats an earlier feature value for
    value (logins counted as active days) would be the same row twice.

    >>> users = pd.DataFrame({"days": [1, 2, 3], "logins": [1, 2, 3], "api": [0, 0, 0]})
    >>> distinct_features(users, ["days", "logins", "api"])
    (['days'], {'logins': 'repeats days', 'api': 'constant'})
    """
    kept: list[str] = []
    left_out: dict[str, str] = {}
    for feature in features:
        values = pd.to_numeric(population[feature], errors="coerce")
        if values.nunique(dropna=True) < 2:
            left_out[feature] = "constant"
            continue
        twin = next((k for k in kept if values.equals(pd.to_numeric(population[k], errors="coerce"))), None)
        if twin is not None:
            left_out[feature] = f"repeats {twin}"
            continue
        kept.append(feature)
    return kept, left_out


def balance(respondents: pd.DataFrame, weights: pd.Series, nonrespondents: pd.DataFrame,
            features: list[str]) -> pd.DataFrame:
    """Standardised mean differences before and after weighting, each with its 95% CI.

    Parameters
    ----------
    respondents : pandas.DataFrame
        Respondents with the features; ``weights`` on the same index (NaN: no weight).
    nonrespondents : pandas.DataFrame
    features : list of str

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``feature``, ``n_respondents``, ``n_nonrespondents``, ``mean_respondents``,
        ``mean_nonrespondents``, ``smd``, ``smd_ci_low``, ``smd_ci_high``, ``mean_respondents_weighted``,
        ``effective_n``, ``smd_weighted``, ``smd_weighted_ci_low``, ``smd_weighted_ci_high``, ``imbalanced``,
        ``imbalanced_weighted`` and ``message``.

    Notes
    -----
    Both SMDs divide by the same unweighted pooled SD, sqrt((s_r² + s_n²) / 2), so the change shows the
    shift of the weighted mean alone (Austin & Stuart, 2015); |SMD| > 0.1 counts as imbalanced.

    References
    ----------
    Austin, P. C., & Stuart, E. A. (2015). Moving towards best practice when using inverse probability of
    treatment weighting. Statistics in Medicine, 34(28), 3661-3679.
    Hedges, L. V., & Olkin, I. (1985). Statistical methods for meta-analysis. Academic Press.

    Examples
    --------
    >>> r = pd.DataFrame({"days": [2.0, 4.0, 6.0]})
    >>> n = pd.DataFrame({"days": [1.0, 2.0, 3.0]})
    >>> row = balance(r, pd.Series([1.0, 1.0, 1.0]), n, ["days"]).iloc[0]
    >>> round(float(row["smd"]), 4), round(float(row["smd_weighted"]), 4)
    (1.2649, 1.2649)
    """
    rows = []
    for feature in features:
        values = pd.to_numeric(respondents[feature], errors="coerce")
        r, p = values.dropna(), pd.to_numeric(nonrespondents[feature], errors="coerce").dropna()
        pooled = np.sqrt((r.var(ddof=1) + p.var(ddof=1)) / 2) if len(r) > 1 and len(p) > 1 else np.nan
        smd = (r.mean() - p.mean()) / pooled if pooled and not np.isnan(pooled) else np.nan
        weighted = weighted_mean(values, weights.reindex(values.index)).iloc[0]
        smd_w = (weighted["mean_weighted"] - p.mean()) / pooled if pooled and not np.isnan(pooled) else np.nan
        low, high = smd_interval(smd, len(r), len(p))
        low_w, high_w = smd_interval(smd_w, weighted["effective_n"], len(p))
        rows.append({"feature": feature, "n_respondents": len(r), "n_nonrespondents": len(p),
                     "mean_respondents": r.mean(), "mean_nonrespondents": p.mean(), "smd": smd, "smd_ci_low": low,
                     "smd_ci_high": high, "mean_respondents_weighted": weighted["mean_weighted"],
                     "effective_n": weighted["effective_n"], "smd_weighted": smd_w, "smd_weighted_ci_low": low_w,
                     "smd_weighted_ci_high": high_w,
                     "imbalanced": bool(abs(smd) > 0.1) if not np.isnan(smd) else None,
                     "imbalanced_weighted": bool(abs(smd_w) > 0.1) if not np.isnan(smd_w) else None,
                     "message": "" if not np.isnan(smd) else f"{feature}: no variance or too few values, SMD not computable"})
    return pd.DataFrame(rows)
