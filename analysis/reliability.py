"""Internal consistency of a scale: Cronbach's alpha, McDonald's omega, item statistics.

All functions use listwise deletion (respondents with every item answered), so alpha,
omega and the item table describe the same people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def _complete(items: pd.DataFrame) -> pd.DataFrame:
    return items.astype(float).dropna(axis=0, how="any")


def _alpha(values: np.ndarray) -> float:
    """k/(k-1) * (1 - sum of item variances / variance of the sum) (Cronbach, 1951)."""
    k = values.shape[1]
    total_var = values.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return np.nan
    return k / (k - 1) * (1 - values.var(axis=0, ddof=1).sum() / total_var)


def _problem(items: pd.DataFrame, data: pd.DataFrame) -> str:
    if items.shape[1] < 2:
        return f"one-item scale ({', '.join(items.columns)}): internal consistency needs at least two items"
    if len(data) < 2:
        return f"{len(data)} complete response(s): internal consistency needs at least two"
    return ""


def constant_items(data: pd.DataFrame) -> list[str]:
    return [c for c in data.columns if data[c].nunique(dropna=True) <= 1]


def cronbach_alpha(items: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha with Feldt's confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame
        Item columns pointing the same way; listwise deletion.
    ci : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``k``, ``alpha``, ``ci_low``, ``ci_high`` and ``message``.

    Notes
    -----
    α = k/(k - 1) (1 - Σ s²_i / s²_total) (Cronbach, 1951). CI: 1 - (1 - α) F quantiles with
    df1 = n - 1, df2 = (n - 1)(k - 1) (Feldt, Woodruff & Salih, 1987).

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika, 16(3), 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Applied Psychological Measurement, 11(1), 93-103.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    >>> round(float(cronbach_alpha(items).loc[0, "alpha"]), 4)
    0.8889
    """
    data = _complete(items)
    n, k = data.shape
    row = {"n": n, "k": k, "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan, "message": _problem(items, data)}
    if row["message"]:
        return pd.DataFrame([row])
    alpha = _alpha(data.to_numpy())
    if np.isnan(alpha):
        row["message"] = "every item is constant: the sum score has no variance, alpha is not defined"
        return pd.DataFrame([row])
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - ci) / 2
    row.update(
        alpha=alpha,
        ci_low=1 - (1 - alpha) * stats.f.isf(tail, df1, df2),
        ci_high=1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2),
    )
    constant = constant_items(data)
    if constant:
        row["message"] = f"constant item(s) {constant}: they add no variance and lower alpha"
    return pd.DataFrame([row])


def one_factor_loadings(data: pd.DataFrame) -> np.ndarray:
    """Standardized loadings of a one-factor minimum-residual model."""
    from .factors import minres_loadings

    return minres_loadings(np.corrcoef(data.to_numpy(), rowvar=False), 1)[:, 0]


def mcdonald_omega(items: pd.DataFrame) -> pd.DataFrame:
    """McDonald's omega total from a one-factor minimum-residual model.

    Parameters
    ----------
    items : pandas.DataFrame
        Three or more item columns; listwise deletion.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``k``, ``omega`` and ``message``.

    Notes
    -----
    ω = (Σλ)² / ((Σλ)² + Σ(1 - λ²)) for standardized items (McDonald, 1999, ch. 6;
    Revelle & Zinbarg, 2009). A one-factor model with two items is not identified.

    References
    ----------
    McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
    Revelle, W., & Zinbarg, R. E. (2009). Psychometrika, 74(1), 145-154.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2], "b": [2, 1]})
    >>> mcdonald_omega(items).loc[0, "message"]
    'omega needs at least three items (a one-factor model with two is not identified)'
    """
    data = _complete(items)
    n, k = data.shape
    row = {"n": n, "k": k, "omega": np.nan, "message": _problem(items, data)}
    if not row["message"] and k < 3:
        row["message"] = "omega needs at least three items (a one-factor model with two is not identified)"
    constant = constant_items(data) if not row["message"] else []
    if constant:
        row["message"] = f"constant item(s) {constant}: correlations and omega are not defined"
    if row["message"]:
        return pd.DataFrame([row])
    loadings = one_factor_loadings(data)
    common = loadings.sum() ** 2
    row["omega"] = common / (common + np.sum(1 - loadings**2))
    return pd.DataFrame([row])


def item_statistics(items: pd.DataFrame) -> pd.DataFrame:
    """Per item: mean, SD, corrected item-total correlation, alpha if the item is deleted.

    The corrected item-total correlation correlates the item with the sum of the *other*
    items, so the item does not correlate with itself (Nunnally & Bernstein, 1994, ch. 8).
    """
    data = _complete(items)
    columns = ["item", "n", "mean", "sd", "item_rest_r", "alpha_if_deleted", "message"]
    if _problem(items, data):
        return pd.DataFrame(
            [{"item": c, "n": len(data), "mean": np.nan, "sd": np.nan, "item_rest_r": np.nan,
              "alpha_if_deleted": np.nan, "message": _problem(items, data)} for c in items.columns],
            columns=columns,
        )
    values = data.to_numpy()
    total = values.sum(axis=1)
    rows = []
    for j, item in enumerate(data.columns):
        rest = total - values[:, j]
        message = ""
        if np.std(values[:, j]) == 0 or np.std(rest) == 0:
            r = np.nan
            message = f"{item}: constant item or rest score, correlation not defined"
        else:
            r = float(np.corrcoef(values[:, j], rest)[0, 1])
        others = np.delete(values, j, axis=1)
        alpha_deleted = _alpha(others) if others.shape[1] >= 2 else np.nan
        if others.shape[1] < 2:
            message = message or "alpha if deleted needs three or more items"
        rows.append({"item": item, "n": len(data), "mean": values[:, j].mean(), "sd": values[:, j].std(ddof=1),
                     "item_rest_r": r, "alpha_if_deleted": alpha_deleted, "message": message})
    return pd.DataFrame(rows, columns=columns)


def spearman_brown(items: pd.DataFrame) -> pd.DataFrame:
    """Spearman-Brown reliability of a two-item scale.

    Parameters
    ----------
    items : pandas.DataFrame
        Exactly two item columns; listwise deletion.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``k`` (2), ``r`` (Pearson correlation of the items),
        ``spearman_brown`` and ``message``.

    Notes
    -----
    ρ_SB = 2r / (1 + r). For two items Eisinga, Te Grotenhuis & Pelzer (2013) recommend it
    over Cronbach's α, which is a lower bound that equals ρ_SB only for items of equal
    variance.

    References
    ----------
    Eisinga, R., Te Grotenhuis, M., & Pelzer, B. (2013). The reliability of a two-item
    scale: Pearson, Cronbach, or Spearman-Brown? International Journal of Public Health,
    58(4), 637-642.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    >>> round(float(spearman_brown(items).loc[0, "spearman_brown"]), 4)
    0.8889
    """
    data = _complete(items)
    n, k = data.shape
    row = {"n": n, "k": k, "r": np.nan, "spearman_brown": np.nan, "message": ""}
    if k != 2:
        row["message"] = f"Spearman-Brown for a two-item scale needs exactly two items, got {k}"
    elif n < 3:
        row["message"] = f"{n} complete response(s): a correlation needs at least three"
    elif constant_items(data):
        row["message"] = f"constant item(s) {constant_items(data)}: correlation not defined"
    if row["message"]:
        return pd.DataFrame([row])
    r = float(np.corrcoef(data.to_numpy(), rowvar=False)[0, 1])
    row.update(r=r, spearman_brown=2 * r / (1 + r))
    return pd.DataFrame([row])


def reliability(items: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Alpha with CI and omega in one row (Spearman-Brown too for two items).

    Parameters
    ----------
    items : pandas.DataFrame
        Item columns pointing the same way (reverse-coded already); listwise deletion.
    ci : float
        Confidence level of alpha's Feldt interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``k``, ``alpha``, ``ci_low``, ``ci_high``, ``omega``,
        ``spearman_brown`` (two items only, else null), ``coefficient`` (the one to report:
        "spearman_brown" for two items, "alpha" otherwise) and ``message``.

    Notes
    -----
    See :func:`cronbach_alpha`, :func:`mcdonald_omega` and :func:`spearman_brown`.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    >>> reliability(items).loc[0, "coefficient"]
    'spearman_brown'
    """
    alpha = cronbach_alpha(items, ci)
    omega = mcdonald_omega(items)
    row = alpha.iloc[0].to_dict()
    row["omega"] = omega.loc[0, "omega"]
    messages = [alpha.loc[0, "message"], omega.loc[0, "message"]]
    row["spearman_brown"] = np.nan
    row["coefficient"] = "alpha"
    if items.shape[1] == 2:
        two = spearman_brown(items).iloc[0]
        row["spearman_brown"] = two["spearman_brown"]
        row["coefficient"] = "spearman_brown"
        messages = [alpha.loc[0, "message"], two["message"]]  # omega is not identified with two items
    row["message"] = "; ".join(dict.fromkeys(m for m in messages if m))
    return pd.DataFrame([row])
