"""The publication report's statistical methods: each sentence and each row of the methods table is a
claim in the report's ledger (reports.claims), printed only when the report shows its result.

The facts of the run (which tests, how each p was computed, resamples, seed, standard errors, software)
come from results.json `meta.methods`; the words are this module's, in the report's language.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analysis.compare import EXACT_BELOW as MANN_WHITNEY_EXACT_BELOW
from analysis.correlate import EXACT_BELOW as SPEARMAN_EXACT_BELOW
from reports.formatting import number

# How analysis.compare and analysis.correlate name the way a p was computed, in the report's words.
P_METHODS = {"exact": lambda: _("exact"), "asymptotic": lambda: _("asymptotic"),
             "asymptotic (chi-square), tie-corrected": lambda: _("asymptotic"),
             "normal approximation, tie and continuity corrected": lambda: _("normal approximation"),
             "Monte Carlo": lambda: _("Monte Carlo"), "t approximation": lambda: _("t approximation")}


def adjustment(name):
    return {"holm": _("Holm (1979)"), "bh": _("Benjamini & Hochberg (1995)"), "none": _("none")}.get(name, name)


def sentences(bundle, ledger):
    """The methods paragraph: one sentence per analysis whose result the report shows."""
    facts = {entry.get("id"): entry for entry in bundle.meta.get("methods") or []}
    resamples = (facts.get("fisher-freeman-halton") or {}).get("resamples")
    candidates = [
        (_("Categorical and Likert items are described with counts and percentages of valid answers; “not "
           "applicable” answers are declared missing."), "frequencies"),
        (_("The System Usability Scale was scored from 0 to 100 (Brooke, 1996) and graded on the Sauro–Lewis curved "
           "grading scale."), "sus"),
        (_("Scale scores are item means after reverse coding."), "scale-scores"),
        (_("Internal consistency is given as Cronbach's α with a Feldt 95% confidence interval and McDonald's ω."),
         "reliability"),
        (_("Two groups were compared with Mann–Whitney U tests (rank-biserial r)."), "mann-whitney"),
        (_("Three or more groups were compared with Kruskal–Wallis tests (ε² and η²_H; negative estimates are "
           "reported as 0)."), "kruskal-wallis"),
        (_("Pairs of groups after a Kruskal–Wallis test were compared with Dunn's test."), "dunn"),
        (_("Categorical outcomes were compared with χ² tests (Cramér's V)."), "chi-square"),
        (_("2×2 tables with an expected count below 5 were tested with Fisher's exact test (conditional "
           "maximum-likelihood odds ratio)."), "fisher"),
        (_("Larger tables with small expected counts were tested with the Fisher–Freeman–Halton test, its p value "
           "estimated by Monte Carlo simulation with %(resamples)s resamples.") % {"resamples": number(resamples, 0)},
         "fisher-freeman-halton"),
        (_("p values of group comparisons were adjusted with Holm's method within each family of tests; the "
           "families are defined in the note to the table of group comparisons."), "holm"),
        (_("Scale scores were correlated with usage features with Spearman's ρ, p values adjusted with Holm's "
           "method over all pairs."), "spearman"),
        (_("Ordinal outcomes were modelled with proportional-odds logistic regression and checked with the Brant "
           "test of proportional odds."), "ordinal"),
        (_("Scale scores were modelled with linear regression."), "linear"),
        (_("The factor structure was examined with minimum-residual exploratory factor analysis after KMO and "
           "Bartlett's tests, the number of factors from Horn's parallel analysis."), "efa"),
        (_("Usage personas were sought with k-means clustering of standardised usage features, the number of "
           "clusters chosen by its stability over bootstrap samples and judged by the mean silhouette width."),
         "personas"),
        (_("Respondents were compared with nonrespondents on platform usage with standardised mean differences."),
         "smd"),
        (_("Weighted estimates were calibrated to the population by raking and are reported beside unweighted "
           "ones."), "weights"),
        (_("Free-text answers were grouped into topics with TF-IDF and non-negative matrix factorisation."), "nmf"),
    ]
    return [text for text, evidence in candidates if ledger.claim(text, evidence)]


def table_rows(bundle, ledger):
    """The methods table: one row per kind of analysis that ran and whose result the report shows."""
    rows = []
    for entry in bundle.meta.get("methods") or []:
        row = _row(entry, ledger)
        if row and ledger.claim(row[0], entry.get("id")):
            rows.append(row)
    return rows


def _counted(p_methods):
    """"exact (3), asymptotic (5)": how many tests computed p which way."""
    return ", ".join(f"{P_METHODS.get(name, lambda n=name: n)()} ({count})"
                     for name, count in sorted((p_methods or {}).items()))


def _tests(entry):
    n = int(entry.get("tests") or 0)
    return ngettext("%(n)s test", "%(n)s tests", n) % {"n": n}


def _row(entry, ledger):
    """[analysis, how p was computed, correction, effect size, software] in the report's language."""
    kind, software = entry.get("id"), entry.get("software", "")
    family = _("%(method)s, within each family of tests") % {"method": adjustment(entry.get("adjust", "holm"))}
    counted = "; ".join(filter(None, [_tests(entry), _counted(entry.get("p_methods"))]))
    if kind == "mann-whitney":
        return [_("Mann–Whitney U (two groups)"),
                _("exact when both groups have fewer than %(n)s values and no ties, else normal approximation with "
                  "tie and continuity correction (as R wilcox.test)") % {"n": MANN_WHITNEY_EXACT_BELOW} + f"; {counted}",
                family, _("rank-biserial r (Kerby, 2014)"), software]
    if kind == "kruskal-wallis":
        name = _("Kruskal–Wallis H (three or more groups)")
        if ledger.shows("dunn"):
            name = _("Kruskal–Wallis H (three or more groups), Dunn post-hoc tests")
        return [name, _("χ² approximation, tie-corrected (as R kruskal.test)") + f"; {counted}", family,
                _("ε² (Tomczak & Tomczak, 2014) and η²_H (Cohen, 2008), negative values reported as 0"), software]
    if kind == "chi-square":
        return [_("χ² test of independence"), _("asymptotic; Yates' continuity correction for 2×2 tables (as R "
                                                "chisq.test)") + f"; {counted}", family,
                _("Cramér's V (uncorrected χ²)"), software]
    if kind == "fisher":
        return [_("Fisher's exact test (2×2, an expected count below 5)"), _("exact") + f"; {counted}", family,
                _("conditional maximum-likelihood odds ratio with exact 95% CI (as R fisher.test)"), software]
    if kind == "fisher-freeman-halton":
        return [_("Fisher–Freeman–Halton test (beyond 2×2, over 20% of expected counts below 5)"),
                _("Monte Carlo, %(resamples)s resamples per test, seed %(seed)s; p = (1 + tables as or less probable) "
                  "/ (resamples + 1)") % {"resamples": number(entry.get("resamples"), 0), "seed": entry.get("seed")}
                + f"; {_tests(entry)}", family, _("Cramér's V"), software]
    if kind == "spearman":
        return [_("Spearman's rank correlation"),
                _("exact (all permutations) below %(n)s pairs without ties, as R cor.test; else t approximation")
                % {"n": SPEARMAN_EXACT_BELOW} + f"; {_counted(entry.get('p_methods'))}",
                _("%(method)s over all %(n)s pairs") % {"method": adjustment(entry.get("adjust", "holm")),
                                                       "n": entry.get("tests")},
                _("ρ with Fisher-z 95% CI, Bonett & Wright (2000) SE"), software]
    if kind == "ordinal":
        return [_("Proportional-odds logistic regression (as R MASS::polr)"),
                _("Wald z; likelihood-ratio test against the thresholds-only model; proportional odds: Brant (1990) "
                  "Wald test"), _("none"), _("odds ratios with 95% CI; McFadden's pseudo-R²"), software]
    if kind == "linear":
        se = {"HC3": _("HC3 (heteroscedasticity-consistent)"), "classical": _("classical")}.get(
            entry.get("se_type"), entry.get("se_type", ""))
        return [_("Linear regression (OLS)"), _("t tests with %(se)s standard errors; F test") % {"se": se},
                _("none"), _("R² and adjusted R²"), software]
    if kind == "weights":
        name = (_("Weighted means (raking, Deming & Stephan, 1940)") if entry.get("method") == "raking"
                else _("Weighted means (post-stratification)"))
        return [name,
                _("95% CI from Taylor linearisation, weights as fixed, with replacement (Lumley, 2010)"),
                _("weights calibrated on the respondents with a valid outcome, per estimate"), _("Kish's effective n"),
                software]
    if kind == "efa":
        return [_("Exploratory factor analysis (minimum residual)"),
                _("number of factors by Horn's parallel analysis: %(n)s random data sets, %(percentile)sth "
                  "percentile, seed %(seed)s") % {"n": entry.get("iterations"), "seed": entry.get("seed"),
                                                  "percentile": number(entry.get("percentile"), 0)},
                _("none"), _("loadings, communalities"), software]
    return None
