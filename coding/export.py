"""Coded categories in the wave export: one 0/1 column per code, with codebook rows.

Only codes where the model agreed with people at least as well as people agreed with each other (and
reached the plan's minimum alpha) are exported from the model's codes; the others stay with people:
their column holds the people's codes on the random sample, and `coding_summary` says which is which,
so the report can say it.
"""

from __future__ import annotations

import json

import pandas as pd
from django.conf import settings

from analysis.agreement import GATE_MIN_ALPHA
from analysis.errors import AnalysisError
from analysis.pipeline.plan import load_plan
from coding.models import CodebookVersion, Coding, CodingSample
from coding.services import sample_agreement
from surveys.export import CODEBOOK_COLUMNS

CODE_SOURCE = "coding"
MENTIONED = {"de": {"0": "nicht genannt", "1": "genannt"}, "en": {"0": "not mentioned", "1": "mentioned"}}


def code_column(item: str, code: str) -> str:
    return f"{item}_code__{code}"


def plan_min_alpha() -> float:
    """The plan's `coding: {min_alpha: …}`, else Krippendorff's .667."""
    try:
        plan, _sha = load_plan(settings.UPTAKE_ANALYSIS_PLAN)
    except AnalysisError:
        return GATE_MIN_ALPHA
    return float((plan.get("coding") or {}).get("min_alpha", GATE_MIN_ALPHA))


def checked_codebooks(wave) -> list[dict]:
    """Per item with a sample that two or more people coded: the newest such codebook version, the sample's
    agreement and, when the model coded the item too, the model, its settings and the gate."""
    summaries = []
    min_alpha = plan_min_alpha()
    items = {item.code for _page, item in wave.instrument_version.spec.items()}
    for version in CodebookVersion.objects.filter(item__in=items).order_by("item", "-number"):
        if any(summary["version"].item == version.item for summary in summaries):
            continue  # the newest checked version wins
        for sample in CodingSample.objects.filter(wave=wave, codebook=version):
            result = sample_agreement(sample, min_alpha)
            if result["people_table"] is None:
                continue
            first = Coding.objects.filter(codebook=version, coder=result["model"] or "", answer__response__wave=wave).first()
            summaries.append({"version": version, "sample": sample, "min_alpha": min_alpha, **result,
                              "host": first.endpoint_host if first else "", "temperature": first.temperature if first else None,
                              "seed": first.seed if first else None})
            break
    return summaries


def coded_by(summary) -> dict[str, str]:
    """code -> "model" or "people" (no model, or the model below the gate)."""
    gate = summary["gate"]
    passed = set() if gate is None else {row.code for row in gate.itertuples() if row.coded_by == "model"}
    return {spec.code: "model" if spec.code in passed else "people" for spec in summary["version"].spec.codes}


def _people_consensus(sample: CodingSample, people: list[str]) -> dict[int, set[str]]:
    """response id -> the final code where one was recorded, else the codes given by more than half of
    the people (with two people: by both)."""
    given = {}
    for coding in Coding.objects.filter(answer__in=sample.answers.all(), coder__in=people).select_related("answer"):
        given.setdefault(coding.answer.response_id, []).append(set(coding.codes))
    consensus = {response: {code for code in set().union(*sets) if sum(code in s for s in sets) * 2 > len(people)}
                 for response, sets in given.items()}
    final = {response: set(codes) for response, codes in sample.adjudications.values_list("answer__response_id", "codes")}
    return consensus | final


def add_code_columns(wave, table: pd.DataFrame, codebook: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table and codebook with a 0/1 column per code of each checked codebook.

    Codes that passed the gate come from the model for every answer it coded; the others from the
    people's consensus on the random sample only (empty elsewhere), so their shares estimate the
    population's from the sample. The codebook row says which.
    """
    columns, rows = {}, []
    response_ids = table["response_id"].astype(int)
    spec = wave.instrument_version.spec
    for summary in checked_codebooks(wave):
        version = summary["version"]
        model = dict(Coding.objects.filter(codebook=version, coder=summary["model"] or "", answer__response__wave=wave)
                     .values_list("answer__response_id", "codes"))
        people = _people_consensus(summary["sample"], summary["people"])
        item = spec.item(version.item)
        for code_spec in version.spec.codes:
            by = coded_by(summary)[code_spec.code]
            source = model if by == "model" else people
            variable = code_column(version.item, code_spec.code)
            columns[variable] = [float(code_spec.code in source[r]) if r in source else None for r in response_ids]
            coder = summary["model"] if by == "model" else "people, random sample"
            rows.append(dict.fromkeys(CODEBOOK_COLUMNS, "") | {
                "variable": variable, "item": version.item, "source": CODE_SOURCE, "type": "code", "reverse_coded": 0,
                "min": 0, "max": 1, "instrument": f"codebook {version.item} v{version.number}; coded by {coder}",
                "label_de": f"{item.text.de if item else version.item} [Code: {code_spec.label.de}]",
                "label_en": f"{item.text.en if item else version.item} [code: {code_spec.label.en}]",
                "value_labels_de": json.dumps(MENTIONED["de"], ensure_ascii=False),
                "value_labels_en": json.dumps(MENTIONED["en"]),
            })
    if not columns:
        return table, codebook
    coded = pd.DataFrame(columns, index=table.index).astype("Float64")
    return pd.concat([table, coded], axis=1), pd.concat([codebook, pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)],
                                                        ignore_index=True)


def coding_summary(wave, language: str) -> list[dict]:
    """What the report says about coding: model, server, codebook version, settings, agreement, who coded what."""
    summaries = []
    for summary in checked_codebooks(wave):
        version = summary["version"]
        labels = {spec.code: spec.label.get(language) for spec in version.spec.codes}
        people, gate = summary["people_table"], summary["gate"]
        summaries.append({
            "item": version.item, "codebook_version": version.number, "model": summary["model"], "host": summary["host"],
            "temperature": summary["temperature"], "seed": summary["seed"], "min_alpha": summary["min_alpha"],
            "sample_size": summary["sample"].answers.count(), "people": len(summary["people"]),
            "agreement": _clean(people.assign(label=people["scope"].map(labels)).to_dict("records")),
            "gate": [] if gate is None else _clean(gate.assign(label=gate["code"].map(labels)).to_dict("records")),
            "coded_by": coded_by(summary), "labels": labels,
        })
    return summaries


def _clean(records: list[dict]) -> list[dict]:
    """JSON-safe: NaN becomes None."""
    return [{key: (None if isinstance(value, float) and value != value else value) for key, value in row.items()}
            for row in records]
