"""Who made a change: services stamp the acting user on every row they save, because API token
authentication happens after simple_history's middleware has looked at the request."""

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from config.history import history_user
from config.history import stamp_history as stamp


def bulk_create_logged(objs: list, model, *, actor) -> list:
    if not objs:
        return []
    return bulk_create_with_history(objs, model, default_user=history_user(actor))


def bulk_update_logged(objs: list, model, *, fields: list[str], actor) -> None:
    if objs:
        bulk_update_with_history(objs, model, fields=fields, default_user=history_user(actor))


def delete_logged(objs: list, *, actor) -> None:
    """Per row, so each removal gets its history record with the right user (few rows)."""
    for obj in objs:
        stamp(obj, actor)
        obj.delete()
