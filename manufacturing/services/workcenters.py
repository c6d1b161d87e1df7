"""Every change to workcenters (API, admin, demo data)."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from config.db import ensure_unique_live, integrity_as_validation
from config.exceptions import ValidationFailed
from manufacturing.models import Workcenter
from manufacturing.services.history import stamp

WORKCENTER_FIELDS = ("code", "name", "hourly_cost")


def _check_cost(hourly_cost: Decimal) -> None:
    if hourly_cost is not None and Decimal(hourly_cost) < 0:
        raise ValidationFailed(
            "The hourly cost cannot be negative.",
            errors={"hourlyCost": ["Must be zero or more."]},
        )


@transaction.atomic
def workcenter_create(
    *, code: str, name: str, hourly_cost: Decimal = Decimal(0), actor=None
) -> Workcenter:
    _check_cost(hourly_cost)
    ensure_unique_live(Workcenter, field="code", value=code)
    ensure_unique_live(Workcenter, field="name", value=name)
    workcenter = Workcenter(code=code, name=name, hourly_cost=hourly_cost)
    stamp(workcenter, actor)
    with integrity_as_validation("code", "Code or name already used by an active workcenter."):
        workcenter.save()
    return workcenter


@transaction.atomic
def workcenter_update(*, workcenter: Workcenter, data: dict[str, Any], actor=None) -> Workcenter:
    workcenter = Workcenter.all_objects.select_for_update().get(pk=workcenter.pk)
    for field in ("code", "name"):
        if field in data and data[field] != getattr(workcenter, field):
            ensure_unique_live(Workcenter, field=field, value=data[field], exclude_pk=workcenter.pk)
    _check_cost(data.get("hourly_cost"))
    for field in WORKCENTER_FIELDS:
        if field in data:
            setattr(workcenter, field, data[field])
    stamp(workcenter, actor)
    with integrity_as_validation("code", "Code or name already used by an active workcenter."):
        workcenter.save()
    return workcenter


@transaction.atomic
def workcenter_archive(*, workcenter: Workcenter, actor=None) -> Workcenter:
    """Archived workcenters keep every reference (BOM operations, later work orders); new or
    changed operations cannot pick them."""
    workcenter = Workcenter.all_objects.select_for_update().get(pk=workcenter.pk)
    stamp(workcenter, actor)
    workcenter.delete()
    return workcenter


@transaction.atomic
def workcenter_restore(*, workcenter: Workcenter, actor=None) -> Workcenter:
    workcenter = Workcenter.all_objects.select_for_update().get(pk=workcenter.pk)
    if workcenter.deleted_at is None:
        raise ValidationFailed(f"Workcenter {workcenter.code} is not archived.")
    ensure_unique_live(Workcenter, field="code", value=workcenter.code, exclude_pk=workcenter.pk)
    ensure_unique_live(Workcenter, field="name", value=workcenter.name, exclude_pk=workcenter.pk)
    stamp(workcenter, actor)
    with integrity_as_validation("code", "Code or name already used by an active workcenter."):
        workcenter.restore()
    return workcenter
