"""Demo production orders in every status, through the services (idempotent: an order whose
demo key is already in its notes is not created again). Sub-assemblies are produced first, so
the Widget Pro orders find them in stock, as on a real floor."""

from decimal import Decimal

from django.utils import timezone

from items.models import Item
from manufacturing.orders import services as order_services
from manufacturing.orders import services as work_order_services
from manufacturing.orders.models import ProductionOrder, WorkOrder

DAY = timezone.timedelta(days=1)

# key, product, quantity, priority, customer, multi level, then: steps to run
DEMO_ORDERS = [
    (
        "frames",
        "SA-FRAME",
        "20",
        "normal",
        "",
        False,
        ["confirm", "finish-all", ("produce", "20"), "close"],
    ),
    (
        "controls",
        "SA-CTRL",
        "20",
        "high",
        "",
        False,
        ["confirm", "finish-all", ("produce", "20"), "close"],
    ),
    (
        "widgets-running",
        "WIDGET-PRO",
        "10",
        "high",
        "ACME Corp",
        False,
        ["confirm", ("produce", "4"), "start-first"],
    ),
    ("widgets-multi", "WIDGET-PRO", "5", "normal", "Northwind", True, ["confirm"]),
    ("widgets-planned", "WIDGET-PRO", "50", "critical", "ACME Corp", False, []),
    ("frames-cancelled", "SA-FRAME", "5", "low", "", False, ["confirm", "cancel"]),
]


def _run(order, step, actor) -> None:
    if step == "confirm":
        order_services.production_order_confirm(order=order, actor=actor)
    elif step == "close":
        order_services.production_order_close(order=order, actor=actor)
    elif step == "cancel":
        order_services.production_order_cancel(order=order, actor=actor)
    elif step == "start-first":
        first = WorkOrder.objects.filter(order=order).order_by("sequence").first()
        if first is not None:
            work_order_services.work_order_start(order=order, work_order_id=first.pk, actor=actor)
    elif step == "finish-all":
        for work_order in WorkOrder.objects.filter(order=order).order_by("sequence"):
            work_order_services.work_order_start(
                order=order, work_order_id=work_order.pk, actor=actor
            )
            work_order_services.work_order_done(
                order=order,
                work_order_id=work_order.pk,
                duration_minutes=work_order.planned_minutes,
                actor=actor,
            )
    else:
        _, qty = step
        lot = f"LOT-{timezone.now():%Y}-0042" if order.product.tracking == "lot" else None
        order_services.production_order_produce(
            order=order, qty=Decimal(qty), lot_number=lot, actor=actor
        )


def seed(*, stdout=None, actor=None) -> dict[str, int]:
    items = {i.number: i for i in Item.objects.all()}
    done = set(
        ProductionOrder.all_objects.filter(notes__startswith="Demo order:").values_list(
            "notes", flat=True
        )
    )
    now = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    made = 0
    for index, (key, product, qty, priority, customer, multi, steps) in enumerate(DEMO_ORDERS):
        notes = f"Demo order: {key}"
        if notes in done or product not in items:
            continue
        order = order_services.production_order_create(
            product=items[product],
            quantity=Decimal(qty),
            priority=priority,
            customer=customer,
            notes=notes,
            multi_level=multi,
            scheduled_date=now + index * DAY,
            due_date=now + (index + 7) * DAY,
            actor=actor,
        )
        for step in steps:
            _run(order, step, actor)
        made += 1
    return {"production orders": made}
