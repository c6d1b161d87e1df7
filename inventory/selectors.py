"""Reads of stock: each selector owns its query shape (joins, prefetches)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Prefetch, Sum

from inventory import registry
from inventory.models import (
    DEFAULT_WAREHOUSE_CODE,
    Lot,
    LotBalance,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
)
from items.models import Item

ZERO = Decimal(0)


def warehouse_list():
    return Warehouse.all_objects.all()


def warehouse_usage_reasons(*, warehouse: Warehouse) -> list[str]:
    """Why `warehouse` may not be archived, one reason per registered check (`["used by open
    production orders MO/2026/0001"]`); empty when nothing holds it."""
    return [reason for check in registry.warehouse_usage_checks if (reason := check(warehouse))]


def lot_list():
    return Lot.objects.select_related("item")


def stock_level_list():
    """Levels with their item, warehouse and non-empty lots (oldest first): three queries for any
    page size."""
    open_lots = (
        LotBalance.objects.filter(quantity__gt=0)
        .select_related("lot")
        .order_by("lot__created_at", "lot_id")
    )
    return StockLevel.objects.select_related("item", "warehouse").prefetch_related(
        Prefetch("lot_balances", queryset=open_lots, to_attr="open_lots")
    )


def stock_move_list():
    return StockMove.objects.select_related(
        "item__uom", "from_warehouse", "to_warehouse", "lot", "created_by"
    )


def reservation_list():
    return Reservation.objects.select_related("item__uom", "warehouse")


def stock_availability(*, items: Iterable[Item], warehouse: Warehouse) -> dict[UUID, Decimal]:
    """`{item_id: available}` (on hand - reserved, never below zero) for every given item in one
    query; an item never stocked there has 0. A snapshot for display and planning: services
    re-check under their locks."""
    ids = [item.pk for item in items]
    result = dict.fromkeys(ids, ZERO)
    rows = StockLevel.objects.filter(item_id__in=ids, warehouse=warehouse).values_list(
        "item_id", "on_hand", "reserved"
    )
    for item_id, on_hand, reserved in rows:
        result[item_id] = max(on_hand - reserved, ZERO)
    return result


@dataclass(frozen=True)
class StockPosition:
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return max(self.on_hand - self.reserved, ZERO)


def stock_positions(*, items: Iterable[Item], warehouse: Warehouse) -> dict[UUID, StockPosition]:
    """`{item_id: StockPosition}` (on hand and reserved) for every given item in one query; an
    item never stocked there has zeros. A snapshot for display (the BOM structure report)."""
    ids = {item.pk for item in items}
    result = {pk: StockPosition(ZERO, ZERO) for pk in ids}
    rows = StockLevel.objects.filter(item_id__in=ids, warehouse=warehouse).values_list(
        "item_id", "on_hand", "reserved"
    )
    for item_id, on_hand, reserved in rows:
        result[item_id] = StockPosition(on_hand, reserved)
    return result


# ---------------------------------------------------------------------------------------------
# Drift: the projections recomputed from the ledger and the reservations


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


@dataclass(frozen=True)
class Drift:
    """One projection row that differs from what the ledger and reservations say."""

    kind: str  # "level" | "lot"
    item_id: UUID
    warehouse_id: UUID
    field: str  # on_hand | reserved | quantity
    expected: Decimal
    actual: Decimal | None  # None: the row is missing
    lot_id: UUID | None = None

    def describe(self, names: dict) -> str:
        item = names.get(("item", self.item_id), str(self.item_id))
        warehouse = names.get(("warehouse", self.warehouse_id), str(self.warehouse_id))
        where = f"{item} @ {warehouse}"
        if self.lot_id is not None:
            where += f" lot {names.get(('lot', self.lot_id), self.lot_id)}"
        actual = "missing" if self.actual is None else _plain(self.actual)
        return f"{where}: {self.field} is {actual}, expected {_plain(self.expected)}"


@dataclass
class Expected:
    levels: dict[tuple[UUID, UUID], dict[str, Decimal]]
    lots: dict[tuple[UUID, UUID], Decimal]  # (lot_id, warehouse_id) -> quantity
    lot_items: dict[UUID, UUID]  # lot_id -> item_id
    moves: int


@contextmanager
def stock_snapshot() -> Iterator[None]:
    """One consistent view of the ledger and the projections for a multi-query read, so a move
    committed halfway through is not reported as drift: REPEATABLE READ on PostgreSQL (when we
    open the transaction); SQLite transactions are snapshots already."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _sum_by(queryset, *fields) -> dict[tuple, Decimal]:
    rows = queryset.values(*fields).annotate(total=Sum("quantity")).order_by()
    return {tuple(row[f] for f in fields): row["total"] or ZERO for row in rows}


def stock_expected() -> Expected:
    """What the levels and lot balances must be, from the ledger (a move adds its quantity to
    `to_warehouse` and takes it from `from_warehouse`) and the open reservations: a handful of
    GROUP BY queries, whatever the size of the ledger."""
    levels: dict[tuple[UUID, UUID], dict[str, Decimal]] = defaultdict(
        lambda: {"on_hand": ZERO, "reserved": ZERO}
    )
    moves = StockMove.objects.all()
    for (item_id, wh_id), total in _sum_by(
        moves.filter(to_warehouse__isnull=False), "item_id", "to_warehouse_id"
    ).items():
        levels[(item_id, wh_id)]["on_hand"] += total
    for (item_id, wh_id), total in _sum_by(
        moves.filter(from_warehouse__isnull=False), "item_id", "from_warehouse_id"
    ).items():
        levels[(item_id, wh_id)]["on_hand"] -= total
    for (item_id, wh_id), total in _sum_by(
        Reservation.objects.all(), "item_id", "warehouse_id"
    ).items():
        levels[(item_id, wh_id)]["reserved"] += total

    lots: dict[tuple[UUID, UUID], Decimal] = defaultdict(lambda: ZERO)
    lot_items: dict[UUID, UUID] = {}
    lotted = moves.filter(lot__isnull=False)
    for (lot_id, item_id, wh_id), total in _sum_by(
        lotted.filter(to_warehouse__isnull=False), "lot_id", "item_id", "to_warehouse_id"
    ).items():
        lots[(lot_id, wh_id)] += total
        lot_items[lot_id] = item_id
    for (lot_id, item_id, wh_id), total in _sum_by(
        lotted.filter(from_warehouse__isnull=False), "lot_id", "item_id", "from_warehouse_id"
    ).items():
        lots[(lot_id, wh_id)] -= total
        lot_items[lot_id] = item_id
    return Expected(levels=dict(levels), lots=dict(lots), lot_items=lot_items, moves=moves.count())


def stock_drift(expected: Expected | None = None, *, progress=None) -> list[Drift]:
    """Every difference between the projections and `stock_expected()`. `progress` wraps the
    comparison loops (a tqdm bar in the commands)."""
    expected = expected or stock_expected()
    wrap = progress or (lambda iterable, **kwargs: iterable)
    drift: list[Drift] = []

    actual_levels = {
        (item_id, wh_id): (on_hand, reserved)
        for item_id, wh_id, on_hand, reserved in StockLevel.objects.values_list(
            "item_id", "warehouse_id", "on_hand", "reserved"
        )
    }
    keys = sorted(set(actual_levels) | set(expected.levels))
    for key in wrap(keys, desc="levels", unit="row"):
        want = expected.levels.get(key, {"on_hand": ZERO, "reserved": ZERO})
        have = actual_levels.get(key)
        for index, field in enumerate(("on_hand", "reserved")):
            actual = None if have is None else have[index]
            if actual is None and want[field] == 0:
                continue
            if actual != want[field]:
                drift.append(Drift("level", key[0], key[1], field, want[field], actual))

    actual_lots = {
        (lot_id, wh_id): (item_id, quantity, level_item, level_wh)
        for lot_id, wh_id, item_id, quantity, level_item, level_wh in LotBalance.objects.values_list(
            "lot_id",
            "warehouse_id",
            "lot__item_id",
            "quantity",
            "level__item_id",
            "level__warehouse_id",
        )
    }
    keys = sorted(set(actual_lots) | set(expected.lots))
    for key in wrap(keys, desc="lots", unit="row"):
        lot_id, wh_id = key
        want = expected.lots.get(key, ZERO)
        have = actual_lots.get(key)
        item_id = have[0] if have else expected.lot_items[lot_id]
        actual = None if have is None else have[1]
        if have is not None and (have[2], have[3]) != (item_id, wh_id):
            drift.append(Drift("lot", item_id, wh_id, "level", want, actual, lot_id))
        if actual is None and want == 0:
            continue
        if actual != want:
            drift.append(Drift("lot", item_id, wh_id, "quantity", want, actual, lot_id))
    return drift


def drift_names(drift: list[Drift]) -> dict:
    """Readable names for the rows a drift report mentions (three queries)."""
    names: dict = {}
    item_ids = {d.item_id for d in drift}
    wh_ids = {d.warehouse_id for d in drift}
    lot_ids = {d.lot_id for d in drift if d.lot_id}
    for pk, number in Item.all_objects.filter(pk__in=item_ids).values_list("pk", "number"):
        names[("item", pk)] = number
    for pk, code in Warehouse.all_objects.filter(pk__in=wh_ids).values_list("pk", "code"):
        names[("warehouse", pk)] = code
    for pk, number in Lot.objects.filter(pk__in=lot_ids).values_list("pk", "number"):
        names[("lot", pk)] = number
    return names


def item_stock_usage(item: Item) -> str | None:
    """Why `item` may not be archived, change its stock unit or become a service: it has stock
    (one query). Registered with `items.registry` by the app config."""
    rows = list(
        StockLevel.objects.filter(item=item, on_hand__gt=0)
        .order_by("warehouse__code")
        .values_list("warehouse__code", "on_hand")
    )
    if not rows:
        return None
    where = ", ".join(f"{_plain(on_hand)} in {code}" for code, on_hand in rows)
    return f"it has stock on hand ({where})"


def default_warehouse() -> Warehouse | None:
    """The active default warehouse (`WH`), if there is one."""
    return Warehouse.objects.filter(code=DEFAULT_WAREHOUSE_CODE).first()
