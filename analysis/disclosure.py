"""Statistical disclosure control for every table that counts people.

Primary suppression hides counts 1..threshold-1 (zero is shown: it reveals no person).
Secondary suppression then hides the smallest further cell in every row/column of a
table whose total is published and in which exactly one cell is hidden, because
total - visible cells would give the hidden count back (Hundepool et al., 2012,
Statistical Disclosure Control, sec. 4.2 and 5.2: "complementary suppression").
Suppressed values are replaced by a marker string, never dropped, so readers see that
something was withheld: "<5" for a small count, SECONDARY for a count that may be large and
is hidden only so that a small one cannot be worked out (printing "<5" there would misstate it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 5
SECONDARY = "(s)"  # a cell hidden by secondary suppression: not small, withheld to protect another


def marker(threshold: int = DEFAULT_THRESHOLD) -> str:
    return f"<{threshold}"


def _primary(counts: np.ndarray, threshold: int) -> np.ndarray:
    return (counts > 0) & (counts < threshold)


def _complete_line(counts: np.ndarray, hidden: np.ndarray, line: np.ndarray) -> bool:
    """Hide one more cell on `line` (index array) if exactly one is hidden there."""
    if hidden[line].sum() != 1:
        return False
    candidates = [i for i in line if not hidden[i] and counts[i] > 0]
    if not candidates:
        # Only zeros left visible: the line total *is* the hidden count, and it is below
        # the threshold, so suppress_crosstab hides that margin instead.
        return False
    smallest = min(candidates, key=lambda i: (counts[i], i))
    hidden[smallest] = True
    return True


def suppression_mask(counts: pd.DataFrame | pd.Series, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """Boolean mask of cells to hide in a one- or two-way count table with published margins."""
    values = np.asarray(counts, dtype=float)
    values = np.nan_to_num(values, nan=0.0)
    two_way = values.ndim == 2
    grid = values if two_way else values.reshape(1, -1)
    hidden = _primary(grid, threshold)
    flat_counts, flat_hidden = grid.ravel(), hidden.ravel()
    n_rows, n_cols = grid.shape
    lines = [np.arange(r * n_cols, (r + 1) * n_cols) for r in range(n_rows)]
    if two_way:
        lines += [np.arange(c, n_rows * n_cols, n_cols) for c in range(n_cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            changed |= _complete_line(flat_counts, flat_hidden, line)
    mask = flat_hidden.reshape(grid.shape)
    return mask if two_way else mask.ravel()


def suppress_frequencies(
    table: pd.DataFrame,
    count_column: str = "n",
    derived_columns: tuple[str, ...] = ("percent",),
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """A one-way frequency table (total published) with small counts and their percents marked.

    Adds a boolean column `suppressed`.
    """
    table = table.copy()
    counts = pd.to_numeric(table[count_column], errors="coerce").fillna(0)
    mask = suppression_mask(counts, threshold)
    table["suppressed"] = mask
    primary = _primary(counts.to_numpy(dtype=float), threshold)
    for column in (count_column, *[c for c in derived_columns if c in table]):
        table[column] = _marked(table[column], mask, primary, threshold)
    return table


def _marked(values, mask, primary, threshold: int):
    """Values with primary cells as "<threshold" and secondary ones as SECONDARY."""
    shown = values.astype(object).where(~mask, SECONDARY)
    return shown.where(~primary, marker(threshold))


def suppress_crosstab(counts: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """A two-way table of counts with margins ("Total" row and column) added and protected."""
    mask = suppression_mask(counts, threshold)
    mark = marker(threshold)
    counts = counts.copy()
    counts.columns = counts.columns.astype(str)  # categorical columns cannot take a "Total" column
    counts.index = counts.index.astype(str)
    primary = _primary(np.nan_to_num(np.asarray(counts, dtype=float)), threshold)
    shown = counts.astype(object).where(~mask, SECONDARY).where(~primary, mark)
    shown["Total"] = counts.sum(axis=1).astype(int).astype(object)
    totals = counts.sum(axis=0).astype(int).astype(object).tolist() + [int(counts.values.sum())]
    shown.loc["Total"] = totals
    # A margin itself below the threshold would show a small group: hide it too.
    for label in shown.index[:-1]:
        if 0 < counts.loc[label].sum() < threshold:
            shown.loc[label, "Total"] = mark
    for column in counts.columns:
        if 0 < counts[column].sum() < threshold:
            shown.loc["Total", column] = mark
    return shown


def mask_small_groups(table: pd.DataFrame, n_column: str, stat_columns, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Hide n and the summary statistics of groups smaller than the threshold.

    A median or mean of one or two people is their answer; so these are withheld too.
    """
    table = table.copy()
    n = pd.to_numeric(table[n_column], errors="coerce").fillna(0)
    small = (n > 0) & (n < threshold)
    mark = marker(threshold)
    for column in (n_column, *[c for c in stat_columns if c in table]):
        table[column] = table[column].astype(object).where(~small, mark)
    table["suppressed"] = small.to_numpy()
    return table
