"""The job record: what a background task is doing, for whom, and how it ended."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject

from config.models import UUIDModel


class JobsStorage(LazyObject):
    """STORAGES["jobs"], looked up on first use (like Django's default_storage), so settings
    decide where jobs' files live, whatever imported the models first."""

    def _setup(self):
        self._wrapped = storages["jobs"]


JOBS_STORAGE = JobsStorage()


def jobs_storage():
    """The FileFields' storage callable (so migrations name this function, not a backend)."""
    return JOBS_STORAGE


def job_file_path(job: "Job", filename: str) -> str:
    return f"{job.pk}/{filename}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    FAILED = "failed", "failed"


class Job(UUIDModel):
    kind = models.CharField(max_length=50, db_index=True)
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    parameters = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(
        storage=jobs_storage, upload_to=job_file_path, max_length=300, blank=True
    )
    output_file = models.FileField(
        storage=jobs_storage, upload_to=job_file_path, max_length=300, blank=True
    )
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    row_errors = models.JSONField(default=list, blank=True)
    # The framework's TaskResult.id (opaque, up to 64 characters, backend-specific).
    task_result_id = models.CharField(max_length=64, blank=True, db_index=True)
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life of a running job (written with its progress): the stale-job rule.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self) -> str:
        from config.jobs.kinds import kind_of

        kind = kind_of(self.kind)
        return f"{kind.label if kind else self.kind} of {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def duration(self):
        """Running time (so far, while running); None before it starts."""
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at
