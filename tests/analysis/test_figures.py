"""Figures: colour-blind-safe Likert colours that survive greyscale, the neutral level
centred in diverging bars, and byte-identical SVG for identical input."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from analysis.figures import diverging_colours, diverging_lefts, save_figure


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
