"""The longitudinal section: change since a previous wave named in the plan.

Within-person change (paired tests) when the plan names the pseudonym column that links
the two pseudonymous exports (`export_wave --keep-pseudonym`), between-wave change
(independent samples) otherwise. The previous wave is scored with the same plan."""

from __future__ import annotations

import pandas as pd

from analysis import apa, compare, disclosure, longitudinal as lg
from analysis.errors import PlanError
from .context import Context
from .io import load_dataset
from .results import Result


def _previous_frame(ctx: Context, spec: dict) -> tuple[pd.DataFrame, str]:
    """The previous wave after the same exclusions and scoring as this one, and its SHA-256."""
    from .run import score_wave  # run imports the sections, so the runner is imported when used

    dataset = load_dataset(spec["previous"], spec.get("codebook"))
    plan = {k: v for k, v in ctx.plan.items() if k in ("exclusions", "instruments", "scales", "seed")}
    return score_wave(plan, dataset), dataset.hashes["data_sha256"]


def _text(row) -> str:
    if row["design"] == lg.WITHIN:
        text = apa.signed_rank(row["statistic"], row["n_linked"], row["p"], row["effect_size"])
        if row["t"] == row["t"]:
            text += (f"; paired t({int(row['df_t'])}) = {apa.number(row['t'])}, {apa.pvalue(row['p_t'])}, "
                     f"d_z = {apa.number(row['d_z'])}")
        return text
    if row["test"] == "mann-whitney":
        return apa.mann_whitney(row["statistic"], row["p"], row["effect_size"], row["n_previous"] + row["n_current"])
    n = row["n_previous"] + row["n_current"]
    if row["test"] == "chi-square":
        return apa.chi_square(row["statistic"], row["df"], n, row["p"], row["effect_size"], row["correction"])
    if row["test"].startswith("fisher"):
        return f"{apa.fisher(row['p'], n)}, Cramér's V = {apa.number(row['effect_size'], 2, leading_zero=False)}"
    return ""


def longitudinal(ctx: Context) -> None:
    spec = ctx.plan.get("longitudinal") or {}
    if spec:
        ctx.attempt("longitudinal/change", "longitudinal", "Change since the previous wave", lambda: _change(ctx, spec))


def _change(ctx: Context, spec: dict) -> None:
    previous, digest = _previous_frame(ctx, spec)
    outcomes = ctx.columns("longitudinal.outcomes")
    key = spec.get("link")
    missing = [c for c in outcomes + ([key] if key else []) if c not in previous]
    if missing:
        raise PlanError(f"plan longitudinal: the previous wave {spec['previous']} lacks column(s) {missing}")
    categorical = [c for c in outcomes if c in (spec.get("categorical") or [])]
    table = lg.wave_change(previous, ctx.frame, outcomes, key, categorical, ctx.seed)
    adjust = spec.get("adjust", "holm")
    table["p_adj"] = compare.p_adjust(table["p"], adjust)
    size = int(table["p"].notna().sum())
    design = lg.WITHIN if key else lg.BETWEEN
    messages = [] if key else [_dependence(previous, ctx.frame)]
    if key:
        _attrition(ctx, previous, key, outcomes)
    ctx.add(Result("longitudinal/change", "longitudinal", f"Change since the previous wave ({design})", table=table,
                   messages=messages,
                   values={"design": design, "previous_sha256": digest, "link": key or None,
                           "n_linked": int(table["n_linked"].max()) if key and len(table) else None,
                           "adjust": adjust, "family_size": size}))
    for row in table.to_dict("records"):
        text = _text(row)
        if text:
            text += f"; {apa.adjusted(row['p_adj'], adjust, size)}"
        ctx.add(Result(f"longitudinal/{row['outcome']}", "longitudinal", f"Change in {row['outcome']} ({design})",
                       values={k: row[k] for k in ("design", "test", "method", "n_linked", "statistic", "p", "p_adj",
                                                   "effect_size", "effect_size_name")} | {"family_size": size},
                       text=text, messages=[row["message"]] if row["message"] else []))


PANEL_KEYS = ("pseudonym", "wave_pseudonym")


def _dependence(previous: pd.DataFrame, current: pd.DataFrame) -> str:
    """Between-wave tests assume two independent samples; people who answered both waves break that."""
    shared = next((k for k in PANEL_KEYS if k in previous and k in current), None)
    overlap = len(set(previous[shared].dropna()) & set(current[shared].dropna())) if shared else None
    who = f"{overlap} people answered both waves" if overlap is not None else "the waves may share respondents"
    return (f"between-wave tests treat the waves as independent samples, but {who}: their answers are "
            "dependent and the p values are only approximate; link the waves (longitudinal.link) for "
            "within-person tests")


def _attrition(ctx: Context, previous: pd.DataFrame, key: str, outcomes: list[str]) -> None:
    found = lg.attrition(previous, ctx.frame, key, outcomes)
    table = disclosure.mask_small_groups(found, "n_leavers", ["mean_leavers", "smd", "smd_ci_low", "smd_ci_high"],
                                         ctx.threshold)
    row = found.iloc[0] if len(found) else None
    messages = [] if row is None else [
        f"{int(row['n_leavers'])} people answered only the previous wave and {int(row['n_joiners'])} only this one: "
        "within-person change rests on those in both"]
    ctx.add(Result("longitudinal/attrition", "longitudinal", "Stayers vs leavers on the previous wave's answers",
                   table=table, messages=messages))
