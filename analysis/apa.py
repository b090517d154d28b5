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
    ("Proportional-odds model", "Ordinales Regressionsmodell (proportionale Odds)"),
    ("likelihood-ratio χ²", "Likelihood-Quotienten-χ²"), ("Brant test of proportional odds", "Brant-Test auf proportionale Odds"),
    ("Linear model", "Lineares Modell"), ("adjusted R²", "korrigiertes R²"), ("HC3 SEs", "HC3-Standardfehler"),
    ("classical SEs", "klassische Standardfehler"), ("reference category", "Referenzkategorie"),
    ("matched-pairs rank-biserial r", "Rang-biseriales r für verbundene Paare"), ("rank-biserial r", "Rang-biseriales r"),
    ("linked pairs", "verknüpfte Paare"), ("paired t", "t für verbundene Stichproben"),
    ("Yates-corrected χ²", "Yates-korrigiertes χ²"), ("conditional MLE OR", "bedingtes ML-Odds-Ratio"),
    ("Fisher-Freeman-Halton test", "Fisher-Freeman-Halton-Test"), ("resamples", "Stichproben"), ("seed", "Startwert"),
    ("weighted M", "gewichtetes M"), ("Cramér's V", "Cramérs V"),
    ("Fisher-Freeman-Halton exact test", "exakter Fisher-Freeman-Halton-Test"),
    ("Fisher's exact test", "exakter Test nach Fisher"), ("grade", "Note"),
    ("negative estimate truncated at 0", "negative Schätzung auf 0 gesetzt"),
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


def sample(n) -> str:
    """'N = 139': every results sentence names the people it is about."""
    return "N = n/a" if _missing(n) else f"N = {int(n)}"


def adjusted(p_adj, method: str, family_size) -> str:
    """'Holm-adjusted p = .040 (family of 12)': the p a family of tests is judged by."""
    name = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "unadjusted"}.get(method, method)
    return f"{name}-adjusted {pvalue(p_adj)} (family of {int(family_size)})"


def mann_whitney(u, p, r, n) -> str:
    """'U = 1234.5, N = 139, p = .012, rank-biserial r = .31'."""
    return f"U = {number(u, 1)}, {sample(n)}, {pvalue(p)}, rank-biserial r = {number(r, 2, leading_zero=False)}"


def signed_rank(v, n_linked, p, r) -> str:
    """'V = 40.0, N = 9 linked pairs, p = .039, matched-pairs rank-biserial r = .78'."""
    return (f"V = {number(v, 1)}, {sample(n_linked)} linked pairs, {pvalue(p)}, "
            f"matched-pairs rank-biserial r = {number(r, 2, leading_zero=False)}")


def kruskal(h, df, n, p, epsilon_squared, eta_squared_h=None) -> str:
    """'H(2, N = 139) = 7.81, p = .020, ε² = .05, η²_H = .04'.

    η²_H = (H - k + 1) / (n - k) is negative when H < k - 1; a share of variance cannot be, so it is
    printed as .00 with a note (as for adjusted R²; Cohen, 2008):

    >>> kruskal(0.5, 2, 40, 0.78, 0.013, -0.04)
    'H(2, N = 40) = 0.50, p = .780, ε² = .01, η²_H = .00 (negative estimate truncated at 0)'
    """
    text = (f"H({int(df)}, {sample(n)}) = {number(h)}, {pvalue(p)}, "
            f"ε² = {number(epsilon_squared, 2, leading_zero=False)}")
    if eta_squared_h is None:
        return text
    if not _missing(eta_squared_h) and eta_squared_h < 0:
        return f"{text}, η²_H = {number(0.0, 2, leading_zero=False)} (negative estimate truncated at 0)"
    return f"{text}, η²_H = {number(eta_squared_h, 2, leading_zero=False)}"


def chi_square(chi2, df, n, p, cramers_v, correction: str = "none") -> str:
    """'χ²(1, N = 100) = 0.45, p = .504, Cramér's V = .07' ('Yates-corrected χ²' for 2×2)."""
    symbol = "Yates-corrected χ²" if correction == "Yates" else "χ²"
    return (f"{symbol}({int(df)}, {sample(n)}) = {number(chi2)}, {pvalue(p)}, "
            f"Cramér's V = {number(cramers_v, 2, leading_zero=False)}")


def fisher(p, n, odds_ratio=None, low=None, high=None) -> str:
    """"Fisher's exact test, N = 8, p = .486, conditional MLE OR = 6.41, 95% CI [0.21, 626.24]"."""
    text = f"Fisher's exact test, {sample(n)}, {pvalue(p)}"
    if odds_ratio is None or _missing(odds_ratio):
        return text
    text += f", conditional MLE OR = {number(odds_ratio)}"
    return text if low is None else f"{text}, {ci(low, high)}"


def freeman_halton(p, n, cramers_v, resamples, seed) -> str:
    """'Fisher-Freeman-Halton test (Monte Carlo, 10000 resamples, seed 1), N = 120, p = .012, Cramér's V = .21'."""
    return (f"Fisher-Freeman-Halton test (Monte Carlo, {int(resamples)} resamples, seed {int(seed)}), "
            f"{sample(n)}, {pvalue(p)}, Cramér's V = {number(cramers_v, 2, leading_zero=False)}")


def correlation(r, n, p, low=None, high=None, symbol: str = "r_s") -> str:
    """'r_s(48) = .60, 95% CI [.12, .85], N = 50, p = .048' (df = n - 2)."""
    df = "n/a" if _missing(n) else int(n) - 2
    text = f"{symbol}({df}) = {number(r, 2, leading_zero=False)}"
    if low is not None:
        text += ", " + ci(low, high, 2, leading_zero=False)
    return f"{text}, {sample(n)}, {pvalue(p)}"


def alpha(value, low=None, high=None) -> str:
    text = f"α = {number(value, 2, leading_zero=False)}"
    return text if low is None else f"{text}, {ci(low, high, 2, leading_zero=False)}"


def spearman_brown(value, n) -> str:
    """'Spearman-Brown ρ = .80, N = 139' (two-item scale; Eisinga, Te Grotenhuis & Pelzer, 2013)."""
    return f"Spearman-Brown ρ = {number(value, 2, leading_zero=False)}, {sample(n)}"


def mean_sd(mean, sd, decimals: int = 2) -> str:
    return f"M = {number(mean, decimals)}, SD = {number(sd, decimals)}"


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
    text = re.sub(r"\(family of (\d+)\)", r"(Familie aus \1 Tests)", text)
    text = re.sub(r"\[([^\[\],]+), ([^\[\],]+)\]", r"[\1; \2]", text)
    return re.sub(r"(?<![A-Za-z])\.(?=\d)", ",", text)
