"""Agreement between coders of open answers: percent agreement, Cohen's kappa, Krippendorff's alpha, Gwet's AC1.

Input is the long form ReCal and R's irr read: one row per unit, coder and code (``unit,coder,code``;
several rows when a coder gave several codes; an empty code when a coder judged that no code applies).
A coder who did not code a unit has no row there: a missing value, which Krippendorff's alpha handles
and Cohen's kappa skips (only units both coders coded count).

"Overall" compares each coder's whole coding of a unit (the set of its codes); "per code" compares
presence (1) or absence (0) of one code among the units a coder coded, which is what a gate per code
needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputFormatError

LEVELS = ("nominal", "ordinal", "interval")
LONG_COLUMNS = ("unit", "coder", "code")
SET_SEPARATOR = "+"
# Krippendorff (2004): data with alpha below .667 support no conclusions, not even tentative ones.
GATE_MIN_ALPHA = 0.667


def read_long(path) -> pd.DataFrame:
    """The long table of a CSV file, codes as text; a clear error naming the file when columns are missing."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in LONG_COLUMNS if column not in table.columns]
    if missing:
        raise InputFormatError(f"{path}: expected the columns unit,coder,code, missing {','.join(missing)}")
    return table[list(LONG_COLUMNS)]


def unit_matrix(long: pd.DataFrame) -> pd.DataFrame:
    """Units x coders of each coder's codes for the unit joined in sorted order ('' = no code; NaN = not coded)."""
    joined = long.groupby(["unit", "coder"])["code"].agg(lambda codes: SET_SEPARATOR.join(sorted(c for c in codes if c)))
    return joined.unstack("coder")


def code_matrix(long: pd.DataFrame, code: str) -> pd.DataFrame:
    """Units x coders of 1 when the coder gave ``code`` to the unit, 0 when they coded it otherwise, NaN when not."""
    given = long.assign(hit=(long["code"] == code).astype(float))
    return given.groupby(["unit", "coder"])["hit"].max().unstack("coder")


def _metric(values: np.ndarray, counts: np.ndarray, level: str) -> np.ndarray:
    """Squared difference δ² between every pair of the sorted values (Krippendorff 2011, section C)."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "interval":
        numeric = values.astype(float)
        return (numeric[:, None] - numeric[None, :]) ** 2
    cumulative = np.concatenate([[0.0], np.cumsum(counts)])
    low, high = np.minimum.outer(np.arange(len(values)), np.arange(len(values))), np.maximum.outer(np.arange(len(values)), np.arange(len(values)))
    between = cumulative[high + 1] - cumulative[low]
    return (between - (counts[low] + counts[high]) / 2) ** 2


def _unit_counts(matrix: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The sorted values and, per pairable unit (two or more values), how often each value occurs."""
    present = matrix.notna().to_numpy()
    pairable = present.sum(axis=1) >= 2
    cells = matrix.to_numpy(dtype=object)[pairable]
    present = present[pairable]
    values = np.array(sorted(set(cells[present].tolist())), dtype=object)
    position = {value: index for index, value in enumerate(values.tolist())}
    counts = np.zeros((len(cells), len(values)))
    rows, columns = np.nonzero(present)
    np.add.at(counts, (rows, [position[value] for value in cells[rows, columns].tolist()]), 1)
    return values, counts


def _alpha_from_counts(values: np.ndarray, counts: np.ndarray, level: str) -> float:
    """α from per-unit value counts via the coincidence matrix o_ck (Krippendorff 2011, section B)."""
    if len(values) < 2 or not len(counts):
        return np.nan
    weights = 1 / (counts.sum(axis=1) - 1)
    coincidence = (counts * weights[:, None]).T @ counts - np.diag((counts * weights[:, None]).sum(axis=0))
    margins = coincidence.sum(axis=1)
    delta = _metric(values, margins, level)
    expected = (np.outer(margins, margins) * delta).sum()
    if expected == 0:
        return np.nan
    return float(1 - (margins.sum() - 1) * (coincidence * delta).sum() / expected)


def krippendorff_alpha(matrix: pd.DataFrame, level: str = "nominal") -> float:
    """Krippendorff's alpha for a units x coders matrix with missing values.

    Parameters
    ----------
    matrix : pandas.DataFrame
        One row per unit, one column per coder, NaN where a coder did not code the unit.
    level : {"nominal", "ordinal", "interval"}
        Level of measurement; ordinal and interval need numeric values.

    Returns
    -------
    float
        α, or NaN when fewer than two values are pairable or every value is the same.

    Notes
    -----
    α = 1 - D_o / D_e = 1 - (n - 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck over the coincidence matrix o_ck of
    pairable values (units with at least two values), n_c its margins and n = Σ n_c. Ordinal δ²
    uses the marginal frequencies between two ranks (Krippendorff 2011).

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of Pennsylvania.

    Examples
    --------
    >>> m = pd.DataFrame({"a": [1, 1, 2, 2], "b": [1, 1, 2, 1]})
    >>> round(krippendorff_alpha(m), 3)
    0.533
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    return _alpha_from_counts(*_unit_counts(matrix), level)


def alpha_bootstrap_ci(matrix: pd.DataFrame, level: str = "nominal", n_boot: int = 1000, ci: float = 0.95,
                       seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of alpha, resampling units with replacement.

    Hayes & Krippendorff (2007) bootstrap alpha to give its sampling distribution (their KALPHA macro
    resamples pairs of values); resampling whole units instead keeps each unit's coders together,
    which matters with missing values. The seed is passed in so that a report is reproducible.
    """
    rng = np.random.default_rng(seed)
    values, counts = _unit_counts(matrix)
    if len(counts) < 2:
        return (np.nan, np.nan)
    estimates = np.array([_alpha_from_counts(values, counts[rng.integers(0, len(counts), len(counts))], level)
                          for _ in range(n_boot)])
    estimates = estimates[~np.isnan(estimates)]
    if not len(estimates):
        return (np.nan, np.nan)
    tail = (1 - ci) / 2 * 100
    low, high = np.percentile(estimates, [tail, 100 - tail])
    return (float(low), float(high))


def percent_agreement(matrix: pd.DataFrame) -> float:
    """Share of agreeing pairs of coders over units with at least two codings (pairwise, averaged per unit).

    Examples
    --------
    >>> round(percent_agreement(pd.DataFrame({"a": ["x", "y", "x"], "b": ["x", "y", "y"]})), 4)
    0.6667
    """
    shares = []
    for _unit, row in matrix.iterrows():
        values = row.dropna().tolist()
        if len(values) < 2:
            continue
        pairs = [(i, j) for i in range(len(values)) for j in range(i + 1, len(values))]
        shares.append(sum(values[i] == values[j] for i, j in pairs) / len(pairs))
    return float(np.mean(shares)) if shares else np.nan


def cohen_kappa(matrix: pd.DataFrame) -> float:
    """Cohen's kappa for exactly two coders over the units both coded; NaN for more or fewer coders.

    Notes
    -----
    κ = (p_o - p_e) / (1 - p_e), p_e = Σ_k p_1k p_2k from each coder's own margins (Cohen, 1960).

    Examples
    --------
    >>> m = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["x", "x", "y", "x"]})
    >>> round(cohen_kappa(m), 3)
    0.5
    """
    if matrix.shape[1] != 2:
        return np.nan
    both = matrix.dropna()
    if both.empty:
        return np.nan
    first, second = both.iloc[:, 0], both.iloc[:, 1]
    observed = float((first == second).mean())
    categories = set(first) | set(second)
    chance = sum(float((first == c).mean()) * float((second == c).mean()) for c in categories)
    if chance == 1:
        return np.nan
    return (observed - chance) / (1 - chance)


def gwet_ac1(matrix: pd.DataFrame) -> float:
    """Gwet's AC1 for any number of coders with missing values (nominal).

    Notes
    -----
    AC1 = (p_a - p_e) / (1 - p_e), p_a the pairwise agreement over units with at least two
    codings, p_e = Σ_k π_k (1 - π_k) / (Q - 1) with π_k the mean share of category k per unit and Q
    the number of categories (Gwet, 2008). Stays stable when one category dominates, where kappa
    and alpha drop.

    References
    ----------
    Gwet, K. L. (2008). British Journal of Mathematical and Statistical Psychology, 61(1), 29-48.

    Examples
    --------
    >>> m = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["x", "x", "y", "x"]})
    >>> round(gwet_ac1(m), 3)
    0.529
    """
    rows = [row.dropna().tolist() for _unit, row in matrix.iterrows()]
    rows = [row for row in rows if row]
    categories = sorted({value for row in rows for value in row}, key=str)
    if len(categories) < 2:
        return np.nan
    shares = np.array([[row.count(c) / len(row) for c in categories] for row in rows]).mean(axis=0)
    chance = float((shares * (1 - shares)).sum() / (len(categories) - 1))
    observed = percent_agreement(matrix)
    return (observed - chance) / (1 - chance)


def _statistics(matrix: pd.DataFrame, level: str, n_boot: int, seed: int) -> dict:
    low, high = alpha_bootstrap_ci(matrix, level, n_boot=n_boot, seed=seed)
    return {
        "units": int((matrix.notna().sum(axis=1) >= 2).sum()),
        "coders": int(matrix.shape[1]),
        "percent_agreement": percent_agreement(matrix),
        "cohen_kappa": cohen_kappa(matrix),
        "krippendorff_alpha": krippendorff_alpha(matrix, level),
        "alpha_ci_low": low,
        "alpha_ci_high": high,
        "gwet_ac1": gwet_ac1(matrix),
    }


def agreement(long: pd.DataFrame, level: str = "nominal", n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Agreement overall and per code from the long form ``unit,coder,code``.

    Parameters
    ----------
    long : pandas.DataFrame
        Columns ``unit``, ``coder``, ``code``.
    level : {"nominal", "ordinal", "interval"}
        Level of measurement of the overall comparison (per code is always nominal 0/1); ordinal
        and interval need numeric codes, one per unit and coder.
    n_boot, seed : int
        Bootstrap resamples of alpha's interval and their seed.

    Returns
    -------
    pandas.DataFrame
        One row for ``overall`` and one per code (column ``scope``) with ``units`` (pairable),
        ``coders``, ``percent_agreement``, ``cohen_kappa`` (two coders only), ``krippendorff_alpha``,
        ``alpha_ci_low``, ``alpha_ci_high`` and ``gwet_ac1``.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": ["1", "1", "2", "2"], "coder": ["a", "b", "a", "b"], "code": ["x", "x", "y", "y"]})
    >>> row = agreement(long, n_boot=10).iloc[0]
    >>> row.scope, float(row.percent_agreement)
    ('overall', 1.0)
    """
    overall = unit_matrix(long)
    if level != "nominal":
        try:
            overall = overall.apply(pd.to_numeric, errors="raise")
        except ValueError as exc:
            raise InputFormatError(f"--level {level} needs one numeric code per unit and coder: {exc}") from None
    rows = [{"scope": "overall", **_statistics(overall, level, n_boot, seed)}]
    for code in sorted(c for c in long["code"].unique() if c):
        rows.append({"scope": code, **_statistics(code_matrix(long, code), "nominal", n_boot, seed)})
    return pd.DataFrame(rows)


def agreement_json(table: pd.DataFrame, level: str) -> dict:
    """The agreement table as JSON: the overall statistics at the top level, each code under ``per_code``."""
    def clean(row):
        return {key: (None if isinstance(value, float) and np.isnan(value) else value)
                for key, value in row.items() if key != "scope"}

    records = table.to_dict("records")
    return {"level": level, **clean(records[0]), "per_code": {row["scope"]: clean(row) for row in records[1:]}}


def model_gate(long: pd.DataFrame, model_coder: str, threshold: float = GATE_MIN_ALPHA) -> pd.DataFrame:
    """Per code: does the model agree with people as well as people agree with each other?

    Parameters
    ----------
    long : pandas.DataFrame
        ``unit,coder,code`` for the double-coded sample: two or more people and the model.
    model_coder : str
        The model's coder name (its model id).
    threshold : float
        Least acceptable alpha (Krippendorff's .667 for tentative conclusions; a plan setting).

    Returns
    -------
    pandas.DataFrame
        One row per code: ``code``, ``units``, ``human_alpha`` (among the people),
        ``model_alpha`` (mean of the model's alpha with each person), ``human_percent``,
        ``model_percent``, and ``coded_by``: ``model`` when model_alpha reaches both the people's alpha
        and the threshold, else ``people``.

    Notes
    -----
    Comparing the model with each person on the same units follows the validation designs of
    LLM-assisted coding (Dunivin 2024; Soria 2025): a code the model cannot code as reliably as a
    second person stays with people.

    Examples
    --------
    >>> long = pd.DataFrame({"unit": list("112233") * 2, "coder": ["a", "b"] * 3 + ["m", "m", "m", "x", "x", "x"],
    ...                      "code": ["s", "s", "t", "t", "s", "s", "s", "t", "s", "-", "-", "-"]})
    >>> model_gate(long[long.coder != "x"], "m")[["code", "coded_by"]].values.tolist()
    [['s', 'people'], ['t', 'people']]
    """
    people = sorted(set(long["coder"]) - {model_coder})
    if len(people) < 2 or model_coder not in set(long["coder"]):
        raise InputFormatError(f"the gate needs two or more people and the model {model_coder!r} on the same units; "
                               f"got people {', '.join(people) or 'none'}")
    units = set.intersection(*(set(long.loc[long["coder"] == coder, "unit"]) for coder in [*people, model_coder]))
    shared = long[long["unit"].isin(units)]
    rows = []
    for code in sorted(c for c in shared["code"].unique() if c):
        matrix = code_matrix(shared, code)
        human = matrix[people]
        pairs = [matrix[[model_coder, person]] for person in people]
        model_alphas = [value for value in (krippendorff_alpha(pair) for pair in pairs) if not np.isnan(value)]
        model_alpha = float(np.mean(model_alphas)) if model_alphas else np.nan
        human_alpha = krippendorff_alpha(human)
        model_ok = not np.isnan(model_alpha) and model_alpha >= threshold and (np.isnan(human_alpha) or model_alpha >= human_alpha)
        rows.append({
            "code": code, "units": len(units), "human_alpha": human_alpha, "model_alpha": model_alpha,
            "human_percent": percent_agreement(human),
            "model_percent": float(np.mean([percent_agreement(pair) for pair in pairs])),
            "coded_by": "model" if model_ok else "people",
        })
    return pd.DataFrame(rows)
