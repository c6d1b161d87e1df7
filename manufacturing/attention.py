"""What needs a planner's attention: the reads behind the home page's cards
(manufacturing/home_cards.py). Each selector runs a fixed number of queries, whatever the
number of orders, BOMs or work orders behind it."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.utils import timezone

from manufacturing.boms.models import BOM, QTY, BOMStatus
from manufacturing.orders.models import (
    OPEN_ORDER_STATUSES,
    OrderStatus,
    ProductionOrder,
    ProductionOrderComponent,
    WorkOrder,
    WorkOrderStatus,
)

LISTED = 5
RESERVING = (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class DueOrders:
    late: int
    this_week: int
    orders: list[ProductionOrder]  # the first LISTED, earliest due first
    today: date
    start: datetime  # today's start (aware): before it is late
    end: datetime  # a week later's start: the end of "due this week", exclusive


def orders_due(*, today: date | None = None) -> DueOrders:
    """Open orders due before today (late) or in the next 7 days. Two queries."""
    today = today or timezone.localdate()
    week_end = today + timedelta(days=7)
    start, end = _start_of(today), _start_of(week_end)
    due = ProductionOrder.objects.filter(status__in=OPEN_ORDER_STATUSES, due_date__lt=end)
    counts = due.aggregate(
        late=Count("pk", filter=Q(due_date__lt=start)),
        this_week=Count("pk", filter=Q(due_date__gte=start)),
    )
    orders = list(due.select_related("product").order_by("due_date", "reference")[:LISTED])
    return DueOrders(counts["late"], counts["this_week"], orders, today, start, end)


@dataclass(frozen=True)
class ShortOrder:
    order: ProductionOrder
    component: ProductionOrderComponent  # the one least covered by its reservation
    short: Decimal  # of that component, in its stock unit
    components_short: int


def orders_short_of_stock() -> list[ShortOrder]:
    """Confirmed or running orders with a requirement whose open quantity (required - consumed)
    is more than what is still reserved for it, each with its least covered component. One
    query over the short requirements."""
    open_qty = ExpressionWrapper(F("required") - F("consumed"), output_field=DecimalField(**QTY))
    rows = (
        ProductionOrderComponent.objects.filter(
            order__status__in=RESERVING, order__deleted_at__isnull=True
        )
        .annotate(open_qty=open_qty)
        .annotate(short=ExpressionWrapper(F("open_qty") - F("reserved"), DecimalField(**QTY)))
        .filter(short__gt=0)
        .select_related("order__product", "item", "uom")
        .order_by("order__due_date", "order__reference", "position")
    )
    by_order: dict = {}
    for row in rows:
        covered = row.reserved / row.open_qty
        best = by_order.get(row.order_id)
        if best is None:
            by_order[row.order_id] = [row, covered, 1]
        else:
            best[2] += 1
            if covered < best[1]:
                best[0], best[1] = row, covered
    return [
        ShortOrder(order=row.order, component=row, short=row.short, components_short=n)
        for row, _, n in by_order.values()
    ]


@dataclass(frozen=True)
class DraftBOMs:
    count: int
    boms: list[BOM]  # the LISTED most recently changed


def boms_in_draft() -> DraftBOMs:
    """Live draft BOMs. Two queries."""
    drafts = BOM.objects.filter(status=BOMStatus.DRAFT)
    return DraftBOMs(
        drafts.count(), list(drafts.select_related("product").order_by("-updated_at")[:LISTED])
    )


def orders_with_changed_bom() -> list[ProductionOrder]:
    """Confirmed or running orders whose BOM changed after the order was confirmed: the
    product got a new default BOM since (a new version, `replaced_by`), or the order's BOM was
    cancelled or archived, or its content hash differs from its hash as of the confirm (its
    history row at that moment). One query; each order carries `bom` and `product`."""
    history = BOM.history.model
    hash_at_confirm = (
        history.objects.filter(id=OuterRef("bom_id"), history_date__lte=OuterRef("confirmed_at"))
        .order_by("-history_date")
        .values("content_hash")[:1]
    )
    replaced_by = (
        BOM.objects.filter(
            product_id=OuterRef("product_id"),
            is_default=True,
            created_at__gt=OuterRef("confirmed_at"),
        )
        .exclude(status=BOMStatus.CANCELLED)
        .exclude(pk=OuterRef("bom_id"))
        .values("number")[:1]
    )
    return list(
        ProductionOrder.objects.filter(status__in=RESERVING, confirmed_at__isnull=False)
        .annotate(hash_at_confirm=Subquery(hash_at_confirm), replaced_by=Subquery(replaced_by))
        .filter(
            Q(replaced_by__isnull=False)
            | Q(bom__status=BOMStatus.CANCELLED)
            | Q(bom__deleted_at__isnull=False)
            | (Q(hash_at_confirm__isnull=False) & ~Q(bom__content_hash=F("hash_at_confirm")))
        )
        .select_related("bom", "product")
        .order_by("due_date", "reference")
    )


@dataclass(frozen=True)
class WorkcenterLoad:
    workcenter_id: object
    code: str
    name: str
    in_progress: int
    waiting: int  # pending or paused


def work_orders_by_workcenter() -> list[WorkcenterLoad]:
    """Open work orders of live orders per workcenter: running, and waiting (pending or
    paused). One query."""
    rows = (
        WorkOrder.objects.filter(
            order__deleted_at__isnull=True,
            status__in=[
                WorkOrderStatus.PENDING,
                WorkOrderStatus.IN_PROGRESS,
                WorkOrderStatus.PAUSED,
            ],
        )
        .values("workcenter_id", "workcenter__code", "workcenter__name")
        .annotate(
            in_progress=Count(Case(When(status=WorkOrderStatus.IN_PROGRESS, then=1))),
            waiting=Count(Case(When(~Q(status=WorkOrderStatus.IN_PROGRESS), then=1))),
        )
        .order_by("-in_progress", "workcenter__code")
    )
    return [
        WorkcenterLoad(
            r["workcenter_id"],
            r["workcenter__code"],
            r["workcenter__name"],
            r["in_progress"],
            r["waiting"],
        )
        for r in rows
    ]
