"""What manufacturing calls: reserve, release and consume stock for a production order, and
receive what it produced."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from config.quantities import quantity_parse
from inventory.exceptions import InsufficientStock, shortage
from inventory.models import (
    MoveKind,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
)
from inventory.services.ledger import (
    LOT_NUMBER_MAX,
    REFERENCE_MAX,
    Posting,
    ReservationLine,
    check_stockable,
    check_warehouse_usable,
    clean_text,
    group_lines,
    invalid,
    lock_levels,
    lot_balances,
    lots_ensure,
    pairs_q,
)
from items.models import Item, Tracking

# ---------------------------------------------------------------------------------------------
# Reservations and production (what manufacturing calls)


def _owner_q(production_order_id, reference: str | None) -> Q:
    if production_order_id is not None:
        return Q(production_order_id=production_order_id)
    return Q(production_order_id__isnull=True, reference=reference or "")


@transaction.atomic
def stock_reserve(
    *,
    lines: Iterable[ReservationLine | tuple[Item, Warehouse, Decimal]],
    production_order_id: UUID | None = None,
    reference: str = "",
    actor,
) -> list[Reservation]:
    """Reserve every line, all or nothing: when any line exceeds the available stock, raise one
    `InsufficientStock` listing every shortage and reserve nothing. Lines of the same item and
    warehouse are added up. The owner is the production order (or, without one, `reference`);
    reserving again for the same owner, item and warehouse merges into its existing row.
    Returns the owner's reservation rows for the lines, in line order."""
    wanted = group_lines(lines, check_warehouse=True)
    reference = clean_text(reference, "reference", REFERENCE_MAX)
    if not wanted:
        return []
    levels = lock_levels(wanted, create=False)
    shortages = []
    for key, (item, _warehouse, quantity) in wanted.items():
        available = levels[key].available if key in levels else Decimal(0)
        if quantity > available:
            shortages.append(shortage(item=item, required=quantity, available=available))
    if shortages:
        raise InsufficientStock(shortages=shortages)

    existing = {
        (r.item_id, r.warehouse_id): r
        for r in Reservation.objects.filter(
            _owner_q(production_order_id, reference),
            pairs_q(wanted, "item_id", "warehouse_id"),
        )
    }
    now = timezone.now()
    result, new, changed = [], [], []
    for key, (item, warehouse, quantity) in wanted.items():
        levels[key].reserved += quantity
        reservation = existing.get(key)
        if reservation is None:
            reservation = Reservation(
                item=item,
                warehouse=warehouse,
                quantity=quantity,
                production_order_id=production_order_id,
                reference=reference or "",
                created_at=now,
                updated_at=now,
            )
            new.append(reservation)
        else:
            reservation.quantity += quantity
            reservation.updated_at = now
            changed.append(reservation)
        result.append(reservation)
    StockLevel.objects.bulk_update(list(levels.values()), ["reserved"])
    if changed:
        Reservation.objects.bulk_update(changed, ["quantity", "updated_at"])
    if new:
        Reservation.objects.bulk_create(new)
    return result


@transaction.atomic
def stock_release(
    *,
    production_order_id: UUID | None,
    actor,
    items: Iterable[Item] | None = None,
    reference: str | None = None,
) -> list[Reservation]:
    """Release the owner's reservations (all, or only those of `items`) and return the rows
    released (deleted; their `quantity` is what was released). The owner is the production order,
    or `reference` when `production_order_id` is None. Releasing nothing is not an error."""
    if production_order_id is None and reference is None:
        raise invalid("production_order_id", "Give a production order or a reference.")
    owned = Reservation.objects.filter(_owner_q(production_order_id, reference))
    if items is not None:
        owned = owned.filter(item_id__in=[item.pk for item in items])
    levels = {
        (level.item_id, level.warehouse_id): level
        for level in StockLevel.objects.select_for_update(no_key=True)
        .filter(
            Exists(owned.filter(item_id=OuterRef("item_id"), warehouse_id=OuterRef("warehouse_id")))
        )
        .order_by("pk")
    }
    released = [r for r in owned if (r.item_id, r.warehouse_id) in levels]
    if not released:
        return []
    for reservation in released:
        levels[(reservation.item_id, reservation.warehouse_id)].reserved -= reservation.quantity
    StockLevel.objects.bulk_update(list(levels.values()), ["reserved"])
    Reservation.objects.filter(pk__in=[r.pk for r in released]).delete()
    return released


@transaction.atomic
def stock_reservation_replace(
    *,
    production_order_id: UUID,
    lines: Iterable[ReservationLine | tuple[Item, Warehouse, Decimal]],
    reference: str = "",
    actor,
) -> list[Reservation]:
    """Release everything the production order holds and reserve `lines` instead, all or
    nothing (`stock_release`, then `stock_reserve`: its `InsufficientStock` lists every
    shortage, counting what the order held as available, and leaves the old reservations in
    place). Every level involved, held or wanted, is locked first in one query in pk order,
    as a confirm locks its own: a replace racing a confirm or another replace can neither
    deadlock (no lock taken out of order) nor oversell. The caller holds the order's row lock,
    so what the order holds cannot change meanwhile."""
    lines = list(lines)
    wanted = group_lines(lines, check_warehouse=True)
    held = Reservation.objects.filter(production_order_id=production_order_id).values_list(
        "item_id", "warehouse_id"
    )
    lock_levels({*wanted, *held}, create=False)
    stock_release(production_order_id=production_order_id, actor=actor)
    return stock_reserve(
        lines=lines, production_order_id=production_order_id, reference=reference, actor=actor
    )


@transaction.atomic
def stock_consume(
    *,
    production_order_id: UUID,
    lines: Iterable[ReservationLine | tuple[Item, Warehouse, Decimal]],
    reference: str = "",
    actor,
) -> list[StockMove]:
    """Consume components for a production order: for each (item, warehouse, quantity), reduce
    the order's reservation and the stock on hand, and write `consumption` moves picking stock in
    no lot first, then lots oldest first (one move per lot).

    Consuming more than the order has reserved (scrap, a larger batch) takes the rest from the
    available, unreserved stock; when that is not enough either, nothing is consumed and
    `InsufficientStock` lists every line short (`available` = still reserved + unreserved).
    Returns the moves written."""
    wanted = group_lines(lines, check_warehouse=False)
    reference = clean_text(reference, "reference", REFERENCE_MAX)
    if not wanted:
        return []
    levels = lock_levels(wanted, create=False)
    reservations = {
        (r.item_id, r.warehouse_id): r
        for r in Reservation.objects.filter(
            pairs_q(wanted, "item_id", "warehouse_id"), production_order_id=production_order_id
        )
    }
    shortages = []
    for key, (item, _warehouse, quantity) in wanted.items():
        reserved = reservations[key].quantity if key in reservations else Decimal(0)
        free = levels[key].available if key in levels else Decimal(0)
        if quantity > reserved + free:
            shortages.append(shortage(item=item, required=quantity, available=reserved + free))
    if shortages:
        raise InsufficientStock(shortages=shortages)

    balances = lot_balances(levels.values())
    posting = Posting(actor=actor, reference=reference, production_order_id=production_order_id)
    emptied, changed = [], []
    for key, (item, warehouse, quantity) in wanted.items():
        level = levels[key]
        reservation = reservations.get(key)
        from_reservation = min(quantity, reservation.quantity) if reservation else Decimal(0)
        level.reserved -= from_reservation
        for portion_lot, portion in posting.take(level, balances[level.pk], quantity):
            posting.move(
                kind=MoveKind.CONSUMPTION,
                item=item,
                quantity=portion,
                from_warehouse=warehouse,
                lot=portion_lot,
            )
        if reservation is not None:
            reservation.quantity -= from_reservation
            reservation.updated_at = posting.now
            (changed if reservation.quantity > 0 else emptied).append(reservation)
    posting.write()
    if changed:
        Reservation.objects.bulk_update(changed, ["quantity", "updated_at"])
    if emptied:
        Reservation.objects.filter(pk__in=[r.pk for r in emptied]).delete()
    return posting.moves


@transaction.atomic
def stock_receive_production(
    *,
    item: Item,
    warehouse: Warehouse,
    quantity: Decimal,
    lot_number: str | None = None,
    production_order_id: UUID,
    reference: str = "",
    actor,
) -> StockMove:
    """Receive finished goods of a production order into `warehouse` (a `production` move).
    A lot-tracked item needs `lot_number`; for other items a given lot number is recorded too.
    The lot is created on first use."""
    check_stockable(item, "product_id")
    qty = quantity_parse(quantity)
    check_warehouse_usable(warehouse, "target_warehouse_id")
    lot_number = clean_text(lot_number, "lot_number", LOT_NUMBER_MAX) or None
    reference = clean_text(reference, "reference", REFERENCE_MAX)
    if item.tracking == Tracking.LOT and not lot_number:
        raise invalid("lot_number", f"{item.number} is lot-tracked: give a lot number.")
    key = (item.pk, warehouse.pk)
    level = lock_levels([key], create=True)[key]
    lot = lots_ensure({(item, lot_number)})[(item.pk, lot_number)] if lot_number else None
    balances = lot_balances([level])[level.pk] if lot else []
    posting = Posting(actor=actor, reference=reference, production_order_id=production_order_id)
    posting.put(level, balances, qty, lot)
    move = posting.move(
        kind=MoveKind.PRODUCTION, item=item, quantity=qty, to_warehouse=warehouse, lot=lot
    )
    posting.write()
    return move
