"""Every change to warehouses (API, admin, demo data)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from config.db import ensure_unique_live, integrity_as_validation
from config.exceptions import InvalidState, ValidationFailed
from inventory.exceptions import WarehouseInUse
from inventory.models import (
    StockLevel,
    Warehouse,
)
from inventory.selectors import (
    warehouse_usage_reasons,
)
from inventory.services.ledger import (
    WAREHOUSE_FIELDS,
)

# ---------------------------------------------------------------------------------------------
# Warehouses


@transaction.atomic
def warehouse_create(*, code: str, name: str, actor=None) -> Warehouse:
    ensure_unique_live(Warehouse, field="code", value=code)
    warehouse = Warehouse(code=code, name=name)
    with integrity_as_validation("code", f"'{code}' is already used by an active warehouse."):
        warehouse.save()
    return warehouse


@transaction.atomic
def warehouse_update(*, warehouse: Warehouse, data: dict[str, Any], actor=None) -> Warehouse:
    warehouse = Warehouse.all_objects.select_for_update().get(pk=warehouse.pk)
    if "code" in data and data["code"] != warehouse.code:
        ensure_unique_live(Warehouse, field="code", value=data["code"], exclude_pk=warehouse.pk)
    for field in WAREHOUSE_FIELDS:
        if field in data:
            setattr(warehouse, field, data[field])
    with integrity_as_validation("code", "Code already used by an active warehouse."):
        warehouse.save()
    return warehouse


@transaction.atomic
def warehouse_archive(*, warehouse: Warehouse, actor=None) -> Warehouse:
    """Refused (409 `invalid_state`) while the warehouse has stock on hand: move or adjust it
    out first, so no stock disappears from the lists with its warehouse. Refused too (409
    `warehouse_in_use`) while a registered check holds it — open production orders taking from
    or delivering to it, whose produce would fail on an archived warehouse."""
    warehouse = Warehouse.all_objects.select_for_update().get(pk=warehouse.pk)
    stocked = (
        StockLevel.objects.select_for_update(no_key=True)
        .filter(warehouse=warehouse, on_hand__gt=0)
        .order_by("pk")
    )
    count = len(stocked)
    if count:
        raise InvalidState(
            f"Warehouse {warehouse.code} still has stock on hand of {count} item(s); "
            "transfer or adjust it out first."
        )
    reasons = warehouse_usage_reasons(warehouse=warehouse)
    if reasons:
        raise WarehouseInUse(f"Warehouse {warehouse.code} is in use: {'; '.join(reasons)}.")
    warehouse.delete()
    return warehouse


@transaction.atomic
def warehouse_restore(*, warehouse: Warehouse, actor=None) -> Warehouse:
    if warehouse.deleted_at is None:
        raise ValidationFailed(f"Warehouse {warehouse.code} is not archived.")
    ensure_unique_live(Warehouse, field="code", value=warehouse.code, exclude_pk=warehouse.pk)
    with integrity_as_validation(
        "code", f"'{warehouse.code}' is already used by an active warehouse."
    ):
        warehouse.restore()
    return warehouse
