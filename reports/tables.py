"""Result tables as the reports show them (APA 7: number, title, column heads, note).

Each builder takes the bundle and returns a Table or None when the result is not in the
bundle; cells are already formatted strings, so the PDF, the CSV and the LaTeX export of a
table hold exactly the same values.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reports.formatting import (DASH, apa_text, bounded, count, interval, is_marker, missing, number, p_value, percent,
                                suppressed_note)


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
        return any(str(cell).startswith("<") for row in self.rows for cell in row)


def _table(bundle, key, title, columns, rows, numeric, notes=()):
    table = Table(key, title, columns, rows, list(notes), numeric)
    if table.suppressed:
        table.notes.append(suppressed_note(bundle.threshold))
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
                  rows, [3], [_("Rank outcomes: Mann–Whitney U or Kruskal–Wallis H; categorical outcomes: χ² or Fisher's "
                               "exact test; p adjusted over each family of tests.")])


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
            "rotation": adequacy.get("rotation") or DASH})
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
        rows = [[number(row.get("topic"), 0), str(row.get("terms")), count(row.get("n_answers"), bundle.threshold)]
                for row in result["table"]]
        title = _("Topics in the answers to: %(item)s") % {"item": bundle.label(result_id.split("/")[1])}
        tables.append(_table(bundle, result_id.replace("/", "__"), title, [_("Topic"), _("Top terms"), "n"], rows, [2]))
    return tables


def nonresponse(bundle):
    """Respondents against all platform users, usage feature by feature (standardised mean differences)."""
    result = bundle.result("nonresponse/smd")
    if not result or not result.get("table"):
        return None
    rows = [[bundle.label(row.get("feature")), number(row.get("mean_respondents")), number(row.get("mean_population")),
             number(row.get("smd")),
             DASH if row.get("imbalanced") is None else _("yes") if row.get("imbalanced") else _("no")]
            for row in result["table"]]
    return _table(bundle, "nonresponse__smd", _("Respondents compared with all platform users"),
                  [_("Usage feature"), _("Mean, respondents"), _("Mean, all users"), "SMD", _("Imbalanced")], rows,
                  [1, 2, 3], [_("SMD: standardised mean difference; |SMD| above 0.1 counts as imbalanced; a dash where "
                                "a feature does not vary.")])
