"""A three-level lot genealogy made by real production orders (confirm, produce), so the ledger
is exactly what the services write.

    PELLET lot P1 (50 kg received)
      └─ MO "resin" (20 RESIN, 2 kg PELLET each), produced in two batches: RESIN lots R1, R2
    RESIN R1 + R2 ─ MO "sub-a" (15 SUB): SUB-A        (merge: two component lots in one lot)
    RESIN R2      ─ MO "sub-b" (5 SUB):  SUB-B        (split: R2 in SUB-A and SUB-B)
    SUB-A         ─ MO "fin-1" (12 FIN): FIN-1, of which 4 issued to SO-1001
    SUB-A + SUB-B ─ MO "fin-2" (8 FIN):  FIN-2
Each FIN also takes one LABEL, which is not lot-tracked (it never shows in a trace).
Consumption picks lots oldest first, which is what makes the split and the merge above.
"""

from dataclasses import dataclass
from decimal import Decimal

from inventory.models import Lot, MoveKind
from inventory.services.moves import stock_move_post
from items.models import Item
from manufacturing.orders import services as orders
from manufacturing.orders.models import ProductionOrder
from tests.inventory.factories import receive
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, line


@dataclass
class Genealogy:
    pellet: Item
    resin: Item
    sub: Item
    fin: Item
    label: Item
    orders: dict[str, ProductionOrder]

    def lot(self, number: str) -> Lot:
        return Lot.objects.get(number=number)


def _build(product: Item, quantity: str, batches: list[tuple[str, str]], actor) -> ProductionOrder:
    order = orders.production_order_create(product=product, quantity=Decimal(quantity))
    order = orders.production_order_confirm(order=order, actor=actor)
    for qty, lot_number in batches:
        order = orders.production_order_produce(
            order=order, qty=Decimal(qty), lot_number=lot_number, actor=actor
        )
    return order


def make_genealogy(actor=None) -> Genealogy:
    pellet = ItemFactory(number="PELLET", tracking="lot", uom=unit("kg"))
    resin = ItemFactory(number="RESIN", tracking="lot", uom=unit("kg"))
    sub = ItemFactory(number="SUB", tracking="lot")
    fin = ItemFactory(number="FIN", tracking="lot")
    label = ItemFactory(number="LABEL")
    for product, lines in (
        (resin, [line(pellet, 2, "kg")]),
        (sub, [line(resin, 1, "kg")]),
        (fin, [line(sub, 1), line(label, 1)]),
    ):
        BOMFactory(product=product, lines=lines, status="submitted")
    receive(pellet, 50, lot="P1")
    receive(label, 100)
    made = {
        "resin": _build(resin, "20", [("10", "R1"), ("10", "R2")], actor),
        "sub-a": _build(sub, "15", [("15", "SUB-A")], actor),
        "sub-b": _build(sub, "5", [("5", "SUB-B")], actor),
        "fin-1": _build(fin, "12", [("12", "FIN-1")], actor),
        "fin-2": _build(fin, "8", [("8", "FIN-2")], actor),
    }
    stock_move_post(
        kind=MoveKind.ISSUE,
        item=fin,
        quantity=Decimal(4),
        lot_number="FIN-1",
        reference="SO-1001",
        actor=actor,
    )
    return Genealogy(pellet, resin, sub, fin, label, made)
