"""Coding open answers: codebook versions, the model's pass over a wave, people's codes, the long export.

Privacy rules live here, in one place: open answers go to a model only for a wave whose instrument
says so in its information text (`open_answers_to_site_model: true`), only to a host the site
listed (UPTAKE_CODING_HOSTS), and the model's rationale is read, validated and dropped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import ConfigDict, Field, ValidationError, create_model

from coding.codebooks import Codebook
from coding.endpoint import ChatEndpoint, check_host
from coding.models import Adjudication, CodebookVersion, Coding, CodingSample
from surveys.models import Answer, Response, Wave
from surveys.pseudonyms import keyed_hash

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)
RATIONALE_MAX_LENGTH = 200
# The rationale as the schema states it: one line without quotes, backslashes or control characters,
# its length inside the pattern. llama-cpp-python's grammar for a plain JSON string lets raw line
# breaks through (invalid JSON, so such replies were refused); a pattern becomes a grammar that does
# not, and servers that read only the pattern still bound the length.
RATIONALE_PATTERN = rf'^[^\x00-\x1f"\\]{{0,{RATIONALE_MAX_LENGTH}}}$'
TRUNCATION_RETRIES = 2  # a reply cut off at max_tokens is asked again with 2x, then 4x the room
AGREEMENT_BOOTSTRAP = 500


class ModelCodingNotAllowed(PermissionError):
    """The wave's information text does not tell respondents that the site's model may read their answers."""


@dataclass
class ModelCodingResult:
    total: int = 0
    stored: int = 0
    already_coded: int = 0
    refused: int = 0  # replies that did not match the schema: nothing stored for these answers


@transaction.atomic
def store_codebook(codebook: Codebook, source_name: str = "") -> CodebookVersion:
    """The version holding this codebook's content: the existing one, or the item's next number."""
    checksum = codebook.checksum()
    existing = CodebookVersion.objects.filter(item=codebook.item, checksum=checksum).first()
    if existing:
        return existing
    latest = CodebookVersion.objects.select_for_update().filter(item=codebook.item).order_by("-number").first()
    return CodebookVersion.objects.create(item=codebook.item, number=(latest.number + 1) if latest else 1,
                                          definition=codebook.definition(), checksum=checksum, source_name=source_name)


def coded_answers(wave: Wave, item: str):
    """The wave's non-empty text answers to the item from submitted responses, oldest first."""
    submitted = wave.responses.filter(status=Response.Status.COMPLETED)  # respondents' only: no test responses
    answers = Answer.objects.filter(response__in=submitted, item=item)
    return [answer for answer in answers.order_by("pk") if isinstance(answer.value, str) and answer.value.strip()]


def unit_id(answer: Answer) -> str:
    """An opaque, stable id for an answer in coding exports (no database id, no order of submission)."""
    return keyed_hash(f"coding-unit:{answer.pk}")[:16]


# --- the model --------------------------------------------------------------------------------

def reply_model(codebook: Codebook):
    """The pydantic model of a valid reply: a short rationale first, then codes from the codebook only."""
    code = Literal[tuple(codebook.code_names)]
    return create_model(
        "CodingReply",
        __config__=ConfigDict(extra="forbid"),
        rationale=(str, Field(max_length=RATIONALE_MAX_LENGTH, pattern=RATIONALE_PATTERN)),
        codes=(list[code], Field(min_length=1, max_length=len(codebook.codes) if codebook.multiple else 1)),
    )


def reply_schema(codebook: Codebook) -> dict:
    return reply_model(codebook).model_json_schema()


def coding_prompt(codebook: Codebook) -> str:
    """The system prompt: the task and every code's definition and rules in both languages."""
    lines = [
        "You code answers to an open survey question (German or English) with a codebook.",
        "First write a short rationale (one sentence), then give the code(s).",
        "Use only codes from this list." + (" Give every code that applies." if codebook.multiple else " Give exactly one code."),
        "",
    ]
    for spec in codebook.codes:
        lines.append(f"- {spec.code}: {spec.label.en} / {spec.label.de}. {spec.definition.en} / {spec.definition.de}")
        if spec.include:
            lines.append(f"  include: {spec.include.en} / {spec.include.de}")
        if spec.exclude:
            lines.append(f"  exclude: {spec.exclude.en} / {spec.exclude.de}")
        for example in [*spec.examples.en, *spec.examples.de]:
            lines.append(f"  example: {example}")
    return "\n".join(lines)


def prompt_hash(codebook: Codebook, endpoint: ChatEndpoint) -> str:
    """SHA-256 of everything that shapes a reply except the answer: prompt, schema, model and sampling."""
    material = {"prompt": coding_prompt(codebook), "schema": reply_schema(codebook), "model": endpoint.model,
                "temperature": endpoint.temperature, "seed": endpoint.seed, "max_tokens": endpoint.max_tokens}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def code_one(endpoint: ChatEndpoint, codebook: Codebook, text: str) -> tuple[list[str] | None, str]:
    """(codes in codebook order, model id) for one answer, or (None, model id) when the reply breaks the schema.

    A reply the server cut off at max_tokens is asked again with twice the room, up to
    TRUNCATION_RETRIES times: max_tokens only cuts a reply short (the tokens before the cut are the
    same), so the longer reply is the one the run's settings give. Another seed would not help: at
    temperature 0 the server picks the likeliest token whatever the seed."""
    messages = [{"role": "system", "content": coding_prompt(codebook)}, {"role": "user", "content": f"Answer: {text}"}]
    max_tokens = endpoint.max_tokens
    for _attempt in range(TRUNCATION_RETRIES + 1):
        reply = endpoint.complete_json(messages, f"codes_{codebook.item}", reply_schema(codebook), max_tokens=max_tokens)
        if not reply.truncated:
            break
        max_tokens *= 2
    try:
        given = set(reply_model(codebook).model_validate_json(reply.text).codes)
    except ValidationError:
        return None, reply.model
    return [code for code in codebook.code_names if code in given], reply.model


def check_wave_allows_model(wave: Wave) -> None:
    if not wave.instrument_version.spec.open_answers_to_site_model:
        raise ModelCodingNotAllowed(
            f"wave {wave.slug}: its information text does not say that open answers may be processed by the "
            "site's own model (set open_answers_to_site_model: true in the instrument with such a sentence)")


def code_answers(wave: Wave, version: CodebookVersion, endpoint: ChatEndpoint, recode: bool = False,
                 progress=None) -> ModelCodingResult:
    """Code every answer to the codebook's item with the model; resumable, one stored coding per reply.

    Answers the model already coded with this codebook version are skipped, so an interrupted run
    goes on where it stopped; `recode` first removes the model's codes for the item. The endpoint
    must be on a listed host and must enforce the schema (checked before the first answer), and every
    reply is validated again: a reply that does not match is counted, never stored.
    """
    check_wave_allows_model(wave)
    host = check_host(endpoint.url, settings.UPTAKE_CODING_HOSTS)
    codebook = version.spec
    answers = coded_answers(wave, codebook.item)
    result = ModelCodingResult(total=len(answers))
    endpoint.check_enforcement(coding_prompt(codebook))
    if recode:
        Coding.objects.filter(answer__in=answers, kind=Coding.Kind.MODEL).delete()
    done = set(Coding.objects.filter(answer__in=answers, kind=Coding.Kind.MODEL, codebook=version)
               .values_list("answer_id", flat=True))
    fingerprint = prompt_hash(codebook, endpoint)
    for index, answer in enumerate(answers, start=1):
        if answer.pk in done:
            result.already_coded += 1
        else:
            codes, model_id = code_one(endpoint, codebook, answer.value)
            if codes is None:
                result.refused += 1
            else:
                Coding.objects.update_or_create(
                    answer=answer, coder=model_id,
                    defaults={"codebook": version, "kind": Coding.Kind.MODEL, "codes": codes, "prompt_hash": fingerprint,
                              "endpoint_host": host, "temperature": endpoint.temperature, "seed": endpoint.seed,
                              "coded_at": timezone.now()})
                result.stored += 1
        if progress:
            progress(index, result)
    logger.info("model coding of %s in %s: %s stored, %s refused, %s already coded", codebook.item, wave.slug,
                result.stored, result.refused, result.already_coded)
    return result


def endpoint_from_settings(url: str | None = None, model: str | None = None) -> ChatEndpoint:
    key_file = settings.UPTAKE_CODING_API_KEY_FILE
    return ChatEndpoint(
        url=url or settings.UPTAKE_CODING_ENDPOINT, model=model or settings.UPTAKE_CODING_MODEL,
        temperature=settings.UPTAKE_CODING_TEMPERATURE, seed=settings.UPTAKE_CODING_SEED,
        max_tokens=settings.UPTAKE_CODING_MAX_TOKENS,
        api_key=key_file.read_text().strip() if key_file and key_file.is_file() else "",
    )


# --- people -----------------------------------------------------------------------------------

@transaction.atomic
def draw_sample(wave: Wave, version: CodebookVersion, size: int, seed: int, user=None) -> CodingSample:
    """A simple random sample of the item's answers for blind double coding (seeded, so it can be redrawn)."""
    answers = coded_answers(wave, version.item)
    chosen = random.Random(seed).sample(answers, k=min(size, len(answers)))
    sample = CodingSample.objects.create(wave=wave, codebook=version, seed=seed, created_by=user)
    sample.answers.set(chosen)
    return sample


def _checked_codes(version: CodebookVersion, codes: list[str]) -> list[str]:
    """The codes in codebook order, or ValueError when one is not in the codebook or too many are given."""
    codebook = version.spec
    unknown = set(codes) - set(codebook.code_names)
    if unknown:
        raise ValueError(f"codes not in codebook {version}: {', '.join(sorted(unknown))}")
    if not codebook.multiple and len(codes) > 1:
        raise ValueError(f"codebook {version} allows one code per answer, got {len(codes)}")
    return [code for code in codebook.code_names if code in codes]


def record_human_codes(sample: CodingSample, answer: Answer, coder: str, codes: list[str]) -> Coding:
    """A person's codes for one sampled answer (their own row only: coders never see each other's)."""
    coding, _ = Coding.objects.update_or_create(
        answer=answer, coder=coder,
        defaults={"codebook": sample.codebook, "kind": Coding.Kind.HUMAN,
                  "codes": _checked_codes(sample.codebook, codes), "coded_at": timezone.now()})
    return coding


def adjudicate(sample: CodingSample, answer: Answer, codes: list[str], user) -> Adjudication:
    """Record the final code of a sampled answer (a later decision replaces an earlier one)."""
    if not sample.answers.filter(pk=answer.pk).exists():
        raise ValueError(f"answer {answer.pk} is not in {sample}")
    adjudication, _ = Adjudication.objects.update_or_create(
        sample=sample, answer=answer,
        defaults={"codes": _checked_codes(sample.codebook, codes), "decided_by": user, "decided_at": timezone.now()})
    return adjudication


def disagreements(sample: CodingSample) -> list[dict]:
    """Sampled answers whose human coders (two or more) or the model differ: text, each coder's codes
    and the final code when one was recorded (None otherwise)."""
    rows = []
    final = dict(sample.adjudications.values_list("answer_id", "codes"))
    for answer in sample.answers.order_by("pk").prefetch_related("codings"):
        codings = list(answer.codings.all())
        people = [coding for coding in codings if coding.kind == Coding.Kind.HUMAN]
        if len(people) >= 2 and len({tuple(coding.codes) for coding in codings}) > 1:
            by_coder = {coding.coder: coding.codes for coding in sorted(codings, key=lambda c: (c.kind, c.coder))}
            rows.append({"answer": answer, "unit": unit_id(answer), "codings": by_coder, "final": final.get(answer.pk)})
    return rows


def coding_long_rows(codings) -> list[tuple[str, str, str]]:
    """(unit, coder, code) for each coding; an empty code when a coder gave none."""
    rows = []
    for coding in codings.select_related("answer").order_by("answer_id", "coder"):
        unit = unit_id(coding.answer)
        rows.extend((unit, coding.coder, code) for code in coding.codes or [""])
    return rows


def sample_long(sample: CodingSample) -> pd.DataFrame:
    """The sample's codes by people and the model in the long form the agreement functions take.

    pandas and the analysis package are imported here and in sample_agreement, not with the module:
    the workspace's URLs import it, and a web worker serving respondents must not load them."""
    import pandas as pd

    codings = Coding.objects.filter(answer__in=sample.answers.all())
    return pd.DataFrame(coding_long_rows(codings), columns=["unit", "coder", "code"])


def sample_agreement(sample: CodingSample, min_alpha: float | None = None) -> dict:
    """Agreement among the people on the sample, and the per-code gate (at `min_alpha`, by default
    analysis.agreement.GATE_MIN_ALPHA) when the model coded it too."""
    from analysis.agreement import GATE_MIN_ALPHA, agreement, model_gate

    min_alpha = GATE_MIN_ALPHA if min_alpha is None else min_alpha
    long = sample_long(sample)
    people = sorted(set(Coding.objects.filter(answer__in=sample.answers.all(), kind=Coding.Kind.HUMAN)
                        .values_list("coder", flat=True)))
    models = sorted(set(long["coder"]) - set(people))
    result = {"people": people, "model": models[0] if models else None, "people_table": None, "gate": None}
    if len(people) >= 2:
        result["people_table"] = agreement(long[long["coder"].isin(people)], n_boot=AGREEMENT_BOOTSTRAP, seed=sample.seed)
    if len(people) >= 2 and models:
        result["gate"] = model_gate(long[long["coder"].isin([*people, models[0]])], models[0], min_alpha)
    return result


def write_coding_csv(wave: Wave, item: str, path) -> int:
    rows = coding_long_rows(Coding.objects.filter(answer__response__wave=wave, answer__item=item))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "coder", "code"])
        writer.writerows(rows)
    return len(rows)
