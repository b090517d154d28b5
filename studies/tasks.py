"""Background jobs (django-tasks, database backend: `manage.py db_worker`): exports, mailouts and the retention job."""

import hashlib
import tempfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from studies import mailing
from studies.models import ExportJob, MailKind, Mailout
from surveys.models import Wave
def exports_dir() -> Path:
    return Path(getattr(settings, "UPTAKE_EXPORTS_DIR", settings.BASE_DIR / "var" / "exports"))


@task()
def build_export_job(job_id: int) -> str:
    """Export into a temporary directory, zip it under UPTAKE_EXPORTS_DIR, record rows and SHA-256.

    The exports (pandas) are imported in the task worker only, not by web workers that import this
    module to enqueue a job."""
    from platform_logs.export import export_wave_with_usage
    from surveys.export import export_wave

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


@task()
def send_mailout(mailout_id: int) -> None:
    mailing.run_mailout(mailout_id)


@task()
def purge_wave_addresses(wave_id: int) -> None:
    """Delete the wave's participant list once it has closed; if it was extended, come back then."""
    wave = Wave.objects.get(pk=wave_id)
    if wave.closes_at > timezone.now():
        purge_wave_addresses.using(run_after=wave.closes_at).enqueue(wave.pk)
        return
    mailing.delete_addresses(wave)


@task()
def purge_closed_wave_addresses() -> None:
    mailing.purge_closed_wave_addresses()


def schedule_mailout(wave: Wave, kind: str, send_at: datetime | None = None, only: dict | None = None) -> Mailout:
    """A mailout sent by the task worker at send_at (now if not given), to participants with the attributes `only`.

    Invitations bring their reminders (UPTAKE_REMINDER_DAYS after them, while the wave is open, to
    the same participants) and the deletion of the addresses when the wave closes.
    """
    send_at, only = send_at or timezone.now(), only or {}
    mailout = Mailout.objects.create(wave=wave, kind=kind, send_at=send_at, only=only)
    mailouts = [mailout]
    if kind == MailKind.INVITATION:
        for days in settings.UPTAKE_REMINDER_DAYS:
            reminder_at = send_at + timedelta(days=days)
            if reminder_at < wave.closes_at:
                mailouts.append(Mailout.objects.create(wave=wave, kind=MailKind.REMINDER, send_at=reminder_at, only=only))
        transaction.on_commit(lambda: purge_wave_addresses.using(run_after=wave.closes_at).enqueue(wave.pk))
    for each in mailouts:
        transaction.on_commit(lambda each=each: send_mailout.using(run_after=each.send_at).enqueue(each.pk))
    return mailout
