"""Exploratory factor analysis: sampling adequacy, number of factors, oblique loadings."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def adequacy(items: pd.DataFrame) -> pd.DataFrame:
    """Sampling adequacy: overall KMO and Bartlett's test of sphericity.

    Parameters
    ----------
    items : pandas.DataFrame
        Three or more items; listwise deletion.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``items``, ``kmo``, ``bartlett_chi2``, ``bartlett_df``, ``bartlett_p``
        and ``message``.

    Notes
    -----
    KMO = Σr² / (Σr² + Σq²) over the off-diagonal correlations r and partial correlations q
    (Kaiser, 1974); Bartlett χ² = -(n - 1 - (2p + 5)/6) ln|R| with p(p - 1)/2 df (Bartlett, 1950).

    References
    ----------
    Kaiser, H. F. (1974). Psychometrika, 39(1), 31-36.
    Bartlett, M. S. (1950). British Journal of Statistical Psychology, 3(2), 77-85.

    Examples
    --------
    >>> adequacy(pd.DataFrame({"a": [1, 2], "b": [2, 1]})).loc[0, "message"]
    'factor analysis needs at least three items, got 2'
    """
    from factor_analyzer.factor_analyzer import calculate_bartlett_sphericity, calculate_kmo

    data = items.astype(float).dropna()
    n, p = data.shape
    row = {"n": n, "items": p, "kmo": np.nan, "bartlett_chi2": np.nan, "bartlett_df": p * (p - 1) / 2,
           "bartlett_p": np.nan, "message": ""}
    problem = _problem(data)
    if problem:
        row["message"] = problem
        return pd.DataFrame([row])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, kmo = calculate_kmo(data)
        chi2, p_value = calculate_bartlett_sphericity(data)
    row.update(kmo=kmo, bartlett_chi2=chi2, bartlett_p=p_value)
    return pd.DataFrame([row])


def minres_loadings(corr: np.ndarray, n_factors: int) -> np.ndarray:
    """Unrotated minimum-residual (ULS) loadings of a correlation matrix.

    Minimizes the squared residuals of R - diag(psi) - LL' over the uniquenesses psi,
    started at 1 - SMC, as psych::fa(fm = "minres") does (Harman & Jones, 1966). Written
    here because factor_analyzer 0.5.1's FactorAnalyzer.fit fails on scikit-learn >= 1.8.
    """
    from scipy.optimize import minimize

    p = corr.shape[0]

    def loadings_for(psi):
        values, vectors = np.linalg.eigh(corr - np.diag(psi))
        top = np.argsort(values)[::-1][:n_factors]
        return vectors[:, top] * np.sqrt(np.maximum(values[top], 0))

    def residual(psi):
        loadings = loadings_for(psi)
        return np.sum((corr - np.diag(psi) - loadings @ loadings.T) ** 2)

    smc = 1 - 1 / np.diag(np.linalg.pinv(corr))
    start = np.clip(1 - smc, 0.005, 1)
    fit = minimize(residual, start, method="L-BFGS-B", bounds=[(0.005, 1)] * p)
    loadings = loadings_for(fit.x)
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1
    return loadings * signs  # the sign of a factor is arbitrary: most items load positively


def rotate(loadings: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Rotated loadings and, for oblique rotations, the factor correlation matrix."""
    from factor_analyzer.rotator import Rotator

    if loadings.shape[1] < 2 or method in (None, "none"):
        return loadings, None
    rotator = Rotator(method=method)
    rotated = rotator.fit_transform(loadings)
    signs = np.sign(rotated.sum(axis=0))
    signs[signs == 0] = 1
    phi = rotator.phi_
    if phi is not None:
        phi = np.diag(signs) @ phi @ np.diag(signs)
    order = np.argsort(-(rotated**2).sum(axis=0), kind="stable")  # largest factor first
    rotated = (rotated * signs)[:, order]
    return rotated, None if phi is None else phi[np.ix_(order, order)]


def _problem(data: pd.DataFrame) -> str:
    n, p = data.shape
    if p < 3:
        return f"factor analysis needs at least three items, got {p}"
    if n <= p:
        return f"{n} complete response(s) for {p} items: correlation matrix is singular"
    constant = [c for c in data.columns if data[c].nunique() < 2]
    if constant:
        return f"constant item(s) {constant}: correlations not defined"
    return ""


NO_ROTATION = "none (one factor)"  # the summary's rotation when one factor is fitted: nothing to rotate
PARALLEL_ITERATIONS = 100  # random data sets; reviewers expect at least 100 (Hayton, Allen & Scarpello, 2004)


def parallel_analysis(items: pd.DataFrame, n_iter: int = PARALLEL_ITERATIONS, quantile: float = 0.95,
                      seed: int = 0) -> pd.DataFrame:
    """Horn's parallel analysis with the 95th-percentile criterion.

    Parameters
    ----------
    items : pandas.DataFrame
        Item columns; listwise deletion.
    n_iter : int
        Random normal data sets of the same size (default 100).
    quantile : float
        Percentile of the random eigenvalues a factor must exceed (Glorfeld, 1995: 0.95).
    seed : int
        Seed of the random data.

    Returns
    -------
    pandas.DataFrame
        One row per component: ``component``, ``observed`` and ``random`` eigenvalues (of the
        correlation matrix), ``retain`` (leading run above chance), ``iterations`` and
        ``percentile``.

    Notes
    -----
    Retain component j while λ_j exceeds the chosen percentile of the j-th eigenvalues of
    ``n_iter`` random data sets (principal-component eigenvalues, as Horn, 1965). A random data set is
    n rows of p independent standard normal variables; its correlation matrix depends on the rows only
    through their centred cross-product matrix, which is Wishart(n - 1, I_p) distributed (Anderson, 2003,
    Theorem 3.3.2). So each random correlation matrix is drawn from that Wishart distribution by Bartlett's
    decomposition and scaled to unit diagonal: the same distribution of eigenvalues as from generating
    and correlating n x p random numbers, at a cost that does not grow with n (at 40,000 responses the
    random numbers took most of the factor analysis).

    References
    ----------
    Anderson, T. W. (2003). An introduction to multivariate statistical analysis (3rd ed.). Wiley.
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    Psychometrika, 30(2), 179-185.
    Glorfeld, L. W. (1995). An improvement on Horn's parallel analysis methodology.
    Educational and Psychological Measurement, 55(3), 377-393.
    Hayton, J. C., Allen, D. G., & Scarpello, V. (2004). Organizational Research Methods,
    7(2), 191-205.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.standard_normal(200)
    >>> items = pd.DataFrame({f"i{j}": f + 0.5 * rng.standard_normal(200) for j in range(4)})
    >>> int(parallel_analysis(items, seed=1)["retain"].sum())
    1
    """
    data = items.astype(float).dropna()
    n, p = data.shape
    observed = np.sort(np.linalg.eigvalsh(np.corrcoef(data.to_numpy(), rowvar=False)))[::-1]
    from scipy.stats import wishart

    cross_products = wishart(df=n - 1, scale=np.eye(p)).rvs(size=n_iter, random_state=np.random.default_rng(seed))
    cross_products = cross_products.reshape(n_iter, p, p)  # one draw comes without its leading axis
    scale = 1 / np.sqrt(np.diagonal(cross_products, axis1=1, axis2=2))
    correlations = cross_products * scale[:, :, None] * scale[:, None, :]
    simulated = np.sort(np.linalg.eigvalsh(correlations), axis=1)[:, ::-1]
    threshold = np.quantile(simulated, quantile, axis=0)
    retain = observed > threshold
    # Only the leading run counts: a later eigenvalue above chance after one below is noise.
    leading = np.cumprod(retain).astype(bool)
    return pd.DataFrame({"component": np.arange(1, p + 1), "observed": observed, "random": threshold, "retain": leading,
                         "iterations": n_iter, "percentile": 100 * quantile})


def efa(items: pd.DataFrame, n_factors: int | None = None, rotation: str = "oblimin", seed: int = 0,
        parallel_iterations: int = PARALLEL_ITERATIONS) -> dict:
    """Fit an EFA (minimum residual) and return `{'summary', 'loadings', 'parallel'}` tables.

    Oblique rotation by default because attitudes towards one platform are expected to
    correlate (Fabrigar et al., 1999, Psychological Methods 4(3)).
    """
    data = items.astype(float).dropna()
    summary = adequacy(items)
    if summary.loc[0, "message"]:
        return {"summary": summary, "loadings": pd.DataFrame(), "parallel": pd.DataFrame(),
                "factor_correlations": pd.DataFrame()}
    parallel = parallel_analysis(data, parallel_iterations, seed=seed)
    suggested = int(parallel["retain"].sum())
    k = int(n_factors or max(suggested, 1))
    summary["factors_suggested"] = suggested
    summary["factors_fitted"] = k
    summary["rotation"] = rotation if k > 1 else NO_ROTATION
    unrotated = minres_loadings(np.corrcoef(data.to_numpy(), rowvar=False), k)
    rotated, phi = rotate(unrotated, rotation)
    names = [f"F{i + 1}" for i in range(k)]
    loadings = pd.DataFrame(rotated, columns=names)
    loadings.insert(0, "item", list(data.columns))
    # Communality is rotation-invariant only as h2 = diag(L Phi L'); with Phi = I it is the row sum of squares.
    loadings["communality"] = np.sum(unrotated**2, axis=1)
    correlations = pd.DataFrame(phi, columns=names).assign(factor=names) if phi is not None else pd.DataFrame()
    return {"summary": summary, "loadings": loadings, "parallel": parallel, "factor_correlations": correlations}
