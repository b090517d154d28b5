"""What Uptake keeps from the AI platform's logs: metadata of usage, never its content.

Every row is keyed by a keyed hash of its source and the source's own record id, so importing
the same data twice stores nothing twice. People appear only as the survey's pseudonym (HMAC of
the linking identifier) or, until that is known, as a keyed hash of the platform's account id.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Q

from surveys.models import Wave

HASH_LENGTH = 64
DEFAULT_WINDOW_DAYS = 90

FEATURES = ("chat", "web_search", "image_generation", "code_interpreter", "knowledge", "vision", "tools")


class UsageEvent(models.Model):
    """One thing a person did on the platform: a prompt, a reply they got, a rating, a login, an API call."""

    class Source(models.TextChoices):
        OPENWEBUI = "openwebui", "Open WebUI"
        LITELLM = "litellm", "LiteLLM"
        KEYCLOAK = "keycloak", "Keycloak"
        GENERIC = "generic", "generic JSONL"

    class Kind(models.TextChoices):
        PROMPT = "prompt", "prompt sent"
        REPLY = "reply", "reply received"
        RATING = "rating", "rating given"
        LOGIN = "login", "login"
        LOGIN_ERROR = "login_error", "failed login"
        API_REQUEST = "api_request", "API request"
        EMBEDDING_REQUEST = "embedding_request", "embedding API request"

    event_key = models.CharField(max_length=HASH_LENGTH, unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The survey's pseudonym; blank until the account is linked (see PlatformAccount).
    pseudonym = models.CharField(max_length=HASH_LENGTH, blank=True, db_index=True)
    account_key = models.CharField(max_length=HASH_LENGTH, blank=True, db_index=True)
    # Keyed hash of the chat id: counts conversations without pointing back into Open WebUI.
    chat_key = models.CharField(max_length=HASH_LENGTH, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    model = models.CharField(max_length=200, blank=True)
    # Comma-separated, sorted names from FEATURES ("chat" when none other applies).
    features = models.CharField(max_length=120, blank=True)
    tokens_in = models.PositiveIntegerField(null=True, blank=True)
    tokens_out = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    rating = models.SmallIntegerField(null=True, blank=True)
    score = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__in=[-1, 1]), name="usage_rating_is_thumbs"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=10),
                                   name="usage_score_from_1_to_10"),
            models.CheckConstraint(condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__gte=0),
                                   name="usage_duration_not_negative"),
        ]
        indexes = [models.Index(fields=["pseudonym", "occurred_at"], name="usage_pseudonym_time")]

    def __str__(self):
        return f"{self.source} {self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


# The model server's endpoints that run a model on a prompt. Pulls, embeddings, /api/show and polls are
# requests too, but one pull takes minutes: counted among them, they would move latency percentiles by minutes.
INFERENCE_PATHS = ("/api/chat", "/api/generate", "/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/messages")


class PlatformRequest(models.Model):
    """One HTTP request the model server answered (Ollama's GIN lines): load, latency and errors, nobody's identity.

    Model requests are the POSTs to INFERENCE_PATHS; the others are counted apart."""

    event_key = models.CharField(max_length=HASH_LENGTH, unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    status = models.PositiveSmallIntegerField()
    latency_seconds = models.FloatField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=200)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__gte=100, status__lte=599), name="request_status_is_http"),
            models.CheckConstraint(condition=Q(latency_seconds__gte=0), name="request_latency_not_negative"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} {self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"


class PlatformAccount(models.Model):
    """Links a keyed hash of an account id on the platform to the survey pseudonym of its owner.

    Open WebUI's chat and feedback exports name users only by Open WebUI's own id; its database
    (user.oauth_sub, user.email) tells whose account that is. Events imported before the link was
    known get their pseudonym filled in when it becomes known.
    """

    account_key = models.CharField(max_length=HASH_LENGTH, unique=True)
    pseudonym = models.CharField(max_length=HASH_LENGTH)

    def __str__(self):
        return f"account {self.account_key[:12]}"


class ImportRun(models.Model):
    """One successful import of one source; the cursor lets the next import of that source start where it ended."""

    kind = models.CharField(max_length=40)
    source_label = models.CharField(max_length=300)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    since = models.DateTimeField(null=True, blank=True)
    records_read = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    cursor = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-finished_at", "-pk"]
        indexes = [models.Index(fields=["kind", "source_label"], name="import_run_source")]

    def __str__(self):
        return f"{self.kind} import of {self.source_label} at {self.finished_at:%Y-%m-%d %H:%M}"


class UsageWindow(models.Model):
    """The period whose usage is linked to a wave's answers; without one, the 90 days before the wave opened."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, related_name="usage_window")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="usage_window_ends_after_it_starts"),
        ]

    def __str__(self):
        return f"usage window of {self.wave.slug}: {self.starts_at:%Y-%m-%d} to {self.ends_at:%Y-%m-%d}"

    @classmethod
    def for_wave(cls, wave):
        """The wave's window (start, end): its own if set, else the DEFAULT_WINDOW_DAYS before it opened."""
        window = cls.objects.filter(wave=wave).first()
        if window is not None:
            return window.starts_at, window.ends_at
        return wave.opens_at - timedelta(days=DEFAULT_WINDOW_DAYS), wave.opens_at
