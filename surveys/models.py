from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from surveys.instrument_files import spec_for_checksum

CODE_LENGTH = 40
HASH_LENGTH = 64


class Instrument(models.Model):
    """A questionnaire, identified by the `code` in its YAML file; its content lives in versions."""

    code = models.SlugField(max_length=CODE_LENGTH, unique=True)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code

    def latest_version(self):
        return self.versions.order_by("-number").first()


class InstrumentVersion(models.Model):
    """One immutable-once-used state of an instrument definition (as stored JSON)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField(help_text="as authored, with includes of standard instruments")
    resolved = models.JSONField(help_text="with standard instruments written out: what respondents see")
    checksum = models.CharField(max_length=HASH_LENGTH, help_text="SHA-256 of the resolved definition")
    source_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="unique_instrument_version_number"),
        ]

    def __str__(self):
        return f"{self.instrument.code} v{self.number}"

    # Respondent pages load versions without these columns; `spec` reads `resolved` only on a cache miss.
    LARGE_FIELDS = ("definition", "resolved")

    @cached_property
    def spec(self):
        """The validated instrument as respondents see it (parsed once per process)."""
        return spec_for_checksum(self.checksum, lambda: self.resolved)

    def is_frozen(self):
        """Answered by a respondent; a researcher's test responses leave it open to fixes (Response.objects)."""
        return self.responses.exists()

    @property
    def file_name(self):
        """The imported file's name without the folder it was read from (a server path says nothing to a researcher)."""
        return PurePath(self.source_name).name if "/" in self.source_name else self.source_name


class Wave(models.Model):
    """One fielding of an instrument, with its dates and privacy mode."""

    class PrivacyMode(models.TextChoices):
        ANONYMOUS = "anonymous", _("anonymous")
        PSEUDONYMOUS = "pseudonymous", _("pseudonymous")

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="waves")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    class Access(models.TextChoices):
        OPEN = "open", _("anyone with the link or a login")
        INVITATIONS = "invitations", _("personal invitation links only")
        SIGN_IN = "sign_in", _("institutional sign-in only")

    privacy_mode = models.CharField(max_length=20, choices=PrivacyMode.choices, default=PrivacyMode.ANONYMOUS)
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.OPEN)
    # With sign-in access: only accounts whose identity-provider token lists this group (claim `groups`).
    required_group = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="wave_closes_after_it_opens"),
        ]

    def __str__(self):
        return self.slug

    @property
    def is_pseudonymous(self):
        return self.privacy_mode == self.PrivacyMode.PSEUDONYMOUS

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class Invitation(models.Model):
    """A personal link to a wave. Only the SHA-256 of the token is stored; the link is shown once."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=HASH_LENGTH, unique=True)
    # Set for personal invitations in pseudonymous waves (from a list of identifiers); never the identifier.
    pseudonym = models.CharField(max_length=HASH_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # "Has answered" lives here, apart from the response and without a time, so that in an anonymous
    # wave reminders can skip those who completed without anything pointing at their answers.
    has_answered = models.BooleanField(default=False)
    # A researcher's link for trying the questionnaire out (studies: "Testen"); its response is a test response.
    is_test = models.BooleanField(default=False)

    def __str__(self):
        return f"invitation {self.pk} to {self.wave}"


class RespondentResponses(models.Manager):
    """Responses from respondents, without the researchers' test responses.

    The default manager (`Response.objects`, and `wave.responses`): every count, export, analysis,
    dashboard, report and coding sample reads responses through it, so a test response can reach
    none of them. Only the respondent flow, which must find a test response to go on with it, and
    the deletion of test responses use `Response.all_objects`. A filter across a relation
    (`Answer.objects.filter(response__wave=...)`) does not pass through a manager: go through
    `Response.objects` instead (`response__in=wave.responses...`).
    """

    def get_queryset(self):
        return super().get_queryset().filter(is_test=False)


class Response(models.Model):
    """One participant's response to a wave, from first view of the information page on."""

    class Status(models.TextChoices):
        VIEWED = "viewed", _("viewed information")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    instrument_version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="responses")
    # Wave-scoped keyed hash of the login or invitation: enforces one response per participant and
    # lets them resume. It links nothing across waves and is never exported. In anonymous waves it
    # (and the invitation) is replaced by a random value at submission (surveys/anonymity.py).
    participant_key = models.CharField(max_length=HASH_LENGTH)
    invitation = models.OneToOneField(Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response")
    via_invitation = models.BooleanField(default=False)
    # Usage-linkable pseudonym: stored only with linkage consent (pseudonymous waves).
    pseudonym = models.CharField(max_length=HASH_LENGTH, blank=True)
    # Links the person's responses across waves, never to usage (pseudonyms.wave_linkage_pseudonym).
    wave_pseudonym = models.CharField(max_length=HASH_LENGTH, blank=True)
    linkage_consent = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VIEWED)
    language = models.CharField(max_length=2, default="de")
    device = models.CharField(max_length=10, blank=True)
    current_page = models.CharField(max_length=CODE_LENGTH, blank=True)
    last_page = models.CharField(max_length=CODE_LENGTH, blank=True)
    info_viewed_at = models.DateTimeField(null=True, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Made by a researcher trying the questionnaire out: never exported, counted or analysed, deletable.
    is_test = models.BooleanField(default=False)

    objects = RespondentResponses()
    all_objects = models.Manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "participant_key"], name="one_response_per_participant_and_wave"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="completed_response_has_completion_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | (Q(pseudonym="") & Q(wave_pseudonym="") & Q(linkage_consent=False)),
                name="withdrawn_response_keeps_no_pseudonym",
            ),
            models.CheckConstraint(
                condition=Q(pseudonym="") | Q(linkage_consent=True),
                name="usage_pseudonym_only_with_linkage_consent",
            ),
        ]

    def __str__(self):
        return f"response {self.pk} to {self.wave_id}"

    @property
    def is_open_for_answers(self):
        return self.status in (self.Status.VIEWED, self.Status.IN_PROGRESS)


class AnsweredSet(models.Model):
    """The signed-in accounts that have submitted a response to an anonymous wave: one row per wave.

    The wave-scoped keyed hashes sit sorted in one text that every submission rewrites in place, so
    neither row order (SQLite rowid, PostgreSQL ctid) nor a row's transaction id (xmin) follows the
    order in which people finished; no time, no link to a response (docs/privacy.md).
    """

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, primary_key=True, related_name="+")
    keys = models.TextField(blank=True)  # sorted answered keys, one a line

    def __str__(self):
        return f"accounts that answered {self.wave_id}"


class PseudonymKeyFingerprint(models.Model):
    """The fingerprint of the pseudonym key this database's pseudonyms were made with (one row)."""

    fingerprint = models.CharField(max_length=HASH_LENGTH)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"pseudonym key {self.fingerprint[:12]}…"


class Answer(models.Model):
    """The answer to one item (or one matrix row) as JSON: option code(s), number, text or 'na'."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=CODE_LENGTH)
    value = models.JSONField()
    other_text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item"),
        ]

    def __str__(self):
        return f"{self.item}={self.value!r}"


class PageVisit(models.Model):
    """When a respondent entered and left a page (paradata for time per page and drop-out)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="page_visits")
    page = models.CharField(max_length=CODE_LENGTH)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "pk"]
        indexes = [models.Index(fields=["response", "entered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("entered_at")),
                name="page_left_after_entered",
            ),
        ]
