"""Coding of open answers: codebook versions, each coder's codes per answer, samples for double coding, model runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.models import CODE_LENGTH, HASH_LENGTH, Answer, Wave


class CodebookVersion(models.Model):
    """One content of a codebook file for a free-text item; codes name the version they were made with."""

    item = models.CharField(max_length=CODE_LENGTH)
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    checksum = models.CharField(max_length=HASH_LENGTH)
    source_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="unique_codebook_version_number"),
            models.UniqueConstraint(fields=["item", "checksum"], name="unique_codebook_content"),
        ]

    def __str__(self) -> str:
        return f"{self.item} codebook v{self.number}"

    @property
    def spec(self):
        from coding.codebooks import Codebook

        return Codebook.model_validate(self.definition)


class Coding(models.Model):
    """One coder's codes for one answer: a person in the workspace, or the site's model.

    For the model, `coder` is the model id and the request's settings are kept so that a methods
    section can say exactly what ran. The model's rationale is never stored or logged: it would be
    a second copy of the answer's content in other words.
    """

    class Kind(models.TextChoices):
        HUMAN = "human", _("person")
        MODEL = "model", _("model")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="codings")
    codebook = models.ForeignKey(CodebookVersion, on_delete=models.PROTECT, related_name="codings")
    coder = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    codes = models.JSONField(help_text="codes from the codebook, in codebook order; [] = no code applies")
    prompt_hash = models.CharField(max_length=HASH_LENGTH, blank=True)
    endpoint_host = models.CharField(max_length=200, blank=True)
    temperature = models.FloatField(null=True, blank=True)
    seed = models.IntegerField(null=True, blank=True)
    coded_at = models.DateTimeField()

    class Meta:
        ordering = ["answer", "coder"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "coder"], name="one_coding_per_answer_and_coder"),
            models.CheckConstraint(condition=Q(kind="human") | ~Q(prompt_hash=""), name="model_coding_has_prompt_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.coder}: {self.codes}"


class CodingSample(models.Model):
    """A random sample of a wave's answers to one item that people code blind, for agreement and the gate."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="coding_samples")
    codebook = models.ForeignKey(CodebookVersion, on_delete=models.PROTECT, related_name="samples")
    seed = models.IntegerField()
    answers = models.ManyToManyField(Answer, related_name="coding_samples")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sample of {self.codebook.item} in {self.wave}"


class ModelCodingJob(models.Model):
    """A background run of the model over every answer to an item, with progress for the workspace."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="model_coding_jobs")
    codebook = models.ForeignKey(CodebookVersion, on_delete=models.PROTECT, related_name="jobs")
    recode = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"model coding of {self.codebook.item} in {self.wave} ({self.status})"


class Adjudication(models.Model):
    """The final code of a sampled answer where coders disagreed, recorded by a study owner.

    Kept apart from the coders' own codes: agreement and the gate measure independent codes, while
    the export's people-coded columns use the final code where there is one.
    """

    sample = models.ForeignKey(CodingSample, on_delete=models.CASCADE, related_name="adjudications")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="adjudications")
    codes = models.JSONField(help_text="codes from the codebook, in codebook order; [] = no code applies")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["sample", "answer"]
        constraints = [models.UniqueConstraint(fields=["sample", "answer"], name="one_final_code_per_sampled_answer")]

    def __str__(self) -> str:
        return f"final {self.codes} for answer {self.answer_id}"
