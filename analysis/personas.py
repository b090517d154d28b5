"""Usage personas: k-means clusters of standardized usage features, and how each rates the platform."""

from __future__ import annotations

import numpy as np
import pandas as pd


def cluster_usage(features: pd.DataFrame, k_range=(2, 6), seed: int = 0, sample_size: int = 3000) -> dict:
    """Usage personas: k-means on z-standardized usage features, k chosen by silhouette.

    Parameters
    ----------
    features : pandas.DataFrame
        Numeric usage features; rows with a missing feature are left out.
    k_range : tuple of int
        Smallest and largest k tried.
    seed : int
        Seed of k-means and of the subsample.
    sample_size : int
        Rows on which k is chosen (silhouette is quadratic in n).

    Returns
    -------
    dict
        ``assignment`` (persona per row, numbered by size), ``choice`` (``k``, ``silhouette``),
        ``profiles`` (``persona``, ``n`` and the feature means) and ``message`` when no clustering
        was possible.

    Notes
    -----
    Features are standardized so that no unit dominates; mean silhouette width
    (Rousseeuw, 1987) picks k; the chosen k is fitted on everyone.

    References
    ----------
    Rousseeuw, P. J. (1987). Silhouettes. Journal of Computational and Applied Mathematics, 20, 53-65.

    Examples
    --------
    >>> features = pd.DataFrame({"days": [1, 2, 1, 2, 1, 30, 31, 30, 32, 31.0]})
    >>> found = cluster_usage(features, (2, 3), seed=1)
    >>> int(found["choice"].query("chosen")["k"].iloc[0])
    2
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    data = features.astype(float).dropna()
    empty = {"assignment": pd.Series(dtype="float", name="persona"), "choice": pd.DataFrame(), "profiles": pd.DataFrame()}
    usable = [c for c in data.columns if data[c].std(ddof=0) > 0]
    if len(usable) == 0 or len(data) < 10:
        empty["message"] = f"personas need usage features with variance and at least 10 linked respondents, got {len(data)}"
        return empty
    z = ((data[usable] - data[usable].mean()) / data[usable].std(ddof=0)).to_numpy()
    rng = np.random.default_rng(seed)
    subsample = z[np.sort(rng.choice(len(z), size=min(sample_size, len(z)), replace=False))]
    scores = []
    for k in range(k_range[0], min(k_range[1], len(subsample) - 1) + 1):
        model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(subsample)
        if len(set(model.labels_)) < 2:
            continue
        scores.append({"k": k, "silhouette": silhouette_score(subsample, model.labels_)})
    if not scores:
        empty["message"] = "k-means found no separable clusters"
        return empty
    choice = pd.DataFrame(scores)
    best = int(choice.loc[choice["silhouette"].idxmax(), "k"])
    choice["chosen"] = choice["k"] == best
    final = KMeans(n_clusters=best, n_init=4, random_state=seed).fit(z)
    labels = _order_labels(final.labels_, data[usable])
    assignment = pd.Series(labels, index=data.index, name="persona")
    profiles = data.assign(persona=labels).groupby("persona").agg(["median", "mean"])
    profiles.columns = [f"{c}_{s}" for c, s in profiles.columns]
    profiles.insert(0, "n", assignment.value_counts().sort_index())
    return {"assignment": assignment, "choice": choice, "profiles": profiles.reset_index(), "message": ""}


def _order_labels(labels: np.ndarray, data: pd.DataFrame) -> np.ndarray:
    """Number personas 1..k by size (largest first), so names are stable across runs."""
    sizes = pd.Series(labels).value_counts()
    order = sorted(sizes.index, key=lambda c: (-sizes[c], data.to_numpy()[labels == c].mean()))
    mapping = {old: new + 1 for new, old in enumerate(order)}
    return np.array([mapping[l] for l in labels])


def persona_ratings(frame: pd.DataFrame, assignment: pd.Series, outcomes: list[str]) -> pd.DataFrame:
    """n, mean and median of each outcome (e.g. SUS) per persona."""
    data = frame.loc[assignment.index, outcomes].astype(float).assign(persona=assignment)
    rows = []
    for persona, part in data.groupby("persona"):
        for outcome in outcomes:
            values = part[outcome].dropna()
            rows.append({"persona": persona, "outcome": outcome, "n": len(values),
                         "mean": values.mean() if len(values) else np.nan,
                         "median": values.median() if len(values) else np.nan})
    return pd.DataFrame(rows, columns=["persona", "outcome", "n", "mean", "median"])
