"""seed_demo's lot genealogy (manufacturing.demo_lots): two levels made by real orders, the
same after a second run."""

from io import StringIO

import pytest
from django.core.management import call_command

from inventory.genealogy import lot_trace_back, lot_trace_forward
from inventory.models import Lot, StockMove
from manufacturing.orders.models import OrderStatus, ProductionOrder

pytestmark = pytest.mark.django_db


def lot(item: str, number: str) -> Lot:
    return Lot.objects.get(item__number=item, number=number)


def test_seed_demo_makes_a_two_level_genealogy_through_closed_orders(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    state = (StockMove.objects.count(), Lot.objects.count(), ProductionOrder.objects.count())

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "manufacturing.demo_lots: created 0 items, 0 BOMs, 0 lot orders, 0 stock moves" in (
        out.getvalue()
    )
    assert (StockMove.objects.count(), Lot.objects.count(), ProductionOrder.objects.count()) == (
        state
    )
    orders = ProductionOrder.objects.filter(notes__startswith="Demo lot order: ")
    assert sorted(orders.values_list("status", flat=True)) == [OrderStatus.DONE] * 4

    back = lot_trace_back(lot=lot("FG-SENSOR-KIT", "KIT-2602"))
    assert [(t.item.number, t.number, t.level) for t in back.lots] == [
        ("SA-SENSOR", "SEN-2601", 1),
        ("SA-SENSOR", "SEN-2602", 1),
        ("PCB-001", "PCB-2601", 2),
        ("RM-SENSOR-IC", "IC-2601", 2),
        ("RM-SENSOR-IC", "IC-2602", 2),
    ]
    forward = lot_trace_forward(lot=lot("RM-SENSOR-IC", "IC-2601"))
    kits = {t.number: t for t in forward.lots if t.level == 2}
    assert sorted(kits) == ["KIT-2601", "KIT-2602"]
    assert [(i.reference, i.quantity) for i in kits["KIT-2601"].issued] == [
        ("DEMO-LOTS/SO-7001", 6)
    ]
