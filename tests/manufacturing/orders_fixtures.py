"""Arrange helpers for production-order tests: a product with a BOM and stock, all through the
services so the ledger and levels agree."""

from dataclasses import dataclass
from decimal import Decimal

from inventory.models import Reservation
from items.models import Item
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from tests.inventory.factories import level_of, main_warehouse, receive
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op


@dataclass
class Plant:
    product: Item
    frame: Item
    board: Item
    paint: Item
    bom: BOM
    line_a: Workcenter


def make_plant(*, stock=True, lot_tracked_product=False, frames="1000", boards="1000") -> Plant:
    """Widget = 1 frame + 2 boards + 0.5 L paint (stocked in mL); Assembly 30 min on Line A.
    The BOM is submitted: orders are made against submitted BOMs only."""
    line_a = WorkcenterFactory(name="Line A", code="LINE-A", hourly_cost=Decimal("60"))
    product = ItemFactory(number="WIDGET", tracking="lot" if lot_tracked_product else "none")
    frame = ItemFactory(number="FRAME", standard_cost=Decimal("10"))
    board = ItemFactory(number="BOARD", standard_cost=Decimal("5"))
    paint = ItemFactory(number="PAINT", uom=unit("mL"), standard_cost=Decimal("0.01"))
    bom = BOMFactory(
        product=product,
        lines=[line(frame, 1), line(board, 2), line(paint, "0.5", "L")],
        operations=[op(line_a, 30, "Assembly")],
        status="submitted",
    )
    if stock:
        receive(frame, frames)
        receive(board, boards)
        receive(paint, 100, uom=unit("L"))
    return Plant(product, frame, board, paint, bom, line_a)


def make_order(plant: Plant, quantity="100", **kwargs) -> ProductionOrder:
    return order_services.production_order_create(
        product=plant.product, quantity=Decimal(quantity), **kwargs
    )


def on_hand(item: Item) -> Decimal:
    row = level_of(item, main_warehouse())
    return row[0] if row else Decimal(0)


def reserved(item: Item) -> Decimal:
    row = level_of(item, main_warehouse())
    return row[1] if row else Decimal(0)


def reservations_of(order: ProductionOrder) -> dict[str, Decimal]:
    return {
        r.item.number: r.quantity
        for r in Reservation.objects.filter(production_order_id=order.pk).select_related("item")
    }
