"""Manufacturing's cards on the planner's home (config.admin_home), registered by
`ManufacturingConfig.ready()`. Each is built on one selector of `manufacturing.attention` and
shown to whoever may view what it links to."""

from django.urls import reverse
from django.utils.http import urlencode

from config.admin_home import LISTED, CardLine, HomeCard, home_card_register
from manufacturing import attention
from manufacturing.planning import home_cards as planning_cards

OPEN = "draft,confirmed,in_progress"


def _plain(value) -> str:
    return f"{value.normalize():f}"


def _order_url(order) -> str:
    return reverse("admin:manufacturing_productionorder_change", args=[order.pk])


def _orders_list(**params) -> str:
    return f"{reverse('admin:manufacturing_productionorder_changelist')}?{urlencode(params)}"


def due_card(request) -> HomeCard | None:
    if not request.user.has_perm("manufacturing.view_productionorder"):
        return None
    due = attention.orders_due()
    lines = [
        CardLine(
            f"{order.reference} · {order.product.number}, {_plain(order.quantity)}",
            _order_url(order),
            ("late: due " if order.due_date < due.start else "due ") + f"{order.due_date:%a %d %b}",
        )
        for order in due.orders
    ]
    count = due.late + due.this_week
    summary = []
    if due.late:
        url = _orders_list(status__in=OPEN, due_date__lt=due.start.isoformat())
        summary.append(CardLine(f"{due.late} late", url))
    if due.this_week:
        url = _orders_list(
            status__in=OPEN,
            due_date__gte=due.start.isoformat(),
            due_date__lt=due.end.isoformat(),
        )
        summary.append(CardLine(f"{due.this_week} due in the next 7 days", url))
    return HomeCard(
        key="orders-due",
        title="Orders late or due this week",
        count=count,
        url=_orders_list(status__in=OPEN, due_date__lt=due.end.isoformat()),
        lines=summary + lines,
        empty="No open order is late or due this week.",
        tone="alert" if due.late else "warn",
        more=max(count - len(lines), 0),
    )


def short_card(request) -> HomeCard | None:
    if not request.user.has_perm("manufacturing.view_productionorder"):
        return None
    short = attention.orders_short_of_stock()
    lines = [
        CardLine(
            f"{s.order.reference} · {s.order.product.number}",
            _order_url(s.order),
            f"shortest: {s.component.item.number} short {_plain(s.short)} {s.component.uom.symbol}"
            + (f" (+{s.components_short - 1} more)" if s.components_short > 1 else ""),
        )
        for s in short[:LISTED]
    ]
    return HomeCard(
        key="orders-short",
        title="Confirmed orders short of stock",
        count=len(short),
        url=_orders_list(status__in="confirmed,in_progress"),
        lines=lines,
        empty="Every confirmed order has its stock reserved.",
        tone="alert",
        more=max(len(short) - LISTED, 0),
    )


def draft_boms_card(request) -> HomeCard | None:
    if not request.user.has_perm("manufacturing.view_bom"):
        return None
    drafts = attention.boms_in_draft()
    lines = [
        CardLine(
            str(bom),
            reverse("admin:manufacturing_bom_change", args=[bom.pk]),
            bom.product.number,
        )
        for bom in drafts.boms
    ]
    return HomeCard(
        key="draft-boms",
        title="Draft BOMs",
        count=drafts.count,
        url=f"{reverse('admin:manufacturing_bom_changelist')}?status__exact=draft",
        lines=lines,
        empty="No BOM is waiting in draft.",
        tone="info",
        more=max(drafts.count - len(lines), 0),
    )


def changed_boms_card(request) -> HomeCard | None:
    if not request.user.has_perm("manufacturing.view_productionorder"):
        return None
    orders = attention.orders_with_changed_bom()
    lines = [
        CardLine(f"{order.reference} · {order.bom.number}", _order_url(order), _why(order))
        for order in orders[:LISTED]
    ]
    return HomeCard(
        key="changed-boms",
        title="BOMs changed since their orders were confirmed",
        count=len(orders),
        url=_orders_list(status__in="confirmed,in_progress"),
        lines=lines,
        empty="No running order's BOM changed since it was confirmed.",
        tone="warn",
        more=max(len(orders) - LISTED, 0),
    )


def _why(order) -> str:
    if order.replaced_by:
        return f"new default {order.replaced_by}"
    if order.bom.deleted_at is not None:
        return "BOM archived"
    if order.bom.status == "cancelled":
        return "BOM cancelled"
    return "BOM content changed"


def workcenters_card(request) -> HomeCard | None:
    if not request.user.has_perm("manufacturing.view_workorder"):
        return None
    loads = attention.work_orders_by_workcenter()
    changelist = reverse("admin:manufacturing_workorder_changelist")
    lines = [
        CardLine(
            f"{load.code} · {load.name}",
            f"{changelist}?"
            + urlencode(
                {"workcenter__id__exact": load.workcenter_id, "status__exact": "in_progress"}
            ),
            f"{load.in_progress} in progress, {load.waiting} waiting",
        )
        for load in loads
    ]
    return HomeCard(
        key="workcenters",
        title="Work orders in progress per workcenter",
        count=sum(load.in_progress for load in loads),
        url=f"{changelist}?status__exact=in_progress",
        lines=lines,
        empty="No work order is in progress.",
        tone="info",
    )


def register() -> None:
    home_card_register("orders-due", due_card, order=10)
    home_card_register("orders-short", short_card, order=20)
    home_card_register("changed-boms", changed_boms_card, order=30)
    home_card_register("draft-boms", draft_boms_card, order=40)
    home_card_register("workcenters", workcenters_card, order=50)
    planning_cards.register()
