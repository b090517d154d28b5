"""Usage personas: clustering recovers groups of known structure, whatever the row order, and says when there is none."""

import numpy as np
import pytest
import pandas as pd

from analysis import personas


def test_personas_find_three_well_separated_usage_groups():
    rng = np.random.default_rng(4)
    centres = [(5, 10), (40, 200), (80, 30)]
    frame = pd.concat([pd.DataFrame({"days": rng.normal(d, 2, 60), "prompts": rng.normal(p, 5, 60)})
                       for d, p in centres], ignore_index=True)
    found = personas.cluster_usage(frame, (2, 6), seed=0)
    assert int(found["choice"].loc[found["choice"]["chosen"], "k"].iloc[0]) == 3
    assert sorted(found["profiles"]["n"]) == [60, 60, 60]


def test_personas_with_too_few_people_give_a_message():
    found = personas.cluster_usage(pd.DataFrame({"days": [1.0, 2.0, 3.0]}))
    assert "at least 10" in found["message"]


def test_personas_do_not_depend_on_row_order():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"days": rng.gamma(2, 5, 90), "chats": rng.poisson(20, 90).astype(float),
                          "tokens": rng.lognormal(8, 1, 90)})
    first = personas.cluster_usage(frame, (2, 5), seed=1, n_init=10, bootstraps=10)
    shuffled = frame.sample(frac=1, random_state=2)
    second = personas.cluster_usage(shuffled, (2, 5), seed=1, n_init=10, bootstraps=10)
    pd.testing.assert_frame_equal(first["choice"], second["choice"])
    pd.testing.assert_series_equal(first["assignment"], second["assignment"].sort_index())


def test_duplicate_features_count_once_and_the_message_says_so():
    rng = np.random.default_rng(3)
    days = rng.normal(10, 3, 60)
    frame = pd.DataFrame({"days": days, "logins": days.copy(), "chats": rng.normal(5, 1, 60)})
    found = personas.cluster_usage(frame, (2, 3), seed=0, n_init=5, bootstraps=5)
    assert found["features"] == ["days", "chats"]
    assert "logins left out: duplicates days (|r| > 0.95)" in found["notes"]


def test_rows_left_out_for_a_missing_feature_are_counted():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"days": rng.normal(10, 3, 100), "chats": rng.normal(5, 1, 100)})
    frame.loc[:4, "chats"] = np.nan  # 5 % missing: the rows go, the feature stays
    found = personas.cluster_usage(frame, (2, 3), seed=0, n_init=5, bootstraps=5)
    assert (found["n_used"], found["n_excluded"]) == (95, 5)
    assert "5 of 100 rows left out: a usage feature missing" in found["notes"]


def test_noise_without_groups_is_read_as_no_substantial_structure():
    """Kaufman & Rousseeuw (1990): uniform noise has no clusters; its silhouette stays at or below .25...
    for two uniform dimensions k-means cuts the square into pieces with a silhouette near .35-.40, so the
    test uses five, where it falls well below."""
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.uniform(size=(200, 5)), columns=list("abcde"))
    found = personas.cluster_usage(frame, (2, 4), seed=0, n_init=5, bootstraps=5)
    assert found["silhouette"] <= 0.25
    assert (found["reading"], found["substantial"]) == ("no substantial structure", False)


def test_above_the_cap_fits_stability_and_silhouette_use_samples_whatever_the_row_order(monkeypatch):
    """Three groups of 200 with a cap of 150: the clusters fitted on 150 rows (CLARA) still find k = 3 and
    put every one of the 600 rows where the clustering of all rows puts it, the silhouette of 150 seeded rows
    is within .05 of all 600 rows' (computed here directly), and row order does not matter."""
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    rng = np.random.default_rng(4)
    centres = [(5, 10), (12, 40), (25, 20)]
    frame = pd.concat([pd.DataFrame({"days": rng.normal(d, 3, 200), "prompts": rng.normal(p, 8, 200)})
                       for d, p in centres], ignore_index=True)
    full = personas.cluster_usage(frame, (2, 4), seed=0, n_init=5, bootstraps=5)
    monkeypatch.setattr(personas, "SUBSAMPLE_CAP", 150)
    first = personas.cluster_usage(frame, (2, 4), seed=0, n_init=5, bootstraps=5)
    second = personas.cluster_usage(frame.sample(frac=1, random_state=3), (2, 4), seed=0, n_init=5, bootstraps=5)

    assert int(first["choice"].loc[first["choice"]["chosen"], "k"].iloc[0]) == 3
    z = ((frame - frame.mean()) / frame.std(ddof=0)).to_numpy()
    all_rows = silhouette_score(z, first["assignment"].sort_index().to_numpy())
    assert first["silhouette"] != full["silhouette"] and abs(first["silhouette"] - all_rows) < 0.05
    assert any("samples of 150 of 600 rows (CLARA" in note for note in first["notes"])
    pd.testing.assert_frame_equal(first["choice"], second["choice"])
    assert first["n_used"] == 600 and len(first["assignment"]) == 600
    assert adjusted_rand_score(full["assignment"].sort_index(), first["assignment"].sort_index()) > 0.95


def test_mean_silhouettes_agree_with_scikit_learn_for_every_labelling_of_the_same_rows():
    """Three labellings of 700 rows, one with a cluster of a single row (width 0 by definition), scored in one
    pass, each equal to scikit-learn's silhouette_score to 1e-12."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(5)
    z = np.vstack([rng.normal(0, 1, (300, 3)), rng.normal(4, 1, (399, 3)), [[20.0, 20.0, 20.0]]])
    two = np.r_[np.zeros(300, int), np.ones(400, int)]
    three = np.r_[np.zeros(300, int), np.ones(399, int), [2]]
    noise = rng.integers(0, 4, 700)
    widths = personas.mean_silhouettes(z, [two, three, noise], chunk=128)
    assert widths == pytest.approx([silhouette_score(z, labels) for labels in (two, three, noise)], abs=1e-12)
    assert widths[0] > 0.5 and abs(widths[2]) < 0.05
