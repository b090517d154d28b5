"""Agreement between coders, checked against Krippendorff's published example and hand calculations."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.agreement import agreement, alpha_bootstrap_ci, cohen_kappa, gwet_ac1, krippendorff_alpha, model_gate, percent_agreement
from analysis.errors import InputFormatError

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12
# units with missing values (the same matrix is in R's irr::kripp.alpha and rel::kra examples).
KRIPPENDORFF_2011 = pd.DataFrame({
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    "C": [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
})

# Two coders, ten units: yes/yes 4, no/no 3, yes/no 2, no/yes 1.
HAND = pd.DataFrame({
    "a": ["yes"] * 4 + ["no"] * 3 + ["yes"] * 2 + ["no"],
    "b": ["yes"] * 4 + ["no"] * 3 + ["no"] * 2 + ["yes"],
})


def _long(matrix):
    rows = [(str(unit), coder, str(int(value))) for unit, row in matrix.iterrows() for coder, value in row.items() if not pd.isna(value)]
    return pd.DataFrame(rows, columns=["unit", "coder", "code"])


@pytest.mark.parametrize("level, published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_alpha_reproduces_krippendorff_2011(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def test_kappa_matches_hand_calculation():
    # p_o = 7/10; margins a: yes .6, b: yes .5; p_e = .6*.5 + .4*.5 = .5; kappa = (.7 - .5)/(1 - .5) = .4
    assert cohen_kappa(HAND) == pytest.approx(0.4)


def test_alpha_and_ac1_match_hand_calculation():
    # coincidences: o_yy 8, o_nn 6, o_yn = o_ny 3; n_yes 11, n_no 9, n 20: alpha = 1 - 19*6/(2*11*9)
    assert krippendorff_alpha(HAND) == pytest.approx(1 - 114 / 198)
    # pi_yes = 11/20: p_e = 2 * .55 * .45 = .495; AC1 = (.7 - .495)/(1 - .495)
    assert gwet_ac1(HAND) == pytest.approx(0.205 / 0.505)
    assert percent_agreement(HAND) == pytest.approx(0.7)


def test_kappa_counts_only_units_both_coders_coded():
    with_gap = pd.concat([HAND, pd.DataFrame({"a": ["yes"], "b": [np.nan]})], ignore_index=True)
    assert cohen_kappa(with_gap) == pytest.approx(0.4)
    assert np.isnan(cohen_kappa(KRIPPENDORFF_2011))  # four coders: kappa is for two


def test_bootstrap_interval_brackets_alpha_and_is_reproducible():
    low, high = alpha_bootstrap_ci(KRIPPENDORFF_2011, "nominal", n_boot=500, seed=3)
    assert low < 0.743 < high <= 1
    assert (low, high) == alpha_bootstrap_ci(KRIPPENDORFF_2011, "nominal", n_boot=500, seed=3)


def test_per_code_compares_presence_and_overall_the_whole_coding():
    long = pd.DataFrame([
        ("1", "ann", "speed"), ("1", "ben", "speed"),
        ("2", "ann", "speed"), ("2", "ann", "training"), ("2", "ben", "training"),
        ("3", "ann", ""), ("3", "ben", ""),
        ("4", "ann", "training"), ("4", "ben", "training"),
        ("5", "ann", "speed"),  # ben did not code unit 5: missing, not "no code"
    ], columns=["unit", "coder", "code"])
    table = agreement(long, n_boot=20).set_index("scope")
    assert table.loc["overall", "percent_agreement"] == pytest.approx(3 / 4)
    assert table.loc["speed", "percent_agreement"] == pytest.approx(3 / 4)
    assert table.loc["training", "percent_agreement"] == 1.0
    assert table.loc["overall", "units"] == 4


@pytest.mark.parametrize("level, published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_command_reproduces_krippendorff_2011(tmp_path, capsys, level, published):
    path = tmp_path / "coding.csv"
    _long(KRIPPENDORFF_2011).to_csv(path, index=False)
    assert main(["agreement", str(path), "--level", level, "--json", "--bootstrap", "50"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert round(result["krippendorff_alpha"], 3) == published
    assert {"cohen_kappa", "percent_agreement", "gwet_ac1", "per_code"} <= set(result)
    assert result["cohen_kappa"] is None  # four coders: kappa is for two


def test_command_gives_the_hand_computed_kappa_for_two_coders(tmp_path, capsys):
    path = tmp_path / "coding.csv"
    rows = [(str(unit), coder, code) for unit, pair in HAND.iterrows() for coder, code in pair.items()]
    pd.DataFrame(rows, columns=["unit", "coder", "code"]).to_csv(path, index=False)
    assert main(["agreement", str(path), "--json", "--bootstrap", "50"]) == 0
    result = json.loads(capsys.readouterr().out)
    # The hand calculations above: kappa .4, percent .7, alpha 1 - 114/198, AC1 .205/.505.
    assert result["cohen_kappa"] == pytest.approx(0.4)
    assert result["percent_agreement"] == pytest.approx(0.7)
    assert result["krippendorff_alpha"] == pytest.approx(1 - 114 / 198)
    assert result["gwet_ac1"] == pytest.approx(0.205 / 0.505)


def test_command_names_the_file_when_columns_are_missing(tmp_path, capsys):
    path = tmp_path / "wrong.csv"
    path.write_text("id,rater,value\n1,a,x\n")
    assert main(["agreement", str(path)]) == 2
    assert "wrong.csv: expected the columns unit,coder,code" in capsys.readouterr().err


def test_ordinal_level_refuses_text_codes():
    with pytest.raises(InputFormatError, match="numeric"):
        agreement(pd.DataFrame({"unit": ["1", "1"], "coder": ["a", "b"], "code": ["x", "y"]}), level="ordinal")


def test_gate_leaves_a_code_to_the_model_only_where_it_matches_people():
    units = [str(u) for u in range(10)]
    speed = [1, 1, 1, 0, 0, 0, 1, 0, 1, 0]
    rows = []
    for unit, has_speed in zip(units, speed):
        for coder in ("ann", "ben", "model-x"):
            codes = ["speed"] if has_speed else ["other"]
            if coder == "model-x" and unit in ("0", "1", "2", "3"):
                codes = ["other"] if has_speed else ["speed"]  # wrong on four units
            rows += [(unit, coder, code) for code in codes]
    long = pd.DataFrame(rows, columns=["unit", "coder", "code"])
    gate = model_gate(long, "model-x").set_index("code")
    assert gate.loc["speed", "human_alpha"] == 1.0
    assert gate.loc["speed", "model_alpha"] < 0.667
    assert gate.loc["speed", "coded_by"] == "people"
    agreeing = long.assign(code=long["code"].where(long["coder"] != "model-x")).dropna()
    agreeing = pd.concat([agreeing, long[long["coder"] == "ann"].assign(coder="model-x")])
    assert set(model_gate(agreeing, "model-x")["coded_by"]) == {"model"}


def test_gate_needs_two_people_and_the_model():
    long = pd.DataFrame({"unit": ["1", "1"], "coder": ["ann", "model-x"], "code": ["a", "a"]})
    with pytest.raises(InputFormatError, match="two or more people"):
        model_gate(long, "model-x")
