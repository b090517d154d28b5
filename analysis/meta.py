"""Meta-analysis of study- or site-level effects: effect sizes, fixed and random effects.

A multi-site study pools each site's effect (a difference, a risk ratio) without any
site handing out respondent rows; this module is the statistics of that pooling, to the
standard of R's metafor (Viechtbauer, 2010): fixed (equal) effects, τ² by REML (Fisher
scoring, as `rma(method="REML")`), DerSimonian-Laird or Paule-Mandel, Wald-type (z) or
Knapp-Hartung (t) inference, Cochran's Q, I², H² and the prediction interval.

    from analysis import meta
    effects = meta.effect_sizes(trials, measure="RR")      # adds yi, vi
    meta.random_effects(effects, method="REML", test="knha")
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .errors import InputFormatError

MEASURES = ("RR", "OR", "RD", "MD", "SMD")
METHODS = ("FE", "REML", "DL", "PM")
TESTS = ("z", "knha")
FEW_STUDIES = 5

_TWO_BY_TWO = ("ai", "bi", "ci", "di")
_MEANS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")


def _require(data: pd.DataFrame, columns: tuple[str, ...], measure: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in data]
    if missing:
        raise InputFormatError(f"measure {measure}: expected columns {', '.join(columns)}; missing {', '.join(missing)}")
    values = data[list(columns)].apply(pd.to_numeric, errors="coerce")
    bad = values.isna().any(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputFormatError(f"measure {measure}: study {row}: expected numbers in {', '.join(columns)}")
    return values.astype(float)


def effect_sizes(data: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Observed effects `yi` and their sampling variances `vi`, as metafor's `escalc`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per study or site. For RR, OR and RD the 2×2 counts `ai`, `bi` (events and
        non-events in group 1) and `ci`, `di` (group 2); for MD and SMD the means, SDs and
        sizes `m1i, sd1i, n1i, m2i, sd2i, n2i`.
    measure : {'RR', 'OR', 'RD', 'MD', 'SMD'}
        Log risk ratio, log odds ratio, risk difference, raw mean difference, or the
        standardized mean difference with Hedges' small-sample correction (Hedges' g).

    Returns
    -------
    pandas.DataFrame
        `data` with the columns `yi` and `vi` added.

    Notes
    -----
    A 2×2 table with a zero cell gets 1/2 added to each of its four cells (metafor's
    default `add=1/2, to="only0"`), so that its log ratio exists.
    RR: yi = ln[(ai/n1)/(ci/n2)], vi = 1/ai − 1/n1 + 1/ci − 1/n2.
    OR: yi = ln[(ai·di)/(bi·ci)], vi = 1/ai + 1/bi + 1/ci + 1/di.
    RD: yi = p1 − p2, vi = p1(1−p1)/n1 + p2(1−p2)/n2.
    MD: yi = m1 − m2, vi = sd1²/n1 + sd2²/n2.
    SMD: yi = J·(m1 − m2)/sp with the exact correction J = Γ(m/2)/(√(m/2)·Γ((m−1)/2)),
    m = n1 + n2 − 2 (Hedges, 1981), and vi = 1/n1 + 1/n2 + yi²/(2(n1 + n2)) (metafor's
    default large-sample variance).

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
    related estimators. Journal of Educational Statistics, 6(2), 107–128.
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software, 36(3), 1–48.

    Examples
    --------
    >>> from analysis import meta
    >>> trial = pd.DataFrame({"ai": [4], "bi": [119], "ci": [11], "di": [128]})
    >>> meta.effect_sizes(trial, "RR")[["yi", "vi"]].round(4)
           yi      vi
    0 -0.8893  0.3256
    """
    measure = measure.upper()
    if measure not in MEASURES:
        raise InputFormatError(f"measure: expected one of {', '.join(MEASURES)}, got {measure!r}")
    out = data.copy()
    if measure in ("MD", "SMD"):
        m1, sd1, n1, m2, sd2, n2 = (_require(data, _MEANS, measure)[c].to_numpy() for c in _MEANS)
        if measure == "MD":
            out["yi"], out["vi"] = m1 - m2, sd1**2 / n1 + sd2**2 / n2
            return out
        df = n1 + n2 - 2
        pooled_sd = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df)
        correction = np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2) - special.gammaln((df - 1) / 2))
        g = correction * (m1 - m2) / pooled_sd
        out["yi"], out["vi"] = g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
        return out
    cells = _require(data, _TWO_BY_TWO, measure).to_numpy()
    if (cells < 0).any():
        raise InputFormatError(f"measure {measure}: counts ai, bi, ci, di must not be negative")
    cells = cells + 0.5 * (cells == 0).any(axis=1, keepdims=True)
    ai, bi, ci, di = cells.T
    n1, n2 = ai + bi, ci + di
    if measure == "RR":
        out["yi"], out["vi"] = np.log((ai / n1) / (ci / n2)), 1 / ai - 1 / n1 + 1 / ci - 1 / n2
    elif measure == "OR":
        out["yi"], out["vi"] = np.log(ai * di / (bi * ci)), 1 / ai + 1 / bi + 1 / ci + 1 / di
    else:
        p1, p2 = ai / n1, ci / n2
        out["yi"], out["vi"] = p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    return out


def _studies(data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    values = _require(data, ("yi", "vi"), "yi/vi")
    yi, vi = values["yi"].to_numpy(), values["vi"].to_numpy()
    if len(yi) < 2:
        raise InputFormatError(f"meta-analysis: expected at least 2 studies, got {len(yi)}")
    if (vi <= 0).any():
        row = int(np.flatnonzero(vi <= 0)[0]) + 1
        raise InputFormatError(f"meta-analysis: study {row}: expected a positive sampling variance vi")
    return yi, vi


def _weighted_mean(yi: np.ndarray, wi: np.ndarray) -> float:
    return float(np.sum(wi * yi) / np.sum(wi))


def cochran_q(yi: np.ndarray, vi: np.ndarray) -> float:
    wi = 1 / vi
    return float(np.sum(wi * (yi - _weighted_mean(yi, wi)) ** 2))


def _tau2_dl(yi: np.ndarray, vi: np.ndarray) -> float:
    """DerSimonian & Laird (1986): the method-of-moments estimator from Q."""
    wi = 1 / vi
    return max(0.0, (cochran_q(yi, vi) - (len(yi) - 1)) / (wi.sum() - np.sum(wi**2) / wi.sum()))


def _tau2_pm(yi: np.ndarray, vi: np.ndarray) -> float:
    """Paule & Mandel (1982): τ² at which the generalized Q equals its expectation k − 1."""
    k = len(yi)

    def excess(tau2: float) -> float:
        wi = 1 / (vi + tau2)
        return float(np.sum(wi * (yi - _weighted_mean(yi, wi)) ** 2)) - (k - 1)

    if excess(0.0) <= 0:
        return 0.0
    upper = max(1.0, 100 * np.var(yi, ddof=1))
    while excess(upper) > 0:
        upper *= 10
    return float(optimize.brentq(excess, 0.0, upper, xtol=1e-12))


def _tau2_reml(yi: np.ndarray, vi: np.ndarray, threshold: float = 1e-10, max_iterations: int = 100) -> float:
    """REML by Fisher scoring from the Hedges start, with step halving at zero (metafor's rma.uni)."""
    k = len(yi)
    tau2 = max(0.0, (np.sum((yi - yi.mean()) ** 2) - np.sum(vi) * (1 - 1 / k)) / (k - 1))
    for _ in range(max_iterations):
        wi = 1 / (vi + tau2)
        projection = np.diag(wi) - np.outer(wi, wi) / wi.sum()
        squared = projection @ projection
        step = (yi @ squared @ yi - np.trace(projection)) / np.trace(squared)
        while tau2 + step < 0:
            step /= 2
        tau2 += step
        if abs(step) < threshold:
            return float(tau2)
    raise InputFormatError(f"meta-analysis: REML (Fisher scoring) did not converge in {max_iterations} iterations")


_ESTIMATORS = {"FE": lambda yi, vi: 0.0, "DL": _tau2_dl, "PM": _tau2_pm, "REML": _tau2_reml}


def random_effects(data: pd.DataFrame, method: str = "REML", test: str = "z", level: float = 0.95) -> pd.DataFrame:
    """Pool study effects `yi` with variances `vi` under a random- (or fixed-) effects model.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns `yi` and `vi` (see :func:`effect_sizes`), one row per study or site.
    method : {'REML', 'DL', 'PM', 'FE'}
        Estimator of the between-study variance τ²: restricted maximum likelihood,
        DerSimonian-Laird, Paule-Mandel; FE fixes τ² = 0 (fixed / equal effects).
    test : {'z', 'knha'}
        Wald-type inference with the normal distribution, or the Knapp-Hartung method
        (t distribution with k − 1 df and a rescaled standard error).
    level : float
        Confidence level of the confidence and prediction intervals.

    Returns
    -------
    pandas.DataFrame
        One row: `k`, `method`, `test`, `estimate`, `se`, `stat` (z or t), `df`, `p`,
        `ci_low`, `ci_high`, `tau2`, `tau`, `i2` (percent), `h2`, `q`, `q_df`, `q_p`,
        `pi_low`, `pi_high`, and `message` (a warning when there are fewer than five studies).

    Notes
    -----
    Weights are wi = 1/(vi + τ²); estimate μ̂ = Σwi·yi/Σwi with SE = √(1/Σwi).
    Cochran's Q uses the fixed-effect weights 1/vi, with k − 1 df. As in metafor,
    I² = 100·τ²/(τ² + ṽ) and H² = (τ² + ṽ)/ṽ with the typical within-study variance
    ṽ = (k − 1)/(Σw − Σw²/Σw), w = 1/vi (Higgins & Thompson, 2002); under FE,
    I² = max(0, 100·(Q − (k − 1))/Q) and H² = Q/(k − 1).
    Knapp & Hartung (2003): SE² is multiplied by Σwi(yi − μ̂)²/(k − 1) (not truncated at 1,
    as metafor) and the t distribution with k − 1 df is used.
    Prediction interval: μ̂ ± c·√(SE² + τ²), with c from t(k − 1) under Knapp-Hartung and from
    the normal distribution otherwise (metafor's `predict`, Riley et al., 2011).

    References
    ----------
    DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled
    Clinical Trials, 7(3), 177–188.
    Paule, R. C., & Mandel, J. (1982). Consensus values and weighting factors. Journal of
    Research of the National Bureau of Standards, 87(5), 377–385.
    Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261–293.
    Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression
    with a single covariate. Statistics in Medicine, 22(17), 2693–2710.
    Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a
    meta-analysis. Statistics in Medicine, 21(11), 1539–1558.
    Riley, R. D., Higgins, J. P. T., & Deeks, J. J. (2011). Interpretation of random
    effects meta-analyses. BMJ, 342, d549.

    Examples
    --------
    >>> from analysis import meta
    >>> sites = pd.DataFrame({"yi": [0.10, 0.30, 0.35, 0.65], "vi": [0.01, 0.02, 0.015, 0.03]})
    >>> meta.random_effects(sites, method="DL")[["estimate", "se", "tau2"]].round(4)
       estimate     se   tau2
    0    0.3226  0.108  0.029
    """
    method, test = method.upper(), test.lower()
    if method not in METHODS:
        raise InputFormatError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    if test not in TESTS:
        raise InputFormatError(f"test: expected one of {', '.join(TESTS)}, got {test!r}")
    yi, vi = _studies(data)
    k = len(yi)
    q = cochran_q(yi, vi)
    tau2 = _ESTIMATORS[method](yi, vi)
    wi = 1 / (vi + tau2)
    estimate = _weighted_mean(yi, wi)
    se = float(np.sqrt(1 / wi.sum()))
    if test == "knha":
        se *= float(np.sqrt(np.sum(wi * (yi - estimate) ** 2) / (k - 1)))
        df, distribution = k - 1, stats.t(k - 1)
    else:
        df, distribution = np.nan, stats.norm()
    crit = float(distribution.ppf(1 - (1 - level) / 2))
    stat = estimate / se
    fixed_w = 1 / vi
    typical = (k - 1) / (fixed_w.sum() - np.sum(fixed_w**2) / fixed_w.sum())
    if method == "FE":
        i2, h2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0, q / (k - 1)
    else:
        i2, h2 = 100 * tau2 / (typical + tau2), (typical + tau2) / typical
    spread = crit * np.sqrt(se**2 + tau2)
    row = {
        "k": k, "method": method, "test": test, "estimate": estimate, "se": se, "stat": stat, "df": df,
        "p": float(2 * distribution.sf(abs(stat))), "ci_low": estimate - crit * se, "ci_high": estimate + crit * se,
        "tau2": tau2, "tau": float(np.sqrt(tau2)), "i2": i2, "h2": h2,
        "q": q, "q_df": k - 1, "q_p": float(stats.chi2.sf(q, k - 1)),
        "pi_low": estimate - spread, "pi_high": estimate + spread, "message": few_studies_warning(k),
    }
    return pd.DataFrame([row])


def few_studies_warning(k: int) -> str:
    """With few sites τ² is estimated from almost nothing: say so wherever the result is shown."""
    if k >= FEW_STUDIES:
        return ""
    return (f"only {k} studies: the between-study variance τ² is very imprecise; "
            "prefer the Knapp-Hartung interval and read the prediction interval with caution")


def leave_one_out(data: pd.DataFrame, method: str = "REML", test: str = "z", label: str | None = None,
                  level: float = 0.95) -> pd.DataFrame:
    """The pooled result again with each study left out in turn (metafor's `leave1out`).

    Parameters
    ----------
    data : pandas.DataFrame
        Columns `yi`, `vi` and optionally a label column.
    method, test, level
        As in :func:`random_effects`.
    label : str, optional
        Column naming each study; row numbers (1-based) otherwise.

    Returns
    -------
    pandas.DataFrame
        One row per omitted study: `omitted` and the columns of :func:`random_effects`.

    Examples
    --------
    >>> from analysis import meta
    >>> sites = pd.DataFrame({"yi": [0.1, 0.3, 0.35, 0.65], "vi": [0.01, 0.02, 0.015, 0.03]})
    >>> meta.leave_one_out(sites, method="FE")[["omitted", "estimate"]].round(4)
      omitted  estimate
    0       1    0.4000
    1       2    0.2750
    2       3    0.2545
    3       4    0.2231
    """
    labels = data[label].astype(str).tolist() if label else [str(i + 1) for i in range(len(data))]
    rows = []
    for position, name in enumerate(labels):
        rest = data.drop(index=data.index[position])
        rows.append(random_effects(rest, method, test, level).assign(omitted=name))
    result = pd.concat(rows, ignore_index=True)
    return result[["omitted", *[c for c in result.columns if c != "omitted"]]]


def heterogeneity_label(i2: float) -> str:
    """The Cochrane Handbook's rough bands for I² (sec. 10.10.2), as a key for report wording."""
    if i2 < 30:
        return "low"
    if i2 < 60:
        return "moderate"
    if i2 < 75:
        return "substantial"
    return "considerable"
