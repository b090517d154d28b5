from django.core.management.base import BaseCommand, CommandError

from reports.models import ReportJob
from reports.tasks import build_report_job
from surveys.models import Wave


class Command(BaseCommand):
    help = "Export a wave, run the analysis plan and write the publication report or strategy update as PDF."

    def add_arguments(self, parser):
        parser.add_argument("wave", nargs="?", help="wave slug (not for --kind consortium)")
        parser.add_argument("--kind", choices=(*ReportJob.Kind.values, "consortium"), default="publication")
        parser.add_argument("--pooled", help="consortium: the directory `python -m analysis pool` wrote")
        parser.add_argument("--pseudonymise-sites", action="store_true", help="consortium: print Site A, B, ... for names")
        parser.add_argument("--lang", choices=ReportJob.Language.values, default="en", dest="language")
        parser.add_argument("--out", help="PDF file to write; figures and tables go to <out>.assets/")
        parser.add_argument("--queue", action="store_true",
                            help="build it in the task worker (manage.py db_worker) instead, as a job the "
                                 "reports page lists; the PDF goes to UPTAKE_REPORTS_DIR")
        parser.add_argument("--plan", help="analysis plan (YAML); default: settings.UPTAKE_ANALYSIS_PLAN")
        parser.add_argument("--figure-formats", default="", metavar="tiff,eps",
                            help="also write every figure as TIFF (600 dpi) and/or EPS into <out>.assets/figures/")

    def handle(self, *args, wave, kind, language, out, plan, figure_formats, queue, pooled, pseudonymise_sites, **options):
        if not queue and not out:
            raise CommandError("--out is required (or --queue to build the report in the task worker)")
        if kind == "consortium":
            self.consortium(pooled, language, out, pseudonymise_sites, queue)
            return
        if not wave:
            raise CommandError(f"--kind {kind} needs a wave slug")
        formats = tuple(name.strip().lower() for name in figure_formats.split(",") if name.strip())
        if formats:
            from reports.assets import FIGURE_FORMATS  # with the analysis package: `--queue` (make demo) does without

            unknown = sorted(set(formats) - set(FIGURE_FORMATS))
            if unknown:
                raise CommandError(f"--figure-formats: unknown format {unknown[0]!r}; expected {', '.join(FIGURE_FORMATS)}")
        found = Wave.objects.select_related("instrument_version__instrument").filter(slug=wave).first()
        if found is None:
            slugs = ", ".join(Wave.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"unknown wave {wave!r}; existing waves: {slugs}")
        if queue:
            if plan or figure_formats or out:
                raise CommandError("--queue builds with the site's plan into UPTAKE_REPORTS_DIR: drop --out, --plan, --figure-formats")
            job = ReportJob.objects.create(wave=found, kind=kind, language=language)
            build_report_job.enqueue(job.pk)
            self.stdout.write(f"queued: {job} (report job {job.pk})")
            return
        # The pipeline (pandas, matplotlib, WeasyPrint) only when building here: `make demo` queues
        # its four reports without waiting for it to load.
        from reports.services import ReportError, build_report, record_built_report

        try:
            built = build_report(found, kind, language, out, plan_path=plan, figure_formats=formats)
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        record_built_report(found, kind, language, built)
        self.stdout.write(str(built.pdf))
        self.stdout.write(f"assets: {built.assets}")
        if built.manuscript:
            self.stdout.write(f"manuscript: {built.manuscript}")
        self.stdout.write(f"data sha256 {built.data_hash}, plan sha256 {built.plan_hash}")

    def consortium(self, pooled, language, out, pseudonymise_sites, queue):
        if queue or not pooled:
            raise CommandError("--kind consortium needs --pooled DIR (from python -m analysis pool) and --out, not --queue")
        from reports.consortium import ConsortiumError, build_consortium_report

        try:
            report = build_consortium_report(pooled, language, out, pseudonymise_sites)
        except ConsortiumError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(report.pdf))
