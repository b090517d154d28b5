"""Usage personas: k-means clusters of standardized usage features, and how each rates the platform."""

from __future__ import annotations

import numpy as np
import pandas as pd


# Kaufman & Rousseeuw (1990, p. 88): a mean silhouette width of .25 or less means no substantial structure.
SUBSTANTIAL_STRUCTURE = 0.25
READINGS = ((0.70, "strong structure"), (0.50, "reasonable structure"), (SUBSTANTIAL_STRUCTURE, "weak structure"))
COLLINEAR = 0.95  # |r| above which a feature adds nothing the other does not already say
MOSTLY_MISSING = 0.10  # a feature missing for more than this share of rows is left out rather than the rows
SUBSAMPLE_CAP = 5_000  # rows above which stability and silhouette are estimated on subsamples (Notes)


def silhouette_reading(silhouette: float) -> str:
    """The reading of a mean silhouette width by Kaufman & Rousseeuw (1990)."""
    return next((reading for bound, reading in READINGS if silhouette > bound), "no substantial structure")


def usable_features(features: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The features worth clustering on and a message per feature left out: mostly missing, constant,
    or a duplicate of (|r| > .95 with) an earlier feature, which would count the same thing twice."""
    data = features.astype(float)
    messages = []
    for column in list(data.columns):
        share = data[column].isna().mean()
        if share > MOSTLY_MISSING:
            messages.append(f"{column} left out: missing for {share:.0%} of rows")
            data = data.drop(columns=column)
    complete = data.dropna()
    kept: list[str] = []
    for column in data.columns:
        if complete[column].std(ddof=0) == 0:
            messages.append(f"{column} left out: constant")
            continue
        twin = next((k for k in kept if abs(complete[column].corr(complete[k])) > COLLINEAR), None)
        if twin is not None:
            messages.append(f"{column} left out: duplicates {twin} (|r| > {COLLINEAR})")
            continue
        kept.append(column)
    return data[kept], messages


def cluster_usage(features: pd.DataFrame, k_range=(2, 6), seed: int = 0, n_init: int = 25,
                  bootstraps: int = 20) -> dict:
    """Usage personas: k-means on z-standardised usage features, k chosen by bootstrap stability.

    Parameters
    ----------
    features : pandas.DataFrame
        Numeric usage features, one row per respondent; rows without any (not linked) are not in scope.
    k_range : tuple of int
        Smallest and largest k tried.
    seed : int
        Seed of the k-means initialisations and of the bootstrap samples.
    n_init : int
        k-means initialisations per fit (the best is kept).
    bootstraps : int
        Bootstrap samples per k for the stability of the clustering.

    Returns
    -------
    dict
        ``assignment`` (persona per row used, numbered by size), ``choice`` (``k``, ``stability``,
        ``silhouette``, ``chosen``), ``profiles`` (``persona``, ``n`` and the feature medians and means),
        ``silhouette``, ``reading``, ``substantial`` (silhouette above .25), ``n_used``, ``n_excluded``,
        ``features`` (used), ``sample`` (rows per sample above ``SUBSAMPLE_CAP``, else None), ``notes`` (features
        left out and why, samples used) and ``message`` when no clustering was possible.

    Notes
    -----
    Rows are put in a canonical order (sorted by their values) before anything random happens, so the
    result does not depend on the order of the export. For each k the clustering of all rows is compared
    with clusterings of bootstrap samples by the adjusted Rand index (Hubert & Arabie, 1985) of the labels
    both give every row; the k with the highest mean index is the most stable (Lange et al., 2004; Hennig,
    2007), ties to the smaller k. Its mean silhouette width (Rousseeuw, 1987) is read by Kaufman &
    Rousseeuw (1990): .25 or less means no substantial structure, and the clusters should not be read
    as types.

    Above ``SUBSAMPLE_CAP`` (5,000) rows the work that grows with the data uses samples of that size, as
    CLARA does for k-medoids (Kaufman & Rousseeuw, 1990, ch. 3): each k is fitted on 5,000 rows drawn
    without replacement and every row is then assigned to its nearest centre (the personas, their sizes
    and profiles cover all rows); the stability fits cluster bootstrap samples of m = 5,000 rows drawn
    with replacement (m-out-of-n bootstrap; subsamples are the resampling scheme of Lange et al., 2004,
    and one of Hennig's, 2007), each compared by the adjusted Rand index with the assignment of the 5,000
    rows the clusters were fitted on; the silhouette, which needs all pairwise distances (n² / 2: 840
    million at 41,000 rows), is the mean over those rows too, whose standard error (the widths' SD over
    sqrt(5,000), below .01) is small beside the .25/.50/.70 bounds of its reading. All draws come after the canonical order, so they do not depend on
    the order of the export; up to the cap nothing changes. A note says when samples were used.

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. Computational Statistics & Data
    Analysis, 52(1), 258-271.
    Kaufman, L., & Rousseeuw, P. J. (1990). Finding groups in data. Wiley.
    Lange, T., Roth, V., Braun, M. L., & Buhmann, J. M. (2004). Stability-based validation of clustering
    solutions. Neural Computation, 16(6), 1299-1323.
    Rousseeuw, P. J. (1987). Silhouettes. Journal of Computational and Applied Mathematics, 20, 53-65.

    Examples
    --------
    >>> features = pd.DataFrame({"days": [1, 2, 1, 2, 1, 30, 31, 30, 32, 31.0]})
    >>> found = cluster_usage(features, (2, 3), seed=1, n_init=5, bootstraps=5)
    >>> int(found["choice"].query("chosen")["k"].iloc[0]), found["reading"]
    (2, 'strong structure')
    """
    import sklearn.cluster  # noqa: F401 - loads scikit-learn's OpenMP runtime, so the limit below reaches it
    from threadpoolctl import threadpool_limits

    # One thread (OpenMP and BLAS): the fits are small and many (about 500), and on a machine whose cores
    # are busy (a report worker beside the web server, the test suite) OpenMP's waiting threads made them
    # cost 112 s of CPU instead of 2.8 s. The numbers are the same either way.
    with threadpool_limits(limits=1):
        return _cluster_usage(features, k_range, seed, n_init, bootstraps)


def _cluster_usage(features: pd.DataFrame, k_range, seed: int, n_init: int, bootstraps: int) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    linked = features[features.notna().any(axis=1)]  # rows without any usage (no linkage) are not in scope
    data, notes = usable_features(linked)
    n_total = len(linked)
    data = data.dropna()
    empty = {"assignment": pd.Series(dtype="float", name="persona"), "choice": pd.DataFrame(),
             "profiles": pd.DataFrame(), "n_used": len(data), "n_excluded": n_total - len(data), "notes": notes,
             "features": list(data.columns), "silhouette": np.nan, "reading": "", "substantial": False}
    if data.shape[1] == 0 or len(data) < 10:
        empty["message"] = (f"personas need usage features with variance and at least 10 respondents with all of "
                            f"them, got {len(data)}")
        return empty
    if len(data) < n_total:
        notes = notes + [f"{n_total - len(data)} of {n_total} rows left out: a usage feature missing"]
    # Canonical order: the same people give the same input whatever order the export had.
    data = data.iloc[np.lexsort(data.to_numpy().T[::-1])]
    z = ((data - data.mean()) / data.std(ddof=0)).to_numpy()
    rng = np.random.default_rng(seed)
    m = min(len(z), SUBSAMPLE_CAP)  # m-out-of-n above the cap: see the Notes
    samples = [rng.integers(0, len(z), m) for _ in range(bootstraps)]
    scored = np.arange(len(z))  # the rows the clusters are fitted on and stability and silhouette scored on
    if len(z) > SUBSAMPLE_CAP:
        scored = np.sort(rng.choice(len(z), SUBSAMPLE_CAP, replace=False))
        notes = notes + [f"clusters fitted, and stability and silhouette estimated, on samples of {SUBSAMPLE_CAP:,} "
                         f"of {len(z):,} rows (CLARA, m-out-of-n); every row assigned to its nearest centre"]
    rows, assigned = [], {}
    for k in range(k_range[0], min(k_range[1], len(z) - 1) + 1):
        fit = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z[scored])
        assigned[k] = fit.labels_ if len(scored) == len(z) else fit.predict(z)
        if len(set(assigned[k])) < 2:
            continue
        agreement = [adjusted_rand_score(assigned[k][scored], KMeans(n_clusters=k, n_init=5, random_state=seed)
                                         .fit(z[sample]).predict(z[scored])) for sample in samples]
        rows.append({"k": k, "stability": float(np.mean(agreement))})
    widths = mean_silhouettes(z[scored], [assigned[row["k"]][scored] for row in rows])
    rows = [{**row, "silhouette": width} for row, width in zip(rows, widths)]
    if not rows:
        empty["message"] = "k-means found no separable clusters"
        return empty
    choice = pd.DataFrame(rows)
    best = int(choice.loc[choice["stability"].round(6).idxmax(), "k"])
    choice["chosen"] = choice["k"] == best
    silhouette = float(choice.loc[choice["chosen"], "silhouette"].iloc[0])
    labels = _order_labels(assigned[best], data)
    assignment = pd.Series(labels, index=data.index, name="persona").sort_index()
    profiles = data.assign(persona=labels).groupby("persona").agg(["median", "mean"])
    profiles.columns = [f"{c}_{s}" for c, s in profiles.columns]
    profiles.insert(0, "n", assignment.value_counts().sort_index())
    return {"assignment": assignment, "choice": choice, "profiles": profiles.reset_index(), "message": "",
            "silhouette": silhouette, "reading": silhouette_reading(silhouette),
            "substantial": silhouette > SUBSTANTIAL_STRUCTURE, "n_used": len(data), "n_excluded": n_total - len(data),
            "features": list(data.columns), "sample": SUBSAMPLE_CAP if len(z) > SUBSAMPLE_CAP else None, "notes": notes}


def mean_silhouettes(z: np.ndarray, labelings: list[np.ndarray], chunk: int = 500) -> list[float]:
    """The mean silhouette width (Rousseeuw, 1987) of each labelling of the same rows, as scikit-learn's
    ``silhouette_score`` gives it (0 for a row alone in its cluster), from one pass over the Euclidean distances.

    Every k of a run is scored on the same rows: computing their distances once, in chunks of rows, instead of
    once per k made the silhouettes of five k ten times cheaper."""
    from scipy.spatial.distance import cdist

    onehots = [np.eye(labels.max() + 1)[labels] for labels in labelings]
    sums = [np.empty((len(z), onehot.shape[1])) for onehot in onehots]  # distance sums per row and cluster
    for start in range(0, len(z), chunk):
        distances = cdist(z[start:start + chunk], z)
        for total, onehot in zip(sums, onehots):
            total[start:start + chunk] = distances @ onehot
    widths = []
    rows = np.arange(len(z))
    for total, labels in zip(sums, labelings):
        sizes = np.bincount(labels)
        within = total[rows, labels] / np.maximum(sizes[labels] - 1, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            others = np.where(sizes > 0, total / sizes, np.inf)
        others[rows, labels] = np.inf
        nearest = others.min(axis=1)
        width = np.where(sizes[labels] > 1, (nearest - within) / np.maximum(within, nearest), 0.0)
        widths.append(float(np.mean(np.nan_to_num(width))))
    return widths


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
