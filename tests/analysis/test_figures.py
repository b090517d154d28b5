"""Figures: colour-blind-safe Likert colours that survive greyscale, the neutral level
centred in diverging bars, and byte-identical SVG for identical input."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from analysis.pipeline.figures import diverging_colours, diverging_lefts, render_figure, save_figure


def luminance(colour: str) -> float:
    """Relative luminance, WCAG 2.x definition (what a greyscale print keeps)."""
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("levels", [4, 5, 7])
def test_likert_colours_get_darker_towards_both_ends_so_greyscale_keeps_the_order(levels):
    colours = diverging_colours(levels)
    half = levels // 2
    left = [luminance(c) for c in colours[:half]]
    right = [luminance(c) for c in colours[-half:]]
    assert all(a < b - 0.05 for a, b in zip(left, left[1:])), left          # darkest at "strongly disagree"
    assert all(a > b + 0.05 for a, b in zip(right, right[1:])), right       # darkest at "strongly agree"


def test_the_neutral_level_is_centred_on_zero():
    # By hand: 10 + 20 below, neutral 30 split 15/15, so the bar starts at -45.
    lefts = diverging_lefts([10, 20, 30, 25, 15])
    assert lefts == pytest.approx([-45, -35, -15, 15, 40])


def test_an_even_scale_splits_at_the_middle_boundary():
    assert diverging_lefts([10, 30, 40, 20]) == pytest.approx([-40, -30, 0, 40])


def likert_table():
    rows = []
    for variable, counts in {"q1": [2, 8, 10, 20, 10], "q2": [10, 10, 5, 15, 10]}.items():
        total = sum(counts)
        for value, n in enumerate(counts, start=1):
            rows.append({"variable": variable, "value": float(value), "label": f"level {value}", "n": n,
                         "percent": 100 * n / total, "kind": "valid", "suppressed": False})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("spec", [
    {"name": "div", "kind": "likert_diverging", "title": "t", "table": likert_table()},
    {"name": "sus", "kind": "sus", "title": "SUS", "table": pd.DataFrame({"sus_score": np.arange(0, 100, 2.5)})},
])
def test_figures_are_byte_identical_svg_on_rerun(spec, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    save_figure(spec, tmp_path / "a", 5)
    save_figure(spec, tmp_path / "b", 5)
    svg = f"{spec['name']}.svg"
    assert (tmp_path / "a" / svg).read_bytes() == (tmp_path / "b" / svg).read_bytes()
    assert b"<dc:date>" not in (tmp_path / "a" / svg).read_bytes()



# --- Words from the codebook, in the run's language, and the figures the plan declares -------------

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from analysis.pipeline.figures import shares_by_group  # noqa: E402
from tests.analysis.builders import demo_wave  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEMO_PLAN = REPO / "analysis" / "plans" / "demo.yaml"


def svg_text(path):
    """The words of a Matplotlib SVG: its <text> elements (figures keep text as text, svg.fonttype none)."""
    from xml.etree import ElementTree

    root = ElementTree.parse(path).getroot()
    return ["".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """The demo plan on a synthetic demo wave with linked usage, in English, German and German again."""
    directory = tmp_path_factory.mktemp("figures")
    table, codebook, _population = demo_wave(150, seed=11)
    table.to_csv(directory / "responses.csv", index=False)
    codebook.to_csv(directory / "codebook.csv", index=False)
    for name, language in (("en", "en"), ("de", "de"), ("de_again", "de")):
        done = subprocess.run([sys.executable, "-m", "analysis", "run", str(DEMO_PLAN), "--data",
                               str(directory / "responses.csv"), "--codebook", str(directory / "codebook.csv"),
                               "--out", str(directory / name), "--language", language],
                              capture_output=True, text=True, cwd=REPO, timeout=300)
        assert done.returncode == 0, done.stderr
    return directory


def test_matrix_rows_are_labelled_with_their_wording_not_their_code(demo_runs):
    english = svg_text(demo_runs / "en" / "figures" / "likert_diverging__trust.svg")
    german = svg_text(demo_runs / "de" / "figures" / "likert_diverging__trust.svg")
    assert "The system works reliably." in english
    assert "Das System arbeitet zuverlässig." in german
    assert not any("trust_2" in text for text in english + german)
    assert "Strongly agree" in " ".join(english) or "strongly agree" in " ".join(english).lower()


def test_figure_words_follow_the_language_but_results_json_keys_do_not(demo_runs):
    assert "% der gültigen Antworten" in " ".join(svg_text(demo_runs / "de" / "figures" / "likert_diverging__trust.svg"))
    import json

    english = json.loads((demo_runs / "en" / "results.json").read_text(encoding="utf-8"))
    german = json.loads((demo_runs / "de" / "results.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in english["results"]] == [r["id"] for r in german["results"]]
    assert sorted(english["meta"]["figures"]) == sorted(german["meta"]["figures"])


def test_the_same_inputs_and_language_give_byte_identical_figures(demo_runs):
    first, again = demo_runs / "de" / "figures", demo_runs / "de_again" / "figures"
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert all((first / n).read_bytes() == (again / n).read_bytes() for n in names)


def test_unrotated_text_carries_no_rotation_and_rotated_text_keeps_its_own(demo_runs):
    # The SUS histogram's y-axis label stands at -90 degrees; its ticks and title are unrotated.
    from xml.etree import ElementTree

    root = ElementTree.parse(demo_runs / "en" / "figures" / "sus_distribution.svg").getroot()
    transforms = [element.get("transform") for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert transforms.count(None) >= 10
    assert [t for t in transforms if t] and all(t.startswith("rotate(-90 ") for t in transforms if t)


def test_the_demo_plan_declares_use_case_data_sensitivity_and_usage_figures(demo_runs):
    import json

    figures = json.loads((demo_runs / "en" / "results.json").read_text(encoding="utf-8"))["meta"]["figures"]
    for name in ("use_cases", "data_sensitivity_by_role", "satisfaction_by_usage", "sus_distribution"):
        assert f"figures/{name}.svg" in figures
        assert (demo_runs / "en" / "figures" / f"{name}.svg").exists()
    use_cases = svg_text(demo_runs / "en" / "figures" / "use_cases.svg")
    assert "Drafting texts (e.g. e-mails, reports," in use_cases  # the option's wording, wrapped at 40 characters
    assert not any("use_cases__" in text for text in use_cases)


def test_use_case_bars_are_sorted_most_frequent_first(demo_runs):
    import json

    results = {r["id"]: r for r in json.loads((demo_runs / "en" / "results.json").read_text(encoding="utf-8"))["results"]}
    shown = [row["percent"] for row in results["figures/use_cases"]["table"] if not row["suppressed"]]
    words = svg_text(demo_runs / "en" / "figures" / "use_cases.svg")
    percents = [float(w.rstrip(" %")) for w in words if w.endswith(" %")]
    assert percents == sorted(percents, reverse=True)
    assert len(percents) == len(shown)


def test_small_cells_of_data_kinds_by_role_are_suppressed_and_marked(tmp_path):
    # Three physicians (too few to show anything), eight nurses of whom two entered patient data.
    frame = pd.DataFrame({"role": [1.0] * 3 + [2.0] * 8,
                          "data_kinds__public": [1, 0, 1] + [1, 1, 1, 1, 1, 1, 0, 0],
                          "data_kinds__patient": [0, 0, 1] + [1, 1, 0, 0, 0, 0, 0, 0]})
    groups = pd.Series(pd.Categorical(frame["role"].map({1.0: "Physician", 2.0: "Nursing"}),
                                      categories=["Physician", "Nursing"]))
    table = shares_by_group(frame, ["data_kinds__public", "data_kinds__patient"], groups, threshold=5)
    physician = table[table["group"] == "Physician"]
    assert physician["suppressed"].all() and (physician["percent"] == "<5").all()
    nursing = table[table["group"] == "Nursing"].set_index("option")
    assert nursing.loc["data_kinds__public", "n"] == 6 and nursing.loc["data_kinds__public", "percent"] == 75.0
    assert nursing.loc["data_kinds__patient", "percent"] == "<5"
    spec = {"name": "kinds", "kind": "shares_by_group", "title": "Data entered", "table": table,
            "labels": {"data_kinds__public": "Which data? [Public information]",
                       "data_kinds__patient": "Which data? [Patient data]"}}
    save_figure(spec, tmp_path, 5)
    words = svg_text(tmp_path / "kinds.svg")
    assert words.count("<5") == 3  # every suppressed cell is marked, not drawn
    assert "Public information" in words and "Nursing" in words


def test_ratings_by_usage_thirds_hide_small_groups(tmp_path):
    from analysis.pipeline.figures import by_usage_thirds

    usage = pd.Series(list(range(12)) + [100, 101])
    outcome = pd.Series([50.0] * 14)
    summary, values = by_usage_thirds(outcome, usage, threshold=5)
    assert list(summary["n"]) == [5, 4, 5] or "<5" in list(summary["n"])
    assert summary["suppressed"].sum() == (summary["n"] == "<5").sum()
    spec = {"name": "by_usage", "kind": "by_usage", "title": "SUS by usage", "table": summary, "values": values,
            "outcome_label": "SUS score", "usage_label": "Active days"}
    save_figure(spec, tmp_path, 5)
    assert (tmp_path / "by_usage.svg").exists()


def test_items_on_another_answer_scale_get_their_own_chart_and_legend(demo_runs):
    # availability_quality mixes agreement items with one frequency item ("How often … false or invented?"):
    # drawn under one agree/disagree legend, its bars would read as agreement.
    agreement = " ".join(svg_text(demo_runs / "en" / "figures" / "likert_diverging__availability_quality.svg"))
    frequency = " ".join(svg_text(
        demo_runs / "en" / "figures" / "likert_diverging__availability_quality__hallucinations.svg"))
    assert "made up" not in agreement and "made up" in frequency
    assert "agree" in agreement.lower() and "agree" not in frequency.lower()


def test_a_block_is_titled_by_the_plans_label_in_the_runs_language(demo_runs):
    german = " ".join(svg_text(demo_runs / "de" / "figures" / "likert_diverging__availability_quality.svg"))
    assert "Verfügbarkeit und Qualität der Antworten" in german and "Availability quality" not in german


def test_a_bar_hidden_by_secondary_suppression_is_marked_s_not_small(tmp_path):
    # Issue 22, point 8: 3 people chose option a (primary, "<5"); with the total published, b (40) is hidden
    # too so that a cannot be worked out. b is not small: its bar must read "(s)", explained in the footnote.
    from analysis.disclosure import SECONDARY, suppress_frequencies

    table = suppress_frequencies(pd.DataFrame({"option": ["a", "b", "c"], "n": [3, 40, 50],
                                               "percent": [3.2, 43.0, 53.8]}), threshold=5)
    assert table["n"].tolist() == ["<5", SECONDARY, 50]
    spec = {"name": "options", "kind": "bars", "title": "Options", "table": table, "language": "en",
            "labels": {"a": "Q [a]", "b": "Q [b]", "c": "Q [c]"}}
    save_figure(spec, tmp_path, 5)
    words = svg_text(tmp_path / "options.svg")
    assert words.count("<5") == 1 and words.count("(s)") == 1  # the bars of a and b
    assert any("secondary suppression" in w for w in words)
