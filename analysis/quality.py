"""Sample flow (CHERRIES rates, drop-out by page) and data-quality flags.

Flags never remove anyone by themselves: the plan decides what is excluded, and the
counts of both flags and exclusions are reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STARTED = ("in_progress", "completed")


def _count(frame: pd.DataFrame, timestamp: str, statuses: tuple[str, ...]) -> int:
    if timestamp in frame:
        return int(frame[timestamp].notna().sum())
    if "status" in frame:
        return int(frame["status"].isin(statuses).sum())
    return int(len(frame))


def _rate(numerator: int, denominator) -> float:
    return numerator / denominator if denominator else np.nan


def cherries_rates(frame: pd.DataFrame, invited: int | None = None) -> pd.DataFrame:
    """View, participation and completion rates of the CHERRIES checklist.

    Parameters
    ----------
    frame : pandas.DataFrame
        The export's paradata (``status``, ``info_viewed_at``, ``consented_at``).
    invited : int, optional
        People invited; without it the view rate is null.

    Returns
    -------
    pandas.DataFrame
        One row: ``invited``, ``viewed``, ``consented``, ``completed``, ``view_rate``,
        ``participation_rate``, ``completion_rate`` and ``message``.

    Notes
    -----
    view rate = viewed / invited; participation rate = consented / viewed; completion rate =
    completed / consented (Eysenbach, 2004).

    References
    ----------
    Eysenbach, G. (2004). Improving the quality of web surveys: the Checklist for Reporting
    Results of Internet E-Surveys (CHERRIES). JMIR, 6(3), e34.

    Examples
    --------
    >>> frame = pd.DataFrame({"status": ["viewed", "completed"], "info_viewed_at": ["t", "t"],
    ...                       "consented_at": [None, "t"]})
    >>> float(cherries_rates(frame).loc[0, "participation_rate"])
    0.5
    """
    viewed = _count(frame, "info_viewed_at", ("viewed", *STARTED))
    consented = _count(frame, "consented_at", STARTED)
    completed = int((frame["status"] == "completed").sum()) if "status" in frame else int(len(frame))
    row = {
        "invited": invited, "viewed": viewed, "consented": consented, "completed": completed,
        "view_rate": _rate(viewed, invited), "participation_rate": _rate(consented, viewed),
        "completion_rate": _rate(completed, consented), "message": "",
    }
    if not invited:
        row["message"] = "no invitation count in the plan (population.invited): view rate not computable"
    if viewed == 0:
        row["message"] = "empty wave: nobody viewed the survey"
    return pd.DataFrame([row])


def dropout_by_page(frame: pd.DataFrame, page_order: list[str]) -> pd.DataFrame:
    """Where non-completers stopped: count of `last_page` among consented, unfinished responses."""
    if "last_page" not in frame:
        return pd.DataFrame(columns=["page", "n", "percent"])
    unfinished = frame
    if "status" in frame:
        unfinished = frame[frame["status"] == "in_progress"]
    counts = unfinished["last_page"].dropna().astype(str).value_counts()
    order = [p for p in page_order if p in counts.index] + sorted(set(counts.index) - set(page_order))
    total = int(counts.sum())
    rows = [{"page": p, "n": int(counts[p]), "percent": 100 * counts[p] / total} for p in order]
    return pd.DataFrame(rows, columns=["page", "n", "percent"])


def speeders(duration: pd.Series, fraction: float = 1 / 3) -> pd.Series:
    """True for durations below `fraction` of the median duration.

    A third of the median is a common cut-off for implausibly fast completion (Greszki,
    Meyer & Schoen, 2015, Public Opinion Quarterly 79(2), discussing relative speed
    indices); missing durations are not flagged.
    """
    duration = pd.to_numeric(duration, errors="coerce")
    median = duration.median()
    if np.isnan(median):
        return pd.Series(False, index=duration.index, name="speeder")
    return (duration < fraction * median).fillna(False).rename("speeder")


def straightliners(items: pd.DataFrame, min_answered: int = 3) -> pd.Series:
    """True when a respondent gave the identical answer to every row of a matrix
    (with at least `min_answered` rows answered; fewer answers cannot show a pattern)."""
    values = items.astype(float).to_numpy()
    answered = np.sum(~np.isnan(values), axis=1)
    enough = answered >= min_answered
    identical = np.zeros(len(values), dtype=bool)
    if enough.any():  # nanmax/nanmin of a row without answers would warn
        identical[enough] = np.nanmax(values[enough], axis=1) == np.nanmin(values[enough], axis=1)
    return pd.Series(identical & enough, index=items.index, name="straightliner")


def attention_failures(frame: pd.DataFrame, checks: list[dict]) -> pd.Series:
    """True when any attention check was answered other than its `pass` value(s).

    An unanswered check counts as failed: the respondent saw an instruction and did not follow it.
    """
    failed = pd.Series(False, index=frame.index)
    for check in checks:
        passing = check["pass"] if isinstance(check["pass"], list) else [check["pass"]]
        failed |= ~frame[check["column"]].isin(passing)
    return failed.rename("attention_failed")


def quality_flags(
    frame: pd.DataFrame,
    speed_fraction: float = 1 / 3,
    matrices: dict[str, list[str]] | None = None,
    attention_checks: list[dict] | None = None,
) -> pd.DataFrame:
    """One boolean column per check, plus `any_flag`; index as `frame`."""
    flags = pd.DataFrame(index=frame.index)
    if "duration_seconds" in frame:
        completed = frame["status"] == "completed" if "status" in frame else pd.Series(True, index=frame.index)
        flags["speeder"] = speeders(frame["duration_seconds"].where(completed), speed_fraction)
    for name, columns in (matrices or {}).items():
        flags[f"straightliner_{name}"] = straightliners(frame[columns])
    if attention_checks:
        flags["attention_failed"] = attention_failures(frame, attention_checks)
    flags["any_flag"] = flags.any(axis=1) if len(flags.columns) else False
    return flags


def flag_summary(flags: pd.DataFrame, excluded: list[str]) -> pd.DataFrame:
    """How many responses each check flagged, and whether the plan excludes them."""
    rows = [{"check": c, "flagged": int(flags[c].sum()), "percent": 100 * flags[c].mean() if len(flags) else np.nan,
             "excluded": c in excluded} for c in flags.columns]
    return pd.DataFrame(rows, columns=["check", "flagged", "percent", "excluded"])
