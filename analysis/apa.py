"""APA 7 number formatting for results text (APA Publication Manual, 7th ed., sec. 6.36).

Rules used: statistics that cannot exceed 1 (p, r, alpha, V, epsilon-squared) have no
leading zero; p is given exactly to three decimals, below .001 as "p < .001"; other
statistics with two decimals (one for large U/H); missing values give "n/a", never "nan".
"""

from __future__ import annotations

import math
import re

# Names of adjustment methods as a journal prints them ("Holm-adjusted p").
METHOD_NAMES = {"holm": "Holm", "bonferroni": "Bonferroni", "fdr_bh": "Benjamini–Hochberg", "sidak": "Šidák"}
# The words of this module's strings in German (DGPs, 2019, Richtlinien zur Manuskriptgestaltung, 5th ed.).
GERMAN_WORDS = (
    ("95% CI", "95%-KI"), ("IQR", "IQA"), ("n/a", "n. b."),
    ("Fisher-Freeman-Halton exact test", "exakter Fisher-Freeman-Halton-Test"),
    ("Fisher's exact test", "exakter Test nach Fisher"), ("grade", "Note"),
)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 2, leading_zero: bool = True) -> str:
    """A number rounded for text; `leading_zero=False` for values bounded by 1 (".31")."""
    if _missing(value):
        return "n/a"
    text = f"{value:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # "-0.00" reads as a sign error
    if not leading_zero:
        text = text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text
    return text


def pvalue(p, with_symbol: bool = True) -> str:
    """'p = .012', 'p < .001'; values above .999 as 'p > .999'."""
    if _missing(p):
        return "p = n/a" if with_symbol else "n/a"
    if p < 0.001:
        body = "< .001"
    elif p > 0.999:
        body = "> .999"
    else:
        body = "= " + number(p, 3, leading_zero=False)
    return f"p {body}" if with_symbol else body.replace("= ", "")


def ci(low, high, decimals: int = 2, leading_zero: bool = True) -> str:
    """'95% CI [.12, .48]'."""
    return f"95% CI [{number(low, decimals, leading_zero)}, {number(high, decimals, leading_zero)}]"


def mann_whitney(u, p, r) -> str:
    """'U = 1234.5, p = .012, r = .31' (r = rank-biserial correlation)."""
    return f"U = {number(u, 1)}, {pvalue(p)}, r = {number(r, 2, leading_zero=False)}"


def kruskal(h, df, p, epsilon_squared) -> str:
    """'H(2) = 7.81, p = .020, ε² = .05'."""
    return f"H({int(df)}) = {number(h)}, {pvalue(p)}, ε² = {number(epsilon_squared, 2, leading_zero=False)}"


def chi_square(chi2, df, n, p, cramers_v) -> str:
    """'χ²(2, N = 2757) = 30.07, p < .001, V = .10'."""
    return f"χ²({int(df)}, N = {int(n)}) = {number(chi2)}, {pvalue(p)}, V = {number(cramers_v, 2, leading_zero=False)}"


def fisher(p, odds_ratio=None) -> str:
    text = f"Fisher's exact test, {pvalue(p)}"
    return text if odds_ratio is None or _missing(odds_ratio) else f"{text}, OR = {number(odds_ratio)}"


def correlation(r, n, p, low=None, high=None, symbol: str = "r_s") -> str:
    """'r_s(48) = .60, 95% CI [.12, .85], p = .048' (df = n - 2)."""
    df = "n/a" if _missing(n) else int(n) - 2
    text = f"{symbol}({df}) = {number(r, 2, leading_zero=False)}"
    if low is not None:
        text += ", " + ci(low, high, 2, leading_zero=False)
    return f"{text}, {pvalue(p)}"


def alpha(value, low=None, high=None) -> str:
    text = f"α = {number(value, 2, leading_zero=False)}"
    return text if low is None else f"{text}, {ci(low, high, 2, leading_zero=False)}"


def mean_sd(mean, sd) -> str:
    return f"M = {number(mean)}, SD = {number(sd)}"


def median_iqr(median, q1, q3) -> str:
    return f"Mdn = {number(median)}, IQR [{number(q1)}, {number(q3)}]"


def localise(text: str, language: str) -> str:
    """A string built by this module in the report's language, applied where the report prints it.

    English: adjustment methods by their authors' names ("Holm-adjusted p"). German (DGPs, 2019): the same
    names, decimal comma (".31" -> ",31", "63.93" -> "63,93"), a semicolon between interval bounds
    ("[,12; ,48]") and German words for CI, IQR and the tests.

    >>> localise("H(2) = 7.81, p = .020 (holm-adjusted p = .040), 95% CI [.12, .48]", "de")
    'H(2) = 7,81, p = ,020 (Holm-adjustiertes p = ,040), 95%-KI [,12; ,48]'
    """
    if not text:
        return text
    def method(match: re.Match) -> str:
        name = METHOD_NAMES.get(match.group(1).lower(), match.group(1))
        return f"{name}-adjustiertes p" if language == "de" else f"{name}-adjusted p"
    text = re.sub(r"(\w+)-adjusted p\b", method, text)
    if language != "de":
        return text
    for english, german in GERMAN_WORDS:
        text = text.replace(english, german)
    text = re.sub(r"\[([^\[\],]+), ([^\[\],]+)\]", r"[\1; \2]", text)
    return re.sub(r"(?<![A-Za-z])\.(?=\d)", ",", text)
