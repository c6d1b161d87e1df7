"""Demo of an engineering change (issue 14): the Painted Frame gets a second, submitted version
(paint given in litres at more scrap, a welding step made shorter, the paint step replaced by a
paint-and-cure step), and an open, confirmed order stays on the first version — what a planner
compares, sees the impact of, and rebases. Idempotent: nothing is made twice."""

from decimal import Decimal

from django.utils import timezone

from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, BOMStatus, Workcenter
from manufacturing.boms.services import bom_copy, bom_submit, bom_update
from manufacturing.boms.specs import BOMSpec, ComponentSpec, OperationSpec
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder

FIRST_VERSION = "Painted Frame"
SECOND_VERSION = "Painted Frame — powder-ready paint"
ORDER_NOTES = "Demo order: frames-on-v1"


def _second_version(first: BOM, actor) -> BOM:
    items = {i.number: i for i in Item.objects.filter(number__in=["RM-STEEL-001", "CHM-PAINT-001"])}
    workcenters = {wc.name: wc for wc in Workcenter.objects.all()}
    draft = bom_copy(bom=first, actor=actor)
    spec = BOMSpec.partial(
        name=SECOND_VERSION,
        components=[
            ComponentSpec(item=items["RM-STEEL-001"], quantity=Decimal(1)),
            ComponentSpec(
                item=items["CHM-PAINT-001"],
                quantity=Decimal("0.3"),
                uom=UnitOfMeasure.objects.get(symbol="L"),
                scrap_percent=Decimal(8),
            ),
        ],
        operations=[
            OperationSpec(
                name="Weld and grind",
                workcenter=workcenters["Line A"],
                duration_minutes=Decimal(18),
                sequence=10,
            ),
            OperationSpec(
                name="Paint and cure",
                workcenter=workcenters["Paint Shop"],
                duration_minutes=Decimal(22),
                sequence=30,
            ),
        ],
    )
    return bom_submit(bom=bom_update(bom=draft, spec=spec, actor=actor), actor=actor)


def seed(*, stdout=None, actor=None) -> dict[str, int]:
    first = BOM.objects.filter(name=FIRST_VERSION, status=BOMStatus.SUBMITTED).first()
    if first is None:
        return {}
    made = {"BOM versions": 0, "production orders": 0}
    if not ProductionOrder.all_objects.filter(notes=ORDER_NOTES).exists():
        now = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
        order = order_services.production_order_create(
            product=first.product,
            bom=first,
            quantity=Decimal(10),
            notes=ORDER_NOTES,
            scheduled_date=now + timezone.timedelta(days=3),
            due_date=now + timezone.timedelta(days=10),
            actor=actor,
        )
        order_services.production_order_confirm(order=order, actor=actor)
        made["production orders"] += 1
    if not BOM.all_objects.filter(name=SECOND_VERSION).exists():
        _second_version(first, actor)
        made["BOM versions"] += 1
    return made
