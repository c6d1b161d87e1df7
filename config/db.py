"""Database helpers shared by services."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction

from config.exceptions import ValidationFailed


def ensure_unique_live(model, *, field: str, value, exclude_pk=None, api_field: str | None = None):
    """Unique among live rows: the same rule as the conditional UniqueConstraint, checked first so
    the caller gets a field error instead of an IntegrityError."""
    qs = model.objects.filter(**{field: value})
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise live_duplicate(model, field=field, value=value, api_field=api_field)


def live_duplicate(model, *, field: str, value, api_field: str | None = None) -> ValidationFailed:
    """The refusal of `ensure_unique_live`, for callers that check many values at once."""
    name = api_field or field
    return ValidationFailed(
        f"{name} '{value}' is already used by an active {model._meta.verbose_name}.",
        errors={name: [f"'{value}' is already used by an active {model._meta.verbose_name}."]},
    )


@contextmanager
def integrity_as_validation(field: str, message: str) -> Iterator[None]:
    """A concurrent writer may win the race past `ensure_unique_live`: report it the same way."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ValidationFailed(message, errors={field: [message]}) from exc
