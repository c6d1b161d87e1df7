"""Every change to units and items goes through here (API, admin, commands)."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from config.db import ensure_unique_live, integrity_as_validation
from config.exceptions import ValidationFailed
from config.history import stamp_history
from config.quantities import MONEY, number_parse
from items.exceptions import ItemInUse, UomInUse
from items.models import Item, ItemType, Tracking, UnitOfMeasure
from items.selectors import item_usage_reasons, uom_usage_reasons

ITEM_FIELDS = ("number", "name", "description", "type", "uom", "tracking", "standard_cost")
UOM_FIELDS = ("symbol", "name", "category", "factor")


def _check_uom_usable(uom: UnitOfMeasure) -> None:
    if uom.deleted_at is not None:
        raise ValidationFailed(
            f"Unit '{uom.symbol}' is archived.",
            errors={"uom": [f"Unit '{uom.symbol}' is archived."]},
        )


def _check_meaning_unchanged(uom: UnitOfMeasure, data: dict[str, Any]) -> None:
    """A unit means its category and factor. While anything uses it (an item, a BOM header or
    line, an order requirement), changing either would silently rewrite what those records say —
    a submitted BOM's 250 mL becoming 250 L — so it is refused (`uom_in_use`): create a new unit
    instead. Name and symbol stay editable."""
    changed = [f for f in ("category", "factor") if f in data and data[f] != getattr(uom, f)]
    if not changed:
        return
    reasons = uom_usage_reasons(uom=uom)
    if not reasons:
        return
    used_by = ", ".join(reasons)
    raise UomInUse(
        f"Unit {uom.symbol} is in use, so its {' and '.join(changed)} cannot change: used by "
        f"{used_by}. Create a new unit instead.",
        errors={
            f: [f"{uom.symbol} is in use (used by {used_by}): create a new unit instead."]
            for f in changed
        },
    )


@transaction.atomic
def uom_create(
    *, symbol: str, name: str, category: str, factor: Decimal, actor=None
) -> UnitOfMeasure:
    ensure_unique_live(UnitOfMeasure, field="symbol", value=symbol)
    uom = UnitOfMeasure(symbol=symbol, name=name, category=category, factor=factor)
    with integrity_as_validation("symbol", f"'{symbol}' is already used by an active unit."):
        uom.save()
    return uom


@transaction.atomic
def uom_update(*, uom: UnitOfMeasure, data: dict[str, Any], actor=None) -> UnitOfMeasure:
    uom = UnitOfMeasure.all_objects.select_for_update().get(pk=uom.pk)
    if "symbol" in data and data["symbol"] != uom.symbol:
        ensure_unique_live(UnitOfMeasure, field="symbol", value=data["symbol"], exclude_pk=uom.pk)
    _check_meaning_unchanged(uom, data)
    for field in UOM_FIELDS:
        if field in data:
            setattr(uom, field, data[field])
    with integrity_as_validation("symbol", "Symbol already used by an active unit."):
        uom.save()
    return uom


@transaction.atomic
def uom_archive(*, uom: UnitOfMeasure, actor=None) -> UnitOfMeasure:
    """Archived units keep every reference; new items and lines cannot pick them."""
    uom.delete()
    return uom


@transaction.atomic
def uom_restore(*, uom: UnitOfMeasure, actor=None) -> UnitOfMeasure:
    if uom.deleted_at is None:
        raise ValidationFailed(f"Unit {uom.symbol} is not archived.")
    ensure_unique_live(UnitOfMeasure, field="symbol", value=uom.symbol, exclude_pk=uom.pk)
    with integrity_as_validation("symbol", f"'{uom.symbol}' is already used by an active unit."):
        uom.restore()
    return uom


def _validate_item(item: Item) -> None:
    if item.tracking not in Tracking.values or item.type not in ItemType.values:
        raise ValidationFailed("Invalid type or tracking.")
    if item.type == ItemType.SERVICE and item.tracking == Tracking.LOT:
        raise ValidationFailed(
            "A service cannot be lot-tracked.",
            errors={"tracking": ["A service cannot be lot-tracked."]},
        )


def _cost(value: Any) -> Decimal:
    return number_parse(value, field="standard_cost", kind=MONEY, sign="non_negative")


@transaction.atomic
def item_create(
    *,
    number: str,
    name: str,
    uom: UnitOfMeasure,
    description: str = "",
    type: str = ItemType.STOCKABLE,
    tracking: str = Tracking.NONE,
    standard_cost: Decimal = Decimal(0),
    actor=None,
) -> Item:
    _check_uom_usable(uom)
    standard_cost = _cost(standard_cost)
    ensure_unique_live(Item, field="number", value=number)
    item = Item(
        number=number,
        name=name,
        description=description or "",
        type=type,
        uom=uom,
        tracking=tracking,
        standard_cost=standard_cost,
    )
    _validate_item(item)
    stamp_history(item, actor)
    with integrity_as_validation("number", f"'{number}' is already used by an active item."):
        item.save()
    return item


@transaction.atomic
def item_update(*, item: Item, data: dict[str, Any], actor=None) -> Item:
    item = Item.all_objects.select_for_update().get(pk=item.pk)
    if "number" in data and data["number"] != item.number:
        ensure_unique_live(Item, field="number", value=data["number"], exclude_pk=item.pk)
    if "uom" in data and data["uom"].pk != item.uom_id:
        _check_uom_usable(data["uom"])
        reasons = item_usage_reasons(item=item)
        if reasons:
            raise ItemInUse(f"The stock unit of {item.number} cannot change: {'; '.join(reasons)}.")
    if data.get("type") == ItemType.SERVICE and item.type != ItemType.SERVICE:
        reasons = item_usage_reasons(item=item)
        if reasons:
            raise ItemInUse(f"{item.number} cannot become a service: {'; '.join(reasons)}.")
    if "standard_cost" in data:
        data = {**data, "standard_cost": _cost(data["standard_cost"])}
    for field in ITEM_FIELDS:
        if field in data:
            setattr(item, field, data[field])
    _validate_item(item)
    stamp_history(item, actor)
    with integrity_as_validation("number", "Number already used by an active item."):
        item.save()
    return item


@transaction.atomic
def item_archive(*, item: Item, actor=None) -> Item:
    item = Item.all_objects.select_for_update().get(pk=item.pk)
    reasons = item_usage_reasons(item=item)
    if reasons:
        raise ItemInUse(f"Item {item.number} is in use: {'; '.join(reasons)}.")
    stamp_history(item, actor)
    item.delete()
    return item


@transaction.atomic
def item_restore(*, item: Item, actor=None) -> Item:
    if item.deleted_at is None:
        raise ValidationFailed(f"Item {item.number} is not archived.")
    ensure_unique_live(Item, field="number", value=item.number, exclude_pk=item.pk)
    stamp_history(item, actor)
    with integrity_as_validation("number", f"'{item.number}' is already used by an active item."):
        item.restore()
    return item
