"""Reads of production orders and work orders, each owning its query shape."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q

from config.history import HistoryEntry, history_entries
from inventory.models import StockLevel
from items.models import Item, ItemType
from items.units import convert
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.orders.models import (
    OPEN_ORDER_STATUSES,
    OrderStatus,
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


# --- the impact of a BOM version on open orders (issue 14) ----------------------------------


@dataclass(frozen=True)
class ImpactLine:
    """One item of an order, in its stock unit: what it requires now (the snapshot of a
    confirmed order; a draft's current BOM exploded) and with `bom`, what it has consumed and
    holds, and what `bom` would reserve (`proposed - consumed`, never below zero)."""

    item: Item
    required: Decimal
    proposed: Decimal
    consumed: Decimal
    reserved: Decimal
    available: Decimal  # free stock in the order's source warehouse now

    @property
    def change(self) -> Decimal:
        return self.proposed - self.required

    @property
    def would_reserve(self) -> Decimal:
        return max(self.proposed - self.consumed, Decimal(0))

    @property
    def reserve_change(self) -> Decimal:
        """More (+) or less (-) held than now; for a draft, than confirming on its BOM would."""
        return self.would_reserve - max(self.required - self.consumed, Decimal(0))

    @property
    def covered(self) -> bool:
        return self.would_reserve - self.reserved <= self.available


@dataclass(frozen=True)
class OrderImpact:
    order: ProductionOrder
    lines: list[ImpactLine]
    refusal: str | None  # why `production_order_rebase` would refuse (a code), or None

    @property
    def stock_covers(self) -> bool:
        return all(line.covered for line in self.lines)

    @property
    def rebasable(self) -> bool:
        return self.refusal is None and self.stock_covers


def _rebase_refusal(order: ProductionOrder, bom: BOM) -> str | None:
    if order.status == OrderStatus.IN_PROGRESS:
        return "order_started"
    if bom.deleted_at is not None or bom.status != BOMStatus.SUBMITTED:
        return "bom_unusable"
    return None


def order_bom_impact(*, bom: BOM) -> list[OrderImpact]:
    """Every open order (draft, confirmed, in progress) of `bom`'s product built from another
    BOM, by reference, with its per-item difference against `bom` for the order quantity, as
    confirm would plan it (`multi_level` orders down to the leaves) and as a rebase would
    reserve it. Six queries whatever the number of orders and lines: the orders, their
    requirements, two for every BOM tree involved, the stock levels (and the BOM's product)."""
    from manufacturing.boms.explosion import bom_explode_each

    orders = list(
        ProductionOrder.objects.filter(product_id=bom.product_id, status__in=OPEN_ORDER_STATUSES)
        .exclude(bom_id=bom.pk)
        .select_related("product__uom", "bom__uom", "source_warehouse")
        .order_by("reference")
    )
    if not orders:
        return []
    snapshots = defaultdict(list)
    confirmed = [o.pk for o in orders if o.status != OrderStatus.DRAFT]
    for component in (
        ProductionOrderComponent.objects.filter(order_id__in=confirmed)
        .select_related("item__uom")
        .order_by("order_id", "position")
    ):
        snapshots[component.order_id].append(component)
    runs = []
    for order in orders:
        levels = "all" if order.multi_level else "1"
        runs.append((bom, convert(order.quantity, order.product.uom, bom.uom), levels))
        if order.status == OrderStatus.DRAFT:
            quantity = convert(order.quantity, order.product.uom, order.bom.uom)
            runs.append((order.bom, quantity, levels))
    explosions = iter(bom_explode_each(runs=runs))
    plans = {}
    for order in orders:
        new = _requirements(next(explosions))
        old = (
            _requirements(next(explosions))
            if order.status == OrderStatus.DRAFT
            else {
                c.item_id: (c.item, c.required, c.consumed, c.reserved) for c in snapshots[order.pk]
            }
        )
        plans[order.pk] = (old, new)
    items = {item_id for old, new in plans.values() for item_id in (*old, *new)}
    levels = StockLevel.objects.filter(
        item_id__in=items, warehouse_id__in={order.source_warehouse_id for order in orders}
    )
    free = {(level.item_id, level.warehouse_id): level.available for level in levels}
    impacts = []
    for order in orders:
        old, new = plans[order.pk]
        lines = []
        for item_id in [*old, *(i for i in new if i not in old)]:
            item, required, consumed, reserved = old.get(item_id) or (
                new[item_id][0],
                ZERO,
                ZERO,
                ZERO,
            )
            proposed = new[item_id][1] if item_id in new else ZERO
            lines.append(
                ImpactLine(
                    item=item,
                    required=required,
                    proposed=proposed,
                    consumed=consumed,
                    reserved=reserved,
                    available=free.get((item_id, order.source_warehouse_id), ZERO),
                )
            )
        impacts.append(OrderImpact(order=order, lines=lines, refusal=_rebase_refusal(order, bom)))
    return impacts


ZERO = Decimal(0)


def _requirements(explosion) -> dict:
    """What confirm reserves of an explosion (`totals` of stockable items), by item id:
    `(item, quantity, consumed=0, reserved=0)`."""
    return {
        t.item.pk: (t.item, t.quantity, ZERO, ZERO)
        for t in explosion.totals
        if t.item.type != ItemType.SERVICE and t.quantity > 0
    }
