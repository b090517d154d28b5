"""Coded categories of open answers: how often each code was given, with Wilson intervals, by group.

The export holds one 0/1 column per code (codebook `source` = ``coding``): 1 when the answer got
the code, 0 when it was coded without it, empty when the respondent gave no answer to code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from .disclosure import DEFAULT_THRESHOLD


def coded_categories(table: pd.DataFrame, code_columns: list[str], by: str | None = None,
                     threshold: int = DEFAULT_THRESHOLD, ci: float = 0.95) -> pd.DataFrame:
    """Share of coded answers that got each code, with a Wilson interval; small cells suppressed.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per response with the 0/1 code columns (NaN where there is nothing to code).
    code_columns : list of str
        The code columns, in codebook order.
    by : str, optional
        A grouping column; without it one overall row per code.
    threshold : int
        Counts from 1 to threshold - 1, and groups with fewer coded answers (n too), are suppressed.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (when `by`), ``code``, ``n`` (coded answers; NaN for 1 to threshold - 1, 0 kept:
        nobody is hidden in an empty group), ``k`` (answers with the code), ``percent``, ``ci_low``,
        ``ci_high`` (percent) and ``suppressed`` (k, percent and the interval are NaN when True).

    Notes
    -----
    Wilson score interval (Wilson, 1927), which keeps its coverage for shares near 0 or 1 and for
    small n, where the Wald interval fails (Brown, Cai & DasGupta, 2001).

    References
    ----------
    Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Statistical Science, 16(2), 101-133.

    Examples
    --------
    >>> t = pd.DataFrame({"c_speed": [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, None]})
    >>> row = coded_categories(t, ["c_speed"]).iloc[0]
    >>> int(row.n), int(row.k), float(row.percent), round(float(row.ci_low), 1), round(float(row.ci_high), 1)
    (10, 7, 70.0, 39.7, 89.2)
    """
    groups = [(None, table)] if by is None else [(value, part) for value, part in table.groupby(by, dropna=True)]
    rows = []
    for value, part in groups:
        for column in code_columns:
            coded = part[column].dropna()
            n, k = len(coded), int(coded.sum())
            low, high = proportion_confint(k, n, alpha=1 - ci, method="wilson") if n else (np.nan, np.nan)
            hidden = n < threshold or 0 < k < threshold
            row = {"code": column, "n": np.nan if 0 < n < threshold else n, "k": np.nan if hidden else k,
                   "percent": np.nan if hidden or not n else 100 * k / n,
                   "ci_low": np.nan if hidden else 100 * low, "ci_high": np.nan if hidden else 100 * high,
                   "suppressed": hidden}
            rows.append(row if by is None else {"group": value, **row})
    return pd.DataFrame(rows)
