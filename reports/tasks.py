"""Background jobs: build a report for a ReportJob (django-tasks, database backend: `manage.py db_worker`)."""

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from reports.models import ReportJob


def output_path(job):
    return settings.UPTAKE_REPORTS_DIR / f"{job.wave.slug}_{job.kind}_{job.language}_{job.pk}.pdf"


@task()
def build_report_job(job_id):
    """Run the pipeline for one job, recording progress, the result's hashes and any error.

    The pipeline (pandas, matplotlib, WeasyPrint) is imported here, in the task worker, not where the
    web process imports this module to enqueue a job: a web worker then never loads it."""
    from reports.services import build_report

    job = ReportJob.objects.select_related("wave").get(pk=job_id)
    job.status, job.started_at, job.progress = ReportJob.Status.RUNNING, timezone.now(), 1
    job.save(update_fields=["status", "started_at", "progress"])

    def progress(percent, step):
        ReportJob.objects.filter(pk=job.pk).update(progress=percent, step=step)

    try:
        built = build_report(job.wave, job.kind, job.language, output_path(job), progress=progress)
    except Exception as exc:  # noqa: BLE001 - the researcher sees why the job failed
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.FAILED, finished_at=timezone.now(),
                                                   error=f"{type(exc).__name__}: {exc}")
        raise
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.FINISHED, progress=100, step="", finished_at=timezone.now(), output_path=str(built.pdf),
        data_hash=built.data_hash, plan_hash=built.plan_hash, software=built.software)
    return str(built.pdf)
