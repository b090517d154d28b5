"""Change between waves: paired tests for linked pseudonymous waves against R's documented
wilcox.test example, independent-sample tests otherwise, and the plan section around them."""

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from analysis import dataset_from_frames, longitudinal, run_plan
from tests.analysis.builders import codebook_for

# R ?wilcox.test, Hollander & Wolfe (1973) p. 29f: Hamilton depression scale at the first (x) and
# second (y) visit. wilcox.test(x, y, paired = TRUE, alternative = "greater"): V = 40, p-value = 0.01953
# (= 10 / 512, exact); the two-sided exact p is twice that, 20 / 512 = 0.0390625.
HW_FIRST = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_SECOND = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def test_signed_rank_test_gives_rs_exact_p_for_the_depression_example():
    # Change = after - before; with before = y and after = x it is R's x - y, so V = 40.
    row = longitudinal.paired_change(HW_SECOND, HW_FIRST).iloc[0]
    assert (row["n_linked"], row["V"], row["method"]) == (9, 40, "exact")
    assert row["p"] == pytest.approx(20 / 512, abs=1e-12)
    # Kerby (2014): T+ = 40, T- = 45 - 40 = 5, r = (40 - 5) / 45 = 0.777778.
    assert row["r_rb"] == pytest.approx(35 / 45)


def test_paired_t_test_is_the_one_sample_t_of_the_changes():
    row = longitudinal.paired_change(HW_SECOND, HW_FIRST).iloc[0]
    changes = [a - b for a, b in zip(HW_FIRST, HW_SECOND)]
    mean, sd = statistics.mean(changes), statistics.stdev(changes)
    assert row["t"] == pytest.approx(mean / (sd / math.sqrt(9)), rel=1e-9)
    assert row["df"] == 8
    assert row["d_z"] == pytest.approx(mean / sd, rel=1e-9)


def test_pairs_with_a_missing_wave_are_dropped_and_counted():
    row = longitudinal.paired_change(HW_SECOND + [1.0], HW_FIRST + [np.nan]).iloc[0]
    assert row["n_linked"] == 9


def test_a_pseudonym_occurring_twice_in_a_wave_is_not_linked():
    previous = pd.DataFrame({"pseudonym": ["a", "a", "b"], "sus": [50.0, 55.0, 60.0]})
    current = pd.DataFrame({"pseudonym": ["a", "b"], "sus": [70.0, 65.0]})
    linked = longitudinal.link_waves(previous, current, "pseudonym", ["sus"])
    assert list(linked.index) == ["b"] and linked.loc["b", "sus_before"] == 60.0


def test_unlinked_waves_are_compared_as_independent_samples():
    previous = pd.DataFrame({"sus": [40.0, 45.0, 50.0, 55.0], "role": [1, 1, 2, 2]})
    current = pd.DataFrame({"sus": [60.0, 65.0, 70.0, 75.0], "role": [1, 2, 2, 2]})
    table = longitudinal.wave_change(previous, current, ["sus", "role"], categorical=["role"]).set_index("outcome")
    # Every current score is above every previous one: U = 16 of 16 pairs, exact two-sided
    # p = 2 / C(8, 4) = 2 / 70 = 0.028571 (by hand).
    assert (table.loc["sus", "design"], table.loc["sus", "test"]) == ("between-wave", "mann-whitney")
    assert table.loc["sus", "p"] == pytest.approx(2 / 70)
    assert table.loc["role", "effect_size_name"] == "Cramér's V"


def wave(pseudonyms, scores):
    return pd.DataFrame({"status": "completed", "pseudonym": pseudonyms, "satisfaction": scores})


def test_the_plan_section_links_a_previous_wave_and_reports_paired_change(tmp_path):
    previous = wave([f"p{i}" for i in range(9)], HW_SECOND)
    previous.to_csv(tmp_path / "previous.csv", index=False)
    current = wave([f"p{i}" for i in range(9)] + ["new"], HW_FIRST + [2.0])
    plan = {"longitudinal": {"previous": str(tmp_path / "previous.csv"), "link": "pseudonym",
                             "outcomes": ["satisfaction"]}}
    results = {r.id: r for r in run_plan(plan, dataset_from_frames(current, codebook_for(current))).results}
    change = results["longitudinal/change"]
    assert change.values["design"] == "within-person" and change.values["n_linked"] == 9
    text = results["longitudinal/satisfaction"].text
    assert text.startswith("V = 40.0, N = 9 linked pairs, p = .039, matched-pairs rank-biserial r = .78")
    assert "Holm-adjusted p = .039 (family of 1)" in text


def test_a_previous_wave_without_the_outcome_gives_a_message(tmp_path):
    pd.DataFrame({"status": ["completed"], "pseudonym": ["p0"]}).to_csv(tmp_path / "previous.csv", index=False)
    current = wave(["p0", "p1"], [1.0, 2.0])
    plan = {"longitudinal": {"previous": str(tmp_path / "previous.csv"), "link": "pseudonym",
                             "outcomes": ["satisfaction"]}}
    results = {r.id: r for r in run_plan(plan, dataset_from_frames(current, codebook_for(current))).results}
    assert "lacks column(s) ['satisfaction']" in results["longitudinal/change"].messages[0]


def test_unlinked_waves_in_the_plan_give_between_wave_sentences_with_n(tmp_path):
    previous = pd.DataFrame({"status": "completed", "satisfaction": [1.0, 2.0, 2.0, 3.0], "role": [1, 1, 2, 2]})
    previous.to_csv(tmp_path / "previous.csv", index=False)
    current = pd.DataFrame({"status": "completed", "satisfaction": [3.0, 4.0, 4.0, 5.0], "role": [1, 2, 2, 2]})
    plan = {"longitudinal": {"previous": str(tmp_path / "previous.csv"), "outcomes": ["satisfaction", "role"],
                             "categorical": ["role"]}}
    results = {r.id: r for r in run_plan(plan, dataset_from_frames(current, codebook_for(current))).results}
    assert results["longitudinal/change"].values["design"] == "between-wave"
    assert results["longitudinal/satisfaction"].text.startswith("U = ")
    assert "N = 8" in results["longitudinal/role"].text and "Cramér's V" in results["longitudinal/role"].text


def test_paired_change_reports_paired_t_and_d_z(tmp_path):
    # Hollander & Wolfe's nine pairs (HW_SECOND before, HW_FIRST after, as above): changes by hand
    # 0.952, -0.147, 1.022, 0.43, 0.62, 0.59, 0.49, -0.08, 0.01; mean 0.431889, SD 0.426855 (n - 1),
    # t = mean / (SD / 3) = 3.0354 on 8 df, two-sided p = 0.01618 (R's ?t.test example: t.test(x, y,
    # paired = TRUE) on these data), d_z = mean / SD = 1.0118.
    previous = wave([f"p{i}" for i in range(9)], HW_SECOND)
    previous.to_csv(tmp_path / "previous.csv", index=False)
    current = wave([f"p{i}" for i in range(9)], HW_FIRST)
    plan = {"longitudinal": {"previous": str(tmp_path / "previous.csv"), "link": "pseudonym",
                             "outcomes": ["satisfaction"]}}
    results = {r.id: r for r in run_plan(plan, dataset_from_frames(current, codebook_for(current))).results}
    row = results["longitudinal/change"].table.iloc[0]
    assert row["t"] == pytest.approx(3.0354, abs=1e-4) and row["df_t"] == 8
    assert row["p_t"] == pytest.approx(0.01618, abs=1e-5) and row["d_z"] == pytest.approx(1.0118, abs=1e-4)
    assert "paired t(8) = 3.04, p = .016, d_z = 1.01" in results["longitudinal/satisfaction"].text


def test_people_in_one_wave_only_are_counted_and_stayers_compared_with_leavers(tmp_path):
    # Six in the first wave, the three most satisfied stay; one joins. By hand: stayers 4, 5, 5 (mean 4.667,
    # var 0.3333), leavers 1, 2, 2 (mean 1.667, var 0.3333); SMD = 3 / sqrt(0.3333) = 5.196.
    previous = wave([f"p{i}" for i in range(6)], [4.0, 5.0, 5.0, 1.0, 2.0, 2.0])
    previous.to_csv(tmp_path / "previous.csv", index=False)
    current = wave(["p0", "p1", "p2", "new"], [4.0, 4.0, 5.0, 3.0])
    plan = {"disclosure": {"min_cell": 2},
            "longitudinal": {"previous": str(tmp_path / "previous.csv"), "link": "pseudonym",
                             "outcomes": ["satisfaction"]}}
    results = {r.id: r for r in run_plan(plan, dataset_from_frames(current, codebook_for(current))).results}
    attrition = results["longitudinal/attrition"]
    row = attrition.table.iloc[0]
    assert (row["n_stayers"], row["n_leavers"], row["n_joiners"]) == (3, 3, 1)
    assert row["smd"] == pytest.approx(5.196, abs=1e-3)
    assert "3 people answered only the previous wave and 1 only this one" in attrition.messages[0]


def test_between_wave_tests_on_a_shared_panel_carry_a_dependence_warning(tmp_path):
    previous = wave(["a", "b", "c", "d"], [1.0, 2.0, 2.0, 3.0])
    previous.to_csv(tmp_path / "previous.csv", index=False)
    current = wave(["a", "b", "x", "y"], [3.0, 4.0, 4.0, 5.0])
    plan = {"longitudinal": {"previous": str(tmp_path / "previous.csv"), "outcomes": ["satisfaction"]}}
    results = {r.id: r for r in run_plan(plan, dataset_from_frames(current, codebook_for(current))).results}
    assert "2 people answered both waves" in results["longitudinal/change"].messages[0]
