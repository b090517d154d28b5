"""Result tables as the reports show them (APA 7: number, title, column heads, note).

Each builder takes the bundle and returns a Table or None when the result is not in the
bundle; cells are already formatted strings, so the PDF, the CSV and the LaTeX export of a
table hold exactly the same values.
"""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from analysis.disclosure import SECONDARY
from analysis.factors import NO_ROTATION
from reports.formatting import (DASH, apa_text, bounded, count, interval, is_marker, missing, number, p_value, percent,
                                secondary_note, suppressed_note)


CHARS_PER_LINE = 100  # characters of 8-pt table text across the text width (A4, 21 mm side margins)
LINES_PER_PAGE = 45  # table lines (with the rows' padding) that fill most of a page between 24 mm margins


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list
    notes: list = field(default_factory=list)
    numeric: list = field(default_factory=list)  # column positions to right-align
    number: int = 0
    kind = "table"

    @property
    def suppressed(self):
        return any(is_marker(cell) and cell != SECONDARY for row in self.rows for cell in row)

    @property
    def cells(self):
        """Each row's cells with their classes: numbers right-aligned, suppressed cells marked (a p value
        "< .001" is not one)."""
        return [[(cell, " ".join(name for name, on in (("num", i in self.numeric), ("sup", is_marker(cell))) if on))
                 for i, cell in enumerate(row)] for row in self.rows]

    @property
    def long(self):
        """Whether the table may be taller than a page. Such a table breaks between rows (its header repeated)
        instead of being pushed whole onto the next page, which left the page before it empty but for a
        heading. Its height is estimated from its text as if the columns were equally wide (which errs
        towards long: wide text columns get more room)."""
        width = CHARS_PER_LINE / max(len(self.columns), 1)
        lines = sum(max([math.ceil(len(str(cell)) / width) for cell in row] or [1]) for row in self.rows)
        return lines >= LINES_PER_PAGE

    @property
    def secondary(self):
        return any(cell == SECONDARY for row in self.rows for cell in row)


def _table(bundle, key, title, columns, rows, numeric, notes=()):
    table = Table(key, title, columns, rows, list(notes), numeric)
    if table.suppressed:
        table.notes.append(suppressed_note(bundle.threshold))
    if table.secondary:
        table.notes.append(secondary_note())
    return table


def frequency(bundle, result_id, key=None):
    """One categorical or Likert item: every option with n and % of valid answers, missing listed apart."""
    result = bundle.result(result_id)
    if not result or not result.get("table"):
        return None
    t = bundle.threshold
    rows = []
    for row in result["table"]:
        label = row.get("label") or number(row.get("value"), 0)
        if row.get("kind") == "not answered":
            label = _("not answered")
        elif row.get("kind") == "missing code":
            if not row.get("n"):
                continue  # a missing code nobody used says nothing
            label = _("declared missing") if label == "missing code" else label
        rows.append([str(label), count(row.get("n"), t), percent(row.get("percent")) if row.get("kind") == "valid" else DASH])
    return _table(bundle, key or result_id.replace("/", "__"), result["title"],
                  [_("Answer"), "n", _("% of valid")], rows, [1, 2])


def multi_select(bundle, result_id, key=None, title=None):
    result = bundle.result(result_id)
    if not result or not result.get("table"):
        return None
    t = bundle.threshold
    rows = [[str(row.get("label") or row.get("option")).split(" [")[-1].rstrip("]"), count(row.get("n"), t),
             percent(row.get("percent"))] for row in result["table"]]
    answered = result["table"][0].get("n_answered")
    notes = [_("Several answers possible; percentages of the %(n)s respondents who answered the item.")
             % {"n": count(answered, t)}]
    wording = str(result["table"][0].get("label") or "").split(" [")[0]
    return _table(bundle, key or result_id.replace("/", "__"), title or wording or result["title"],
                  [_("Option"), "n", "%"], rows, [1, 2], notes)


def sample_rates(bundle):
    row = bundle.first_row("sample/rates")
    if not row:
        return None
    t = bundle.threshold
    rows = [
        [_("Invited"), count(row.get("invited"), t), DASH],
        [_("Viewed the information page"), count(row.get("viewed"), t), percent(_pct(row.get("view_rate")))],
        [_("Consented (participation)"), count(row.get("consented"), t), percent(_pct(row.get("participation_rate")))],
        [_("Completed"), count(row.get("completed"), t), percent(_pct(row.get("completion_rate")))],
        [_("Analysed after exclusions"), count(bundle.analysed, t), DASH],
    ]
    notes = [_("Rates as defined in the CHERRIES checklist (Eysenbach, 2004): view rate = viewed / invited, "
               "participation rate = consented / viewed, completion rate = completed / consented.")]
    return _table(bundle, "sample_rates", _("Participant flow"), [_("Stage"), "n", _("Rate")], rows, [1, 2], notes)


def _pct(rate):
    return None if rate is None or isinstance(rate, str) else rate * 100


def scores(bundle):
    """SUS, NPS and scale scores side by side."""
    t = bundle.threshold
    rows = []
    sus = bundle.first_row("scores/sus")
    if sus:
        rows.append([_("System Usability Scale (0–100)"), count(sus.get("n"), t), number(sus.get("mean"), 1),
                     number(sus.get("sd"), 1), interval(sus.get("ci_low"), sus.get("ci_high"), 1),
                     number(sus.get("median"), 1)])
    for result_id in bundle.ids("scores/"):
        if result_id in ("scores/sus", "scores/nps"):
            continue
        row = bundle.first_row(result_id)
        if row and "mean" in row:
            rows.append([bundle.label(result_id.split("/", 1)[1]), count(row.get("n"), t),
                         number(row.get("mean"), 2), number(row.get("sd"), 2),
                         interval(row.get("ci_low"), row.get("ci_high")), number(row.get("median"), 2)])
    if not rows:
        return None
    notes = []
    if sus.get("grade"):
        notes.append(_("SUS mean grade %(grade)s (%(adjective)s) on the Sauro–Lewis curved grading scale.")
                     % {"grade": sus["grade"], "adjective": sus.get("adjective", "")})
    return _table(bundle, "scores", _("Scale scores"), [_("Measure"), "n", "M", "SD", _("95% CI"), "Mdn"], rows,
                  [1, 2, 3, 4, 5], notes)


def nps(bundle):
    """The score with its interval and the shares of promoters, passives and detractors (the analysis gives counts)."""
    row = bundle.first_row("scores/nps")
    if not row:
        return None
    t = bundle.threshold
    n = row.get("n")

    def share(group):
        value = row.get(group)
        if missing(value):
            return DASH
        if is_marker(value) or is_marker(n) or not n:
            return f"<{t}"
        return percent(float(value) / float(n) * 100)

    rows = [[_("Net Promoter Score"), count(n, t), number(row.get("nps"), 0),
             interval(row.get("ci_low"), row.get("ci_high"), 0), share("promoters"), share("passives"),
             share("detractors")]]
    return _table(bundle, "nps", _("Net Promoter Score"),
                  [_("Measure"), "n", "NPS", _("95% CI"), _("Promoters"), _("Passives"), _("Detractors")], rows,
                  [1, 2, 3, 4, 5, 6])


def score_methods(bundle):
    """What the scores table shows: the SUS and/or scale scores."""
    scales = [i for i in bundle.ids("scores/") if i not in ("scores/sus", "scores/nps") and "mean" in bundle.first_row(i)]
    return (["sus"] if bundle.first_row("scores/sus") else []) + (["scale-scores"] if scales else [])


def reliability(bundle):
    t = bundle.threshold
    rows = []
    for result_id in bundle.ids("reliability/"):
        if result_id.endswith("/items"):
            continue
        row = bundle.first_row(result_id)
        if not row:
            continue
        rows.append([bundle.label(result_id.split("/")[-1]), number(row.get("k"), 0), count(row.get("n"), t),
                     bounded(row.get("alpha")), interval(row.get("ci_low"), row.get("ci_high"), bounded_by_one=True),
                     bounded(row.get("omega"))])
    if not rows:
        return None
    return _table(bundle, "reliability", _("Internal consistency"),
                  [_("Scale"), "k", "n", "α", _("95% CI"), "ω"], rows, [1, 2, 3, 4, 5],
                  [_("Cronbach's α with Feldt 95% CI; McDonald's ω total; listwise deletion.")])


def comparisons(bundle):
    rows = []
    for result_id in bundle.ids("comparisons/"):
        if result_id.endswith("/dunn"):
            continue
        result = bundle.result(result_id)
        values = result.get("values") or {}
        outcome, by = comparison_names(bundle, result_id)
        rows.append([outcome, by, apa_text(result.get("text")) or _("too few answers for a test"),
                     p_value(values.get("p_adj")) if "p_adj" in values else DASH])
    if not rows:
        return None
    return _table(bundle, "comparisons", _("Group comparisons"), [_("Outcome"), _("Grouped by"), _("Test"), _("p (adjusted)")],
                  rows, [3], [note for note in (test_names_note(bundle), *family_notes(bundle)) if note])


def test_names_note(bundle):
    """The tests this table holds, by their names: a Monte Carlo test is not called exact."""
    names = {"mann-whitney": _("Mann–Whitney U"), "kruskal-wallis": _("Kruskal–Wallis H"),
             "chi-square": _("χ² test"), "fisher": _("Fisher's exact test"),
             "fisher-freeman-halton": _("Fisher–Freeman–Halton test with a Monte Carlo p")}
    found = [names[m] for m in comparison_methods(bundle) if m in names]
    return _("Tests: %(tests)s.") % {"tests": ", ".join(found)} if found else ""


def family_notes(bundle):
    """Each family of tests the adjustment runs over, with its members, and why a family is smaller than planned."""
    families, members = {}, {}
    for result_id in bundle.ids("comparisons/"):
        values = bundle.result(result_id).get("values") or {}
        if "family_size" not in values:
            continue
        family = values.get("family", "comparisons")
        families.setdefault(family, values)
        if values.get("p_adj") is not None:
            members.setdefault(family, []).append(" / ".join(comparison_names(bundle, result_id)))
    notes = []
    # Families are numbered: their names in the plan are the analyst's codes ("data_kinds"), not words.
    for number_, (family, values) in enumerate(families.items(), start=1):
        method = {"holm": "Holm", "bh": "Benjamini–Hochberg"}.get(values.get("adjust"), values.get("adjust"))
        notes.append(_("Family %(number)s (p adjusted with %(method)s over its %(n)s tests): %(tests)s.") % {
            "number": number_, "method": method, "n": values["family_size"],
            "tests": "; ".join(members.get(family, []))})
        untested = values.get("family_untested") or []
        if untested:
            names = ", ".join(" / ".join(comparison_names(bundle, f"comparisons/{u}")) for u in untested)
            notes.append(_("%(k)s of %(planned)s planned tests had too few answers for a test and are not in the "
                           "family: %(names)s.") % {"k": len(untested), "planned": values.get("family_planned"),
                                                     "names": names})
    return notes


def comparison_methods(bundle):
    """The tests (and the adjustment) whose results the comparisons table prints."""
    found, holm = [], False
    for result_id in bundle.ids("comparisons/"):
        result = bundle.result(result_id)
        values = result.get("values") or {}
        if result_id.endswith("/dunn") or not result.get("text"):
            continue
        found.append(values.get("test"))
        holm = holm or (values.get("adjust") == "holm" and "p_adj" in values)
    return list(dict.fromkeys(found)) + (["holm"] if holm else [])


def dunn(bundle, result_id):
    """Dunn's pairwise comparisons after a Kruskal–Wallis test (pairs with a group below the threshold left out)."""
    result = bundle.result(result_id)
    if not result or not result.get("table"):
        return None
    rows = [[str(row.get("A")), str(row.get("B")), number(row.get("z")), p_value(row.get("p_adj"))]
            for row in result["table"]]
    outcome, by = comparison_names(bundle, result_id.removesuffix("/dunn"))
    title = _("Pairwise comparisons (Dunn's test): %(outcome)s by %(by)s") % {"outcome": outcome, "by": by}
    return _table(bundle, result_id.replace("/", "__"), title, [_("Group"), _("Group"), "z", _("p (adjusted)")], rows,
                  [2, 3], [_("p adjusted with Holm's method over the pairs of this test; pairs with a group below the "
                             "threshold are left out.")])


def correlations(bundle):
    """Spearman correlations of scales with usage features: per scale, the pairs tested, the strongest
    correlation and how many pairs stay significant after the adjustment (every pair: results bundle, tables/)."""
    result = bundle.result("correlations/usage")
    if not result or not result.get("table"):
        return None
    by_scale = {}
    for row in result["table"]:
        by_scale.setdefault(row.get("x"), []).append(row)
    rows = []
    for scale, pairs in by_scale.items():
        tested = [r for r in pairs if r.get("rho") is not None]
        if not tested:
            continue
        strongest = max(tested, key=lambda r: abs(r["rho"]))
        significant = sum(1 for r in tested if (r.get("p_adj") is not None and r["p_adj"] < .05))
        rows.append([bundle.label(scale), number(len(tested), 0), bundle.label(strongest.get("y")),
                     bounded(strongest["rho"]), interval(strongest.get("ci_low"), strongest.get("ci_high"),
                                                         bounded_by_one=True),
                     p_value(strongest.get("p_adj")), number(significant, 0)])
    if not rows:
        return None
    family = (result.get("values") or {}).get("family_size")
    return _table(bundle, "correlations__usage", _("Spearman correlations of the scales with platform usage"),
                  [_("Scale"), _("Pairs"), _("Strongest with"), "ρ", _("95% CI"), _("p (adjusted)"),
                   _("Pairs with adjusted p < .05")], rows, [1, 3, 4, 5, 6],
                  [_("p adjusted with Holm's method over all %(n)s pairs (one family); every pair is in the results "
                     "bundle.") % {"n": family}])


def comparison_names(bundle, result_id):
    """(outcome, grouping) of a comparison as words: `data_kinds__public` is the option's codebook wording."""
    outcome, _sep, by = result_id.split("/", 1)[1].partition("__by__")
    return option_label(bundle, outcome), bundle.label(by)


def option_label(bundle, variable):
    """A variable's name; a multiple-choice option's codebook wording without its question ("Q? [option]")."""
    return str(bundle.label(variable)).split(" [")[-1].rstrip("]")


def group_summary(bundle, result_id):
    result = bundle.result(result_id)
    if not result or not result.get("table") or "group" not in result["table"][0]:
        return None
    t = bundle.threshold
    rows = [[str(row.get("group")), count(row.get("n"), t), number(row.get("mean")), number(row.get("sd")),
             number(row.get("median"))] for row in result["table"]]
    outcome, by = comparison_names(bundle, result_id)
    return _table(bundle, result_id.replace("/", "__"), _("%(outcome)s by %(by)s") % {"outcome": outcome, "by": by}, [_("Group"), "n", "M", "SD", "Mdn"], rows,
                  [1, 2, 3, 4], [_("Statistics of groups below the threshold are withheld.")])


def model_outcome(result):
    """The outcome of a model result from its title ("[Thresholds: ]ordinal model: outcome ~ predictors")."""
    return result["title"].rsplit(":", 1)[-1].split("~")[0].strip()


def model(bundle, result_id):
    result = bundle.result(result_id)
    if not result or not result.get("table"):
        return None
    rows_in = result["table"]
    if result_id.endswith("/thresholds"):
        return model_thresholds(bundle, result_id, result)
    ordinal = "odds_ratio" in rows_in[0]
    rows = []
    for row in rows_in:
        if ordinal:
            rows.append([term_label(bundle, row.get("term")), number(row.get("odds_ratio")),
                         interval(row.get("or_ci_low"), row.get("or_ci_high")), p_value(row.get("p"))])
        else:
            rows.append([term_label(bundle, row.get("term")), number(row.get("coef")), number(row.get("se")),
                         interval(row.get("ci_low"), row.get("ci_high")), p_value(row.get("p"))])
    columns = [_("Term"), "OR", _("95% CI"), "p"] if ordinal else [_("Term"), "B", "SE", _("95% CI"), "p"]
    n = rows_in[0].get("n")
    notes = [f"N = {count(n, bundle.threshold)}."]
    values = result.get("values") or {}
    for variable, level in (values.get("reference") or {}).items():
        notes.append(_("Reference category of %(variable)s: %(level)s.") % {
            "variable": bundle.label(variable), "level": bundle.value_label(variable, level) or level})
    if values.get("dropped"):
        notes.append(_("Left out because no respondent with complete answers is in it: %(terms)s.") % {
            "terms": ", ".join(term_label(bundle, term) for term in values["dropped"])})
    if not ordinal and rows_in[0].get("r_squared") is not None:
        notes.append(f"R² = {bounded(rows_in[0]['r_squared'])}.")
    outcome = model_outcome(result)
    title = (_("Proportional-odds logistic regression of %(outcome)s") if ordinal
             else _("Linear regression of %(outcome)s")) % {"outcome": bundle.label(outcome)}
    return _table(bundle, result_id.replace("/", "__"), title, columns, rows, list(range(1, len(columns))), notes)


def model_thresholds(bundle, result_id, result):
    """The cut-points of a proportional-odds model on the logit scale, between adjacent answer categories."""
    rows = [[str(row.get("term")).replace("/", " | "), number(row.get("coef")), number(row.get("se")),
             interval(row.get("ci_low"), row.get("ci_high"))] for row in result["table"]]
    title = _("Thresholds of the proportional-odds model of %(outcome)s") % {"outcome": bundle.label(model_outcome(result))}
    return _table(bundle, result_id.replace("/", "__"), title, [_("Between categories"), _("Estimate (logit)"), "SE",
                                                                 _("95% CI")], rows, [1, 2, 3])


def term_label(bundle, term):
    """A model term as words: the intercept, a predictor's name, or a dummy `frequency_2.0` as "Frequency: option"."""
    term = str(term)
    if term in ("const", "Intercept"):
        return _("Intercept")
    variable, _sep, code = term.rpartition("_")
    if variable and bundle.value_label(variable, code):
        return f"{bundle.label(variable)}: {bundle.value_label(variable, code)}"
    return bundle.label(term)


def _rotation(rotation) -> str:
    """The rotation's name (oblimin, varimax: the same in every language), or the words for none."""
    if rotation == NO_ROTATION:
        return _("none (one factor)")
    return rotation or DASH


def loadings(bundle, result_id):
    result = bundle.result(result_id)
    if not result or not result.get("table"):
        return None
    factors = [c for c in result["table"][0] if c.startswith("F")]
    rows = [[bundle.label(row["item"]), *[bounded(row.get(f)) for f in factors], bounded(row.get("communality"))]
            for row in result["table"]]
    adequacy = bundle.first_row(result_id.rsplit("/", 1)[0])
    notes = []
    if adequacy:
        notes.append(_("KMO = %(kmo)s; Bartlett χ²(%(df)s) = %(chi2)s, p %(p)s; rotation: %(rotation)s.") % {
            "kmo": bounded(adequacy.get("kmo")), "df": number(adequacy.get("bartlett_df"), 0),
            "chi2": number(adequacy.get("bartlett_chi2")), "p": p_value(adequacy.get("bartlett_p")),
            "rotation": _rotation(adequacy.get("rotation"))})
    title = _("Factor loadings: %(name)s") % {"name": bundle.label(result_id.split("/")[1])}
    return _table(bundle, result_id.replace("/", "__"), title, [_("Item"), *factors, "h²"], rows,
                  list(range(1, len(factors) + 2)), notes)


def quality_flags(bundle):
    result = bundle.result("quality/flags")
    if not result or not result.get("table"):
        return None
    t = bundle.threshold
    rows = [[check_label(bundle, str(row.get("check"))), count(row.get("flagged"), t), percent(row.get("percent")),
             _("yes") if row.get("excluded") else _("no")] for row in result["table"]]
    return _table(bundle, "quality_flags", _("Data-quality checks"), [_("Check"), _("Flagged"), "%", _("Excluded")],
                  rows, [1, 2])


def check_label(bundle, check):
    """A data-quality check of analysis.quality as words; a straight-lining check names its matrix."""
    if check == "speeder":
        return _("Faster than a third of the median completion time")
    if check == "any_flag":
        return _("At least one check flagged")
    if check.startswith("excluded"):
        return _("Excluded (a check the plan excludes on)")
    if check.startswith("straightliner_"):
        return _("Same answer in every row: %(matrix)s") % {"matrix": bundle.label(check.removeprefix("straightliner_"))}
    if check.startswith("attention_"):
        return _("Attention check failed: %(item)s") % {"item": bundle.label(check.removeprefix("attention_"))}
    return bundle.label(check)


def dropout(bundle):
    """Pages where unfinished responses stopped, or None when there is nothing a reader could learn from them
    (no drop-out, or every page's count below the threshold: the sentence in the report says so instead)."""
    result = bundle.result("sample/dropout")
    if not result or not result.get("table") or all(is_marker(row.get("n")) for row in result["table"]):
        return None
    t = bundle.threshold
    rows = [[bundle.page_title(str(row.get("page"))), count(row.get("n"), t), percent(row.get("percent"))]
            for row in result["table"]]
    return _table(bundle, "dropout", _("Last page reached by unfinished responses"), [_("Page"), "n", "%"], rows, [1, 2])


def topics(bundle):
    tables = []
    for result_id in bundle.ids("text/"):
        result = bundle.result(result_id)
        if not result.get("table"):
            continue
        rows = [[number(row.get("topic"), 0), _("no topic") if row.get("topic") is None else str(row.get("terms")),
                 count(row.get("n_answers"), bundle.threshold)] for row in result["table"]]
        title = _("Topics in the answers to: %(item)s") % {"item": bundle.label(result_id.split("/")[1])}
        values = result.get("values") or {}
        notes = [_("Topics fitted on a random sample of %(sample)s of the %(answers)s answers; n counts every "
                   "answer.") % {"sample": number(values["fitted_on"], 0), "answers": number(values["answers"], 0)}
                 ] if values.get("fitted_on") else []
        tables.append(_table(bundle, result_id.replace("/", "__"), title, [_("Topic"), _("Top terms"), "n"], rows, [2],
                             notes))
    return tables


def nonresponse_balance(bundle):
    """Respondents against nonrespondents, usage feature by feature: standardised mean differences before
    and after weighting, each with its 95% CI."""
    result = bundle.result("nonresponse/smd")
    if not result or not result.get("table"):
        return None
    values, t = result.get("values") or {}, bundle.threshold
    rows = [[bundle.label(row.get("feature")), mean(row.get("mean_respondents")), mean(row.get("mean_nonrespondents")),
             f"{number(row.get('smd'))} {interval(row.get('smd_ci_low'), row.get('smd_ci_high'))}",
             mean(row.get("mean_respondents_weighted")),
             f"{number(row.get('smd_weighted'))} {interval(row.get('smd_weighted_ci_low'), row.get('smd_weighted_ci_high'))}"]
            for row in result["table"]]
    notes = [_("Respondents: %(respondents)s analysed respondents with linked usage; nonrespondents: %(others)s "
               "platform users of the usage window without such a response.") % {
                 "respondents": count(values.get("respondents"), t), "others": count(values.get("nonrespondents"), t)}]
    left_out = values.get("left_out") or {}
    if left_out:
        notes.append(_("Not shown, being the same for all users or repeating a feature above: %(features)s.")
                     % {"features": ", ".join(bundle.label(feature) for feature in left_out)})
    if values.get("refused_linkage_at_most"):
        notes.append(_("Up to %(n)s respondents who refused linkage are among the nonrespondents: telling them apart "
                       "would be the linkage they refused.") % {"n": count(values["refused_linkage_at_most"], t)})
    notes.append(_("SMD: standardised mean difference with its 95% CI (Hedges & Olkin, 1985), before and after "
                   "weighting, both over the unweighted pooled SD; |SMD| above 0.1 counts as imbalanced."))
    return _table(bundle, "nonresponse__smd", _("Respondents compared with nonrespondents"),
                  [_("Usage feature"), _("M, respondents"), _("M, nonrespondents"), _("SMD [95% CI]"),
                   _("M, respondents, weighted"), _("SMD after weighting [95% CI]")], rows, [1, 2, 3, 4, 5], notes)


def mean(value):
    """A mean of usage: two decimals for shares and small counts, none for counts in the hundreds and more
    (tokens), where decimals would only widen the column."""
    if missing(value) or is_marker(value):
        return number(value)
    return number(value, 2 if abs(float(value)) < 100 else 0)


def linkage_consent(bundle):
    """Respondents who consented to linkage against those who did not, on the answers both gave."""
    result = bundle.result("nonresponse/consent")
    if not result or not result.get("table"):
        return None
    t = bundle.threshold
    rows = [[bundle.label(row.get("feature")), count(row.get("n_consenting"), t), number(row.get("mean_consenting")),
             count(row.get("n_refusing"), t), number(row.get("mean_refusing")),
             f"{number(row.get('smd'))} {interval(row.get('smd_ci_low'), row.get('smd_ci_high'))}"]
            for row in result["table"]]
    return _table(bundle, "nonresponse__consent", _("Respondents who consented to linkage compared with those who did "
                                                      "not"),
                  [_("Measure"), "n", _("M, consenting"), "n", _("M, not consenting"), _("SMD [95% CI]")], rows,
                  [1, 2, 3, 4, 5])


def weighted_estimates(bundle):
    """Unweighted and weighted means side by side, each with its 95% CI."""
    result = bundle.result("nonresponse/weighted")
    if not result or not result.get("table"):
        return None
    t = bundle.threshold
    rows = [[bundle.label(row.get("variable")), count(row.get("n"), t), number(row.get("mean_unweighted")),
             interval(row.get("ci_low_unweighted"), row.get("ci_high_unweighted")), number(row.get("mean_weighted")),
             interval(row.get("ci_low"), row.get("ci_high")), number(row.get("effective_n"), 0)]
            for row in result["table"]]
    return _table(bundle, "nonresponse__weighted", _("Weighted beside unweighted estimates"),
                  [_("Measure"), "n", _("M, unweighted"), _("95% CI"), _("M, weighted"), _("95% CI"),
                   _("Effective n")], rows, [1, 2, 3, 4, 5, 6],
                  [weighting_note(bundle, result.get("values") or {})])


def weighting_note(bundle, values):
    margins = [_("usage-intensity bands (tertiles of active days among all platform users)") if m == "usage_band"
               else bundle.label(m) for m in values.get("margins") or []]
    return _("Unweighted: t interval. Weighted: raked to the population margins of %(margins)s, 95%% CI by Taylor "
             "linearisation (weights treated as fixed); effective n after Kish. Weighted on %(n)s respondents.") % {
        "margins": ", ".join(margins), "n": count(values.get("respondents"), bundle.threshold)}


def personas(bundle):
    """Usage personas: for each number of clusters its bootstrap stability and mean silhouette width."""
    result = bundle.result("personas/choice")
    if not result or not result.get("table"):
        return None
    rows = [[number(row.get("k"), 0), bounded(row.get("stability")), bounded(row.get("silhouette")),
             _("yes") if row.get("chosen") else ""] for row in result["table"]]
    notes = [_("Stability: mean adjusted Rand index between the clustering of all respondents and those of "
               "bootstrap samples. Silhouette read after Kaufman and Rousseeuw (1990): .25 or less means no "
               "substantial structure.")]
    sample = (result.get("values") or {}).get("sample")
    if sample:
        notes.append(_("With more than %(sample)s respondents, each clustering was fitted on a random sample of "
                       "%(sample)s and every respondent assigned to the nearest cluster centre (CLARA; Kaufman and "
                       "Rousseeuw, 1990); bootstrap samples and the silhouette also use %(sample)s respondents.")
                     % {"sample": number(sample, 0)})
    return _table(bundle, "personas__choice", _("Usage personas: stability and silhouette by number of clusters"),
                  [_("Clusters (k)"), _("Stability (mean ARI)"), _("Mean silhouette"), _("Chosen")], rows, [0, 1, 2],
                  notes)


def persona_profiles(bundle):
    """The personas' usage (medians), shown only when the clustering found substantial structure."""
    rows_in = bundle.rows("personas/profiles")
    if not rows_in:
        return None
    t = bundle.threshold
    features = [c.removesuffix("_median") for c in rows_in[0] if c.endswith("_median")]
    rows = [[number(row.get("persona"), 0), count(row.get("n"), t), *[number(row.get(f"{f}_median"), 1) for f in features]]
            for row in rows_in]
    return _table(bundle, "personas__profiles", _("Usage personas: median usage per persona"),
                  [_("Persona"), "n", *[bundle.label(f) for f in features]], rows, list(range(1, len(features) + 2)))
