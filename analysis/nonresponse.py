"""Nonresponse: how respondents differ from all platform users, and weights that correct it."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _key(value):
    """Margins from YAML have int or str keys; table codes are floats. Compare as floats when possible."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def standardized_differences(respondents: pd.DataFrame, population: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Per feature: means, SMD = (m_resp - m_pop) / sqrt((s_resp^2 + s_pop^2) / 2).

    |SMD| > 0.1 is the usual threshold for a meaningful imbalance (Austin, 2009,
    Statistics in Medicine 28(25)).
    """
    rows = []
    for feature in features:
        r = pd.to_numeric(respondents[feature], errors="coerce").dropna()
        p = pd.to_numeric(population[feature], errors="coerce").dropna()
        pooled = np.sqrt((r.var(ddof=1) + p.var(ddof=1)) / 2) if len(r) > 1 and len(p) > 1 else np.nan
        smd = (r.mean() - p.mean()) / pooled if pooled and not np.isnan(pooled) else np.nan
        message = "" if not np.isnan(smd) else f"{feature}: no variance or too few values, SMD not computable"
        rows.append({"feature": feature, "n_respondents": len(r), "n_population": len(p), "mean_respondents": r.mean(),
                     "mean_population": p.mean(), "smd": smd, "imbalanced": bool(abs(smd) > 0.1) if not np.isnan(smd) else None,
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
    """Raking (iterative proportional fitting; Deming & Stephan, 1940, Ann. Math. Stat. 11(4)).

    Returns weights with mean 1 and a message ('' when it converged). Respondents missing
    a raking variable keep weight NaN.
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
            factor = cells[variable].map(lambda c: targets.get(c, np.nan) / current.get(c, np.nan))
            weights = weights * factor
            largest_change = max(largest_change, float(np.nanmax(np.abs(factor - 1))))
        if largest_change < tol:
            return (weights / weights.mean()).rename("weight"), ""
    return (weights / weights.mean()).rename("weight"), f"raking did not converge in {max_iter} iterations"


def weighted_estimates(frame: pd.DataFrame, columns: list[str], weights: pd.Series) -> pd.DataFrame:
    """Unweighted and weighted means side by side, with Kish's (1965) effective sample size."""
    rows = []
    for column in columns:
        data = pd.DataFrame({"x": pd.to_numeric(frame[column], errors="coerce"), "w": weights}).dropna()
        w = data["w"]
        rows.append({"variable": column, "n": len(data),
                     "mean_unweighted": data["x"].mean() if len(data) else np.nan,
                     "mean_weighted": np.average(data["x"], weights=w) if w.sum() > 0 else np.nan,
                     "effective_n": w.sum() ** 2 / (w**2).sum() if len(data) else np.nan})
    return pd.DataFrame(rows, columns=["variable", "n", "mean_unweighted", "mean_weighted", "effective_n"])
