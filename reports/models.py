from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Wave


class ReportJob(models.Model):
    """One request to build a report, from the researcher's page or the command line, and what it produced.

    The hashes and versions say exactly which data, plan and software a PDF came from.
    """

    class Kind(models.TextChoices):
        PUBLICATION = "publication", _("Publication report")
        STRATEGY = "strategy", _("Strategy update")

    class Language(models.TextChoices):
        DE = "de", "Deutsch"
        EN = "en", "English"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="report_jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent done")
    step = models.CharField(max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    output_path = models.CharField(max_length=500, blank=True)
    data_hash = models.CharField(max_length=64, blank=True)
    plan_hash = models.CharField(max_length=64, blank=True)
    software = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.kind} report ({self.language}) for {self.wave}"
