"""Building blocks shared by every app: UUIDv7 ids, timestamps, soft delete."""

from django.db import models
from django.utils import timezone

from config.ids import uuid7


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(UUIDModel):
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SoftDeleteQuerySet(models.QuerySet):
    """`delete()` archives; `hard_delete()` really deletes."""

    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def dead(self):
        return self.filter(deleted_at__isnull=False)

    def delete(self):
        return self.alive().update(deleted_at=timezone.now())

    delete.alters_data = True
    delete.queryset_only = True

    def hard_delete(self):
        return super().delete()

    hard_delete.alters_data = True

    def restore(self):
        return self.dead().update(deleted_at=None)

    restore.alters_data = True


class LiveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """Default manager: live rows only. The base manager stays Django's unfiltered one."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllObjectsManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    pass


class SoftDeleteModel(TimeStampedModel):
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    objects = LiveManager()
    all_objects = AllObjectsManager()

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    def delete(self, using=None, keep_parents=False):
        if self.deleted_at is None:
            self.deleted_at = timezone.now()
            self.save(update_fields=["deleted_at", "updated_at"])
        return 1, {self._meta.label: 1}

    delete.alters_data = True

    def restore(self) -> None:
        if self.deleted_at is not None:
            self.deleted_at = None
            self.save(update_fields=["deleted_at", "updated_at"])

    restore.alters_data = True

    def hard_delete(self, using=None, keep_parents=False):
        return super().delete(using=using, keep_parents=keep_parents)

    hard_delete.alters_data = True


def live_unique(*fields: str, name: str) -> models.UniqueConstraint:
    """A unique constraint that holds among live rows only, so archived numbers can be reused."""
    return models.UniqueConstraint(
        fields=list(fields),
        condition=models.Q(deleted_at__isnull=True),
        name=name,
        violation_error_message=f"{', '.join(fields)} is already used by an active record.",
    )


class IdempotencyKey(UUIDModel):
    """A POST's `Idempotency-Key`, stored in the same transaction as the work it guarded, with the
    response to replay. Rows older than the retention window are ignored and purged."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.TextField(blank=True, default="")
    response_content_type = models.CharField(max_length=100, default="application/json")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


# The background job record lives in its own package; importing it here registers it with the
# config app.
from config.jobs.models import Job, JobStatus  # noqa: E402, F401
