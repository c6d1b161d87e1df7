"""Who made a change: services stamp the acting user on every row they save, because API token
authentication happens after simple_history's middleware has looked at the request."""

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from config.history import history_user
from config.history import stamp_history as stamp


def bulk_create_logged(objs: list, model, *, actor, batch_size: int | None = None) -> list:
    if not objs:
        return []
    return bulk_create_with_history(
        objs, model, batch_size=batch_size, default_user=history_user(actor)
    )


def bulk_update_logged(objs: list, model, *, fields: list[str], actor) -> None:
    if objs:
        bulk_update_with_history(objs, model, fields=fields, default_user=history_user(actor))


def delete_logged(objs: list, *, actor) -> None:
    """Per row, so each removal gets its history record with the right user (few rows)."""
    for obj in objs:
        stamp(obj, actor)
        obj.delete()


def history_record(obj, *, actor, change: str = "+", **values):
    """The history row (unsaved) of `obj` as it is now, or with `values` as it was at an earlier
    step of the same service call (`change`: "+" created, "~" changed), for services that write
    the rows of many objects in one bulk_create; what a save() would have recorded then."""
    history = type(obj).history.model
    fields = {f.attname: getattr(obj, f.attname) for f in history.tracked_fields}
    return history(
        history_date=timezone.now(),
        history_user=history_user(actor),
        history_change_reason=None,
        history_type=change,
        **(fields | values),
    )
