"""Demo data: workcenters and the seeds' Widget Pro as a 3-level structure with a phantom kit
and an alternate BOM (idempotent: what exists already is left as it is). Production orders follow
in `demo_orders`, once the demo stock is in."""

from decimal import Decimal

from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, Workcenter
from manufacturing.boms.services import bom_archive, bom_create, bom_submit, workcenter_create
from manufacturing.boms.specs import BOMSpec, ComponentSpec, OperationSpec

WORKCENTERS = [
    # code, name, hourly cost
    ("LINE-A", "Line A", "60.0000"),
    ("PAINT", "Paint Shop", "48.0000"),
    ("ELEC", "Electronics", "72.0000"),
    ("QA", "QA", "55.0000"),
]

# name, product, type, lines [(item, quantity, unit or None, scrap %)],
# operations [(name, workcenter name, minutes)], then: "submit" | "archive" | None, is default
BOMS = [
    (
        "Painted Frame",
        "SA-FRAME",
        "manufacture",
        [("RM-STEEL-001", "1", None, "0"), ("CHM-PAINT-001", "250", "mL", "5")],
        [("Weld and grind", "Line A", "20"), ("Paint", "Paint Shop", "15")],
        "submit",
        None,
    ),
    (
        "Control Unit",
        "SA-CTRL",
        "manufacture",
        [
            ("PCB-001", "1", None, "0"),
            ("EL-RES-10K", "12", None, "2"),
            ("EL-CAP-100U", "4", None, "2"),
            ("EL-WIRE-CU", "35", "g", "0"),
        ],
        [("SMT placement", "Electronics", "25"), ("Functional test", "QA", "10")],
        "submit",
        None,
    ),
    (
        "Fastener Kit",
        "KIT-FAST",
        "phantom",
        [
            ("HW-BOLT-M10", "8", None, "0"),
            ("HW-NUT-M10", "8", None, "0"),
            ("HW-WASHER-M10", "16", None, "0"),
        ],
        [("Kitting", "Line A", "3")],
        "submit",
        None,
    ),
    (
        "Widget Pro v2 — Standard BOM",
        "WIDGET-PRO",
        "manufacture",
        [
            ("SA-FRAME", "1", None, "0"),
            ("SA-CTRL", "1", None, "0"),
            ("KIT-FAST", "1", None, "0"),
            ("MOTOR-001", "1", None, "0"),
            ("PKG-BOX-M", "1", None, "0"),
            ("DOC-WARRANTY", "1", None, "0"),
        ],
        [("Assembly", "Line A", "35"), ("Final inspection", "QA", "10")],
        "submit",
        True,
    ),
    (
        "Widget Pro v2 — Alternate (M12 bolts, no kit)",
        "WIDGET-PRO",
        "manufacture",
        [
            ("SA-FRAME", "1", None, "0"),
            ("SA-CTRL", "1", None, "0"),
            ("HW-BOLT-M12", "6", None, "1"),
            ("MOTOR-001", "1", None, "0"),
            ("PKG-BOX-M", "1", None, "0"),
        ],
        [("Assembly", "Line A", "40"), ("Final inspection", "QA", "10")],
        None,
        False,
    ),
    (
        "Widget Standard v1 (superseded)",
        "WIDGET-STD",
        "manufacture",
        [
            ("RM-STEEL-001", "1", None, "0"),
            ("MOTOR-001", "1", None, "0"),
            ("HW-BOLT-M12", "4", None, "0"),
        ],
        [("Assembly", "Line A", "25")],
        "archive",
        None,
    ),
]


def seed(*, stdout=None, actor=None) -> dict[str, int]:
    existing_wc = {wc.name: wc for wc in Workcenter.objects.all()}
    made_wc = 0
    for code, name, cost in WORKCENTERS:
        if name not in existing_wc:
            existing_wc[name] = workcenter_create(
                code=code, name=name, hourly_cost=Decimal(cost), actor=actor
            )
            made_wc += 1

    items = {i.number: i for i in Item.objects.select_related("uom")}
    units = {u.symbol: u for u in UnitOfMeasure.objects.all()}
    names = set(BOM.all_objects.values_list("name", flat=True))
    made_boms = 0
    for name, product, type_, lines, operations, then, is_default in BOMS:
        if name in names or product not in items:
            continue
        spec = BOMSpec(
            product=items[product],
            name=name,
            type=type_,
            is_default=is_default,
            components=[
                ComponentSpec(
                    item=items[number],
                    quantity=Decimal(quantity),
                    uom=units[unit] if unit else None,
                    scrap_percent=Decimal(scrap),
                )
                for number, quantity, unit, scrap in lines
            ],
            operations=[
                OperationSpec(name=op, workcenter=existing_wc[wc], duration_minutes=Decimal(m))
                for op, wc, m in operations
            ],
        )
        bom = bom_create(spec=spec, actor=actor)
        if then == "submit":
            bom_submit(bom=bom, actor=actor)
        elif then == "archive":
            bom_archive(bom=bom, actor=actor)
        made_boms += 1
    return {"workcenters": made_wc, "BOMs": made_boms}
