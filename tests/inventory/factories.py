"""Factories and arrange helpers for stock. Stock is always arranged through the services, so the
ledger and the levels agree (check_stock stays clean)."""

from decimal import Decimal

import factory

from inventory.models import DEFAULT_WAREHOUSE_CODE, MoveKind, StockLevel, Warehouse
from inventory.services.moves import stock_move_post
from items.models import Item


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"W{n:03d}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")


def main_warehouse() -> Warehouse:
    """`WH`, created by the data migration."""
    return Warehouse.objects.get(code=DEFAULT_WAREHOUSE_CODE)


def receive(
    item: Item,
    quantity,
    *,
    warehouse: Warehouse | None = None,
    lot: str | None = None,
    uom=None,
    reference: str = "",
    actor=None,
):
    return stock_move_post(
        kind=MoveKind.RECEIPT,
        item=item,
        quantity=Decimal(str(quantity)),
        uom=uom,
        to_warehouse=warehouse,
        lot_number=lot,
        reference=reference,
        actor=actor,
    )


def level_of(item: Item, warehouse: Warehouse | None = None) -> tuple[Decimal, Decimal] | None:
    """(on hand, reserved) as stored, or None without a row."""
    warehouse = warehouse or main_warehouse()
    row = (
        StockLevel.objects.filter(item=item, warehouse=warehouse)
        .values_list("on_hand", "reserved")
        .first()
    )
    return row
