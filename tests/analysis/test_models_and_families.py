"""What the report needs to say about models and families of tests (issue 22, points 7 and 8): the linear
model's reference category and its standard errors, a Holm family that lost a planned test, η²_H never
negative, and a Monte Carlo test never called exact."""

import numpy as np
import pandas as pd
import pytest

from analysis import apa, dataset_from_frames, run_plan
from tests.analysis.builders import codebook_for


def run(table, plan, **overrides):
    return {r.id: r for r in run_plan(plan, dataset_from_frames(table, codebook_for(table, **overrides))).results}


def test_a_linear_model_with_unequal_groups_has_hc3_errors_and_names_its_reference_category():
    # Groups of 6, 4 and 8: classical SEs assume equal variances that unequal groups make matter.
    rng = np.random.default_rng(1)
    group = [1.0] * 6 + [2.0] * 4 + [3.0] * 8
    table = pd.DataFrame({"status": "completed", "group": group, "score": rng.normal(50, 10, 18).round(1)})
    plan = {"models": [{"name": "m", "kind": "linear", "outcome": "score", "predictors": ["group"],
                        "categorical": ["group"]}], "disclosure": {"min_cell": 2}}
    model = run(table, plan, score={"type": "number"}, group={"type": "single_choice"})["models/m"]
    assert model.values["se_type"] == "HC3" and "(HC3 SEs)" in model.text
    assert model.values["reference"] == {"group": 1.0}


def test_a_holm_family_that_loses_a_planned_test_says_which_and_is_adjusted_over_the_rest():
    # Three tests planned in one family; nobody in group 2 answered c, so that test cannot run.
    table = pd.DataFrame({"status": "completed", "g": [1.0] * 8 + [2.0] * 8,
                          "a": [1, 2, 3, 4, 5, 1, 2, 3] + [3, 4, 5, 5, 4, 5, 4, 5],
                          "b": [2, 2, 3, 3, 4, 4, 5, 5] * 2,
                          "c": [1, 2, 3, 4, 5, 1, 2, 3] + [np.nan] * 8})
    plan = {"comparisons": {"adjust": "holm", "tests": [{"outcome": o, "by": "g", "family": "ratings"}
                                                        for o in ("a", "b", "c")]},
            "disclosure": {"min_cell": 2}}
    results = run(table, plan, g={"type": "single_choice"})
    values = results["comparisons/a__by__g"].values
    assert (values["family_size"], values["family_planned"], values["family_untested"]) == (2, 3, ["c__by__g"])
    # Holm (1979) over the two tests that ran: the smaller p times 2, the larger as it is (never below the first).
    p_a, p_b = (results[f"comparisons/{o}__by__g"].values["p"] for o in ("a", "b"))
    low, high = sorted([p_a, p_b])
    expected = {low: min(1.0, 2 * low), high: min(1.0, max(2 * low, high))}
    assert results["comparisons/a__by__g"].values["p_adj"] == pytest.approx(expected[p_a])
    assert results["comparisons/b__by__g"].values["p_adj"] == pytest.approx(expected[p_b])
    assert "(family of 2)" in results["comparisons/a__by__g"].text


def test_a_negative_eta_squared_h_is_printed_as_zero_with_a_note_in_both_languages():
    # H = 0.5 with k = 3 groups and n = 40: η²_H = (0.5 - 3 + 1) / (40 - 3) = -0.0405.
    text = apa.kruskal(0.5, 2, 40, 0.78, 0.013, (0.5 - 3 + 1) / (40 - 3))
    assert text.endswith("η²_H = .00 (negative estimate truncated at 0)") and "-.0" not in text
    assert "negative Schätzung auf 0 gesetzt" in apa.localise(text, "de")


def test_groups_are_named_by_their_value_labels_in_code_order_and_missing_stays_out():
    # Codes 3 and 1 share a label ("clinic"), code 4 has none and reads as "4", code 9 is a declared missing
    # code; the groups follow the codes' order (1, 2, 4), not the rows' or the labels' alphabet.
    from analysis.pipeline.context import Context

    table = pd.DataFrame({"status": "completed", "g": [4.0, 3.0, 2.0, np.nan, 1.0, 9.0, 2.0]})
    dataset = dataset_from_frames(table, codebook_for(table, g={
        "type": "single_choice", "value_labels_en": '{"1": "clinic", "2": "research", "3": "clinic"}',
        "missing_codes": "[9]"}))
    ctx = Context(plan={}, dataset=dataset, resolved={}, frame=dataset.data)
    groups = ctx.group_labels(ctx.frame["g"])
    assert list(groups.cat.categories) == ["clinic", "research", "4"]
    assert list(groups.astype(object).fillna("-")) == ["4", "clinic", "research", "-", "clinic", "-", "research"]
    assert groups.name == "g" and list(groups.index) == list(ctx.frame.index)
