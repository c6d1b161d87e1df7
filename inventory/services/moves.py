"""Stock moves posted by people and integrations: receipts, issues, adjustments, transfers."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from config.exceptions import ValidationFailed
from inventory.exceptions import InsufficientStock, shortage
from inventory.models import (
    Lot,
    MoveKind,
    StockMove,
    Warehouse,
)
from inventory.services.ledger import (
    LOT_NUMBER_MAX,
    MANUAL_KINDS,
    REFERENCE_MAX,
    Posting,
    check_stockable,
    check_warehouse_usable,
    clean_text,
    default_warehouse_or_error,
    invalid,
    lock_levels,
    lot_balances,
    lots_ensure,
)
from items.models import Item, Tracking, UnitOfMeasure
from items.units import quantity_parse_in

# ---------------------------------------------------------------------------------------------
# Stock moves


def _resolve_warehouses(kind, from_warehouse, to_warehouse):
    if kind == MoveKind.TRANSFER:
        errors = {}
        if from_warehouse is None:
            errors["from_warehouse_id"] = ["A transfer needs fromWarehouseId."]
        if to_warehouse is None:
            errors["to_warehouse_id"] = ["A transfer needs toWarehouseId."]
        if errors:
            raise ValidationFailed("A transfer needs both warehouses.", errors=errors)
        if from_warehouse.pk == to_warehouse.pk:
            raise invalid("to_warehouse_id", "Must differ from fromWarehouseId.")
    elif kind == MoveKind.ISSUE:
        if to_warehouse is not None:
            raise invalid("to_warehouse_id", "An issue comes out of fromWarehouseId only.")
        from_warehouse = from_warehouse or default_warehouse_or_error("from_warehouse_id")
    else:
        if from_warehouse is not None:
            raise invalid("from_warehouse_id", f"A {kind} acts on toWarehouseId only.")
        to_warehouse = to_warehouse or default_warehouse_or_error("to_warehouse_id")
    if from_warehouse is not None:
        check_warehouse_usable(from_warehouse, "from_warehouse_id")
    if to_warehouse is not None:
        check_warehouse_usable(to_warehouse, "to_warehouse_id")
    return from_warehouse, to_warehouse


@transaction.atomic
def stock_move_post(
    *,
    kind: str,
    item: Item,
    quantity: Decimal,
    uom: UnitOfMeasure | None = None,
    from_warehouse: Warehouse | None = None,
    to_warehouse: Warehouse | None = None,
    lot_number: str | None = None,
    reference: str = "",
    note: str = "",
    actor,
) -> list[StockMove]:
    """Record a receipt, issue, adjustment or transfer; returns the moves written.

    `quantity` is in `uom` (default: the item's stock unit) and is stored converted into the
    stock unit. A receipt goes into `to_warehouse`, an issue comes out of `from_warehouse`, an
    adjustment (signed) acts on `to_warehouse`; a missing warehouse means `WH`. A transfer needs
    both, and they differ. Outgoing quantities are limited to the available (unreserved) stock;
    with no lot named they come from stock in no lot first, then lots oldest first, one move per
    lot. A named lot is limited to its balance. Lot-tracked items need a lot number to come in.
    """
    if kind not in MANUAL_KINDS:
        raise invalid("kind", f"Must be one of: {', '.join(MANUAL_KINDS)}.")
    check_stockable(item, "item_id")
    qty = quantity_parse_in(
        quantity,
        unit=uom,
        stock_unit=item.uom,
        sign="non_zero" if kind == MoveKind.ADJUSTMENT else "positive",
    )
    from_warehouse, to_warehouse = _resolve_warehouses(kind, from_warehouse, to_warehouse)
    lot_number = clean_text(lot_number, "lot_number", LOT_NUMBER_MAX) or None
    reference = clean_text(reference, "reference", REFERENCE_MAX)
    posting = Posting(actor=actor, reference=reference, note=note)

    inbound = kind == MoveKind.RECEIPT or (kind == MoveKind.ADJUSTMENT and qty > 0)
    if inbound:
        if item.tracking == Tracking.LOT and not lot_number:
            raise invalid("lot_number", f"{item.number} is lot-tracked: give a lot number.")
        key = (item.pk, to_warehouse.pk)
        level = lock_levels([key], create=True)[key]
        lot = lots_ensure({(item, lot_number)})[(item.pk, lot_number)] if lot_number else None
        balances = lot_balances([level])[level.pk] if lot else []
        posting.put(level, balances, qty, lot)
        posting.move(kind=kind, item=item, quantity=qty, to_warehouse=to_warehouse, lot=lot)
        posting.write()
        return posting.moves

    source = from_warehouse if kind in (MoveKind.ISSUE, MoveKind.TRANSFER) else to_warehouse
    wanted = abs(qty)
    lot = None
    if lot_number:
        lot = Lot.objects.filter(item=item, number=lot_number).first()
        if lot is None:
            raise invalid("lot_number", f"{item.number} has no lot {lot_number}.")
    keys = [(item.pk, source.pk)]
    if kind == MoveKind.TRANSFER:
        keys.append((item.pk, to_warehouse.pk))
    levels = lock_levels(keys, create=kind == MoveKind.TRANSFER)
    level = levels.get((item.pk, source.pk))
    balances = lot_balances(levels.values())
    source_balances = balances[level.pk] if level else []
    available = level.available if level else Decimal(0)
    if lot is not None:
        in_lot = sum((b.quantity for b in source_balances if b.lot_id == lot.pk), Decimal(0))
        available = min(available, in_lot)
    if level is None or wanted > available:
        raise InsufficientStock(
            shortages=[shortage(item=item, required=wanted, available=available)]
        )

    portions = posting.take(level, source_balances, wanted, lot)
    if kind == MoveKind.TRANSFER:
        target = levels[(item.pk, to_warehouse.pk)]
        for portion_lot, portion in portions:
            posting.put(target, balances[target.pk], portion, portion_lot)
            posting.move(
                kind=kind,
                item=item,
                quantity=portion,
                from_warehouse=from_warehouse,
                to_warehouse=to_warehouse,
                lot=portion_lot,
            )
    elif kind == MoveKind.ISSUE:
        for portion_lot, portion in portions:
            posting.move(
                kind=kind, item=item, quantity=portion, from_warehouse=source, lot=portion_lot
            )
    else:
        for portion_lot, portion in portions:
            posting.move(
                kind=kind, item=item, quantity=-portion, to_warehouse=source, lot=portion_lot
            )
    posting.write()
    return posting.moves
