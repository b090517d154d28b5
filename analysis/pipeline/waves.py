"""The longitudinal section: change since a previous wave named in the plan.

Within-person change (paired tests) when the plan names the pseudonym column that links
the two pseudonymous exports (`export_wave --keep-pseudonym`), between-wave change
(independent samples) otherwise. The previous wave is scored with the same plan."""

from __future__ import annotations

import pandas as pd

from analysis import apa, compare, longitudinal as lg
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
        return apa.signed_rank(row["statistic"], row["n_linked"], row["p"], row["effect_size"])
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
    ctx.add(Result("longitudinal/change", "longitudinal", f"Change since the previous wave ({design})", table=table,
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
