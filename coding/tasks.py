"""Background job: the model codes every answer to an item (django-tasks; `manage.py db_worker` runs it)."""

from django.utils import timezone
from django_tasks import task

from coding.models import ModelCodingJob
from coding.services import code_answers, endpoint_from_settings


@task()
def run_model_coding(job_id: int) -> int:
    """Code the job's answers, recording progress after each answer; returns the number stored."""
    job = ModelCodingJob.objects.select_related("wave", "codebook").get(pk=job_id)
    ModelCodingJob.objects.filter(pk=job.pk).update(status=ModelCodingJob.Status.RUNNING)

    def progress(done, result):
        ModelCodingJob.objects.filter(pk=job.pk).update(total=result.total, stored=result.stored + result.already_coded,
                                                        refused=result.refused)

    try:
        result = code_answers(job.wave, job.codebook, endpoint_from_settings(), recode=job.recode, progress=progress)
    except Exception as exc:  # noqa: BLE001 - the researcher sees why the job failed
        ModelCodingJob.objects.filter(pk=job.pk).update(status=ModelCodingJob.Status.FAILED, finished_at=timezone.now(),
                                                        error=f"{type(exc).__name__}: {exc}")
        raise
    ModelCodingJob.objects.filter(pk=job.pk).update(
        status=ModelCodingJob.Status.FINISHED, finished_at=timezone.now(), total=result.total,
        stored=result.stored + result.already_coded, refused=result.refused)
    return result.stored
