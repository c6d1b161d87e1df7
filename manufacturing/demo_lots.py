"""Demo lot genealogy: a lot-tracked sensor board and the sensor kit made of it, built by real
production orders (confirm, work orders done, produce, close), so the lot trace has two levels
to show (idempotent: what exists already is left as it is; an order whose demo key is in its
notes is not made again).

    Sensor IC lots IC-2601, IC-2602 (received) + Circuit Board lots (the demo's PCB-2601)
      → Sensor board lots SEN-2601 (IC-2601 only) and SEN-2602 (IC-2601 and IC-2602)
      → Sensor kit lots KIT-2601 (SEN-2601) and KIT-2602 (SEN-2601 and SEN-2602);
        6 of KIT-2601 shipped to ACME Corp.
Consumption takes lots oldest first, which makes the splits and merges above.
"""

from decimal import Decimal

from inventory.models import DEFAULT_WAREHOUSE_CODE, MoveKind, StockMove, Warehouse
from inventory.services.moves import stock_move_post
from items import services as item_services
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.boms.services import bom_create, bom_submit
from manufacturing.boms.specs import BOMSpec, ComponentSpec, OperationSpec
from manufacturing.orders import services as orders
from manufacturing.orders.models import ProductionOrder, WorkOrder

REFERENCE = "DEMO-LOTS"
NOTES = "Demo lot order: "

# number, name, standard cost
ITEMS = [
    ("RM-SENSOR-IC", "Sensor IC", "2.4000"),
    ("SA-SENSOR", "Sensor Board (sub-assembly)", "0"),
    ("FG-SENSOR-KIT", "Sensor Kit", "0"),
]
RECEIPTS = [("RM-SENSOR-IC", "30", "IC-2601"), ("RM-SENSOR-IC", "30", "IC-2602")]
# name, product, lines [(item, quantity)], operation (name, workcenter name, minutes)
BOMS = [
    (
        "Sensor Board",
        "SA-SENSOR",
        [("PCB-001", "1"), ("RM-SENSOR-IC", "1"), ("EL-RES-10K", "2")],
        ("SMT placement", "Electronics", "6"),
    ),
    (
        "Sensor Kit",
        "FG-SENSOR-KIT",
        [("SA-SENSOR", "1"), ("PKG-BOX-M", "1")],
        ("Kit and pack", "Line A", "4"),
    ),
]
# key, product, quantity, lot produced
ORDERS = [
    ("sensors-1", "SA-SENSOR", "20", "SEN-2601"),
    ("sensors-2", "SA-SENSOR", "20", "SEN-2602"),
    ("kits-1", "FG-SENSOR-KIT", "15", "KIT-2601"),
    ("kits-2", "FG-SENSOR-KIT", "10", "KIT-2602"),
]
SHIPMENT = ("FG-SENSOR-KIT", "6", "KIT-2601", f"{REFERENCE}/SO-7001", "Shipped to ACME Corp")


def _items(actor) -> tuple[dict[str, Item], int]:
    each = UnitOfMeasure.objects.get(symbol="EA")
    existing = {item.number: item for item in Item.objects.select_related("uom")}
    made = 0
    for number, name, cost in ITEMS:
        if number not in existing:
            existing[number] = item_services.item_create(
                number=number,
                name=name,
                uom=each,
                tracking="lot",
                standard_cost=Decimal(cost),
                actor=actor,
            )
            made += 1
    return existing, made


def _boms(items: dict[str, Item], actor) -> int:
    workcenters = {wc.name: wc for wc in Workcenter.objects.all()}
    names = set(BOM.all_objects.values_list("name", flat=True))
    made = 0
    for name, product, lines, (op_name, workcenter, minutes) in BOMS:
        if name in names or workcenter not in workcenters:
            continue
        spec = BOMSpec(
            product=items[product],
            name=name,
            components=[
                ComponentSpec(item=items[number], quantity=Decimal(quantity))
                for number, quantity in lines
            ],
            operations=[
                OperationSpec(
                    name=op_name,
                    workcenter=workcenters[workcenter],
                    duration_minutes=Decimal(minutes),
                )
            ],
        )
        bom_submit(bom=bom_create(spec=spec, actor=actor), actor=actor)
        made += 1
    return made


def _post(kind, item, quantity, lot, reference, note, actor) -> int:
    moves = stock_move_post(
        kind=kind,
        item=item,
        quantity=Decimal(quantity),
        lot_number=lot,
        reference=reference,
        note=note,
        actor=actor,
    )
    return len(moves)


def _order(product: Item, quantity: str, lot: str, notes: str, actor) -> ProductionOrder:
    order = orders.production_order_create(
        product=product, quantity=Decimal(quantity), notes=notes, actor=actor
    )
    order = orders.production_order_confirm(order=order, actor=actor)
    for work_order in WorkOrder.objects.filter(order=order).order_by("sequence"):
        orders.work_order_start(order=order, work_order_id=work_order.pk, actor=actor)
        orders.work_order_done(
            order=order,
            work_order_id=work_order.pk,
            duration_minutes=work_order.planned_minutes,
            actor=actor,
        )
    order = orders.production_order_produce(
        order=order, qty=Decimal(quantity), lot_number=lot, actor=actor
    )
    return orders.production_order_close(order=order, actor=actor)


def seed(*, stdout=None, actor=None) -> dict[str, int]:
    if not Warehouse.objects.filter(code=DEFAULT_WAREHOUSE_CODE).exists():
        return {}
    items, made_items = _items(actor)
    made_boms = _boms(items, actor)
    done_refs = set(
        StockMove.objects.filter(reference__startswith=f"{REFERENCE}/").values_list(
            "reference", flat=True
        )
    )
    moves = 0
    for index, (number, quantity, lot) in enumerate(RECEIPTS):
        reference = f"{REFERENCE}/{index + 1:02d}"
        if reference not in done_refs:
            moves += _post(
                MoveKind.RECEIPT, items[number], quantity, lot, reference, "Demo lots", actor
            )

    done = set(
        ProductionOrder.all_objects.filter(notes__startswith=NOTES).values_list("notes", flat=True)
    )
    made_orders = 0
    for key, product, quantity, lot in ORDERS:
        if NOTES + key in done:
            continue
        _order(items[product], quantity, lot, NOTES + key, actor)
        made_orders += 1

    number, quantity, lot, reference, note = SHIPMENT
    if reference not in done_refs:
        moves += _post(MoveKind.ISSUE, items[number], quantity, lot, reference, note, actor)
    return {
        "items": made_items,
        "BOMs": made_boms,
        "lot orders": made_orders,
        "stock moves": moves,
    }
