"""Demo data for the item master (idempotent: existing numbers are left as they are)."""

from decimal import Decimal

from items import services
from items.models import Item, UnitOfMeasure

DEMO_ITEMS = [
    # number, name, type, uom, tracking, standard cost
    ("WIDGET-PRO", "ECOSIRE Widget Pro", "stockable", "units", "lot", "0"),
    ("WIDGET-STD", "Widget Standard", "stockable", "units", "none", "0"),
    ("SA-CTRL", "Control Unit (sub-assembly)", "stockable", "units", "none", "0"),
    ("SA-FRAME", "Painted Frame (sub-assembly)", "stockable", "units", "none", "0"),
    ("KIT-FAST", "Fastener Kit (phantom)", "consumable", "units", "none", "0"),
    ("RM-STEEL-001", "Steel Frame", "stockable", "EA", "none", "42.5000"),
    ("PCB-001", "Circuit Board", "stockable", "EA", "lot", "18.2000"),
    ("MOTOR-001", "Motor 24V", "stockable", "EA", "none", "35.0000"),
    ("HW-BOLT-M10", "Bolt M10", "stockable", "EA", "none", "0.1200"),
    ("HW-BOLT-M12", "Bolt M12", "stockable", "EA", "none", "0.1500"),
    ("HW-NUT-M10", "Nut M10", "stockable", "EA", "none", "0.0500"),
    ("HW-WASHER-M10", "Washer M10", "stockable", "EA", "none", "0.0200"),
    ("CHM-PAINT-001", "Paint - Blue", "consumable", "L", "none", "12.0000"),
    ("EL-WIRE-CU", "Copper Wire", "stockable", "kg", "none", "9.8000"),
    ("EL-RES-10K", "Resistor 10k", "stockable", "EA", "none", "0.0100"),
    ("EL-CAP-100U", "Capacitor 100uF", "stockable", "EA", "none", "0.0800"),
    ("PKG-BOX-M", "Packaging Box M", "consumable", "EA", "none", "0.9000"),
    ("DOC-WARRANTY", "Warranty Card", "consumable", "EA", "none", "0.0500"),
    ("SVC-QA", "Quality inspection (service)", "service", "h", "none", "45.0000"),
]


def seed(*, stdout=None, actor=None) -> dict[str, int]:
    units = {u.symbol: u for u in UnitOfMeasure.objects.all()}
    existing = set(Item.objects.values_list("number", flat=True))
    created = 0
    for number, name, type_, uom, tracking, cost in DEMO_ITEMS:
        if number in existing:
            continue
        services.item_create(
            number=number,
            name=name,
            type=type_,
            uom=units[uom],
            tracking=tracking,
            standard_cost=Decimal(cost),
            actor=actor,
        )
        created += 1
    return {"items": created}
