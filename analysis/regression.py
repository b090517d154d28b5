"""Regression models: ordinal logistic for a Likert outcome, linear for a scale score.

Predictors that are categorical (text, or named in `categorical`) are dummy-coded
against their first level; coefficients come with 95% CIs, odds ratios for the
ordinal model.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats


def design_matrix(frame: pd.DataFrame, predictors: list[str], categorical: list[str] = ()) -> pd.DataFrame:
    """Numeric predictors as they are, categorical ones as 0/1 dummies (first level dropped)."""
    parts = []
    for column in predictors:
        series = frame[column]
        if column in categorical or not pd.api.types.is_numeric_dtype(series):
            levels = sorted(series.dropna().unique(), key=str)
            cat = pd.Categorical(series, categories=levels)
            dummies = pd.get_dummies(cat, prefix=column, drop_first=True, dtype=float)
            dummies.index = frame.index
            dummies[series.isna()] = np.nan
            parts.append(dummies)
        else:
            parts.append(series.astype(float).to_frame(column))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def _empty(message: str) -> pd.DataFrame:
    return pd.DataFrame([{"term": None, "coef": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                          "p": np.nan, "n": 0, "message": message}])


def _usable(frame: pd.DataFrame, outcome: str, design: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame, str]:
    data = pd.concat([frame[outcome].astype(float).rename("__y"), design], axis=1).dropna()
    constant = [c for c in design.columns if data[c].nunique() < 2]
    data = data.drop(columns=constant)
    message = f"dropped constant predictor column(s) {constant}" if constant else ""
    return data["__y"], data.drop(columns="__y"), message


def linear_regression(frame: pd.DataFrame, outcome: str, predictors: list[str], categorical: list[str] = (),
                      robust: bool = False) -> pd.DataFrame:
    """Ordinary least squares with 95% CIs and the fit a reader needs.

    Parameters
    ----------
    frame : pandas.DataFrame
    outcome : str
        The (scale) outcome column.
    predictors : list of str
        Predictor columns; complete cases are used.
    categorical : list of str
        Predictors to dummy-code against their first level (text columns always are).
    robust : bool
        HC3 heteroscedasticity-consistent standard errors (MacKinnon & White, 1985;
        recommended for small n by Long & Ervin, 2000) instead of the classical ones.

    Returns
    -------
    pandas.DataFrame
        One row per term (``const`` first): ``term``, ``coef``, ``se``, ``ci_low``,
        ``ci_high``, ``p``, and on every row the model's ``n``, ``r_squared``,
        ``adj_r_squared``, ``f`` (F statistic; Wald F with HC3), ``df_model``, ``df_resid``,
        ``f_p``, ``se_type`` ("classical" or "HC3") and ``message``.

    Notes
    -----
    adj R² = 1 - (1 - R²)(n - 1)/(n - p - 1); F = (R²/p) / ((1 - R²)/(n - p - 1)) with
    classical SEs, as R's ``summary.lm`` (statsmodels OLS).

    References
    ----------
    Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors
    in the linear regression model. The American Statistician, 54(3), 217-224.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 3.0, 2.0, 5.0, 4.0, 6.0], "x": [1, 2, 3, 4, 5, 6]})
    >>> table = linear_regression(frame, "y", ["x"])
    >>> round(float(table.loc[1, "coef"]), 4), round(float(table.loc[0, "r_squared"]), 4)
    (0.8857, 0.7845)
    """
    # The model modules, not statsmodels.api: that imports time series, graphics and more (0.25 s per run).
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    y, x, message = _usable(frame, outcome, design_matrix(frame, predictors, categorical))
    if len(y) <= x.shape[1] + 1:
        return _empty(f"{len(y)} complete case(s) for {x.shape[1] + 1} parameters: model not estimable")
    fit = OLS(y, add_constant(x, has_constant="add")).fit(cov_type="HC3" if robust else "nonrobust")
    ci = fit.conf_int()
    table = pd.DataFrame({"term": fit.params.index, "coef": fit.params.values, "se": fit.bse.values,
                          "ci_low": ci[0].values, "ci_high": ci[1].values, "p": fit.pvalues.values})
    table["n"] = int(fit.nobs)
    table["r_squared"] = fit.rsquared
    table["adj_r_squared"] = fit.rsquared_adj
    table["f"] = float(np.squeeze(fit.fvalue))
    table["df_model"] = fit.df_model
    table["df_resid"] = fit.df_resid
    table["f_p"] = float(np.squeeze(fit.f_pvalue))
    table["se_type"] = "HC3" if robust else "classical"
    table["message"] = message
    return table


def _threshold_names(levels: list) -> list[str]:
    def tidy(level):
        return str(int(level)) if float(level).is_integer() else str(level)
    return [f"{tidy(a)}|{tidy(b)}" for a, b in zip(levels[:-1], levels[1:])]


def ordinal_regression(frame: pd.DataFrame, outcome: str, predictors: list[str], categorical: list[str] = ()) -> pd.DataFrame:
    """Proportional-odds (cumulative logit) model with thresholds, fit and a Brant test.

    Parameters
    ----------
    frame : pandas.DataFrame
    outcome : str
        An ordered outcome with at least three observed levels (codes sort in order).
    predictors, categorical : list of str
        As for :func:`linear_regression`.

    Returns
    -------
    pandas.DataFrame
        One row per predictor term (``kind`` "coefficient") then one per threshold (``kind``
        "threshold", term "1|2" …): ``term``, ``kind``, ``coef``, ``se``, ``ci_low``, ``ci_high``,
        ``p``, ``odds_ratio``, ``or_ci_low``, ``or_ci_high`` (coefficients only), ``brant_chi2``,
        ``brant_df``, ``brant_p`` (per term); on every row the model's ``n``, ``mcfadden_r2``,
        ``lr_chi2``, ``lr_df``, ``lr_p`` (likelihood ratio vs the thresholds-only model),
        the omnibus ``brant_omnibus_chi2``, ``brant_omnibus_df``, ``brant_omnibus_p`` and ``message``.

    Notes
    -----
    logit P(Y ≤ j) = θ_j - x'β, the parametrisation of R's ``MASS::polr`` (McCullagh, 1980),
    fitted by statsmodels ``OrderedModel``. McFadden's pseudo-R² = 1 - ℓ/ℓ₀ (McFadden, 1974);
    LR χ² = 2(ℓ - ℓ₀) with p - 0 df. The proportional-odds assumption is checked with
    Brant's (1990) Wald test of equal slopes over the J - 1 binary logits of Y > j
    (:func:`brant_test`, as R's ``brant::brant``); p < .05 questions the assumption.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. JRSS B, 42(2), 109-142.
    Brant, R. (1990). Assessing proportionality in the proportional odds model for ordinal
    logistic regression. Biometrics, 46(4), 1171-1178.
    Venables, W. N., & Ripley, B. D. (2002). Modern Applied Statistics with S (4th ed.), 7.3.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1, 1, 2, 1, 2, 3, 2, 3, 3, 3, 1, 2],
    ...                       "x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 6]})
    >>> table = ordinal_regression(frame, "y", ["x"])
    >>> list(table["kind"]), bool(table.loc[0, "coef"] > 0)
    (['coefficient', 'threshold', 'threshold'], True)
    """
    y, x, message = _usable(frame, outcome, design_matrix(frame, predictors, categorical))
    if y.nunique() < 3:
        return _empty(f"ordinal model needs an outcome with at least three observed levels, got {y.nunique()}")
    if x.shape[1] == 0 or len(y) <= x.shape[1] + y.nunique():
        return _empty(f"{len(y)} complete case(s): too few for {x.shape[1]} predictor(s) and {y.nunique() - 1} thresholds")
    levels = sorted(y.unique())
    endog = pd.Series(pd.Categorical(y, categories=levels, ordered=True), index=y.index)
    model = _ordered_logit(endog, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(method="bfgs", disp=False, maxiter=1000)
    terms = list(x.columns)
    ci = fit.conf_int().loc[terms]
    coefficients = pd.DataFrame({"term": terms, "kind": "coefficient", "coef": fit.params[terms].values,
                                 "se": fit.bse[terms].values, "ci_low": ci[0].values, "ci_high": ci[1].values,
                                 "p": fit.pvalues[terms].values})
    coefficients["odds_ratio"] = np.exp(coefficients["coef"])
    coefficients["or_ci_low"] = np.exp(coefficients["ci_low"])
    coefficients["or_ci_high"] = np.exp(coefficients["ci_high"])
    brant = brant_test(y, x)
    coefficients = coefficients.merge(brant[brant["term"] != "omnibus"].drop(columns="message"), on="term", how="left")
    # statsmodels stores the first cut and log increments; polr reports the cuts themselves.
    cuts = model.transform_threshold_params(fit.params.to_numpy())[1:-1]
    # Delta method: cut_j = a_0 + Σ_{i<j} exp(a_i), so d cut_j / d a_i = 1 (i = 0), exp(a_i) (0 < i < j).
    raw = fit.params.to_numpy()[len(terms):]
    gradient = np.tril(np.ones((len(raw), len(raw)))) * np.concatenate([[1.0], np.exp(raw[1:])])
    covariance = fit.cov_params().to_numpy()[len(terms):, len(terms):]
    se = np.sqrt(np.diag(gradient @ covariance @ gradient.T))
    z = stats.norm.ppf(0.975)
    thresholds = pd.DataFrame({"term": _threshold_names(levels), "kind": "threshold", "coef": cuts, "se": se,
                               "ci_low": cuts - z * se, "ci_high": cuts + z * se})
    table = pd.concat([coefficients, thresholds], ignore_index=True)
    omnibus = brant[brant["term"] == "omnibus"].iloc[0]
    table["n"] = int(fit.nobs)
    table["mcfadden_r2"] = 1 - fit.llf / fit.llnull
    table["lr_chi2"] = 2 * (fit.llf - fit.llnull)
    table["lr_df"] = len(terms)
    table["lr_p"] = stats.chi2.sf(2 * (fit.llf - fit.llnull), len(terms))
    table["brant_omnibus_chi2"] = omnibus["brant_chi2"]
    table["brant_omnibus_df"] = omnibus["brant_df"]
    table["brant_omnibus_p"] = omnibus["brant_p"]
    if not fit.mle_retvals.get("converged", True):
        message = "; ".join(filter(None, [message, "optimizer did not converge: estimates unreliable"]))
    if omnibus["message"]:
        message = "; ".join(filter(None, [message, omnibus["message"]]))
    table["message"] = message
    return table


def _ordered_logit(endog: pd.Series, exog: pd.DataFrame):
    """statsmodels' ``OrderedModel(endog, exog, distr="logit")`` with the logistic CDF as scipy's ``expit`` ufunc
    and the log-likelihood's gradient in closed form.

    scipy.stats.logistic computes its CDF with ``expit`` too, so every likelihood is the same; its generic
    argument checks around it took three quarters of a fit. statsmodels has no analytic score for this model
    (``score_obs_`` is unfinished upstream) and differentiates numerically, 2 (k + J - 1) likelihoods per
    gradient: 632 of a fit's 776 likelihoods at 40,000 rows. The Hessian, and so every standard error, is
    still statsmodels' numerical one of the likelihood."""
    from scipy.special import expit
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class OrderedLogit(OrderedModel):
        def cdf(self, x):
            return expit(x)

        def score(self, params):
            """dℓ/dparams for ℓ = Σ log(F(θ_y - x'β) - F(θ_{y-1} - x'β) + 1e-20), as statsmodels' loglike.

            With f = F(1 - F) the logistic density at each bound (0 at ±inf): dℓ/dβ = Σ x (f_low - f_upp) / P,
            dℓ/dθ_m = Σ_{y = m} f_upp / P - Σ_{y = m+1} f_low / P, and by the chain rule through the
            thresholds' parametrisation θ_m = a_0 + Σ_{0 < i ≤ m} exp(a_i): dℓ/da_0 = Σ_m dℓ/dθ_m,
            dℓ/da_i = exp(a_i) Σ_{m ≥ i} dℓ/dθ_m."""
            params = np.asarray(params, dtype=float)
            low, upp = self._bounds(params)
            cdf_low, cdf_upp = expit(low), expit(upp)
            prob = self.prob(low, upp) + 1e-20
            pdf_low, pdf_upp = cdf_low * (1 - cdf_low) / prob, cdf_upp * (1 - cdf_upp) / prob
            cuts = self.k_levels - 1
            slopes = self.exog.T @ (pdf_low - pdf_upp)
            per_cut = (np.bincount(self.endog, weights=pdf_upp, minlength=self.k_levels)[:cuts]
                       - np.bincount(self.endog, weights=pdf_low, minlength=self.k_levels)[1:])
            increments = np.concatenate([[1.0], np.exp(params[-cuts:][1:])])
            return np.concatenate([slopes, increments * per_cut[::-1].cumsum()[::-1]])

    return OrderedLogit(endog, exog, distr="logit")


def brant_test(y: pd.Series, x: pd.DataFrame) -> pd.DataFrame:
    """Brant's (1990) Wald test of the proportional-odds (parallel lines) assumption.

    Parameters
    ----------
    y : pandas.Series
        Ordered outcome codes (at least three levels).
    x : pandas.DataFrame
        Numeric design matrix without a constant.

    Returns
    -------
    pandas.DataFrame
        One row per term and a last row ``omnibus``: ``term``, ``brant_chi2``, ``brant_df``,
        ``brant_p`` and ``message``.

    Notes
    -----
    Fits the J - 1 binary logits of Y > j, stacks their slopes β̂ and estimates their
    joint covariance, Cov(β̂_m, β̂_l) = (X'W_mX)⁻¹ X'W_mlX (X'W_lX)⁻¹ with W_m = diag(π_m(1 - π_m))
    and W_ml = diag(π_l - π_m π_l) for l > m. X² = (Dβ̂)'(DVD')⁻¹(Dβ̂), D contrasting β̂_1 with
    each other β̂_j, df = K(J - 2) omnibus and J - 2 per term (as R's ``brant::brant``).

    References
    ----------
    Brant, R. (1990). Biometrics, 46(4), 1171-1178.

    Examples
    --------
    >>> y = pd.Series([1, 1, 2, 1, 2, 3, 2, 3, 3, 3, 1, 2])
    >>> x = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 6]})
    >>> table = brant_test(y, x)
    >>> list(table["term"]), int(table.loc[1, "brant_df"])
    (['x', 'omnibus'], 1)
    """
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.tools import add_constant

    levels = sorted(y.unique())
    design = add_constant(x.astype(float), has_constant="add").to_numpy()
    k = x.shape[1]
    cuts = len(levels) - 1
    betas, probabilities = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for level in levels[:-1]:
            fit = Logit((y > level).astype(float).to_numpy(), design).fit(disp=False, maxiter=200)
            betas.append(fit.params)
            probabilities.append(fit.predict(design))
    inverse = [np.linalg.pinv(design.T @ (design * (p * (1 - p))[:, None])) for p in probabilities]
    variance = np.zeros((cuts * k, cuts * k))
    for m in range(cuts):
        for l in range(m, cuts):
            weights = probabilities[m] * (1 - probabilities[m]) if m == l else \
                probabilities[l] - probabilities[m] * probabilities[l]
            block = (inverse[m] @ (design.T @ (design * weights[:, None])) @ inverse[l])[1:, 1:]
            variance[m * k:(m + 1) * k, l * k:(l + 1) * k] = block
            variance[l * k:(l + 1) * k, m * k:(m + 1) * k] = block.T
    stacked = np.concatenate([b[1:] for b in betas])
    contrast = np.zeros(((cuts - 1) * k, cuts * k))
    for j in range(1, cuts):
        contrast[(j - 1) * k:j * k, :k] = np.eye(k)
        contrast[(j - 1) * k:j * k, j * k:(j + 1) * k] = -np.eye(k)

    def wald(rows: np.ndarray) -> tuple[float, int, float]:
        d = contrast[rows]
        difference = d @ stacked
        statistic = float(difference @ np.linalg.pinv(d @ variance @ d.T) @ difference)
        return statistic, len(rows), float(stats.chi2.sf(statistic, len(rows)))

    rows = []
    for i, term in enumerate(x.columns):
        statistic, df, p = wald(np.arange(i, (cuts - 1) * k, k))
        rows.append({"term": term, "brant_chi2": statistic, "brant_df": df, "brant_p": p, "message": ""})
    statistic, df, p = wald(np.arange((cuts - 1) * k))
    message = "Brant test: proportional-odds assumption questioned (p < .05)" if p < 0.05 else ""
    rows.append({"term": "omnibus", "brant_chi2": statistic, "brant_df": df, "brant_p": p, "message": message})
    return pd.DataFrame(rows)
