"""The researcher workspace: a study groups one instrument and its waves, and says who may see what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Instrument, Wave


class Study(models.Model):
    """One research project: an instrument and the waves fielded with it."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    instrument = models.ForeignKey(Instrument, null=True, blank=True, on_delete=models.PROTECT, related_name="studies")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.title

    def waves(self) -> models.QuerySet:
        if self.instrument_id is None:
            return Wave.objects.none()
        return Wave.objects.filter(instrument_version__instrument_id=self.instrument_id)


class Membership(models.Model):
    """A researcher's role in one study; roles are ordered (an owner may do what an analyst may)."""

    class Role(models.TextChoices):
        VIEWER = "viewer", _("viewer")
        ANALYST = "analyst", _("analyst")
        OWNER = "owner", _("owner")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["study", "user"], name="one_role_per_user_and_study")]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} of {self.study}"
