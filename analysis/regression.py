"""Regression models: ordinal logistic for a Likert outcome, linear for a scale score.

Predictors that are categorical (text, or named in `categorical`) are dummy-coded
against their first level; coefficients come with 95% CIs, odds ratios for the
ordinal model.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


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


def linear_regression(frame: pd.DataFrame, outcome: str, predictors: list[str], categorical: list[str] = ()) -> pd.DataFrame:
    """OLS coefficients with 95% CIs, one row per term (statsmodels OLS)."""
    import statsmodels.api as sm

    y, x, message = _usable(frame, outcome, design_matrix(frame, predictors, categorical))
    if len(y) <= x.shape[1] + 1:
        return _empty(f"{len(y)} complete case(s) for {x.shape[1] + 1} parameters: model not estimable")
    fit = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
    ci = fit.conf_int()
    table = pd.DataFrame({"term": fit.params.index, "coef": fit.params.values, "se": fit.bse.values,
                          "ci_low": ci[0].values, "ci_high": ci[1].values, "p": fit.pvalues.values})
    table["n"] = int(fit.nobs)
    table["r_squared"] = fit.rsquared
    table["message"] = message
    return table


def ordinal_regression(frame: pd.DataFrame, outcome: str, predictors: list[str], categorical: list[str] = ()) -> pd.DataFrame:
    """Proportional-odds (cumulative logit) model, statsmodels OrderedModel; one row per
    predictor term with coefficient, odds ratio exp(coef) and their 95% CIs
    (McCullagh, 1980, JRSS B 42(2)). Thresholds are omitted from the table."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    y, x, message = _usable(frame, outcome, design_matrix(frame, predictors, categorical))
    if y.nunique() < 3:
        return _empty(f"ordinal model needs an outcome with at least three observed levels, got {y.nunique()}")
    if x.shape[1] == 0 or len(y) <= x.shape[1] + y.nunique():
        return _empty(f"{len(y)} complete case(s): too few for {x.shape[1]} predictor(s) and {y.nunique() - 1} thresholds")
    levels = sorted(y.unique())
    endog = pd.Series(pd.Categorical(y, categories=levels, ordered=True), index=y.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = OrderedModel(endog, x, distr="logit").fit(method="bfgs", disp=False, maxiter=1000)
    terms = list(x.columns)
    ci = fit.conf_int().loc[terms]
    table = pd.DataFrame({"term": terms, "coef": fit.params[terms].values, "se": fit.bse[terms].values,
                          "ci_low": ci[0].values, "ci_high": ci[1].values, "p": fit.pvalues[terms].values})
    table["odds_ratio"] = np.exp(table["coef"])
    table["or_ci_low"] = np.exp(table["ci_low"])
    table["or_ci_high"] = np.exp(table["ci_high"])
    table["n"] = int(fit.nobs)
    if not fit.mle_retvals.get("converged", True):
        message = "; ".join(filter(None, [message, "optimizer did not converge: estimates unreliable"]))
    table["message"] = message
    return table
