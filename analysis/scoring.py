"""Scores for standard instruments (SUS, UMUX-LITE, NPS) and for the plan's own scales."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

# Sauro & Lewis (2016), Quantifying the User Experience, 2nd ed., Table 8.5: the curved
# grading scale (CGS) for SUS means, lower bound of each grade.
SUS_GRADES = [
    (84.1, "A+"), (80.8, "A"), (78.9, "A-"), (77.2, "B+"), (74.1, "B"), (72.6, "B-"),
    (71.1, "C+"), (65.0, "C"), (62.7, "C-"), (51.7, "D"), (0.0, "F"),
]
# Lewis & Sauro (2018), "Item benchmarks for the System Usability Scale", JUS 13(3),
# Table 1: adjective ranges aligned with the CGS (after Bangor, Kortum & Miller, 2009).
SUS_ADJECTIVES = [
    (84.1, "Best Imaginable"), (80.8, "Excellent"), (71.1, "Good"), (51.7, "OK"),
    (25.1, "Poor"), (0.0, "Worst Imaginable"),
]


def _lookup(score: float, table) -> str | None:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    for lower, label in table:
        if score >= lower:
            return label
    return None


def sus_grade(score: float) -> str | None:
    """Sauro-Lewis curved grading scale letter for a SUS score or mean (None if missing)."""
    return _lookup(score, SUS_GRADES)


def sus_adjective(score: float) -> str | None:
    """Adjective rating (Best Imaginable ... Worst Imaginable) for a SUS score or mean."""
    return _lookup(score, SUS_ADJECTIVES)


def sus_scores(frame: pd.DataFrame, items: list[str], min_items: int = 10) -> pd.Series:
    """SUS score 0-100 per respondent.

    Parameters
    ----------
    frame : pandas.DataFrame
    items : list of str
        The ten SUS items in questionnaire order, answered 1-5.
    min_items : int
        Answered items needed; below 10 a missing item is prorated.

    Returns
    -------
    pandas.Series
        ``sus_score`` per respondent (NaN below ``min_items``).

    Notes
    -----
    Odd items contribute x - 1, even items 5 - x; the sum times 2.5 gives 0-100 (Brooke, 1996).
    With ``min_items`` < 10 the score is 25 times the mean contribution of the answered items
    (Lewis & Sauro, 2017).

    References
    ----------
    Brooke, J. (1996). SUS: A "quick and dirty" usability scale. In Usability Evaluation in Industry.
    Lewis, J. R., & Sauro, J. (2017). Can I leave this one out? JUS, 12(1), 1-11.

    Examples
    --------
    >>> answers = pd.DataFrame([[5, 1] * 5], columns=[f"sus_{i:02d}" for i in range(1, 11)])
    >>> float(sus_scores(answers, list(answers.columns)).iloc[0])
    100.0
    """
    contributions = sus_contributions(frame, items).to_numpy()
    answered = np.sum(~np.isnan(contributions), axis=1)
    with np.errstate(invalid="ignore"):
        mean_contribution = np.nanmean(np.where(answered[:, None] > 0, contributions, 0.0), axis=1)
    scores = mean_contribution * 10 * 2.5
    scores[answered < min_items] = np.nan
    return pd.Series(scores, index=frame.index, name="sus_score")


def sus_contributions(frame: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """Each SUS item as its 0-4 contribution: odd items x - 1, even items 5 - x (Brooke, 1996)."""
    if len(items) != 10:
        raise ValueError(f"SUS needs exactly 10 items in questionnaire order, got {len(items)}: {items}")
    values = frame[items].astype(float)
    return pd.DataFrame({item: values[item] - 1 if i % 2 == 0 else 5 - values[item] for i, item in enumerate(items)},
                        index=frame.index)


def umux_lite_scores(frame: pd.DataFrame, items: list[str], points: int = 7) -> pd.DataFrame:
    """UMUX-LITE 0-100 and its SUS-equivalent (Lewis, Utesch & Maher, 2013, CHI).

    UMUX-LITE = (x1 - 1 + x2 - 1) / (2 * (points - 1)) * 100; the regression-adjusted
    SUS-equivalent is 0.65 * UMUX-LITE + 22.9 (same paper). Both items are required.
    """
    if len(items) != 2:
        raise ValueError(f"UMUX-LITE needs exactly 2 items, got {len(items)}: {items}")
    values = frame[items].astype(float)
    raw = (values.iloc[:, 0] - 1 + values.iloc[:, 1] - 1) / (2 * (points - 1)) * 100
    return pd.DataFrame({"umux_lite": raw, "umux_lite_sus": 0.65 * raw + 22.9}, index=frame.index)


def nps_category(values: pd.Series) -> pd.Series:
    """promoter (9-10), passive (7-8), detractor (0-6) on the 0-10 recommend item (Reichheld, 2003)."""
    values = values.astype(float)
    category = pd.Series(pd.NA, index=values.index, dtype="string")
    category[values >= 9] = "promoter"
    category[(values >= 7) & (values <= 8)] = "passive"
    category[values <= 6] = "detractor"
    return category


def nps(values: pd.Series) -> pd.DataFrame:
    """Net Promoter Score with a Wald 95% CI.

    Parameters
    ----------
    values : pandas.Series
        Answers to the 0-10 recommend item.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``promoters``, ``passives``, ``detractors``, ``nps`` (-100 to 100),
        ``ci_low``, ``ci_high`` and ``message``.

    Notes
    -----
    NPS = % promoters (9-10) - % detractors (0-6) (Reichheld, 2003); the variance of the
    difference of two multinomial proportions is (p_pro + p_det - (p_pro - p_det)²) / n (Rocks, 2016).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". The American
    Statistician, 70(4), 365-372.

    Examples
    --------
    >>> float(nps(pd.Series([10, 9, 8, 3])).loc[0, "nps"])
    25.0
    """
    category = nps_category(values).dropna()
    n = int(len(category))
    if n == 0:
        return pd.DataFrame([{"n": 0, "promoters": 0, "passives": 0, "detractors": 0, "nps": np.nan,
                              "ci_low": np.nan, "ci_high": np.nan, "message": "no answers to the recommend item"}])
    pro, det = (category == "promoter").mean(), (category == "detractor").mean()
    score = pro - det
    se = math.sqrt(max(pro + det - score**2, 0.0) / n)
    z = stats.norm.ppf(0.975)
    return pd.DataFrame([{
        "n": n, "promoters": int((category == "promoter").sum()), "passives": int((category == "passive").sum()),
        "detractors": int((category == "detractor").sum()), "nps": 100 * score,
        "ci_low": 100 * max(score - z * se, -1), "ci_high": 100 * min(score + z * se, 1), "message": "",
    }])


def reverse_code(values: pd.Series, minimum: float, maximum: float) -> pd.Series:
    """x -> minimum + maximum - x, so that higher always means more of the construct."""
    return minimum + maximum - values.astype(float)


def scale_scores(
    frame: pd.DataFrame,
    items: list[str],
    reverse: list[str] = (),
    ranges: dict[str, tuple[float, float]] | None = None,
    min_items: int | None = None,
    name: str = "score",
) -> pd.Series:
    """Mean of the (reverse-coded) items per respondent.

    Parameters
    ----------
    frame : pandas.DataFrame
    items : list of str
    reverse : list of str
        Items to reverse-code as min + max - x.
    ranges : dict
        (min, max) of each reverse-coded item.
    min_items : int, optional
        Answered items needed; default half the items rounded up.
    name : str
        Name of the returned series.

    Returns
    -------
    pandas.Series
        The score per respondent, missing below ``min_items`` answered items.

    Notes
    -----
    The "half rule" (e.g. Newman, 2014): a mean of too few items is not the construct any more.

    References
    ----------
    Newman, D. A. (2014). Missing data: Five practical guidelines. Organizational Research
    Methods, 17(4), 372-411.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [5.0, 4.0], "b": [1.0, None]})
    >>> scale_scores(frame, ["a", "b"], reverse=["b"], ranges={"b": (1, 5)}).tolist()
    [5.0, 4.0]
    """
    ranges = ranges or {}
    data = frame[list(items)].astype(float).copy()
    for item in reverse:
        if item not in ranges:
            raise ValueError(f"scale {name!r}: reverse-coded item {item!r} needs its min/max in the codebook or plan")
        data[item] = reverse_code(data[item], *ranges[item])
    needed = math.ceil(len(items) / 2) if min_items is None else int(min_items)
    answered = data.notna().sum(axis=1)
    score = data.mean(axis=1, skipna=True).where(answered >= needed)
    return score.rename(name)


def score_summary(scores: pd.Series, name: str) -> pd.DataFrame:
    """n, mean with a t-based 95% CI, SD, median and quartiles of a score.

    Parameters
    ----------
    scores : pandas.Series
    name : str

    Returns
    -------
    pandas.DataFrame
        One row: ``score``, ``n``, ``missing``, ``mean``, ``sd``, ``ci_low``, ``ci_high``,
        ``median``, ``q1``, ``q3`` and ``message``.

    Notes
    -----
    CI = mean ± t(0.975, n - 1) SD / sqrt(n).

    Examples
    --------
    >>> float(score_summary(pd.Series([1.0, 2.0, 3.0]), "x").loc[0, "mean"])
    2.0
    """
    valid = scores.dropna().astype(float)
    n = len(valid)
    row = {"score": name, "n": n, "missing": int(scores.isna().sum()), "mean": np.nan, "sd": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "median": np.nan, "q1": np.nan, "q3": np.nan, "message": ""}
    if n == 0:
        row["message"] = f"{name}: no respondent could be scored"
        return pd.DataFrame([row])
    row.update(mean=valid.mean(), median=valid.median(), q1=valid.quantile(0.25), q3=valid.quantile(0.75))
    if n < 2:
        row["message"] = f"{name}: one scored respondent, no SD or CI"
        return pd.DataFrame([row])
    sd = valid.std(ddof=1)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    row.update(sd=sd, ci_low=row["mean"] - half, ci_high=row["mean"] + half)
    return pd.DataFrame([row])


def sus_summary(scores: pd.Series) -> pd.DataFrame:
    """`score_summary` plus the grade and adjective of the mean and of its CI limits."""
    summary = score_summary(scores, "sus")
    mean = summary.loc[0, "mean"]
    summary["grade"] = sus_grade(mean)
    summary["adjective"] = sus_adjective(mean)
    summary["grade_ci_low"] = sus_grade(summary.loc[0, "ci_low"])
    summary["grade_ci_high"] = sus_grade(summary.loc[0, "ci_high"])
    return summary
