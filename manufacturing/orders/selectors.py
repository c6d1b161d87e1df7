"""Reads of production orders and work orders, each owning its query shape."""

from django.db.models import Prefetch, Q

from config.history import HistoryEntry, history_entries
from items.models import Item
from manufacturing.orders.models import (
    OPEN_ORDER_STATUSES,
    ProductionOrder,
    ProductionOrderComponent,
    WorkOrder,
)


def production_order_list():
    """Orders with product and requirements in a fixed number of queries (3 for any page)."""
    return ProductionOrder.all_objects.select_related("product").prefetch_related(
        Prefetch(
            "components",
            queryset=ProductionOrderComponent.objects.select_related("item__uom").order_by(
                "position"
            ),
        )
    )


def production_order_header():
    """The order alone, without its lines: for reads of its history and its work orders."""
    return ProductionOrder.all_objects.all()


def production_order_detail():
    return production_order_list().prefetch_related(
        Prefetch("work_orders", queryset=WorkOrder.objects.select_related("workcenter"))
    )


def work_order_list():
    """The shop-floor queue: work orders with their order and workcenter (one query)."""
    return WorkOrder.objects.select_related("order", "workcenter").filter(
        order__deleted_at__isnull=True
    )


def order_work_orders(*, order_id):
    """One order's work orders with their workcenter (what `WorkOrderSerializer` shows)."""
    return WorkOrder.objects.select_related("workcenter").filter(order_id=order_id)


def open_orders_using_bom(*, bom_id) -> list[str]:
    return list(
        ProductionOrder.objects.filter(bom_id=bom_id, status__in=OPEN_ORDER_STATUSES)
        .order_by("reference")
        .values_list("reference", flat=True)[:6]
    )


def item_order_usage_reason(item: Item) -> str | None:
    """Registered with `items.registry`: an item an open order produces or consumes cannot be
    archived (`item_in_use`)."""
    references = list(
        ProductionOrder.objects.filter(
            Q(product=item) | Q(components__item=item), status__in=OPEN_ORDER_STATUSES
        )
        .order_by("reference")
        .values_list("reference", flat=True)
        .distinct()[:6]
    )
    if not references:
        return None
    shown = ", ".join(references[:5]) + (", …" if len(references) > 5 else "")
    return f"used by open production orders {shown}"


def warehouse_order_usage_reason(warehouse) -> str | None:
    """Registered with `inventory.registry`: a warehouse an open production order (draft,
    confirmed, in progress) takes its components from or delivers its product to cannot be
    archived (`warehouse_in_use`): produce would fail on it."""
    references = list(
        ProductionOrder.objects.filter(
            Q(source_warehouse=warehouse) | Q(target_warehouse=warehouse),
            status__in=OPEN_ORDER_STATUSES,
        )
        .order_by("reference")
        .values_list("reference", flat=True)[:6]
    )
    if not references:
        return None
    shown = ", ".join(references[:5]) + (", …" if len(references) > 5 else "")
    return f"used by open production orders {shown}"


def production_order_history(*, order: ProductionOrder) -> list[HistoryEntry]:
    records = ProductionOrder.history.filter(id=order.pk).select_related("history_user")
    return history_entries(records, entity="order", label=lambda r: r.reference)
