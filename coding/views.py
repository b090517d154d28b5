"""The workspace's coding pages: samples for blind double coding, the disagreements view, model runs.

Open answers are answer content, so every page here needs the analyst role (like single responses).
A coder sees one sampled answer at a time and only their own codes: blind to the other coders and
to the model until the disagreements view.
"""

import secrets

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coding.forms import SAMPLE_SIZE, SAMPLE_SIZE_MAX, SAMPLE_SIZE_MIN, SampleForm
from coding.models import CodebookVersion, Coding, CodingSample, ModelCodingJob
from coding.services import adjudicate, disagreements, draw_sample, record_human_codes, sample_agreement
from coding.tasks import run_model_coding
from studies.audit import audit
from studies.models import AuditEntry, Membership
from studies.views import _render, study_view


def _latest_codebooks(wave) -> list[CodebookVersion]:
    """The newest codebook version of each free-text item of the wave's instrument."""
    items = {item.code for _page, item in wave.instrument_version.spec.items()}
    latest = {}
    for version in CodebookVersion.objects.filter(item__in=items).order_by("item", "number"):
        latest[version.item] = version
    return list(latest.values())


def _labels(version: CodebookVersion) -> dict[str, str]:
    language = "de" if (get_language() or "en").startswith("de") else "en"
    return {spec.code: spec.label.get(language) for spec in version.spec.codes}


@study_view(Membership.Role.ANALYST)
def overview(request, study, wave) -> HttpResponse:
    codebooks = []
    for version in _latest_codebooks(wave):
        samples = [{"sample": sample, "size": sample.answers.count(),
                    "mine": Coding.objects.filter(answer__in=sample.answers.all(), coder=request.user.get_username()).count()}
                   for sample in CodingSample.objects.filter(wave=wave, codebook__item=version.item)]
        jobs = ModelCodingJob.objects.filter(wave=wave, codebook__item=version.item)[:5]
        codebooks.append({"version": version, "samples": samples, "jobs": jobs})
    return _render(request, "coding/overview.html", study, {"wave": wave, "codebooks": codebooks,
                                                            "sample_size": SAMPLE_SIZE, "sample_size_min": SAMPLE_SIZE_MIN,
                                                            "sample_size_max": SAMPLE_SIZE_MAX})


@require_POST
@study_view(Membership.Role.ANALYST)
def sample_new(request, study, wave, pk) -> HttpResponse:
    version = get_object_or_404(CodebookVersion, pk=pk)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Sample size: %(errors)s") % {"errors": " ".join(form.errors["size"])})
        return redirect("studies:coding", slug=study.slug, wave_slug=wave.slug)
    sample = draw_sample(wave, version, size=form.cleaned_data["size"], seed=secrets.randbelow(2**31), user=request.user)
    messages.success(request, _("Drew a random sample of %(count)d answers.") % {"count": sample.answers.count()})
    return redirect("studies:coding", slug=study.slug, wave_slug=wave.slug)


@require_POST
@study_view(Membership.Role.ANALYST)
def model_run(request, study, wave, pk) -> HttpResponse:
    version = get_object_or_404(CodebookVersion, pk=pk)
    job = ModelCodingJob.objects.create(wave=wave, codebook=version, recode=bool(request.POST.get("recode")),
                                        requested_by=request.user)
    transaction.on_commit(lambda: run_model_coding.enqueue(job.pk))
    messages.success(request, _("The model codes the answers in the background; progress is shown below."))
    return redirect("studies:coding", slug=study.slug, wave_slug=wave.slug)


def _sample(wave, pk) -> CodingSample:
    sample = CodingSample.objects.filter(pk=pk, wave=wave).select_related("codebook").first()
    if sample is None:
        raise Http404("no such sample")
    return sample


@study_view(Membership.Role.ANALYST)
def code_sample(request, study, wave, pk) -> HttpResponse:
    """One answer at a time that this coder has not coded yet; only their own codes exist for them."""
    sample = _sample(wave, pk)
    coder = request.user.get_username()
    if request.method == "POST":
        answer = _sampled_answer(sample, request.POST.get("answer"))
        try:
            if answer is None:
                raise ValueError(f"no answer of {sample} was given")
            record_human_codes(sample, answer, coder, request.POST.getlist("codes"))
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("studies:coding_code", slug=study.slug, wave_slug=wave.slug, pk=sample.pk)
    done = set(Coding.objects.filter(answer__in=sample.answers.all(), coder=coder).values_list("answer_id", flat=True))
    remaining = [answer for answer in sample.answers.order_by("pk") if answer.pk not in done]
    if remaining:
        _audit_answers(request, study, wave, sample, remaining[:1])
    context = {"wave": wave, "sample": sample, "answer": remaining[0] if remaining else None,
               "done": len(done), "total": len(done) + len(remaining), "codes": _labels(sample.codebook).items(),
               "multiple": sample.codebook.spec.multiple}
    return _render(request, "coding/code.html", study, context)


@study_view(Membership.Role.ANALYST)
def sample_disagreements(request, study, wave, pk) -> HttpResponse:
    sample = _sample(wave, pk)
    labels = _labels(sample.codebook)
    rows = [{**row, "codings": {coder: [labels[code] for code in codes] or ["–"] for coder, codes in row["codings"].items()},
             "final": None if row["final"] is None else [labels[code] for code in row["final"]] or ["–"]}
            for row in disagreements(sample)]
    _audit_answers(request, study, wave, sample, [row["answer"] for row in rows])
    result = sample_agreement(sample)
    context = {"wave": wave, "sample": sample, "rows": rows, "labels": labels, "result": result,
               "people_table": _records(result["people_table"], labels, "scope"), "gate": _records(result["gate"], labels, "code"),
               "multiple": sample.codebook.spec.multiple}
    return _render(request, "coding/disagreements.html", study, context)


@require_POST
@study_view(Membership.Role.OWNER)
def sample_adjudicate(request, study, wave, pk) -> HttpResponse:
    """The final code of a disagreement: decided by an owner, who leads the study's coding."""
    sample = _sample(wave, pk)
    answer = _sampled_answer(sample, request.POST.get("answer"))
    try:
        if answer is None:
            raise ValueError(f"no answer of {sample} was given")
        adjudicate(sample, answer, request.POST.getlist("codes"), request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("studies:coding_disagreements", slug=study.slug, wave_slug=wave.slug, pk=sample.pk)


def _sampled_answer(sample, value):
    """The sampled answer a form names, or None for a missing, non-number or foreign id."""
    return sample.answers.filter(pk=int(value)).first() if value and value.isdigit() else None


def _audit_answers(request, study, wave, sample, answers) -> None:
    """Open answers are parts of single responses: showing them is logged like viewing a response."""
    if answers:
        audit(request.user, AuditEntry.Action.RESPONSE_VIEW, f"open answers to {sample.codebook.item} of wave {wave.slug}",
              f"coding sample {sample.pk}: responses {', '.join(str(answer.response_id) for answer in answers)}",
              study=study)


def _records(table, labels, key) -> list[dict]:
    """Table rows with the code's label in the page language (the overall row keeps no label)."""
    if table is None:
        return []
    return [{**row, "label": labels.get(row[key], row[key])} for row in table.to_dict("records")]
