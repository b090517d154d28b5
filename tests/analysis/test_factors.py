"""Exploratory factor analysis: adequacy statistics by hand, factor retention and loadings on data with a
known structure."""

import numpy as np
import pandas as pd
import pytest

from analysis import factors


def exact_correlation_sample(corr, n, seed):
    """Data whose *sample* correlation matrix equals `corr` exactly (whiten, then colour)."""
    rng = np.random.default_rng(seed)
    raw = rng.standard_normal((n, corr.shape[0]))
    raw = raw - raw.mean(axis=0)
    whitened = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False))).T
    return pd.DataFrame(whitened @ np.linalg.cholesky(corr).T, columns=[f"x{i}" for i in range(corr.shape[0])])


def test_kmo_and_bartlett_by_hand_for_equicorrelated_items():
    # Three items, all r = .5, n = 100.
    # KMO (Kaiser, 1974): partial r = (r - r^2) / (1 - r^2) = 1/3, so
    #   KMO = 3 x .25 / (3 x .25 + 3 x 1/9) = 0.692308.
    # Bartlett (1950): |R| = (1 - r)^2 (1 + 2r) = 0.5; chi2 = -(n - 1 - (2p + 5)/6) ln|R|
    #   = (99 - 11/6) x 0.693147 = 67.3508, df = 3.
    corr = np.full((3, 3), 0.5) + 0.5 * np.eye(3)
    row = factors.adequacy(exact_correlation_sample(corr, 100, seed=1)).iloc[0]
    assert row["kmo"] == pytest.approx(0.692308, abs=1e-5)
    assert row["bartlett_chi2"] == pytest.approx(67.3508, abs=1e-3)
    assert row["bartlett_df"] == 3


def two_factor_items(n=1500, seed=2):
    rng = np.random.default_rng(seed)
    f1, f2 = rng.standard_normal(n), rng.standard_normal(n)
    items = {f"a{i}": 0.75 * f1 + 0.66 * rng.standard_normal(n) for i in range(4)}
    items |= {f"b{i}": 0.75 * f2 + 0.66 * rng.standard_normal(n) for i in range(4)}
    return pd.DataFrame(items)


def test_parallel_analysis_retains_the_two_simulated_factors():
    table = factors.parallel_analysis(two_factor_items(), seed=0)
    assert int(table["retain"].sum()) == 2


def test_oblique_efa_puts_each_item_on_its_own_factor():
    fitted = factors.efa(two_factor_items(), rotation="oblimin")
    loadings = fitted["loadings"].set_index("item")[["F1", "F2"]]
    primary = loadings.abs().idxmax(axis=1)
    assert primary[[f"a{i}" for i in range(4)]].nunique() == 1
    assert primary[[f"b{i}" for i in range(4)]].nunique() == 1
    assert primary["a0"] != primary["b0"]
    # Population loading .75 / sqrt(.75^2 + .66^2) = .75 / .999 = .751 (standardized).
    assert loadings.abs().max(axis=1).mean() == pytest.approx(0.751, abs=0.05)


def test_efa_with_two_items_gives_a_message():
    fitted = factors.efa(pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3]}))
    assert "at least three items" in fitted["summary"].loc[0, "message"] and fitted["loadings"].empty


def test_minres_recovers_loadings_of_an_exact_one_factor_matrix():
    # Reference by hand (Harman & Jones, 1966, Psychometrika 31(3): minres minimizes the
    # off-diagonal residuals): with R = l l' + diag(1 - l^2) for l = (.8, .7, .6, .5), e.g.
    # r_12 = .8 x .7 = .56, the residuals vanish exactly at l, so the fit must return l.
    # (Our own minres replaces factor_analyzer 0.5.1's FactorAnalyzer.fit, which fails with
    # scikit-learn >= 1.8.)
    from analysis.factors import minres_loadings

    loadings = np.array([0.8, 0.7, 0.6, 0.5])
    corr = np.outer(loadings, loadings)
    np.fill_diagonal(corr, 1.0)
    assert minres_loadings(corr, 1)[:, 0] == pytest.approx(loadings, abs=1e-4)


def test_minres_reproduces_an_exact_two_factor_structure_up_to_rotation():
    # By hand: Lambda with two simple-structure factors (.8, .7, .6 on F1; .7, .6, .5 on F2);
    # R = Lambda Lambda' + Psi. Unrotated loadings are only defined up to rotation, so compare
    # the rotation-invariant L L' (off-diagonal = r_ij) and communalities h2 = .64, .49, .36, .49, .36, .25.
    from analysis.factors import minres_loadings

    structure = np.array([[0.8, 0], [0.7, 0], [0.6, 0], [0, 0.7], [0, 0.6], [0, 0.5]])
    corr = structure @ structure.T
    np.fill_diagonal(corr, 1.0)
    fitted = minres_loadings(corr, 2)
    assert (fitted**2).sum(axis=1) == pytest.approx([0.64, 0.49, 0.36, 0.49, 0.36, 0.25], abs=1e-3)
    assert fitted @ fitted.T == pytest.approx(structure @ structure.T, abs=1e-3)


def test_parallel_analysis_uses_100_random_data_sets_and_the_95th_percentile_by_default():
    table = factors.parallel_analysis(two_factor_items(), seed=1)
    assert set(table["iterations"]) == {100} and set(table["percentile"]) == {95.0}


def test_parallel_analysis_random_eigenvalues_match_correlating_random_data():
    """The Wishart draws give the eigenvalues of correlating n x p random normal numbers: beside 4,000 such
    data sets made here directly (n = 200, p = 8), every 95th percentile agrees within .02 (Monte Carlo
    error of about .005 each)."""
    rng = np.random.default_rng(7)
    direct = np.array([np.sort(np.linalg.eigvalsh(np.corrcoef(rng.standard_normal((200, 8)), rowvar=False)))[::-1]
                       for _ in range(4000)])
    table = factors.parallel_analysis(pd.DataFrame(rng.standard_normal((200, 8))), n_iter=4000, seed=3)
    assert table["random"].to_numpy() == pytest.approx(np.quantile(direct, 0.95, axis=0), abs=0.02)
