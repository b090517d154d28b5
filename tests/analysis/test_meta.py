"""Meta-analysis against metafor's own published values.

Expected numbers come from metafor's repository (github.com/wviechtb/metafor), named per test:
README.md (rma on dat.bcg with test="knha"), docs/reference/predict.rma.html,
tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (metafor vs Stata's metan),
tests/testthat/test_misc_influence.r (leave1out), tests/testthat/test_analysis_example_viechtbauer2005.r
(Viechtbauer, 2005, pp. 271-272) and test_analysis_example_dersimonian2007.r (DerSimonian &
Kacker, 2007, Tables 3 and 4).
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import meta
from analysis.errors import InputFormatError

# dat.bcg: the 13 BCG vaccine trials (Colditz et al., 1994), as printed in metafor's README.md:
# tpos, tneg (vaccinated TB+/TB-), cpos, cneg (control TB+/TB-).
BCG = pd.DataFrame(
    [
        ("Aronson 1948", 4, 119, 11, 128),
        ("Ferguson & Simes 1949", 6, 300, 29, 274),
        ("Rosenthal et al 1960", 3, 228, 11, 209),
        ("Hart & Sutherland 1977", 62, 13536, 248, 12619),
        ("Frimodt-Moller et al 1973", 33, 5036, 47, 5761),
        ("Stein & Aronson 1953", 180, 1361, 372, 1079),
        ("Vandiviere et al 1973", 8, 2537, 10, 619),
        ("TPT Madras 1980", 505, 87886, 499, 87892),
        ("Coetzee & Berjak 1968", 29, 7470, 45, 7232),
        ("Rosenthal et al 1961", 17, 1699, 65, 1600),
        ("Comstock et al 1974", 186, 50448, 141, 27197),
        ("Comstock & Webster 1969", 5, 2493, 3, 2338),
        ("Comstock et al 1976", 27, 16886, 29, 17825),
    ],
    columns=["study", "ai", "bi", "ci", "di"],
)


def bcg(measure="RR"):
    return meta.effect_sizes(BCG, measure)


def result(data, **kwargs):
    return meta.random_effects(data, **kwargs).iloc[0]


def test_log_risk_ratios_match_metafor_escalc_in_the_readme():
    effects = bcg()
    assert effects["yi"].round(4).tolist()[:4] == [-0.8893, -1.5854, -1.3481, -1.4416]
    assert effects["vi"].round(4).tolist()[:4] == [0.3256, 0.1946, 0.4154, 0.0200]
    assert effects["yi"].round(4).iloc[-1] == -0.0173


def test_reml_reproduces_metafor_on_the_bcg_trials():
    fit = result(bcg(), method="REML")
    assert round(fit.estimate, 4) == -0.7145
    assert round(fit.se, 4) == 0.1798
    assert (round(fit.ci_low, 4), round(fit.ci_high, 4)) == (-1.0669, -0.3622)
    assert round(fit.tau2, 4) == 0.3132
    assert round(fit.i2, 2) == 92.22
    assert round(fit.h2, 2) == 12.86
    assert round(fit.q, 4) == 152.2330 and fit.q_df == 12


def test_prediction_interval_uses_the_normal_distribution_without_knapp_hartung():
    # docs/reference/predict.rma.html: pred -0.71, ci -1.07 -0.36, pi -1.87 0.44
    fit = result(bcg(), method="REML")
    assert (round(fit.pi_low, 2), round(fit.pi_high, 2)) == (-1.87, 0.44)


def test_knapp_hartung_reproduces_the_metafor_readme():
    # README.md: estimate -0.7145, se 0.1808, tval -3.9522, df 12, p 0.0019, CI -1.1084 -0.3206;
    # predict(res, transf=exp): pi 0.14 1.76 (t distribution with 12 df)
    fit = result(bcg(), method="REML", test="knha")
    assert round(fit.estimate, 4) == -0.7145
    assert round(fit.se, 4) == 0.1808
    assert round(fit.stat, 4) == -3.9522 and fit.df == 12
    assert round(fit.p, 4) == 0.0019
    assert (round(fit.ci_low, 4), round(fit.ci_high, 4)) == (-1.1084, -0.3206)
    assert (round(np.exp(fit.pi_low), 2), round(np.exp(fit.pi_high), 2)) == (0.14, 1.76)


def test_dersimonian_laird_matches_metafor_and_stata_metan():
    fit = result(bcg(), method="DL")
    assert round(fit.estimate, 4) == -0.7141
    assert (round(fit.ci_low, 4), round(fit.ci_high, 4)) == (-1.0644, -0.3638)
    assert round(fit.stat, 4) == -3.9952
    assert round(fit.tau2, 4) == 0.3088
    assert round(fit.i2, 2) == 92.12


def test_fixed_effect_matches_metafor_and_stata_metan():
    fit = result(bcg(), method="FE")
    assert round(fit.estimate, 4) == -0.4303
    assert (round(fit.ci_low, 4), round(fit.ci_high, 4)) == (-0.5097, -0.3509)
    assert round(fit.stat, 4) == -10.6247
    assert round(fit.q, 2) == 152.23 and fit.q_p < 1e-20


def test_odds_ratio_and_risk_difference_match_stata_metan():
    odds = result(bcg("OR"), method="DL")
    assert (round(odds.estimate, 4), round(odds.tau2, 4), round(odds.i2, 4)) == (-0.7474, 0.3663, 92.6455)
    assert round(result(bcg("OR"), method="FE").q, 4) == 163.1649
    difference = result(bcg("RD"), method="DL")
    assert (round(difference.estimate, 4), round(difference.ci_low, 4), round(difference.ci_high, 4)) == (
        -0.0071, -0.0101, -0.0040)
    assert round(result(bcg("RD"), method="FE").q, 4) == 276.4737


# Viechtbauer (2005), example 1, as in metafor's test_analysis_example_viechtbauer2005.r
VIECHTBAUER_2005 = pd.DataFrame({
    "yi": [-0.581, 0.530, 0.771, 1.031, 0.553, 0.295, 0.078, 0.573, -0.176, -0.232],
    "vi": [0.023, 0.052, 0.060, 0.115, 0.095, 0.203, 0.200, 0.211, 0.051, 0.040],
})


def test_each_tau2_estimator_matches_viechtbauer_2005_page_271():
    # DL 0.2768, REML 0.2232, EB 0.192 (metafor's docs: EB is identical to Paule-Mandel)
    assert round(result(VIECHTBAUER_2005, method="DL").tau2, 4) == 0.2768
    assert round(result(VIECHTBAUER_2005, method="REML").tau2, 4) == 0.2232
    assert round(result(VIECHTBAUER_2005, method="PM").tau2, 3) == 0.192
    reml = result(VIECHTBAUER_2005, method="REML")
    # the paper's 4th decimal comes from a looser convergence (metafor stops at |Δτ²| < 1e-5)
    assert (reml.i2, reml.h2) == (pytest.approx(76.8399, abs=2e-4), pytest.approx(4.3178, abs=2e-4))


def test_paule_mandel_matches_dersimonian_kacker_2007_clasp_example():
    # Tables 3 and 4: PM tau 0.3681, mu -0.3811, se 0.2060 (log odds ratios, n1i/n2i given)
    n1, n2 = np.array([156, 303, 565, 1570, 103, 4659]), np.array([74, 303, 477, 1565, 105, 4650])
    ai, ci = np.array([5, 5, 12, 69, 9, 313]), np.array([8, 17, 9, 94, 11, 352])
    clasp = meta.effect_sizes(pd.DataFrame({"ai": ai, "bi": n1 - ai, "ci": ci, "di": n2 - ci}), "OR")
    fit = result(clasp, method="PM")
    assert (round(np.sqrt(fit.tau2), 4), round(fit.estimate, 4), round(fit.se, 4)) == (0.3681, -0.3811, 0.2060)


def test_leave_one_out_matches_metafor_leave1out_for_the_first_trial():
    # test_misc_influence.r: omitting trial 1 gives estimate -0.7071, se 0.1900, tau2 0.3362, I2 93.2259
    first = meta.leave_one_out(bcg(), label="study").iloc[0]
    assert first.omitted == "Aronson 1948"
    assert (round(first.estimate, 4), round(first.se, 4), round(first.tau2, 4)) == (-0.7071, 0.1900, 0.3362)
    assert round(first.i2, 4) == 93.2259 and round(first.q, 4) == 151.5826


def test_hedges_g_by_hand():
    # m1 = 10, m2 = 8, sd 2 and 2, n 10 and 10: d = 1, m = 18,
    # J = Γ(9)/(√9·Γ(8.5)) = 40320/(3·14034.4076) = 0.957646; vi = 0.2 + g²/40
    pair = pd.DataFrame({"m1i": [10], "sd1i": [2], "n1i": [10], "m2i": [8], "sd2i": [2], "n2i": [10]})
    effect = meta.effect_sizes(pair, "SMD").iloc[0]
    assert round(effect.yi, 5) == 0.95765
    assert round(effect.vi, 5) == round(0.2 + 0.95765**2 / 40, 5)
    assert meta.effect_sizes(pair, "MD").iloc[0][["yi", "vi"]].tolist() == [2.0, 0.8]


def test_zero_cell_gets_a_half_in_every_cell_like_metafor():
    # ai=0, bi=10, ci=2, di=8 -> 0.5, 10.5, 2.5, 8.5: ln(0.5*8.5/(10.5*2.5)) = -1.8207
    effect = meta.effect_sizes(pd.DataFrame({"ai": [0], "bi": [10], "ci": [2], "di": [8]}), "OR").iloc[0]
    assert round(effect.yi, 4) == -1.8207


def test_few_sites_carry_a_warning_and_many_do_not():
    assert "only 3 studies" in result(bcg().head(3)).message
    assert result(bcg()).message == ""


def test_bad_input_names_the_study_and_the_field():
    broken = BCG.assign(ai=BCG["ai"].astype(object))
    broken.loc[2, "ai"] = "x"
    with pytest.raises(InputFormatError, match="study 3: expected numbers in ai"):
        meta.effect_sizes(broken, "RR")
    with pytest.raises(InputFormatError, match="missing di"):
        meta.effect_sizes(BCG.drop(columns="di"), "RR")
    with pytest.raises(InputFormatError, match="method: expected one of"):
        meta.random_effects(bcg(), method="ML")


def test_command_line_prints_the_json_keys(tmp_path, capsys):
    from analysis.__main__ import main

    path = tmp_path / "bcg.csv"
    BCG.to_csv(path, index=False)
    assert main(["meta", str(path), "--measure", "RR", "--method", "REML", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {"estimate", "se", "ci_low", "ci_high", "tau2", "i2", "h2", "q", "pi_low", "pi_high"} <= set(printed)
    assert round(printed["estimate"], 4) == -0.7145 and round(printed["i2"], 2) == 92.22


def test_command_line_reads_yi_vi_and_reports_a_bad_file_in_one_line(tmp_path, capsys):
    from analysis.__main__ import main

    path = tmp_path / "effects.csv"
    VIECHTBAUER_2005.to_csv(path, index=False)
    assert main(["meta", str(path), "--method", "DL", "--test", "knha"]) == 0
    assert "tau2" in capsys.readouterr().out
    (tmp_path / "bad.csv").write_text("yi,vi\n0.1,0\n0.2,0.1\n")
    assert main(["meta", str(tmp_path / "bad.csv")]) == 2
    assert "study 1: expected a positive sampling variance vi" in capsys.readouterr().err
