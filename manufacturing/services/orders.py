"""Production orders: create, edit, confirm (reserve + work orders), produce, close, cancel.

Every service locks the order row first, then lets the inventory services lock the stock levels
(sorted by key), so two postings on one order serialize and two confirms cannot deadlock.
The stock work is set-based: the number of queries does not grow with the number of components.
"""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.exceptions import InvalidState, ValidationFailed
from inventory.models import Warehouse
from inventory.services import (
    ReservationLine,
    stock_consume,
    stock_receive_production,
    stock_release,
    stock_reserve,
    warehouses_or_default,
)
from items.models import Item, ItemType, Tracking
from items.units import convert, quantize_qty
from manufacturing.exceptions import BomUnusable, OverProduction
from manufacturing.models import (
    BOM,
    OPEN_WORK_ORDER_STATUSES,
    BOMStatus,
    OrderStatus,
    Priority,
    ProductionOrder,
    ProductionOrderComponent,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderTimeLog,
)
from manufacturing.selectors.explosion import bom_explode
from manufacturing.services.history import stamp
from manufacturing.services.sequences import sequence_next

EDITABLE_FIELDS = (
    "product",
    "bom",
    "quantity",
    "scheduled_date",
    "due_date",
    "priority",
    "customer",
    "notes",
    "source_warehouse",
    "target_warehouse",
    "multi_level",
)


MAX_PLANNED_MINUTES = Decimal(10) ** 10  # WorkOrder.planned_minutes: 12 digits, 2 decimals


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", errors={field: [message]})


def lock_order(order: ProductionOrder) -> ProductionOrder:
    """The order row, locked for the rest of the transaction and re-read (only that row: the
    joined product and BOM stay unlocked)."""
    return (
        ProductionOrder.all_objects.select_for_update(no_key=True, of=("self",))
        .select_related("product__uom", "bom__uom", "source_warehouse", "target_warehouse")
        .get(pk=order.pk)
    )


def _refuse_unless(order: ProductionOrder, allowed: tuple[str, ...], action: str) -> None:
    if order.deleted_at is not None:
        raise InvalidState(f"{order.reference} is deleted; it cannot {action}.")
    if order.status not in allowed:
        raise InvalidState(
            f"{order.reference} is {order.status}; only {' or '.join(allowed)} orders can {action}."
        )


def _check_product(product: Item) -> None:
    if product.deleted_at is not None:
        raise _invalid("productId", f"Item {product.number} is archived.")
    if product.type == ItemType.SERVICE:
        raise _invalid("productId", f"{product.number} is a service and cannot be produced.")


def _check_quantity(quantity: Any, field: str = "quantity") -> Decimal:
    try:
        value = Decimal(quantity)
    except (TypeError, ArithmeticError, ValueError):
        raise _invalid(field, "Must be a number.") from None
    if not value.is_finite() or value <= 0:
        raise _invalid(field, "Must be greater than zero.")
    if value != quantize_qty(value) or value >= Decimal(10) ** 12:
        raise _invalid(field, "At most 12 digits before and 6 after the decimal point.")
    return value


def _unusable(message: str) -> BomUnusable:
    return BomUnusable(message, errors={"bomId": [message]})


def resolve_bom(*, product: Item, bom: BOM | None) -> BOM:
    """The order's BOM: the one given, or the product's default. It must be the product's own,
    live and submitted — a draft is still being edited, a cancelled one is withdrawn
    (`bom_unusable`, 422). Checked when the order is created or edited, and again at confirm."""
    if bom is None:
        bom = (
            BOM.objects.filter(product=product, is_default=True)
            .exclude(status=BOMStatus.CANCELLED)
            .first()
        )
        if bom is None:
            raise _unusable(f"{product.number} has no default BOM; give a bomId.")
        if bom.status == BOMStatus.DRAFT:
            raise _unusable(
                f"BOM {bom.number}, the default of {product.number}, is a draft: submit it "
                "before ordering against it."
            )
        return bom
    if bom.product_id != product.pk:
        raise _unusable(f"BOM {bom.number} is not a BOM of {product.number}.")
    if bom.deleted_at is not None:
        raise _unusable(f"BOM {bom.number} is archived.")
    if bom.status == BOMStatus.CANCELLED:
        raise _unusable(f"BOM {bom.number} is cancelled.")
    if bom.status != BOMStatus.SUBMITTED:
        raise _unusable(
            f"BOM {bom.number} is a {bom.status}: submit it before ordering against it."
        )
    return bom


def _check_dates(scheduled_date, due_date) -> None:
    """An order is due at or after it is scheduled to start."""
    if scheduled_date is not None and due_date is not None and due_date < scheduled_date:
        message = (
            f"The due date ({due_date.isoformat()}) is before the scheduled date "
            f"({scheduled_date.isoformat()})."
        )
        raise ValidationFailed(message, errors={"due_date": [message]})


WAREHOUSE_FIELDS = {
    "source_warehouse": "sourceWarehouseId",
    "target_warehouse": "targetWarehouseId",
}


def _warehouses(given: dict[str, Warehouse | None]) -> dict[str, Warehouse]:
    """`{"source_warehouse": wh or None, …}` → the live warehouses (the default `WH` for None),
    locked against a concurrent archive (see `warehouses_or_default`)."""
    found = warehouses_or_default({WAREHOUSE_FIELDS[f]: wh for f, wh in given.items()})
    return {field: found[WAREHOUSE_FIELDS[field]] for field in given}


def _next_reference(now) -> str:
    return f"MO/{now.year}/{sequence_next(name=f'mo/{now.year}'):04d}"


@transaction.atomic
def production_order_create(
    *,
    product: Item,
    quantity: Decimal,
    bom: BOM | None = None,
    scheduled_date=None,
    due_date=None,
    priority: str = Priority.NORMAL,
    customer: str = "",
    notes: str = "",
    source_warehouse: Warehouse | None = None,
    target_warehouse: Warehouse | None = None,
    multi_level: bool = False,
    actor=None,
) -> ProductionOrder:
    _check_product(product)
    _check_dates(scheduled_date, due_date)
    warehouses = _warehouses(
        {"source_warehouse": source_warehouse, "target_warehouse": target_warehouse}
    )
    order = ProductionOrder(
        product=product,
        bom=resolve_bom(product=product, bom=bom),
        quantity=_check_quantity(quantity),
        scheduled_date=scheduled_date,
        due_date=due_date,
        priority=priority or Priority.NORMAL,
        customer=customer or "",
        notes=notes or "",
        source_warehouse=warehouses["source_warehouse"],
        target_warehouse=warehouses["target_warehouse"],
        multi_level=bool(multi_level),
    )
    if order.priority not in Priority.values:
        raise _invalid("priority", f"Must be one of {', '.join(Priority.values)}.")
    now = timezone.now()
    order.created_at = now
    order.reference = _next_reference(now)
    stamp(order, actor)
    order.save()
    return order


@transaction.atomic
def production_order_update(
    *, order: ProductionOrder, data: dict[str, Any], actor=None
) -> ProductionOrder:
    """Edit a draft (409 `invalid_state` once confirmed). A new product or BOM is checked
    like at creation."""
    order = lock_order(order)
    _refuse_unless(order, (OrderStatus.DRAFT,), "be edited")
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise _invalid(sorted(unknown)[0], "This field cannot be changed.")
    if "product" in data:
        _check_product(data["product"])
    if "quantity" in data:
        data = {**data, "quantity": _check_quantity(data["quantity"])}
    if "priority" in data and data["priority"] not in Priority.values:
        raise _invalid("priority", f"Must be one of {', '.join(Priority.values)}.")
    given = {field: data[field] for field in WAREHOUSE_FIELDS if field in data}
    if given:
        data = {**data, **_warehouses(given)}
    _check_dates(
        data.get("scheduled_date", order.scheduled_date), data.get("due_date", order.due_date)
    )
    for field, value in data.items():
        if field in ("customer", "notes") and value is None:
            value = ""
        setattr(order, field, value)
    if "product" in data or "bom" in data:
        order.bom = resolve_bom(
            product=order.product,
            bom=data.get("bom", order.bom if "product" not in data else None),
        )
    stamp(order, actor)
    order.save()
    return order


@transaction.atomic
def production_order_delete(*, order: ProductionOrder, actor=None) -> ProductionOrder:
    order = lock_order(order)
    _refuse_unless(order, (OrderStatus.DRAFT,), "be deleted")
    stamp(order, actor)
    order.delete()
    return order


@transaction.atomic
def production_order_restore(*, order: ProductionOrder, actor=None) -> ProductionOrder:
    """Bring a deleted draft back (the admin's restore; the API has none), if its warehouses
    are still live."""
    order = lock_order(order)
    if order.deleted_at is None:
        raise _invalid("order", f"{order.reference} is not deleted.")
    # A deleted draft did not hold its warehouses: they may have been archived since.
    _warehouses(
        {"source_warehouse": order.source_warehouse, "target_warehouse": order.target_warehouse}
    )
    stamp(order, actor)
    order.restore()
    return order


@transaction.atomic
def production_order_confirm(*, order: ProductionOrder, actor=None) -> ProductionOrder:
    """Explode the BOM for the order quantity (`levels=1`, phantom kits exploded through; every
    level with `multi_level`), reserve every requirement in the source warehouse all or nothing
    (`insufficient_stock` lists every shortage and reserves nothing), snapshot the requirements
    and create the work orders (deepest sub-assemblies first, the top BOM last)."""
    order = lock_order(order)
    _refuse_unless(order, (OrderStatus.DRAFT,), "be confirmed")
    bom = resolve_bom(product=order.product, bom=order.bom)
    explosion = bom_explode(
        bom=bom,
        quantity=convert(order.quantity, order.product.uom, bom.uom),
        levels="all" if order.multi_level else "1",
    )
    totals = [t for t in explosion.totals if t.item.type != ItemType.SERVICE and t.quantity > 0]
    now = timezone.now()
    work_orders = []
    for exploded in explosion.work_order_boms():
        for operation in exploded.operations:
            sequence = (len(work_orders) + 1) * 10
            work_orders.append(
                WorkOrder(
                    order=order,
                    reference=f"{order.reference}-{len(work_orders) + 1:02d}",
                    sequence=sequence,
                    name=operation.name,
                    workcenter_id=operation.workcenter_id,
                    planned_minutes=(operation.duration_minutes * exploded.runs).quantize(
                        Decimal("0.01")
                    ),
                    created_at=now,
                )
            )
    if any(wo.planned_minutes >= MAX_PLANNED_MINUTES for wo in work_orders):
        raise _invalid(
            "quantity",
            f"The work orders would plan {MAX_PLANNED_MINUTES:,} minutes or more: split the order.",
        )
    stock_reserve(
        lines=[ReservationLine(t.item, order.source_warehouse, t.quantity) for t in totals],
        production_order_id=order.pk,
        reference=order.reference,
        actor=actor,
    )
    ProductionOrderComponent.objects.bulk_create(
        ProductionOrderComponent(
            order=order,
            item=t.item,
            position=index,
            required=t.quantity,
            reserved=t.quantity,
            uom_id=t.item.uom_id,
        )
        for index, t in enumerate(totals)
    )
    WorkOrder.objects.bulk_create(work_orders)
    order.bom = bom
    order.status = OrderStatus.CONFIRMED
    order.confirmed_at = now
    stamp(order, actor)
    order.save()
    return order


@transaction.atomic
def production_order_produce(
    *, order: ProductionOrder, qty: Decimal, lot_number: str | None = None, actor=None
) -> ProductionOrder:
    """Record `qty` produced: consume the components pro rata out of the reservation (the last
    posting takes exactly what is left, so rounding never strands stock), receive `qty` of the
    product into the target warehouse under `lot_number`, and move the order to in_progress.
    Exceeding the order quantity is 422 `over_production` with nothing moved."""
    order = lock_order(order)
    _refuse_unless(order, (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS), "record production")
    qty = _check_quantity(qty, "qty")
    produced = order.produced_qty + qty
    if produced > order.quantity:
        raise OverProduction(
            f"{order.reference}: producing {qty} would make {produced} of {order.quantity}.",
            quantity=order.quantity,
            produced_qty=order.produced_qty,
            remaining=order.quantity - order.produced_qty,
        )
    lot_number = (lot_number or "").strip() or None
    if order.product.tracking == Tracking.LOT and not lot_number:
        raise _invalid("lotNumber", f"{order.product.number} is lot-tracked: give a lot number.")

    components = list(order.components.select_related("item__uom").order_by("position"))
    lines, changed = [], []
    for component in components:
        target = (
            component.required
            if produced == order.quantity
            else quantize_qty(component.required * produced / order.quantity)
        )
        take = target - component.consumed
        if take <= 0:
            continue
        lines.append(ReservationLine(component.item, order.source_warehouse, take))
        component.reserved = max(component.reserved - take, Decimal(0))
        component.consumed += take
        changed.append(component)
    stock_consume(production_order_id=order.pk, lines=lines, reference=order.reference, actor=actor)
    stock_receive_production(
        item=order.product,
        warehouse=order.target_warehouse,
        quantity=qty,
        lot_number=lot_number,
        production_order_id=order.pk,
        reference=order.reference,
        actor=actor,
    )
    if changed:
        ProductionOrderComponent.objects.bulk_update(changed, ["reserved", "consumed"])
    order.produced_qty = produced
    order.status = OrderStatus.IN_PROGRESS
    stamp(order, actor)
    order.save()
    return order


def _cancel_open_work_orders(order: ProductionOrder, now) -> None:
    open_orders = WorkOrder.objects.filter(order=order, status__in=OPEN_WORK_ORDER_STATUSES)
    WorkOrderTimeLog.objects.filter(work_order__order=order, ended_at__isnull=True).update(
        ended_at=now
    )
    open_orders.update(status=WorkOrderStatus.CANCELLED, finished_at=now, updated_at=now)


def _release(order: ProductionOrder, actor) -> None:
    stock_release(production_order_id=order.pk, actor=actor)
    order.components.filter(reserved__gt=0).update(reserved=Decimal(0))


@transaction.atomic
def production_order_close(*, order: ProductionOrder, actor=None) -> ProductionOrder:
    """Finish the order: release what is still reserved, cancel the open work orders."""
    order = lock_order(order)
    _refuse_unless(order, (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS), "be closed")
    now = timezone.now()
    _release(order, actor)
    _cancel_open_work_orders(order, now)
    order.status = OrderStatus.DONE
    order.closed_at = now
    stamp(order, actor)
    order.save()
    return order


@transaction.atomic
def production_order_cancel(*, order: ProductionOrder, actor=None) -> ProductionOrder:
    """Cancel a non-terminal order: release its reservations (what was consumed stays
    consumed) and cancel its open work orders."""
    order = lock_order(order)
    _refuse_unless(
        order, (OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS), "be cancelled"
    )
    now = timezone.now()
    if order.status != OrderStatus.DRAFT:
        _release(order, actor)
        _cancel_open_work_orders(order, now)
    order.status = OrderStatus.CANCELLED
    order.closed_at = now
    stamp(order, actor)
    order.save()
    return order
