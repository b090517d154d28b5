"""What a methods section must say about each analysis that ran: the test, how its p was
obtained (exact, asymptotic, Monte Carlo with resamples and seed), the correction, the effect
size and the software that computed it. results.json carries it under `meta.methods`, so a
report prints the facts of this run instead of a fixed paragraph."""

from __future__ import annotations

from collections import Counter
from importlib import metadata

from analysis.compare import EXACT_BELOW as MANN_WHITNEY_EXACT_BELOW
from analysis.correlate import EXACT_BELOW as SPEARMAN_EXACT_BELOW
from .context import Context


def _version(package: str) -> str:
    try:
        return f"{package} {metadata.version(package)}"
    except metadata.PackageNotFoundError:
        return package


def _counted(values) -> str:
    """'exact (3), asymptotic (5)': how many tests used each way of computing p."""
    counts = Counter(v for v in values if v)
    return ", ".join(f"{name} ({n})" for name, n in sorted(counts.items()))


def _comparisons(ctx: Context) -> list[dict]:
    # A test that could not run (e.g. one observed level) has no name and nothing to describe.
    tests = [r.values for r in ctx.results if r.section == "comparisons" and r.values.get("test")]
    if not tests:
        return []
    adjust = tests[0].get("adjust", "holm")
    correction = {"holm": "Holm (1979)", "bh": "Benjamini & Hochberg (1995)", "none": "none"}.get(adjust, adjust)
    scipy = _version("scipy")
    entries = []
    by_test = {name: [t for t in tests if t["test"] == name] for name in dict.fromkeys(t["test"] for t in tests)}
    described = {
        "mann-whitney": ("Mann-Whitney U (two groups)",
                         f"exact when both groups have fewer than {MANN_WHITNEY_EXACT_BELOW} values and no ties, else "
                         "normal approximation with tie and continuity correction (as R wilcox.test)",
                         "rank-biserial r (Kerby, 2014)", f"{scipy} mannwhitneyu"),
        "kruskal-wallis": ("Kruskal-Wallis H (three or more groups), Dunn post-hoc tests",
                           "chi-square approximation, tie-corrected (as R kruskal.test)",
                           "ε² (Tomczak & Tomczak, 2014) and η²_H (Cohen, 2008)", f"{scipy} kruskal"),
        "chi-square": ("χ² test of independence", "asymptotic; Yates' continuity correction for 2×2 tables "
                       "(as R chisq.test)", "Cramér's V (uncorrected χ²)", f"{scipy} chi2_contingency"),
        "fisher": ("Fisher's exact test (2×2, an expected count below 5)", "exact",
                   "conditional maximum-likelihood odds ratio with exact 95% CI (as R fisher.test)",
                   f"{scipy} fisher_exact, contingency.odds_ratio"),
        "fisher-freeman-halton": ("Fisher-Freeman-Halton test (beyond 2×2, over 20% of expected counts below 5)",
                                  None, "Cramér's V", f"{scipy} fisher_exact"),
    }
    for name, found in by_test.items():
        analysis, p_value, effect, software = described[name]
        if name == "fisher-freeman-halton":
            p_value = (f"Monte Carlo, {int(found[0]['resamples'])} resamples per test, seed {int(found[0]['seed'])}, "
                       "p = (1 + tables as or less probable) / (resamples + 1)")
        entries.append({"id": name, "analysis": analysis, "tests": len(found), "p_value": p_value,
                        "p_methods": dict(Counter(t.get("method") for t in found if t.get("method"))),
                        "adjust": adjust, "resamples": found[0].get("resamples"), "seed": found[0].get("seed"),
                        "p_values_by_method": _counted(t.get("method") for t in found),
                        "correction": f"{correction}, within each family of tests", "effect_size": effect,
                        "software": software})
    return entries


def _correlations(ctx: Context) -> list[dict]:
    result = next((r for r in ctx.results if r.id == "correlations/usage" and r.table is not None), None)
    if result is None:
        return []
    adjust = result.values.get("adjust", "holm")
    return [{"id": "spearman", "analysis": "Spearman's rank correlation", "tests": int(len(result.table)),
             "adjust": adjust, "p_methods": dict(Counter(result.table["method"].dropna())),
             "p_value": f"exact (all permutations) below {SPEARMAN_EXACT_BELOW} pairs without ties, as R cor.test; "
                        "else t approximation",
             "p_values_by_method": _counted(result.table["method"]),
             "correction": f"{ {'holm': 'Holm (1979)', 'bh': 'Benjamini & Hochberg (1995)'}.get(adjust, adjust)} "
                           "over all pairs",
             "effect_size": "rho with Fisher-z 95% CI, Bonett & Wright (2000) SE",
             "software": f"{_version('scipy')} spearmanr"}]


def _models(ctx: Context) -> list[dict]:
    entries = []
    kinds = {r.values.get("kind"): r.values for r in ctx.results if r.section == "models" and r.values.get("kind")}
    if "ordinal" in kinds:
        entries.append({"id": "ordinal", "analysis": "Proportional-odds logistic regression (as R MASS::polr)",
                        "p_value": "Wald z; likelihood-ratio test against the thresholds-only model",
                        "correction": "none", "effect_size": "odds ratios with 95% CI; McFadden's pseudo-R²",
                        "assumption": "proportional odds: Brant (1990) Wald test",
                        "software": f"{_version('statsmodels')} OrderedModel"})
    if "linear" in kinds:
        se = kinds["linear"].get("se_type", "classical")
        entries.append({"id": "linear", "se_type": se, "analysis": "Linear regression (OLS)", "p_value": f"t tests with {se} standard errors; F test",
                        "correction": "none", "effect_size": "R² and adjusted R²",
                        "software": f"{_version('statsmodels')} OLS"})
    return entries


def _weights(ctx: Context) -> list[dict]:
    result = next((r for r in ctx.results if r.id == "nonresponse/weighted" and r.table is not None), None)
    if result is None:
        return []
    return [{"id": "weights", "method": result.values.get("method"), "analysis": f"Weighted means ({result.values.get('method')}, Deming & Stephan, 1940)",
             "p_value": "95% CI from Taylor linearisation, weights as fixed, with replacement (Lumley, 2010)",
             "correction": "weights calibrated on the respondents with a valid outcome, per estimate",
             "effect_size": "Kish's effective n", "software": f"{_version('numpy')}"}]


def _factors(ctx: Context) -> list[dict]:
    parallel = next((r for r in ctx.results if r.id.endswith("/parallel") and r.table is not None), None)
    if parallel is None:
        return []
    row = parallel.table.iloc[0]
    return [{"id": "efa", "iterations": int(row["iterations"]), "percentile": float(row["percentile"]),
             "seed": ctx.seed, "analysis": "Exploratory factor analysis (minimum residual)",
             "p_value": f"number of factors by Horn's parallel analysis: {int(row['iterations'])} random data sets, "
                        f"{row['percentile']:g}th percentile, seed {ctx.seed}",
             "correction": "none", "effect_size": "loadings, communalities", "software": "factor_analyzer, numpy"}]


def methods_facts(ctx: Context) -> list[dict]:
    """One entry per kind of analysis that ran, in run order; empty sections add nothing."""
    usage = (ctx.plan.get("usage") or {}).get("without_activity", "zero")
    entries = _comparisons(ctx) + _correlations(ctx) + _models(ctx) + _factors(ctx) + _weights(ctx)
    if ctx.columns("usage"):
        entries.append({"id": "usage-without-activity", "choice": usage,
                        "analysis": "Usage of consenting respondents without activity in the usage window",
                        "p_value": "coded 0 (no usage observed)" if usage == "zero" else
                                   "treated as missing (left out of usage analyses)",
                        "correction": "plan option usage.without_activity", "effect_size": "", "software": ""})
    return entries
