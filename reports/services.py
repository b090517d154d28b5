"""The report pipeline: export a wave, run the analysis plan, write the bundle, render the PDF.

`build_report` is what the command line and the background job call. The renderer
(reports.render) sees only the bundle directory this module writes: results.json,
tables/, figures/ (from the analysis package) and context.json (what the analysis cannot
know: the wave, its recruitment, the instrument as respondents saw it, platform usage,
the previous wave, branding).
"""

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.db.models import Q

from analysis.disclosure import DEFAULT_THRESHOLD
from analysis.pipeline.bundle import write_bundle
from analysis.pipeline.figures import weekly_usage_figure
from analysis.pipeline.io import file_sha256, load_dataset
from analysis.pipeline.plan import load_plan
from analysis.pipeline.run import run_plan
from coding.export import coding_summary
from platform_logs import costs
from platform_logs.export import export_with_usage
from platform_logs.services import platform_summary
from reports.instrument import instrument_as_seen
from reports.models import ReportJob
from reports.render import render_report
from surveys.models import Response, Wave

KINDS = ("publication", "strategy")
LANGUAGES = ("de", "en")


class ReportError(Exception):
    """A report that cannot be built; the message says which wave, kind or file is at fault."""


@dataclass
class BuiltReport:
    pdf: Path
    assets: Path
    manuscript: Path | None
    data_hash: str
    plan_hash: str
    software: dict = field(default_factory=dict)


def build_report(wave, kind, language, out_path, plan_path=None, progress=None, figure_formats=()):
    """Export -> analysis -> PDF for one wave; returns where the PDF and its assets are and what made them.

    `progress(percent, step)` is called between the steps (the job page shows it).
    """
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; expected one of {', '.join(KINDS)}")
    if language not in LANGUAGES:
        raise ReportError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    report = progress or (lambda percent, step: None)
    plan_path = Path(plan_path or settings.UPTAKE_ANALYSIS_PLAN)
    with tempfile.TemporaryDirectory(prefix="uptake-report-") as tmp:
        bundle = Path(tmp) / "bundle"
        report(10, "export and analysis")
        exported_at = timezone.now()
        results, linkage = write_analysis(wave, Path(tmp) / "export", bundle, language, plan_path)
        previous = previous_wave(wave)
        if previous is not None:
            report(40, "previous wave")
            write_analysis(previous, Path(tmp) / "previous_export", bundle / "previous", language, plan_path)
        report(60, "context")
        context = write_context(wave, language, bundle, previous, linkage, exported_at)
        weekly_usage_figure(context["platform"], results["meta"]["disclosure_threshold"], bundle / "figures", language)
        report(70, "rendering")
        rendered = render_report(bundle, kind, out_path, figure_formats)
    meta = results["meta"]
    return BuiltReport(pdf=rendered.pdf, assets=rendered.assets, manuscript=rendered.manuscript, data_hash=meta["inputs"].get("data_sha256", ""),
                       plan_hash=meta["inputs"].get("plan_sha256", ""), software=meta["software"])


def write_analysis(wave, export_dir, bundle_dir, language, plan_path):
    """Export the wave (platform_logs.export.export_with_usage) and run the plan over it into `bundle_dir`;
    returns results.json and the export's linkage summary."""
    files = export_with_usage(wave, export_dir, language)
    plan, plan_sha256 = load_plan(plan_path)
    # The report language picks the codebook labels; the threshold is the stricter of plan and site.
    disclosure = dict(plan.get("disclosure") or {})
    disclosure["min_cell"] = max(int(disclosure.get("min_cell", DEFAULT_THRESHOLD)), settings.UPTAKE_SUPPRESSION_THRESHOLD)
    plan = {**plan, "language": language, "disclosure": disclosure}
    dataset = load_dataset(files.responses, files.codebook)
    population = pd.read_csv(files.population) if files.population else None
    ctx = run_plan(plan, dataset, population)
    if files.population:
        dataset.hashes["population_sha256"] = file_sha256(files.population)
    path = write_bundle(ctx, bundle_dir, plan_sha256)
    return json.loads(path.read_text(encoding="utf-8")), json.loads(files.linkage.read_text(encoding="utf-8"))


def previous_wave(wave):
    """The wave of the same instrument that opened last before this one, if any."""
    return (Wave.objects.filter(instrument_version__instrument=wave.instrument_version.instrument_id,
                                opens_at__lt=wave.opens_at)
            .exclude(pk=wave.pk).order_by("-opens_at").first())


def write_context(wave, language, bundle_dir, previous=None, linkage=None, exported_at=None):
    """context.json: everything the renderer needs that the analysis bundle does not hold; returns it."""
    exported_at = exported_at or timezone.now()
    context = {
        "language": language,
        "wave": wave_facts(wave),
        "built_on": timezone.localdate().isoformat(),
        "data_cutoff": timezone.localtime(exported_at).strftime("%Y-%m-%d %H:%M"),
        "fieldwork_open": wave.closes_at > exported_at,
        "linkage": linkage or {},
        "recruitment": recruitment(wave),
        "instrument": instrument_as_seen(wave.instrument_version, language),
        "platform": json.loads(json.dumps(platform_summary(wave), cls=DjangoJSONEncoder, default=str)),
        "previous_wave": wave_facts(previous) if previous else None,
        "branding": branding(bundle_dir),
        "threshold": settings.UPTAKE_SUPPRESSION_THRESHOLD,
        "staff_count": settings.UPTAKE_STAFF_COUNT,
        "site_gaps": site_gaps(),
        "coding": coding_summary(wave, language),
    }
    path = bundle_dir / "context.json"
    path.write_text(json.dumps(context, cls=DjangoJSONEncoder, sort_keys=True, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return context


def site_gaps():
    """The site facts a report would need but the site file does not give, so the report can say so."""
    service = costs.onprem_service()
    gaps = {
        "staff_count": not settings.UPTAKE_STAFF_COUNT,
        "onprem_cost": service is None and costs.onprem_price() is None,
        "onprem_throughput": service is not None and not service.has_throughput,
        "reference_prices": not (settings.UPTAKE_REFERENCE_PRICES or "").strip(),
    }
    return [gap for gap, missing in gaps.items() if missing]


def wave_facts(wave):
    version = wave.instrument_version
    return {
        "slug": wave.slug,
        "title": wave.title,
        "opens_at": wave.opens_at.date().isoformat(),
        "closes_at": wave.closes_at.date().isoformat(),
        "privacy_mode": wave.privacy_mode,
        "instrument_code": version.instrument.code,
        "instrument_version": version.number,
        "instrument_checksum": version.checksum,
    }


def recruitment(wave):
    """Invitations created and used, and how responses arrived (personal link or institutional sign-in)."""
    invitations = wave.invitations.filter(is_test=False)  # a researcher's test links invite no one
    responses = Response.objects.filter(wave=wave).exclude(status=Response.Status.WITHDRAWN)
    return {
        "invitations_created": invitations.count(),
        # Anonymous waves clear an invitation's time of use at submission and keep only has_answered.
        "invitations_used": invitations.filter(Q(used_at__isnull=False) | Q(has_answered=True)).count(),
        "responses_via_invitation": responses.filter(via_invitation=True).count(),
        "responses_via_sign_in": responses.filter(via_invitation=False).count(),
        "withdrawn": Response.objects.filter(wave=wave, status=Response.Status.WITHDRAWN).count(),
        "linkage_consents": responses.filter(linkage_consent=True).count(),
    }


def branding(bundle_dir):
    """Institution name, colours and a copy of the logo inside the bundle."""
    logo = ""
    source = Path(settings.UPTAKE_INSTITUTION_LOGO) if settings.UPTAKE_INSTITUTION_LOGO else None
    if source and source.is_file():
        target = bundle_dir / "branding" / f"logo{source.suffix.lower()}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        logo = str(target.relative_to(bundle_dir))
    colours = list(settings.UPTAKE_COLOURS) + ["#1f4e79", "#0f7b6c", "#d9822b"]
    return {"institution": settings.UPTAKE_INSTITUTION_NAME, "logo": logo,
            "colours": {"primary": colours[0], "secondary": colours[1], "accent": colours[2]}}


def record_built_report(wave, kind, language, built, requested_by=None):
    """A finished ReportJob for a report built outside the job queue (the command line), so the
    report pages list it with its hashes like one built in the browser."""
    now = timezone.now()
    return ReportJob.objects.create(
        wave=wave, kind=kind, language=language, status=ReportJob.Status.FINISHED, progress=100,
        requested_by=requested_by, started_at=now, finished_at=now, output_path=str(Path(built.pdf).resolve()),
        data_hash=built.data_hash, plan_hash=built.plan_hash, software=built.software)
