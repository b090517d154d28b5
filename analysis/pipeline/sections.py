"""Sections of a run over survey answers: descriptives, reliability, group comparisons,
models, factors and free text. Each adds Results (already disclosure-controlled) to the context."""

from __future__ import annotations

import pandas as pd

from analysis import apa, categories, compare, descriptives, disclosure, factors, regression, reliability, text
from analysis.pipeline import figures
from .context import Context
from .io import TEXT_TYPES
from .linked import correlations, nonresponse, personas, start_personas
from .results import Result
from .waves import longitudinal
from analysis.scoring import sus_contributions

RANK = "rank"
CATEGORICAL = "categorical"


def _blocks(ctx: Context, key: str) -> dict[str, list[str]]:
    """A descriptives entry is a list (one block named after the key) or named blocks."""
    spec = (ctx.plan.get("descriptives") or {}).get(key)
    if isinstance(spec, dict):
        return {name: ctx.columns(f"descriptives.{key}.{name}") for name in spec}
    return {key: ctx.columns(f"descriptives.{key}")} if spec else {}


def _by_scale(ctx: Context, block: str, columns: list[str]) -> dict[str, list[str]]:
    """The block's items grouped by their answer scale (the codebook's value labels), so that a chart's
    legend fits every bar in it: the block's name for the most common scale, `<block>__<item>` for the others."""
    groups: dict[tuple, list[str]] = {}
    for column in columns:
        groups.setdefault(tuple(sorted(ctx.labels(column).items())), []).append(column)
    ordered = sorted(groups.values(), key=len, reverse=True)
    return {block: ordered[0], **{f"{block}__{group[0]}": group for group in ordered[1:]}}


def descriptive_tables(ctx: Context) -> None:
    """Distributions, option shares, numeric summaries and counts of 'other' answers; figures only where a
    report shows them (a diverging bar chart per Likert block, a bar chart per multiple-choice block)."""
    frame, blocks = ctx.frame, {kind: _blocks(ctx, kind) for kind in ("categorical", "likert")}
    # The analysed rows of the answers as given (missing codes still codes), only of the columns tabulated.
    tabulated = [c for kind in blocks.values() for columns in kind.values() for c in columns if c in ctx.dataset.raw]
    raw = ctx.dataset.raw[list(dict.fromkeys(tabulated))].loc[frame.index]
    planned = {spec["name"] for spec in ctx.plan.get("figures") or [] if spec.get("kind") == "frequencies"}
    for kind in ("categorical", "likert"):
        for block, columns in blocks[kind].items():
            shown_tables = []
            for column in columns:
                source = raw[column] if column in raw else frame[column]
                declared = ctx.range_of(column)
                points = list(range(int(declared[0]), int(declared[1]) + 1)) if declared else None
                table = descriptives.distribution(source, ctx.labels(column), ctx.missing_codes(column), points)
                shown = disclosure.suppress_frequencies(table, threshold=ctx.threshold)
                ctx.add(Result(f"descriptives/{kind}/{column}", "descriptives", ctx.label_of(column), table=shown))
                shown_tables.append(shown.assign(variable=column))
            if kind == "likert" and shown_tables:
                shown_all = pd.concat(shown_tables, ignore_index=True)
                for name, same_scale in _by_scale(ctx, block, columns).items():
                    shown = shown_all[shown_all["variable"].isin(same_scale)]
                    ctx.add_figure(ctx.figure_spec(f"likert_diverging__{name}", "likert_diverging", block,
                                                   same_scale, shown))
    for block, columns in _blocks(ctx, "multi_select").items():
        numeric = _option_columns(ctx, columns)
        table = descriptives.multi_select(frame, numeric)
        table["label"] = [ctx.label_of(c) for c in numeric]
        shown = disclosure.suppress_frequencies(table, threshold=ctx.threshold)
        ctx.add(Result(f"descriptives/multi_select/{block}", "descriptives", f"Multiple choice: {block}", table=shown))
        if block not in planned:  # a planned figure of the same name shows these options, sorted
            ctx.add_figure(ctx.figure_spec(f"multi_select__{block}", "bars", block, numeric, shown))
    for block, columns in _blocks(ctx, "numeric").items():
        table = descriptives.numeric_summary(frame, columns)
        shown = disclosure.mask_small_groups(table, "n", ["mean", "sd", "median", "q1", "q3", "min", "max"], ctx.threshold)
        ctx.add(Result(f"descriptives/numeric/{block}", "descriptives", "Numeric summaries", table=shown))
    for block, columns in _blocks(ctx, "other_text").items():
        # How many, never the texts: the bundle is copied next to the report. The texts themselves
        # leave only through the restricted free-text export (docs/privacy.md).
        texts = descriptives.other_texts(frame, columns)
        counts = texts.groupby("variable").size().reindex(columns, fill_value=0).rename("n").rename_axis("variable")
        ctx.add(Result(f"descriptives/other_text/{block}", "descriptives", "'Other' answers given (count)",
                       table=disclosure.suppress_frequencies(counts.reset_index(), derived_columns=(),
                                                             threshold=ctx.threshold)))


def _option_columns(ctx: Context, columns: list[str]) -> list[str]:
    """Option columns only: the "other, please specify" text column belongs to other_text."""
    return [c for c in columns if pd.api.types.is_numeric_dtype(ctx.frame[c]) and not c.endswith("__other_text")
            and ctx.codebook_row(c).get("type", "") not in TEXT_TYPES]


def planned_figures(ctx: Context) -> None:
    """The plan's `figures`: option frequencies sorted by share, option shares per group, and a
    rating across thirds of usage intensity (only when the wave has usage columns). Each also
    writes its table (disclosure control applied) as result `figures/<name>`."""
    for i, spec in enumerate(ctx.plan.get("figures") or []):
        name = spec["name"]
        draw = {"frequencies": _frequencies_figure, "shares_by_group": _shares_figure, "by_usage": _usage_figure}
        ctx.attempt(f"figures/{name}", "figures", name, lambda i=i, spec=spec: draw[spec["kind"]](ctx, i, spec))


def _frequencies_figure(ctx: Context, i: int, spec: dict) -> None:
    options = _option_columns(ctx, ctx.columns(f"figures[{i}].items"))
    table = descriptives.multi_select(ctx.frame, options)
    table["label"] = [ctx.label_of(c) for c in options]
    shown = disclosure.suppress_frequencies(table, threshold=ctx.threshold)
    ctx.add(Result(f"figures/{spec['name']}", "figures", ctx.block_title(spec["name"], options), table=shown))
    ctx.add_figure(ctx.figure_spec(spec["name"], "frequencies", spec["name"], options, shown, sorted=True))


def _shares_figure(ctx: Context, i: int, spec: dict) -> None:
    options = _option_columns(ctx, ctx.columns(f"figures[{i}].items"))
    by = ctx.columns(f"figures[{i}].by")[0]
    shown = figures.shares_by_group(ctx.frame, options, ctx.group_labels(ctx.frame[by]), ctx.threshold)
    title = f"{ctx.block_title(spec['name'], options)} × {ctx.figure_label(by)}"
    ctx.add(Result(f"figures/{spec['name']}", "figures", title, table=shown, values={"by": by}))
    figure = ctx.figure_spec(spec["name"], "shares_by_group", spec["name"], options, shown)
    ctx.add_figure(figure | {"title": ctx.block_title(spec["name"], options)})


def _usage_figure(ctx: Context, i: int, spec: dict) -> None:
    usage = ctx.columns(f"figures[{i}].usage")
    outcome = ctx.columns(f"figures[{i}].outcome")[0]
    if not usage:
        ctx.add(Result(f"figures/{spec['name']}", "figures", spec["name"],
                       messages=["no usage columns (codebook source 'usage') in this wave: no figure"]))
        return
    summary, values = figures.by_usage_thirds(ctx.frame[outcome], ctx.frame[usage[0]], ctx.threshold)
    if summary.empty:
        ctx.add(Result(f"figures/{spec['name']}", "figures", spec["name"],
                       messages=[f"fewer than two different values of {usage[0]} among respondents with "
                                 f"{outcome}: no figure"]))
        return
    title = f"{ctx.figure_label(outcome)} × {ctx.figure_label(usage[0])}"
    ctx.add(Result(f"figures/{spec['name']}", "figures", title, table=summary,
                   values={"outcome": outcome, "usage": usage[0]}))
    ctx.add_figure({"name": spec["name"], "kind": "by_usage", "title": title, "table": summary, "values": values,
                    "language": ctx.language, "outcome_label": ctx.figure_label(outcome),
                    "usage_label": ctx.figure_label(usage[0])})


def _reliability_of(ctx: Context, name: str, items: pd.DataFrame) -> None:
    summary = reliability.reliability(items)
    row = summary.iloc[0]
    if row["coefficient"] == "spearman_brown":  # two items: Eisinga, Te Grotenhuis & Pelzer (2013)
        text_ = apa.spearman_brown(row["spearman_brown"], row["n"])
    else:
        text_ = (f"{apa.alpha(row['alpha'], row['ci_low'], row['ci_high'])}, ω = "
                 f"{apa.number(row['omega'], 2, leading_zero=False)}, {apa.sample(row['n'])}")
    ctx.add(Result(f"reliability/{name}", "reliability", f"Reliability: {name}", table=summary, text=text_,
                   values={"coefficient": row["coefficient"], "n": row["n"], "items": row["k"]}))
    ctx.add(Result(f"reliability/{name}/items", "reliability", f"Item statistics: {name}",
                   table=reliability.item_statistics(items)))


def reliability_tables(ctx: Context) -> None:
    if "sus" in (ctx.plan.get("instruments") or {}):
        items = ctx.columns("instruments.sus.items")
        # SUS alternates tone; alpha needs every item pointing the same way (Brooke, 1996).
        ctx.attempt("reliability/sus", "reliability", "Reliability: sus",
                    lambda: _reliability_of(ctx, "sus", sus_contributions(ctx.frame, items)))
    for name, spec in (ctx.plan.get("scales") or {}).items():
        def compute(name=name, spec=spec):
            items, reverse, ranges = ctx.scale_items(name, spec)
            data = ctx.frame[items].astype(float).copy()
            for item in reverse:
                data[item] = ranges[item][0] + ranges[item][1] - data[item]
            _reliability_of(ctx, name, data)
        ctx.attempt(f"reliability/{name}", "reliability", f"Reliability: {name}", compute)


def _test_kind(ctx: Context, test: dict, outcome: str) -> str:
    if test.get("kind"):
        return test["kind"]
    kind = ctx.codebook_row(outcome).get("type", "")
    return CATEGORICAL if kind in ("single_choice", "dropdown") or outcome == "nps_category" else RANK


def _rank_test(ctx: Context, test_id: str, outcome: str, by: str, adjust: str) -> list[Result]:
    values, groups = ctx.frame[outcome], ctx.group_labels(ctx.frame[by])
    summary = compare.group_summary(values, groups)
    shown = disclosure.mask_small_groups(summary, "n", ["median", "q1", "q3", "mean", "sd"], ctx.threshold)
    title = f"{outcome} by {by}"
    if len(summary) == 2:
        a, b = summary["group"]
        row = compare.mann_whitney(values[groups == a], values[groups == b]).iloc[0]
        values_ = {"test": "mann-whitney", "method": row["method"], "group_1": a, "group_2": b, "n": row["n"],
                   "U": row["U"], "p": row["p"], "r_rb": row["r_rb"], "effect_size": "rank-biserial r"}
        text_ = apa.mann_whitney(row["U"], row["p"], row["r_rb"], row["n"])
        messages = [row["message"]] if row["message"] else []
        return [Result(test_id, "comparisons", title, table=shown, values=values_, text=text_, messages=messages)]
    row = compare.kruskal(values, groups).iloc[0]
    result = Result(test_id, "comparisons", title, table=shown,
                    values={"test": "kruskal-wallis", "method": "asymptotic (chi-square), tie-corrected",
                            "n": row["n"], "H": row["H"], "df": row["df"], "p": row["p"],
                            "epsilon_squared": row["epsilon_squared"], "eta_squared_h": row["eta_squared_h"],
                            "effect_size": "epsilon-squared (Tomczak & Tomczak, 2014); eta-squared H (Cohen, 2008)"},
                    text=apa.kruskal(row["H"], row["df"], row["n"], row["p"], row["epsilon_squared"],
                                     row["eta_squared_h"]),
                    messages=[row["message"]] if row["message"] else [])
    if len(summary) < 3 or row["p"] != row["p"]:
        return [result]
    posthoc = compare.dunn(values, groups, adjust)
    # Pairs involving a group below the disclosure threshold are left out: mean ranks of
    # one or two people would describe them.
    small = set(shown.loc[shown["suppressed"], "group"])
    posthoc = posthoc[~posthoc["A"].isin(small) & ~posthoc["B"].isin(small)].reset_index(drop=True)
    return [result, Result(f"{test_id}/dunn", "comparisons", f"Dunn post-hoc ({adjust}-adjusted): {title}", table=posthoc)]


def _contingency_text(row) -> str:
    if not row["test"]:  # fewer than two observed levels: the message says so
        return ""
    if row["test"] == "fisher":
        return apa.fisher(row["p"], row["n"], row["odds_ratio"], row["or_ci_low"], row["or_ci_high"])
    if row["test"] == "fisher-freeman-halton":  # the p is Fisher's, V describes the table
        return apa.freeman_halton(row["p"], row["n"], row["cramers_v"], row["resamples"], row["seed"])
    return apa.chi_square(row["chi2"], row["df"], row["n"], row["p"], row["cramers_v"], row["correction"])


def _categorical_test(ctx: Context, test_id: str, outcome: str, by: str) -> Result:
    counts = compare.crosstab(ctx.group_labels(ctx.frame[by]), ctx.group_labels(ctx.frame[outcome]))
    options = ctx.plan.get("comparisons") or {}
    options = options if isinstance(options, dict) else {}
    row = compare.chi_square(counts, seed=ctx.seed, correction=bool(options.get("yates", True)),
                             resamples=int(options.get("resamples", compare.MONTE_CARLO_RESAMPLES))).iloc[0]
    keys = ["test", "method", "correction", "chi2", "df", "p", "cramers_v", "min_expected", "n"]
    if row["test"] == "fisher":
        keys += ["odds_ratio", "or_ci_low", "or_ci_high"]
    if row["test"] == "fisher-freeman-halton":
        keys += ["resamples", "seed"]
    values_ = {k: row[k] for k in keys} | {"effect_size": "conditional MLE odds ratio" if row["test"] == "fisher"
                                           else "Cramér's V"}
    return Result(test_id, "comparisons", f"{outcome} by {by}",
                  table=disclosure.suppress_crosstab(counts, ctx.threshold).rename_axis(by).reset_index(),
                  values=values_, text=_contingency_text(row), messages=[row["message"]] if row["message"] else [])


def comparison_tests(ctx: Context) -> None:
    """Every planned test, then Holm/BH over each family of omnibus tests."""
    spec = ctx.plan.get("comparisons") or {}
    adjust = spec.get("adjust", "holm") if isinstance(spec, dict) else "holm"
    families: dict[str, list[Result]] = {}
    planned = [(test, outcome, ctx.columns(f"comparisons.tests[{i}].by")[0])
               for i, test in enumerate(spec.get("tests", []) if isinstance(spec, dict) else spec)
               for outcome in ctx.columns(f"comparisons.tests[{i}].outcome")]  # a pattern: one test per column
    for test, outcome, by in planned:
        test_id = f"comparisons/{outcome}__by__{by}"

        def compute(test=test, outcome=outcome, by=by, test_id=test_id):
            if _test_kind(ctx, test, outcome) == CATEGORICAL:
                found = [_categorical_test(ctx, test_id, outcome, by)]
            else:
                found = _rank_test(ctx, test_id, outcome, by, adjust)
            found[0].values["family"] = test.get("family", "comparisons")
            families.setdefault(found[0].values["family"], []).append(found[0])
            for result in found:
                ctx.add(result)
        ctx.attempt(test_id, "comparisons", f"{outcome} by {by}", compute)
    for family, results in families.items():
        adjusted = compare.p_adjust([r.values.get("p", float("nan")) for r in results], adjust)
        size = int(sum(p == p for p in adjusted))
        # A planned test without a p (too few answers, one level observed) leaves the family: say which.
        untested = [r.id.split("/", 1)[1] for r, p in zip(results, adjusted) if p != p]
        for result, p_adj in zip(results, adjusted):
            result.values.update(p_adj=p_adj, adjust=adjust, family_size=size, family_planned=len(results),
                                 family_untested=untested)
            if result.text:
                result.text += f"; {apa.adjusted(p_adj, adjust, size)}"


def _model_text(kind: str, table: pd.DataFrame) -> str:
    row = table.iloc[0]
    if row.get("term") is None:
        return ""
    if kind == "ordinal":
        return (f"Proportional-odds model, {apa.sample(row['n'])}: likelihood-ratio χ²({int(row['lr_df'])}) = "
                f"{apa.number(row['lr_chi2'])}, {apa.pvalue(row['lr_p'])}, McFadden R² = "
                f"{apa.number(row['mcfadden_r2'], 2, leading_zero=False)}; Brant test of proportional odds "
                f"χ²({int(row['brant_omnibus_df'])}) = {apa.number(row['brant_omnibus_chi2'])}, "
                f"{apa.pvalue(row['brant_omnibus_p'])}")
    return (f"Linear model, {apa.sample(row['n'])}: F({int(row['df_model'])}, {int(row['df_resid'])}) = "
            f"{apa.number(row['f'])}, {apa.pvalue(row['f_p'])}, R² = {apa.number(row['r_squared'], 2, leading_zero=False)}, "
            f"adjusted R² = {apa.number(row['adj_r_squared'], 2, leading_zero=False)} ({row['se_type']} SEs)")


def _unequal_groups(ctx: Context, outcome: str, predictors: list[str], categorical: list[str]) -> bool:
    complete = ctx.frame[[outcome, *predictors]].dropna()
    return any(complete[c].value_counts().nunique() > 1 for c in categorical if c in complete)


def _references(ctx: Context, outcome: str, predictors: list[str], categorical: list[str]) -> dict:
    """The reference category of each dummy-coded predictor: its first level among the complete cases
    (regression.design_matrix drops it)."""
    complete = ctx.frame[[outcome, *predictors]].dropna()
    return {c: sorted(complete[c].unique(), key=str)[0] for c in predictors if c in categorical and len(complete)}


def _dropped(ctx: Context, outcome: str, predictors: list[str], categorical: list[str]) -> list[str]:
    """Dummy columns the model leaves out because they do not vary among the complete cases (a level
    nobody with complete answers chose)."""
    complete = ctx.frame[[outcome, *predictors]].dropna()
    design = regression.design_matrix(complete, predictors, categorical)
    return [c for c in design.columns if design[c].nunique() < 2]


def _model(ctx: Context, name: str, spec: dict, outcome: str, predictors: list[str], categorical: list[str]) -> None:
    title = f"{spec['kind']} model: {outcome} ~ {' + '.join(predictors)}"
    if spec["kind"] == "ordinal":
        table = regression.ordinal_regression(ctx.frame, outcome, predictors, categorical)
    else:
        # Unequal group sizes make classical SEs wrong under heteroscedasticity: HC3 unless the plan says
        # otherwise (Long & Ervin, 2000).
        robust = spec.get("robust", _unequal_groups(ctx, outcome, predictors, categorical))
        table = regression.linear_regression(ctx.frame, outcome, predictors, categorical, robust=bool(robust))
    values_ = {"kind": spec["kind"], "n": table.loc[0, "n"],
               "reference": _references(ctx, outcome, predictors, categorical),
               "dropped": _dropped(ctx, outcome, predictors, categorical)}
    if "kind" in table:  # ordinal: thresholds in their own table, so columns of the coefficients stay filled
        thresholds = table[table["kind"] == "threshold"][["term", "coef", "se", "ci_low", "ci_high"]]
        coefficients = table[table["kind"] == "coefficient"].drop(columns="kind").reset_index(drop=True)
        ctx.add(Result(f"models/{name}", "models", title, table=coefficients, values=values_,
                       text=_model_text("ordinal", table)))
        ctx.add(Result(f"models/{name}/thresholds", "models", f"Thresholds: {title}",
                       table=thresholds.reset_index(drop=True)))
        return
    if table.loc[0, "term"] is not None:
        values_["se_type"] = table.loc[0, "se_type"]
    ctx.add(Result(f"models/{name}", "models", title, table=table, values=values_, text=_model_text("linear", table)))


def model_tables(ctx: Context) -> None:
    for i, spec in enumerate(ctx.plan.get("models") or []):
        outcome = ctx.columns(f"models[{i}].outcome")[0]
        predictors = ctx.columns(f"models[{i}].predictors")
        categorical = list(spec.get("categorical") or []) + [
            p for p in predictors if ctx.codebook_row(p).get("type") in ("single_choice", "dropdown")]
        name = spec.get("name", f"{spec['kind']}_{outcome}")
        ctx.attempt(f"models/{name}", "models", f"{spec['kind']} model: {outcome}",
                    lambda n=name, s=spec, o=outcome, p=predictors, c=categorical: _model(ctx, n, s, o, p, c))


def factor_tables(ctx: Context) -> None:
    for i, spec in enumerate(ctx.plan.get("factors") or []):
        name = spec.get("name", f"efa_{i + 1}")

        def compute(i=i, spec=spec, name=name):
            fitted = factors.efa(ctx.frame[ctx.columns(f"factors[{i}].items")], spec.get("n_factors"),
                                 spec.get("rotation", "oblimin"), ctx.seed,
                                 int(spec.get("parallel_iterations", factors.PARALLEL_ITERATIONS)))
            ctx.add(Result(f"factors/{name}", "factors", f"EFA {name}: adequacy", table=fitted["summary"]))
            if not fitted["loadings"].empty:
                ctx.add(Result(f"factors/{name}/loadings", "factors", f"EFA {name}: loadings", table=fitted["loadings"]))
                ctx.add(Result(f"factors/{name}/parallel", "factors", f"EFA {name}: parallel analysis", table=fitted["parallel"]))
            if not fitted["factor_correlations"].empty:
                ctx.add(Result(f"factors/{name}/correlations", "factors", f"EFA {name}: factor correlations",
                               table=fitted["factor_correlations"]))
        ctx.attempt(f"factors/{name}", "factors", f"EFA {name}", compute)


def _topic_jobs(ctx: Context) -> list[tuple[str, tuple, int]]:
    """Per planned text column: the column, its job's key and the number of topics."""
    jobs = []
    for i, spec in enumerate(ctx.plan.get("text") or []):
        column = ctx.columns(f"text[{i}].column")[0]
        topics = int(spec.get("topics", 3))
        jobs.append((column, ("topics", column, topics), topics))
    return jobs


def start_text_topics(ctx: Context) -> None:
    """Fit the topics in a second process from the start of the run (NMF runs up to 10,000 iterations)."""
    for column, key, topics in _topic_jobs(ctx):
        ctx.start(key, text.topics, ctx.frame[column], topics, seed=ctx.seed)


def text_topics(ctx: Context) -> None:
    for column, key, topics in _topic_jobs(ctx):

        def compute(column=column, key=key, topics=topics):
            found = ctx.computed(key, text.topics, ctx.frame[column], topics, seed=ctx.seed)
            shown = disclosure.suppress_frequencies(found["topics"], count_column="n_answers", derived_columns=(),
                                                    threshold=ctx.threshold) if not found["topics"].empty else found["topics"]
            messages = [found["message"]] if found.get("message") else []
            # The example answers are verbatim respondent text: they stay out of the bundle.
            sampled = found.get("fitted_on", 0) < found.get("answers", 0)
            values = {"answers": found["answers"], "fitted_on": found["fitted_on"]} if sampled else {}
            ctx.add(Result(f"text/{column}", "text", f"Topics in {column}", table=shown, values=values,
                           messages=messages))
        ctx.attempt(f"text/{column}", "text", f"Topics in {column}", compute)


def coded_categories(ctx: Context) -> None:
    """Frequencies of the coded categories of open answers (codebook source `coding`), overall and by
    the plan's `coding: {by: column}`; counts below the threshold suppressed, no answer text."""
    columns = ctx.dataset.columns_from_source("coding")
    by = (ctx.plan.get("coding") or {}).get("by")
    items = ctx.dataset.codebook.set_index("variable").loc[columns, "item"] if columns else pd.Series(dtype=str)
    for item in dict.fromkeys(items):
        item_columns = [column for column in columns if items[column] == item]

        def compute(item=item, item_columns=item_columns):
            ctx.add(Result(f"coded/{item}", "coded", f"Coded categories of {item}",
                           table=categories.coded_categories(ctx.frame, item_columns, threshold=ctx.threshold)))
            if by and by in ctx.frame:
                ctx.add(Result(f"coded/{item}/by/{by}", "coded", f"Coded categories of {item} by {by}",
                               table=categories.coded_categories(ctx.frame, item_columns, by=by, threshold=ctx.threshold)))
        ctx.attempt(f"coded/{item}", "coded", f"Coded categories of {item}", compute)


def _guarded(name, function):
    def section(ctx: Context) -> None:
        ctx.attempt(f"{name}/section", name, name, lambda: function(ctx))
    return section


# Started in a second process before the sections run; their sections collect the results. Their inputs (usage
# features, answer texts) are final once the scores are added: no section changes them.
STARTED_AHEAD = [start_personas, start_text_topics]

SECTIONS = [
    _guarded("descriptives", descriptive_tables),
    reliability_tables,
    comparison_tests,
    correlations,
    model_tables,
    factor_tables,
    personas,
    nonresponse,
    longitudinal,
    text_topics,
    coded_categories,
    planned_figures,
]
