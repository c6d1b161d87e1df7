"""Every change to stock goes through here: the API, the admin, the commands and manufacturing.

How every stock service works (DESIGN.md, "Locking"; STYLE.md rule 3):

1. validate the input (no locks yet);
2. lock every `StockLevel` row it touches with ONE `select_for_update(no_key=True)` query in
   primary-key order (rows that must exist are created first with `INSERT … ON CONFLICT DO
   NOTHING`, so a concurrent creator just waits for the other's commit and then locks the row);
3. read what it will change under that lock (lot balances, reservations), check everything and
   collect ALL shortfalls into one `InsufficientStock`;
4. write with bulk operations: levels and lot balances get values computed after locking, the
   ledger gets new `StockMove` rows.

The number of queries does not grow with the number of lines. Every writer of lot balances and
reservations holds the lock of their level first, so those rows need no locks of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from config.db import ensure_unique_live, integrity_as_validation
from config.exceptions import InvalidState, ValidationFailed
from inventory.exceptions import InsufficientStock, WarehouseInUse, shortage
from inventory.models import (
    DEFAULT_WAREHOUSE_CODE,
    Lot,
    LotBalance,
    MoveKind,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
)
from inventory.selectors import (
    Drift,
    default_warehouse,
    stock_drift,
    stock_expected,
    stock_snapshot,
    warehouse_usage_reasons,
)
from items.exceptions import ItemNotFound
from items.models import Item, ItemType, Tracking, UnitOfMeasure
from items.units import convert, quantize_qty

# Decimal(18, 6) holds 12 integer digits.
MAX_QUANTITY = Decimal(10) ** 12
MANUAL_KINDS = (MoveKind.RECEIPT, MoveKind.ISSUE, MoveKind.ADJUSTMENT, MoveKind.TRANSFER)
WAREHOUSE_FIELDS = ("code", "name")
LOT_NUMBER_MAX = Lot._meta.get_field("number").max_length
REFERENCE_MAX = StockMove._meta.get_field("reference").max_length

Key = tuple[UUID, UUID]  # (item_id, warehouse_id)


@dataclass(frozen=True)
class ReservationLine:
    """One line of `stock_reserve` / `stock_consume`: a quantity of an item, in its stock unit,
    in a warehouse. Plain `(item, warehouse, quantity)` tuples are accepted too."""

    item: Item
    warehouse: Warehouse
    quantity: Decimal


# ---------------------------------------------------------------------------------------------
# Validation helpers


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", errors={field: [message]})


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(field, "A number is required.") from None
    if not number.is_finite():
        raise _invalid(field, "A number is required.")
    return number


def _check_range(quantity: Decimal, field: str) -> None:
    if abs(quantity) >= MAX_QUANTITY:
        raise _invalid(field, f"Must be less than {MAX_QUANTITY} in the stock unit.")


def _positive(value: Any, field: str) -> Decimal:
    quantity = quantize_qty(_decimal(value, field))
    if quantity <= 0:
        raise _invalid(field, "Must be greater than zero.")
    _check_range(quantity, field)
    return quantity


def _text(value: str | None, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise _invalid(field, f"At most {max_length} characters.")
    return value


def _check_stockable(item: Item, field: str) -> None:
    if item.deleted_at is not None:
        raise ItemNotFound(
            f"Item {item.number} is archived.", errors={field: [f"{item.number} is archived."]}
        )
    if item.type == ItemType.SERVICE:
        raise _invalid(field, f"{item.number} is a service; services are not stocked.")


def _check_warehouse_usable(warehouse: Warehouse, field: str) -> None:
    if warehouse.deleted_at is not None:
        raise _invalid(field, f"Warehouse {warehouse.code} is archived.")


def _default_warehouse(field: str) -> Warehouse:
    warehouse = default_warehouse()
    if warehouse is None:
        raise _invalid(
            field, f"There is no active default warehouse {DEFAULT_WAREHOUSE_CODE}; name one."
        )
    return warehouse


def warehouses_or_default(wanted: dict[str, Warehouse | None]) -> dict[str, Warehouse]:
    """For each field of a document that keeps warehouses (`{"targetWarehouseId": wh or None}`),
    the warehouse it names or the default `WH`; refused when archived or missing (what stock moves
    apply, for callers such as production orders).

    The rows are re-read under a lock that `warehouse_archive` waits for (and that waits for
    it), in one query in primary-key order so two documents naming the same warehouses the other
    way round cannot deadlock: a document saved in this transaction never names a warehouse
    archived meanwhile, and an archive that runs after it sees the document."""
    chosen = {field: warehouse or _default_warehouse(field) for field, warehouse in wanted.items()}
    locked = {
        warehouse.pk: warehouse
        for warehouse in Warehouse.all_objects.select_for_update(no_key=True)
        .filter(pk__in={warehouse.pk for warehouse in chosen.values()})
        .order_by("pk")
    }
    for field, warehouse in chosen.items():
        _check_warehouse_usable(locked[warehouse.pk], field)
    return {field: locked[warehouse.pk] for field, warehouse in chosen.items()}


def _lines(lines: Iterable[Any], *, check_warehouse: bool) -> dict[Key, list[Any]]:
    """Validate and merge lines per item and warehouse (keeping the order first given):
    `{(item_id, warehouse_id): [item, warehouse, total]}`."""
    merged: dict[Key, list[Any]] = {}
    for index, raw in enumerate(lines):
        line = raw if isinstance(raw, ReservationLine) else ReservationLine(*raw)
        quantity = _positive(line.quantity, f"lines[{index}].quantity")
        _check_stockable(line.item, f"lines[{index}].item")
        if check_warehouse:
            _check_warehouse_usable(line.warehouse, f"lines[{index}].warehouse")
        key = (line.item.pk, line.warehouse.pk)
        if key in merged:
            merged[key][2] += quantity
        else:
            merged[key] = [line.item, line.warehouse, quantity]
    for _item, _warehouse, total in merged.values():
        _check_range(total, "lines")
    return merged


def _pairs_q(keys: Iterable[tuple[Any, Any]], first: str, second: str) -> Q:
    condition = Q(pk__in=[])
    for a, b in keys:
        condition |= Q(**{first: a, second: b})
    return condition


# ---------------------------------------------------------------------------------------------
# Locks and reads under the lock


def _lock_levels(keys: Iterable[Key], *, create: bool) -> dict[Key, StockLevel]:
    """Lock the levels of `keys` in one query, in pk order. With `create`, missing rows are
    inserted first under their unique key (a concurrent creator waits for us, then finds it);
    without, a missing row simply has nothing on hand and is absent from the result."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    if create:
        StockLevel.objects.bulk_create(
            [StockLevel(item_id=item_id, warehouse_id=wh_id) for item_id, wh_id in keys],
            ignore_conflicts=True,
        )
    levels = list(
        StockLevel.objects.select_for_update(no_key=True)
        .filter(_pairs_q(keys, "item_id", "warehouse_id"))
        .order_by("pk")
    )
    return {(level.item_id, level.warehouse_id): level for level in levels}


def _lot_balances(levels: Iterable[StockLevel]) -> dict[UUID, list[LotBalance]]:
    """The lot balances of locked levels, each list oldest lot first (FIFO). Their level's lock
    guards them: every writer holds it."""
    by_level: dict[UUID, list[LotBalance]] = {level.pk: [] for level in levels}
    if not by_level:
        return by_level
    rows = LotBalance.objects.filter(level_id__in=list(by_level)).select_related("lot")
    for balance in rows:
        by_level[balance.level_id].append(balance)
    for balances in by_level.values():
        balances.sort(key=lambda b: (b.lot.created_at, b.lot.pk))
    return by_level


def _lots_ensure(wanted: set[tuple[Item, str]]) -> dict[tuple[UUID, str], Lot]:
    """Get or create lots by (item, number) in two queries."""
    if not wanted:
        return {}
    pairs = {(item.pk, number) for item, number in wanted}
    Lot.objects.bulk_create(
        [Lot(item_id=item_id, number=number) for item_id, number in sorted(pairs)],
        ignore_conflicts=True,
    )
    lots = Lot.objects.filter(_pairs_q(pairs, "item_id", "number"))
    return {(lot.item_id, lot.number): lot for lot in lots}


class _Posting:
    """Collects the changes of one service call, then writes them in bulk."""

    def __init__(self, *, actor, reference: str, note: str = "", production_order_id=None):
        self.now = timezone.now()
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.reference = reference or ""
        self.note = note or ""
        self.production_order_id = production_order_id
        self.moves: list[StockMove] = []
        self._levels: dict[UUID, StockLevel] = {}
        self._balances: dict[UUID, LotBalance] = {}
        self._new_balances: list[LotBalance] = []

    def touch(self, level: StockLevel) -> StockLevel:
        self._levels[level.pk] = level
        return level

    def take(
        self,
        level: StockLevel,
        balances: list[LotBalance],
        quantity: Decimal,
        lot: Lot | None = None,
    ) -> list[tuple[Lot | None, Decimal]]:
        """Take `quantity` off `level` (checked before): from the named lot, else from stock in no
        lot first, then lots oldest first. Returns (lot or None, quantity) portions."""
        unlotted = level.on_hand - sum((b.quantity for b in balances), Decimal(0))
        self.touch(level).on_hand -= quantity
        if lot is not None:
            balance = next(b for b in balances if b.lot_id == lot.pk)
            balance.quantity -= quantity
            self._balances[balance.pk] = balance
            return [(lot, quantity)]
        portions: list[tuple[Lot | None, Decimal]] = []
        remaining = quantity
        if unlotted > 0:
            portion = min(unlotted, remaining)
            portions.append((None, portion))
            remaining -= portion
        for balance in balances:
            if remaining <= 0:
                break
            if balance.quantity <= 0:
                continue
            portion = min(balance.quantity, remaining)
            balance.quantity -= portion
            self._balances[balance.pk] = balance
            portions.append((balance.lot, portion))
            remaining -= portion
        return portions

    def put(
        self, level: StockLevel, balances: list[LotBalance], quantity: Decimal, lot: Lot | None
    ) -> None:
        self.touch(level).on_hand += quantity
        if lot is None:
            return
        balance = next((b for b in balances if b.lot_id == lot.pk), None)
        if balance is None:
            balance = LotBalance(lot=lot, warehouse_id=level.warehouse_id, level=level)
            balances.append(balance)
            self._new_balances.append(balance)
        else:
            self._balances[balance.pk] = balance
        balance.quantity += quantity

    def move(self, **fields) -> StockMove:
        move = StockMove(
            reference=self.reference,
            note=self.note,
            production_order_id=self.production_order_id,
            created_by=self.actor,
            created_at=self.now,
            **fields,
        )
        self.moves.append(move)
        return move

    def write(self) -> None:
        for level in self._levels.values():
            if level.on_hand >= MAX_QUANTITY:
                raise _invalid("quantity", f"On hand would exceed {MAX_QUANTITY}.")
        if self._levels:
            StockLevel.objects.bulk_update(list(self._levels.values()), ["on_hand", "reserved"])
        fresh = {id(b) for b in self._new_balances}
        updated = [b for b in self._balances.values() if id(b) not in fresh]
        if updated:
            LotBalance.objects.bulk_update(updated, ["quantity"])
        if self._new_balances:
            LotBalance.objects.bulk_create(self._new_balances)
        if self.moves:
            StockMove.objects.bulk_create(self.moves)


# ---------------------------------------------------------------------------------------------
# Stock moves


def _to_stock_unit(quantity: Any, uom: UnitOfMeasure | None, item: Item) -> Decimal:
    number = _decimal(quantity, "quantity")
    if uom is None or uom.pk == item.uom_id:
        return quantize_qty(number)
    return convert(number, uom, item.uom)


def _resolve_warehouses(kind, from_warehouse, to_warehouse):
    if kind == MoveKind.TRANSFER:
        errors = {}
        if from_warehouse is None:
            errors["fromWarehouseId"] = ["A transfer needs fromWarehouseId."]
        if to_warehouse is None:
            errors["toWarehouseId"] = ["A transfer needs toWarehouseId."]
        if errors:
            raise ValidationFailed("A transfer needs both warehouses.", errors=errors)
        if from_warehouse.pk == to_warehouse.pk:
            raise _invalid("toWarehouseId", "Must differ from fromWarehouseId.")
    elif kind == MoveKind.ISSUE:
        if to_warehouse is not None:
            raise _invalid("toWarehouseId", "An issue comes out of fromWarehouseId only.")
        from_warehouse = from_warehouse or _default_warehouse("fromWarehouseId")
    else:
        if from_warehouse is not None:
            raise _invalid("fromWarehouseId", f"A {kind} acts on toWarehouseId only.")
        to_warehouse = to_warehouse or _default_warehouse("toWarehouseId")
    if from_warehouse is not None:
        _check_warehouse_usable(from_warehouse, "fromWarehouseId")
    if to_warehouse is not None:
        _check_warehouse_usable(to_warehouse, "toWarehouseId")
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
        raise _invalid("kind", f"Must be one of: {', '.join(MANUAL_KINDS)}.")
    _check_stockable(item, "itemId")
    qty = _to_stock_unit(quantity, uom, item)
    if kind == MoveKind.ADJUSTMENT and qty == 0:
        raise _invalid("quantity", "Must not be zero.")
    if kind != MoveKind.ADJUSTMENT and qty <= 0:
        raise _invalid("quantity", "Must be greater than zero.")
    _check_range(qty, "quantity")
    from_warehouse, to_warehouse = _resolve_warehouses(kind, from_warehouse, to_warehouse)
    lot_number = _text(lot_number, "lotNumber", LOT_NUMBER_MAX) or None
    reference = _text(reference, "reference", REFERENCE_MAX)
    posting = _Posting(actor=actor, reference=reference, note=note)

    inbound = kind == MoveKind.RECEIPT or (kind == MoveKind.ADJUSTMENT and qty > 0)
    if inbound:
        if item.tracking == Tracking.LOT and not lot_number:
            raise _invalid("lotNumber", f"{item.number} is lot-tracked: give a lot number.")
        key = (item.pk, to_warehouse.pk)
        level = _lock_levels([key], create=True)[key]
        lot = _lots_ensure({(item, lot_number)})[(item.pk, lot_number)] if lot_number else None
        balances = _lot_balances([level])[level.pk] if lot else []
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
            raise _invalid("lotNumber", f"{item.number} has no lot {lot_number}.")
    keys = [(item.pk, source.pk)]
    if kind == MoveKind.TRANSFER:
        keys.append((item.pk, to_warehouse.pk))
    levels = _lock_levels(keys, create=kind == MoveKind.TRANSFER)
    level = levels.get((item.pk, source.pk))
    balances = _lot_balances(levels.values())
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
    wanted = _lines(lines, check_warehouse=True)
    reference = _text(reference, "reference", REFERENCE_MAX)
    if not wanted:
        return []
    levels = _lock_levels(wanted, create=False)
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
            _pairs_q(wanted, "item_id", "warehouse_id"),
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
        raise _invalid("productionOrderId", "Give a production order or a reference.")
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
    wanted = _lines(lines, check_warehouse=False)
    reference = _text(reference, "reference", REFERENCE_MAX)
    if not wanted:
        return []
    levels = _lock_levels(wanted, create=False)
    reservations = {
        (r.item_id, r.warehouse_id): r
        for r in Reservation.objects.filter(
            _pairs_q(wanted, "item_id", "warehouse_id"), production_order_id=production_order_id
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

    balances = _lot_balances(levels.values())
    posting = _Posting(actor=actor, reference=reference, production_order_id=production_order_id)
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
    _check_stockable(item, "productId")
    qty = _positive(quantity, "quantity")
    _check_warehouse_usable(warehouse, "targetWarehouseId")
    lot_number = _text(lot_number, "lotNumber", LOT_NUMBER_MAX) or None
    reference = _text(reference, "reference", REFERENCE_MAX)
    if item.tracking == Tracking.LOT and not lot_number:
        raise _invalid("lotNumber", f"{item.number} is lot-tracked: give a lot number.")
    key = (item.pk, warehouse.pk)
    level = _lock_levels([key], create=True)[key]
    lot = _lots_ensure({(item, lot_number)})[(item.pk, lot_number)] if lot_number else None
    balances = _lot_balances([level])[level.pk] if lot else []
    posting = _Posting(actor=actor, reference=reference, production_order_id=production_order_id)
    posting.put(level, balances, qty, lot)
    move = posting.move(
        kind=MoveKind.PRODUCTION, item=item, quantity=qty, to_warehouse=warehouse, lot=lot
    )
    posting.write()
    return move


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


# ---------------------------------------------------------------------------------------------
# Projections


def _lock_projections() -> None:
    """Stop every stock writer until we commit: they all lock `StockLevel` rows first, and an
    EXCLUSIVE table lock conflicts with those row locks (plain reads go on). On SQLite the
    IMMEDIATE transaction already holds the database's only write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {StockLevel._meta.db_table} IN EXCLUSIVE MODE")


def stock_rebuild(*, dry_run: bool = False, actor=None) -> list[Drift]:
    """Rewrite stock levels (on hand, reserved) and lot balances from the ledger and the
    reservations; returns the differences found (with `dry_run`, only reports them, read from
    one consistent snapshot as check_stock does). Refused (409 `invalid_state`) when the ledger
    itself breaks an invariant the projections must keep (negative stock, more reserved than on
    hand): that needs a correcting move, not a rebuild."""
    if dry_run:
        with stock_snapshot():
            return stock_drift(stock_expected())
    return _stock_rebuild_locked()


@transaction.atomic
def _stock_rebuild_locked() -> list[Drift]:
    _lock_projections()
    expected = stock_expected()
    drift = stock_drift(expected)
    if not drift:
        return drift

    broken = [
        key
        for key, want in expected.levels.items()
        if want["on_hand"] < 0 or want["reserved"] < 0 or want["reserved"] > want["on_hand"]
    ]
    broken += [key for key, quantity in expected.lots.items() if quantity < 0]
    if broken:
        raise InvalidState(
            f"The ledger and reservations give impossible stock for {len(broken)} row(s); "
            "record correcting moves or release reservations first (see check_stock)."
        )

    level_keys = {(d.item_id, d.warehouse_id) for d in drift}
    lot_items = {d.lot_id: d.item_id for d in drift if d.lot_id}
    existing = {
        (level.item_id, level.warehouse_id): level
        for level in StockLevel.objects.filter(_pairs_q(level_keys, "item_id", "warehouse_id"))
    }
    stored = list(existing.values())
    missing = []
    for key in sorted(level_keys):
        want = expected.levels.get(key, {"on_hand": Decimal(0), "reserved": Decimal(0)})
        level = existing.get(key)
        if level is None:
            level = existing[key] = StockLevel(item_id=key[0], warehouse_id=key[1])
            missing.append(level)
        level.on_hand, level.reserved = want["on_hand"], want["reserved"]
    StockLevel.objects.bulk_update(stored, ["on_hand", "reserved"])
    StockLevel.objects.bulk_create(missing)

    lot_keys = {(d.lot_id, d.warehouse_id) for d in drift if d.lot_id}
    balances = {
        (b.lot_id, b.warehouse_id): b
        for b in LotBalance.objects.filter(_pairs_q(lot_keys, "lot_id", "warehouse_id"))
    }
    fresh = []
    for lot_id, wh_id in sorted(lot_keys):
        level = existing[(lot_items[lot_id], wh_id)]
        balance = balances.get((lot_id, wh_id))
        if balance is None:
            balance = LotBalance(lot_id=lot_id, warehouse_id=wh_id)
            fresh.append(balance)
        balance.level = level
        balance.quantity = expected.lots.get((lot_id, wh_id), Decimal(0))
    LotBalance.objects.bulk_update(list(balances.values()), ["quantity", "level"])
    LotBalance.objects.bulk_create(fresh)
    return drift
