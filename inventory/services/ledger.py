"""The machinery every stock service shares: input checks, level locks in key order, lot
balances, and `Posting`, which collects one call's changes and writes them in bulk.


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
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from config.exceptions import ValidationFailed
from config.quantities import QUANTITY, quantity_parse, too_large
from inventory.models import (
    DEFAULT_WAREHOUSE_CODE,
    Lot,
    LotBalance,
    MoveKind,
    StockLevel,
    StockMove,
    Warehouse,
)
from inventory.selectors import (
    default_warehouse,
)
from items.exceptions import ItemNotFound
from items.models import Item, ItemType

MAX_QUANTITY = QUANTITY.limit  # Decimal(18, 6) holds 12 integer digits
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


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", errors={field: [message]})


def check_range(quantity: Decimal, field: str) -> None:
    """A computed total (merged lines) still fits the column: the policy's message."""
    if abs(quantity) >= QUANTITY.limit:
        raise invalid(field, too_large(QUANTITY))


def clean_text(value: str | None, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise invalid(field, f"At most {max_length} characters.")
    return value


def check_stockable(item: Item, field: str) -> None:
    if item.deleted_at is not None:
        raise ItemNotFound(
            f"Item {item.number} is archived.", errors={field: [f"{item.number} is archived."]}
        )
    if item.type == ItemType.SERVICE:
        raise invalid(field, f"{item.number} is a service; services are not stocked.")


def check_warehouse_usable(warehouse: Warehouse, field: str) -> None:
    if warehouse.deleted_at is not None:
        raise invalid(field, f"Warehouse {warehouse.code} is archived.")


def default_warehouse_or_error(field: str) -> Warehouse:
    warehouse = default_warehouse()
    if warehouse is None:
        raise invalid(
            field, f"There is no active default warehouse {DEFAULT_WAREHOUSE_CODE}; name one."
        )
    return warehouse


def warehouses_or_default(wanted: dict[str, Warehouse | None]) -> dict[str, Warehouse]:
    """For each field of a document that keeps warehouses (`{"target_warehouse_id": wh or None}`),
    the warehouse it names or the default `WH`; refused when archived or missing (what stock moves
    apply, for callers such as production orders).

    The rows are re-read under a lock that `warehouse_archive` waits for (and that waits for
    it), in one query in primary-key order so two documents naming the same warehouses the other
    way round cannot deadlock: a document saved in this transaction never names a warehouse
    archived meanwhile, and an archive that runs after it sees the document."""
    chosen = {
        field: warehouse or default_warehouse_or_error(field) for field, warehouse in wanted.items()
    }
    locked = {
        warehouse.pk: warehouse
        for warehouse in Warehouse.all_objects.select_for_update(no_key=True)
        .filter(pk__in={warehouse.pk for warehouse in chosen.values()})
        .order_by("pk")
    }
    for field, warehouse in chosen.items():
        check_warehouse_usable(locked[warehouse.pk], field)
    return {field: locked[warehouse.pk] for field, warehouse in chosen.items()}


def group_lines(lines: Iterable[Any], *, check_warehouse: bool) -> dict[Key, list[Any]]:
    """Validate and merge lines per item and warehouse (keeping the order first given):
    `{(item_id, warehouse_id): [item, warehouse, total]}`."""
    merged: dict[Key, list[Any]] = {}
    for index, raw in enumerate(lines):
        line = raw if isinstance(raw, ReservationLine) else ReservationLine(*raw)
        quantity = quantity_parse(line.quantity, field=f"lines[{index}].quantity")
        check_stockable(line.item, f"lines[{index}].item")
        if check_warehouse:
            check_warehouse_usable(line.warehouse, f"lines[{index}].warehouse")
        key = (line.item.pk, line.warehouse.pk)
        if key in merged:
            merged[key][2] += quantity
        else:
            merged[key] = [line.item, line.warehouse, quantity]
    for _item, _warehouse, total in merged.values():
        check_range(total, "lines")
    return merged


def pairs_q(keys: Iterable[tuple[Any, Any]], first: str, second: str) -> Q:
    condition = Q(pk__in=[])
    for a, b in keys:
        condition |= Q(**{first: a, second: b})
    return condition


# ---------------------------------------------------------------------------------------------
# Locks and reads under the lock


def lock_levels(keys: Iterable[Key], *, create: bool) -> dict[Key, StockLevel]:
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
        .filter(pairs_q(keys, "item_id", "warehouse_id"))
        .order_by("pk")
    )
    return {(level.item_id, level.warehouse_id): level for level in levels}


def lot_balances(levels: Iterable[StockLevel]) -> dict[UUID, list[LotBalance]]:
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


def lots_ensure(wanted: set[tuple[Item, str]]) -> dict[tuple[UUID, str], Lot]:
    """Get or create lots by (item, number) in two queries."""
    if not wanted:
        return {}
    pairs = {(item.pk, number) for item, number in wanted}
    Lot.objects.bulk_create(
        [Lot(item_id=item_id, number=number) for item_id, number in sorted(pairs)],
        ignore_conflicts=True,
    )
    lots = Lot.objects.filter(pairs_q(pairs, "item_id", "number"))
    return {(lot.item_id, lot.number): lot for lot in lots}


class Posting:
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
                raise invalid("quantity", f"On hand would exceed {MAX_QUANTITY}.")
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
