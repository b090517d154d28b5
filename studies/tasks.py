"""Background job: write a wave's export (CSV or SPSS, with or without usage features) as one zip file."""

import hashlib
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from platform_logs.export import export_wave_with_usage
from studies.models import ExportJob
from surveys.export import export_wave


def exports_dir() -> Path:
    return Path(getattr(settings, "UPTAKE_EXPORTS_DIR", settings.BASE_DIR / "var" / "exports"))


@task()
def build_export_job(job_id: int) -> str:
    """Export into a temporary directory, zip it under UPTAKE_EXPORTS_DIR, record rows and SHA-256."""
    job = ExportJob.objects.select_related("wave").get(pk=job_id)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=10)
    target = exports_dir() / f"{job.wave.slug}_{job.format}{'_usage' if job.with_usage else ''}_{job.pk}.zip"
    try:
        with tempfile.TemporaryDirectory(prefix="uptake-export-") as tmp:
            if job.with_usage:
                result = export_wave_with_usage(job.wave, tmp, job.format, job.language)
            else:
                result = export_wave(job.wave, tmp, job.format, job.language)
            ExportJob.objects.filter(pk=job.pk).update(progress=80)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in result.paths:
                    archive.write(path, arcname=Path(path).name)
        target.chmod(0o600)
    except Exception as exc:  # noqa: BLE001 - the researcher sees why the job failed
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                                                   error=f"{type(exc).__name__}: {exc}")
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FINISHED, progress=100, finished_at=timezone.now(), output_path=str(target),
        rows=result.rows, file_hash=hashlib.sha256(target.read_bytes()).hexdigest())
    return str(target)
