"""The researcher workspace: a study groups one instrument and its waves, and says who may see what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import ReportJob
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


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's refusal; refuse them here too."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what to personal data, and when. Written once, never changed (PostgreSQL enforces it too)."""

    class Action(models.TextChoices):
        EXPORT = "export", _("export started")
        DOWNLOAD = "download", _("file downloaded")
        RESPONSE_VIEW = "response_view", _("single response viewed")
        RESULTS_VIEW = "results_view", _("results or response list viewed")
        WITHDRAWAL = "withdrawal", _("response withdrawn")
        ROLE_CHANGE = "role_change", _("role changed")
        KEY_ROTATION = "key_rotation", _("pseudonym key rotated")
        REPORT = "report", _("report started")
        COPY = "copy", _("copied")
        TEST_DELETION = "test_deletion", _("test responses deleted")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: an account that touched personal data cannot vanish from the record.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    study = models.ForeignKey(Study, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries")
    action = models.CharField(max_length=20, choices=Action.choices)
    target = models.CharField(max_length=200)
    detail = models.TextField(blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly(f"audit entry {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(f"audit entry {self.pk} cannot be deleted")


class ExportJob(models.Model):
    """A data export requested from the workspace, built in the background and downloaded as one zip file."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        SAV = "sav", "SPSS (.sav)"

    Status = ReportJob.Status  # the same life cycle as a report job

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="export_jobs")
    format = models.CharField(max_length=3, choices=Format.choices)
    with_usage = models.BooleanField(default=False)
    language = models.CharField(max_length=2, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    output_path = models.CharField(max_length=500, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    file_hash = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.format} export of {self.wave}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


# --- invitations by e-mail (docs/invitations.md) -------------------------------------------------


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("invitation")
    REMINDER = "reminder", _("reminder")


class ParticipantStatus(models.TextChoices):
    """How far one person on the list got, as REDCap's participant list shows it (the furthest step wins)."""

    LISTED = "listed", _("not invited yet")
    INVITED = "invited", _("invited")
    FAILED = "failed", _("not delivered")
    REMINDED = "reminded", _("reminded")
    STARTED = "started", _("started")
    COMPLETED = "completed", _("completed")
    BOUNCED = "bounced", _("bounced")
    OPTED_OUT = "opted_out", _("opted out")


class Participant(models.Model):
    """One person on a wave's participant list, kept only while the wave can still send to them.

    The address is Fernet-encrypted under a key file outside the database; duplicates are found by
    a keyed hash of the normalised address. Nothing here points at a response: the invitation's
    has_answered flag is all reminders look at. The retention job deletes these rows when the wave
    closes, leaving the counts in ParticipantFrame.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="participants")
    encrypted_address = models.TextField()
    address_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=2)
    # Sampling and reminder attributes from the list (role, department): never exported with answers.
    attributes = models.JSONField(default=dict, blank=True)
    # With the address key, the seed gives this participant's link token again for reminders; the
    # token itself is never stored.
    link_seed = models.CharField(max_length=32)
    # SHA-256 of the opt-out token (addresses.opt_out_token), which finds the participant from an opt-out link.
    opt_out_hash = models.CharField(max_length=64, blank=True, db_index=True)
    invitation = models.OneToOneField(
        "surveys.Invitation", null=True, on_delete=models.SET_NULL, related_name="participant"
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    invitation_failed = models.BooleanField(default=False)  # the relay refused the invitation
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    delivery_failures = models.PositiveSmallIntegerField(default=0)
    bounced_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    last_mailed_at = models.DateTimeField(null=True, blank=True)  # the last invitation or reminder sent
    # In a pseudonymous wave: no platform account was found for the address, so the answers of this
    # person cannot be linked to usage (they are invited all the same).
    not_linkable = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "address_hash"], name="one_participant_per_address_and_wave"),
        ]

    def __str__(self) -> str:
        return f"participant {self.pk} of {self.wave}"

    @property
    def status(self) -> ParticipantStatus:
        """Read from the list and the invitation only (has_answered, and a response still in progress)."""
        if self.opted_out_at:
            return ParticipantStatus.OPTED_OUT
        if self.bounced_at:
            return ParticipantStatus.BOUNCED
        invitation = self.invitation
        if invitation is not None and invitation.has_answered:
            return ParticipantStatus.COMPLETED
        response = getattr(invitation, "response", None)  # a missing reverse one-to-one raises AttributeError
        if response is not None and response.status == response.Status.IN_PROGRESS:
            return ParticipantStatus.STARTED
        if self.invitation_failed:
            return ParticipantStatus.FAILED
        if self.reminders_sent:
            return ParticipantStatus.REMINDED
        if self.invited_at:
            return ParticipantStatus.INVITED
        return ParticipantStatus.LISTED


class ParticipantFrame(models.Model):
    """What remains of a wave's participant list after the addresses are deleted: counts only."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="participant_frame")
    listed = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    delivery_failures = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    opted_out = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    started = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    not_linkable = models.PositiveIntegerField(default=0)
    addresses_deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"participant frame of {self.wave}"


class MailTemplate(models.Model):
    """A wave's own wording for one kind of mail in one language; without one the defaults apply."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="mail_templates")
    kind = models.CharField(max_length=12, choices=MailKind.choices)
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "kind", "language"], name="one_mail_template_per_kind_and_language"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language}) for {self.wave}"


class Mailout(models.Model):
    """One run of sending a wave's invitations or a reminder, now or at a scheduled time, with progress."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="mailouts")
    kind = models.CharField(max_length=12, choices=MailKind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    send_at = models.DateTimeField()
    # Only participants with these list attributes, e.g. {"role": "nurse"}; empty: everyone.
    only = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["send_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} mailout {self.pk} of {self.wave}"
