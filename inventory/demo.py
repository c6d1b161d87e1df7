"""Demo stock (idempotent: a move whose demo reference is already in the ledger is not posted
again): opening receipts in WH for the demo components, a second warehouse and a transfer."""

from decimal import Decimal

from django.db import transaction

from inventory.models import DEFAULT_WAREHOUSE_CODE, MoveKind, StockMove, Warehouse
from inventory.services.moves import stock_move_post
from inventory.services.warehouses import warehouse_create
from items.models import Item, UnitOfMeasure

RECEIPT_REF = "DEMO/OPENING"
TRANSFER_REF = "DEMO/TRANSFER-WH2"
SECOND_WAREHOUSE = ("WH2", "Line-side store")

# item number, quantity, unit (None: the stock unit), lot number
OPENING_STOCK = [
    ("RM-STEEL-001", "200", None, None),
    ("PCB-001", "150", None, "PCB-2601"),
    ("PCB-001", "100", None, "PCB-2602"),
    ("MOTOR-001", "80", None, None),
    ("HW-BOLT-M10", "5000", None, None),
    ("HW-BOLT-M12", "3000", None, None),
    ("HW-NUT-M10", "5000", None, None),
    ("HW-WASHER-M10", "5000", None, None),
    ("CHM-PAINT-001", "120", None, None),
    ("EL-WIRE-CU", "50", None, None),
    ("EL-WIRE-CU", "2500", "g", None),  # received in grams: 2.5 kg on the stock level
    ("EL-RES-10K", "10000", None, None),
    ("EL-CAP-100U", "8000", None, None),
    ("PKG-BOX-M", "500", None, None),
    ("DOC-WARRANTY", "1000", None, None),
]
TRANSFERS = [("HW-BOLT-M10", "500"), ("HW-NUT-M10", "500"), ("HW-WASHER-M10", "500")]


def _line_reference(base: str, index: int) -> str:
    return f"{base}/{index + 1:02d}"


@transaction.atomic
def seed(*, stdout=None, actor=None) -> dict[str, int]:
    counts = {"warehouses": 0, "stock moves": 0}
    main = Warehouse.objects.filter(code=DEFAULT_WAREHOUSE_CODE).first()
    if main is None:
        main = warehouse_create(code=DEFAULT_WAREHOUSE_CODE, name="Main warehouse", actor=actor)
        counts["warehouses"] += 1
    second = Warehouse.objects.filter(code=SECOND_WAREHOUSE[0]).first()
    if second is None:
        second = warehouse_create(code=SECOND_WAREHOUSE[0], name=SECOND_WAREHOUSE[1], actor=actor)
        counts["warehouses"] += 1

    numbers = {number for number, *_ in OPENING_STOCK} | {number for number, _ in TRANSFERS}
    items = {item.number: item for item in Item.objects.filter(number__in=numbers)}
    units = {unit.symbol: unit for unit in UnitOfMeasure.objects.all()}
    done = set(
        StockMove.objects.filter(reference__startswith="DEMO/").values_list("reference", flat=True)
    )

    for index, (number, quantity, unit, lot) in enumerate(OPENING_STOCK):
        reference = _line_reference(RECEIPT_REF, index)
        if reference in done or number not in items:
            continue
        moves = stock_move_post(
            kind=MoveKind.RECEIPT,
            item=items[number],
            quantity=Decimal(quantity),
            uom=units.get(unit) if unit else None,
            to_warehouse=main,
            lot_number=lot,
            reference=reference,
            note="Demo opening stock",
            actor=actor,
        )
        counts["stock moves"] += len(moves)

    for index, (number, quantity) in enumerate(TRANSFERS):
        reference = _line_reference(TRANSFER_REF, index)
        if reference in done or number not in items:
            continue
        moves = stock_move_post(
            kind=MoveKind.TRANSFER,
            item=items[number],
            quantity=Decimal(quantity),
            from_warehouse=main,
            to_warehouse=second,
            reference=reference,
            note="Demo: line-side replenishment",
            actor=actor,
        )
        counts["stock moves"] += len(moves)
    return counts
