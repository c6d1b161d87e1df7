"""Audit history (django-simple-history): the field factory every app uses, and the one place
that turns historical rows into `{at, user, change, fields: {name: [old, new]}}` entries for the
API and the admin."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

from config.ids import uuid7

SKIP_FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "history_relation",
}


def history_records(**kwargs) -> HistoricalRecords:
    """History rows get UUIDv7 ids like everything else."""
    return HistoricalRecords(
        history_id_field=models.UUIDField(default=uuid7, editable=False), **kwargs
    )


@dataclass
class HistoryEntry:
    at: datetime
    user: str | None
    change: str  # created | changed | deleted
    fields: dict[str, list[Any]]
    entity: str = ""
    label: str = ""
    object_id: Any = None
    record: Any = field(default=None, repr=False)


def _values(record) -> dict[str, Any]:
    values = {}
    for f in record._meta.concrete_fields:
        if f.name in SKIP_FIELDS or f.attname in SKIP_FIELDS:
            continue
        values[f.attname] = getattr(record, f.attname)
    return values


def history_entries(records: Iterable, *, entity: str, label=None) -> list[HistoryEntry]:
    """Entries for historical `records` (of one or several objects), each diffed against the
    previous record of the same object; newest first. Saves that changed nothing are left out.
    Soft deletes (`deleted_at` set) read as `deleted`."""
    by_object = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    entries = []
    for rows in by_object.values():
        rows.sort(key=lambda r: (r.history_date, r.history_id))
        previous: dict[str, Any] | None = None
        for record in rows:
            current = _values(record)
            if record.history_type == "+" or previous is None:
                change = "created" if record.history_type == "+" else "changed"
                diff = {k: [None, v] for k, v in current.items() if v not in (None, "")}
            elif record.history_type == "-":
                change, diff = "deleted", {}
            else:
                diff = {k: [previous.get(k), v] for k, v in current.items() if previous.get(k) != v}
                if not diff:
                    previous = current
                    continue
                deleted = diff.get("deleted_at")
                change = "deleted" if deleted and deleted[0] is None else "changed"
            user = record.history_user
            entries.append(
                HistoryEntry(
                    at=record.history_date,
                    user=user.get_username() if user is not None else None,
                    change=change,
                    fields=diff,
                    entity=entity,
                    label=label(record) if label else "",
                    object_id=record.id,
                    record=record,
                )
            )
            previous = current
    entries.sort(key=lambda e: (e.at, str(e.record.history_id)), reverse=True)
    return entries


def history_user(actor):
    """The user a history row names: the acting user, or nobody (a command, anonymous)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def stamp_history(instance, actor) -> None:
    """Record `actor` as the author of the next history row of `instance`: services set it
    because API token authentication happens after simple_history's middleware."""
    instance._history_user = history_user(actor)
