"""Sections that use platform usage linked to answers: correlations with usage
features, usage personas, and nonresponse against all platform users."""

from __future__ import annotations

import pandas as pd

from analysis import apa, disclosure, nonresponse as nr, personas as ps
from .context import Context
from analysis.correlate import spearman_table
from .results import Result


def correlations(ctx: Context) -> None:
    spec = ctx.plan.get("correlations") or {}
    if not spec:
        return

    def compute():
        right = ctx.columns("correlations.with")
        if not right:
            ctx.add(Result("correlations/usage", "correlations", "Scales x usage features",
                           messages=["no usage columns (codebook source 'usage') in this wave: nothing to correlate"]))
            return
        table = spearman_table(ctx.frame, ctx.columns("correlations.scales"), right, spec.get("adjust", "holm"))
        table["text"] = [apa.correlation(r.rho, r.n, r.p, r.ci_low, r.ci_high) for r in table.itertuples()]
        ctx.add(Result("correlations/usage", "correlations", "Spearman correlations: scales x usage features", table=table))
    ctx.attempt("correlations/usage", "correlations", "Scales x usage features", compute)


def personas(ctx: Context) -> None:
    spec = ctx.plan.get("personas") or {}
    if not spec:
        return

    def compute():
        features = ctx.columns("personas.features")
        if not features:
            ctx.add(Result("personas/choice", "personas", "Usage personas",
                           messages=["no usage columns in this wave: no personas"]))
            return
        k_range = (int(spec.get("k_min", 2)), int(spec.get("k_max", 6)))
        found = ps.cluster_usage(ctx.frame[features], k_range, ctx.seed)
        if found.get("message"):
            ctx.add(Result("personas/choice", "personas", "Usage personas", messages=[found["message"]]))
            return
        ctx.frame = ctx.frame.assign(persona=found["assignment"])
        ctx.add(Result("personas/choice", "personas", "Number of personas by silhouette", table=found["choice"]))
        stats = [c for c in found["profiles"].columns if c not in ("persona", "n")]
        ctx.add(Result("personas/profiles", "personas", "Usage profile per persona",
                       table=disclosure.mask_small_groups(found["profiles"], "n", stats, ctx.threshold)))
        ratings = ps.persona_ratings(ctx.frame, found["assignment"], ctx.columns("personas.rate"))
        ctx.add(Result("personas/ratings", "personas", "How each persona rates the platform",
                       table=disclosure.mask_small_groups(ratings, "n", ["mean", "median"], ctx.threshold)))
    ctx.attempt("personas/choice", "personas", "Usage personas", compute)


def nonresponse(ctx: Context) -> None:
    spec = ctx.plan.get("nonresponse") or {}
    if not spec:
        return
    ctx.attempt("nonresponse/smd", "nonresponse", "Respondents vs all platform users", lambda: _differences(ctx))
    ctx.attempt("nonresponse/weighted", "nonresponse", "Weighted estimates", lambda: _weighted(ctx, spec))


RESPONDED = "responded"  # 0/1 column of the population export (platform_logs): answered the wave


def _differences(ctx: Context) -> None:
    """Respondents vs all platform users on usage features.

    With a `responded` column (the platform_logs population export) both groups come from
    the population table, so respondents who did not consent to linkage count too;
    without it, the linked respondents in the data are compared with the table.
    """
    population = ctx.population
    features = ctx.columns("nonresponse.features")
    if population is not None and not features and RESPONDED in population:
        features = [c for c in population.columns if c.startswith("usage_")
                    and pd.api.types.is_numeric_dtype(population[c])]
    if population is None or not features:
        ctx.add(Result("nonresponse/smd", "nonresponse", "Respondents vs all platform users",
                       messages=["no population table (--population) or no usage features: comparison skipped"]))
        return
    missing = [f for f in features if f not in population]
    if missing:
        ctx.add(Result("nonresponse/smd", "nonresponse", "Respondents vs all platform users",
                       messages=[f"population table lacks usage feature(s) {missing}"]))
        return
    if RESPONDED in population:
        respondents, source = population[population[RESPONDED] == 1], "population table (responded = 1)"
    else:
        respondents, source = ctx.frame, "linked respondents in the data table"
    table = nr.standardized_differences(respondents, population, features)
    ctx.add(Result("nonresponse/smd", "nonresponse", "Respondents vs all platform users (standardized mean differences)",
                   table=table, values={"respondents_from": source, "users": int(len(population)),
                                        "respondents": int(len(respondents)),
                                        "imbalanced": int(table["imbalanced"].fillna(False).astype(bool).sum())}))


def _weighted(ctx: Context, spec: dict) -> None:
    margins = (ctx.plan.get("population") or {}).get("margins") or {}
    estimates = ctx.columns("nonresponse.estimates")
    if not margins or not estimates:
        ctx.add(Result("nonresponse/weighted", "nonresponse", "Weighted estimates",
                       messages=["no population.margins or nonresponse.estimates in the plan: no weights"]))
        return
    if len(margins) == 1:
        (variable, shares), = margins.items()
        weights, message = nr.poststratification_weights(ctx.frame, variable, shares), ""
        method = "post-stratification"
    else:
        weights, message = nr.rake(ctx.frame, margins)
        method = "raking"
    table = nr.weighted_estimates(ctx.frame, estimates, weights)
    unplaced = int(weights.isna().sum())
    messages = [m for m in (message, f"{unplaced} respondent(s) outside the margins got no weight" if unplaced else "") if m]
    ctx.add(Result("nonresponse/weighted", "nonresponse", f"Weighted ({method}) beside unweighted estimates",
                   table=table, values={"method": method, "weight_max": weights.max(), "weight_min": weights.min()},
                   messages=messages))
