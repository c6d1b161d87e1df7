"""Lot genealogies written straight into the ledger with `bulk_create` (the benchmark and the
query-count tests need thousands of lots in seconds; the services would take minutes).

A pyramid has `levels` levels of lots of one item each. Going `back`, one top lot was produced
from `fan` lots, each of those from `fan` lots, and so on; going `forward`, one bottom lot went
into `fan` orders, each of their lots into `fan` more. Neighbouring groups share a lot (the
first lot of a group also goes into the previous group's order), so the graph has merged lots
(several component lots in one lot) and split lots (one component lot in two lots), not only a
tree. The moves keep the ledger's constraints; lot balances are left out (a trace reads them but
does not need them).
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from inventory.models import DEFAULT_WAREHOUSE_CODE, Lot, MoveKind, StockMove, Warehouse
from items.models import Item, Tracking, UnitOfMeasure

BATCH_SIZE = 2000


@dataclass(frozen=True)
class Pyramid:
    root_lot_id: uuid.UUID
    lots: int
    links: int
    levels: int

    @property
    def rows(self) -> dict[str, int]:
        return {"lots": self.lots, "lot links": self.links}


def pyramid_lot_count(*, fan: int, levels: int) -> int:
    return sum(fan**level for level in range(levels))


def lot_pyramid_build(*, fan: int, levels: int, direction: str, prefix: str) -> Pyramid:
    """Write one pyramid; item numbers start with `prefix` (unique per call)."""
    warehouse = Warehouse.objects.get(code=DEFAULT_WAREHOUSE_CODE)
    uom = UnitOfMeasure.objects.get(symbol="EA")
    items = Item.objects.bulk_create(
        Item(
            number=f"{prefix}-L{level}",
            name=f"{prefix} level {level}",
            uom=uom,
            tracking=Tracking.LOT,
        )
        for level in range(levels)
    )
    lots_by_level: list[list[Lot]] = [
        [Lot(item=items[level], number=f"{prefix}-{level}-{n:06d}") for n in range(fan**level)]
        for level in range(levels)
    ]
    Lot.objects.bulk_create([lot for level in lots_by_level for lot in level], BATCH_SIZE)

    moves: list[StockMove] = []
    links = 0

    def join(consumed: list[Lot], produced: Lot) -> None:
        nonlocal links
        order_id = uuid.uuid4()
        reference = f"{prefix}/{len(moves):07d}"
        for lot in consumed:
            moves.append(
                StockMove(
                    kind=MoveKind.CONSUMPTION,
                    item_id=lot.item_id,
                    quantity=Decimal("2.5"),
                    from_warehouse=warehouse,
                    lot=lot,
                    production_order_id=order_id,
                    reference=reference,
                )
            )
        moves.append(
            StockMove(
                kind=MoveKind.PRODUCTION,
                item_id=produced.item_id,
                quantity=Decimal(1),
                to_warehouse=warehouse,
                lot=produced,
                production_order_id=order_id,
                reference=reference,
            )
        )
        links += len(consumed)

    for level in range(levels - 1):
        upper, lower = lots_by_level[level], lots_by_level[level + 1]
        for index, lot in enumerate(upper):
            group = lower[index * fan : (index + 1) * fan]
            shared = lower[(index + 1) * fan : (index + 1) * fan + 1]  # next group's first lot
            if direction == "back":
                join(group + shared, lot)
            else:
                for child in group + shared:
                    join([lot], child)
    StockMove.objects.bulk_create(moves, BATCH_SIZE)
    return Pyramid(
        root_lot_id=lots_by_level[0][0].pk,
        lots=pyramid_lot_count(fan=fan, levels=levels),
        links=links,
        levels=levels,
    )
