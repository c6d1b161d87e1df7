"""Production orders and their work orders: create, confirm, produce, close, cancel; work
orders start, pause, resume, done. Running time is kept as time logs, so paused time never counts."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.exceptions import InvalidState, NotFound, ValidationFailed
from config.quantities import MINUTES, number_parse, quantity_parse
from inventory.models import Warehouse
from inventory.services.ledger import ReservationLine, warehouses_or_default
from inventory.services.reservations import (
    stock_consume,
    stock_receive_production,
    stock_release,
    stock_reservation_replace,
    stock_reserve,
)
from items.models import Item, ItemType, Tracking
from items.units import convert, quantize_qty
from manufacturing.boms.explosion import bom_explode
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.exceptions import BomOtherProduct, BomUnusable, OrderStarted, OverProduction
from manufacturing.history import stamp
from manufacturing.orders.models import (
    OPEN_WORK_ORDER_STATUSES,
    OrderStatus,
    Priority,
    ProductionOrder,
    ProductionOrderComponent,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderTimeLog,
)
from manufacturing.sequences import sequence_next

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


MAX_PLANNED_MINUTES = MINUTES.limit  # WorkOrder.planned_minutes: a computed figure


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
        raise _invalid("product_id", f"Item {product.number} is archived.")
    if product.type == ItemType.SERVICE:
        raise _invalid("product_id", f"{product.number} is a service and cannot be produced.")


def _unusable(message: str) -> BomUnusable:
    return BomUnusable(message, errors={"bom_id": [message]})


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
    "source_warehouse": "source_warehouse_id",
    "target_warehouse": "target_warehouse_id",
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
        quantity=quantity_parse(quantity),
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
        data = {**data, "quantity": quantity_parse(data["quantity"])}
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


def _plan(order: ProductionOrder, bom: BOM) -> tuple[list, list[WorkOrder]]:
    """What confirming `order` on `bom` reserves and schedules: the requirements (`levels=1`,
    phantom kits exploded through; every level with `multi_level`) as reservation lines, and
    the work orders (deepest sub-assemblies first, the top BOM last), not saved yet."""
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
    return [
        ReservationLine(t.item, order.source_warehouse, t.quantity) for t in totals
    ], work_orders


def _reserve_and_schedule(order: ProductionOrder, bom: BOM, actor, *, replace: bool) -> None:
    """Confirm's reservation path, shared by the rebase: reserve the plan of `order` on `bom`
    all or nothing (`replace`: instead of what the order holds, under one lock of every level
    involved), snapshot the requirements and create the work orders."""
    lines, work_orders = _plan(order, bom)
    reserve = stock_reservation_replace if replace else stock_reserve
    reserve(lines=lines, production_order_id=order.pk, reference=order.reference, actor=actor)
    ProductionOrderComponent.objects.bulk_create(
        ProductionOrderComponent(
            order=order,
            item=line.item,
            position=index,
            required=line.quantity,
            uom_id=line.item.uom_id,
        )
        for index, line in enumerate(lines)
    )
    WorkOrder.objects.bulk_create(work_orders)


@transaction.atomic
def production_order_confirm(*, order: ProductionOrder, actor=None) -> ProductionOrder:
    """Explode the BOM for the order quantity (`levels=1`, phantom kits exploded through; every
    level with `multi_level`), reserve every requirement in the source warehouse all or nothing
    (`insufficient_stock` lists every shortage and reserves nothing), snapshot the requirements
    and create the work orders (deepest sub-assemblies first, the top BOM last)."""
    order = lock_order(order)
    _refuse_unless(order, (OrderStatus.DRAFT,), "be confirmed")
    bom = resolve_bom(product=order.product, bom=order.bom)
    _reserve_and_schedule(order, bom, actor, replace=False)
    order.bom = bom
    order.status = OrderStatus.CONFIRMED
    order.confirmed_at = timezone.now()
    stamp(order, actor)
    order.save()
    return order


@transaction.atomic
def production_order_rebase(*, order: ProductionOrder, bom: BOM, actor=None) -> ProductionOrder:
    """Move a draft or confirmed order that has not started onto `bom`, another submitted,
    live BOM of its product. A confirmed order is planned again on the new version exactly as
    confirm plans it: its reservations replaced all or nothing (`insufficient_stock` lists
    every shortage, counting what the order held, and nothing changes), its requirements and
    work orders recreated. The order's history records the BOM before and after.

    Refusals (nothing changed): `order_started` (409) once production or a work order has
    begun; `invalid_state` (409) for a done, cancelled or deleted order, or onto the BOM it
    already has; `bom_other_product` (422) for a BOM of another product; `bom_unusable` (422)
    for a draft, cancelled or archived BOM; `insufficient_stock` (400)."""
    order = lock_order(order)
    if order.deleted_at is not None:
        raise InvalidState(f"{order.reference} is deleted; it cannot be rebased.")
    if order.status == OrderStatus.IN_PROGRESS:
        raise OrderStarted(
            f"{order.reference} is in progress (production or a work order has begun): it "
            "stays on its BOM."
        )
    _refuse_unless(order, (OrderStatus.DRAFT, OrderStatus.CONFIRMED), "be rebased")
    if bom.product_id != order.product_id:
        message = f"BOM {bom.number} is not a BOM of {order.product.number}."
        raise BomOtherProduct(message, errors={"bom_id": [message]})
    bom = resolve_bom(product=order.product, bom=bom)
    previous = order.bom
    if bom.pk == previous.pk:
        raise InvalidState(f"{order.reference} is already on BOM {bom.number}.")
    if order.status == OrderStatus.CONFIRMED:
        started = order.components.filter(consumed__gt=0).exists() or (
            order.work_orders.exclude(status=WorkOrderStatus.PENDING).exists()
        )
        if started:
            raise OrderStarted(f"{order.reference} has begun production: it stays on its BOM.")
        order.components.all().delete()
        order.work_orders.all().delete()
        _reserve_and_schedule(order, bom, actor, replace=True)
    order.bom = bom
    order._change_reason = (
        f"Rebased from BOM {previous.number} v{previous.version} to {bom.number} v{bom.version}"
    )
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
    qty = quantity_parse(qty, field="qty")
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
        raise _invalid("lot_number", f"{order.product.number} is lot-tracked: give a lot number.")

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
        ProductionOrderComponent.objects.bulk_update(changed, ["consumed"])
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


MINUTE_STEP = Decimal("0.01")


def _lock(order: ProductionOrder, work_order_id) -> tuple[ProductionOrder, WorkOrder]:
    """Lock the order first (the document), then its work order; a work order of another order
    is a 404."""
    order = lock_order(order)
    work_order = (
        WorkOrder.objects.select_for_update(no_key=True, of=("self",))
        .select_related("workcenter")
        .filter(pk=work_order_id, order=order)
        .first()
    )
    if work_order is None:
        raise NotFound("No such work order on this production order.")
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS):
        raise InvalidState(f"{order.reference} is {order.status}: its work orders cannot change.")
    return order, work_order


def _refuse_work_order_unless(work_order: WorkOrder, allowed: tuple[str, ...], action: str) -> None:
    if work_order.status not in allowed:
        raise InvalidState(
            f"Work order {work_order.reference} is {work_order.status}; only "
            f"{' or '.join(allowed)} work orders can {action}."
        )


def _order_in_progress(order: ProductionOrder, actor) -> None:
    if order.status == OrderStatus.CONFIRMED:
        order.status = OrderStatus.IN_PROGRESS
        stamp(order, actor)
        order.save(update_fields=["status", "updated_at"])


def _open_log(work_order: WorkOrder, now) -> None:
    WorkOrderTimeLog.objects.create(work_order=work_order, started_at=now)


def _close_log(work_order: WorkOrder, now) -> None:
    WorkOrderTimeLog.objects.filter(work_order=work_order, ended_at__isnull=True).update(
        ended_at=now
    )


def work_order_running_minutes(work_order: WorkOrder, now=None) -> Decimal:
    now = now or timezone.now()
    seconds = sum(
        ((log.ended_at or now) - log.started_at).total_seconds()
        for log in work_order.time_logs.all()
    )
    return (Decimal(seconds) / 60).quantize(MINUTE_STEP, rounding=ROUND_HALF_UP)


@transaction.atomic
def work_order_start(*, order: ProductionOrder, work_order_id, actor=None) -> WorkOrder:
    """pending (or paused) → in_progress; the order becomes in_progress."""
    order, work_order = _lock(order, work_order_id)
    _refuse_work_order_unless(
        work_order, (WorkOrderStatus.PENDING, WorkOrderStatus.PAUSED), "start"
    )
    now = timezone.now()
    work_order.status = WorkOrderStatus.IN_PROGRESS
    work_order.started_at = work_order.started_at or now
    work_order.save(update_fields=["status", "started_at", "updated_at"])
    _open_log(work_order, now)
    _order_in_progress(order, actor)
    return work_order


@transaction.atomic
def work_order_pause(*, order: ProductionOrder, work_order_id, actor=None) -> WorkOrder:
    order, work_order = _lock(order, work_order_id)
    _refuse_work_order_unless(work_order, (WorkOrderStatus.IN_PROGRESS,), "pause")
    _close_log(work_order, timezone.now())
    work_order.status = WorkOrderStatus.PAUSED
    work_order.save(update_fields=["status", "updated_at"])
    return work_order


@transaction.atomic
def work_order_resume(*, order: ProductionOrder, work_order_id, actor=None) -> WorkOrder:
    order, work_order = _lock(order, work_order_id)
    _refuse_work_order_unless(work_order, (WorkOrderStatus.PAUSED,), "resume")
    _open_log(work_order, timezone.now())
    work_order.status = WorkOrderStatus.IN_PROGRESS
    work_order.save(update_fields=["status", "updated_at"])
    return work_order


@transaction.atomic
def work_order_done(
    *,
    order: ProductionOrder,
    work_order_id,
    duration_minutes: Decimal | None = None,
    notes: str | None = None,
    actor=None,
) -> WorkOrder:
    """→ done. `actual_minutes` is `duration_minutes` when given (the operator's figure), else
    the measured running time without pauses."""
    order, work_order = _lock(order, work_order_id)
    _refuse_work_order_unless(
        work_order,
        (WorkOrderStatus.PENDING, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED),
        "be finished",
    )
    if duration_minutes is not None:
        duration_minutes = number_parse(
            duration_minutes, field="duration_minutes", kind=MINUTES, sign="non_negative"
        )
    now = timezone.now()
    _close_log(work_order, now)
    work_order.status = WorkOrderStatus.DONE
    work_order.finished_at = now
    work_order.started_at = work_order.started_at or now
    work_order.actual_minutes = (
        duration_minutes
        if duration_minutes is not None
        else work_order_running_minutes(work_order, now)
    )
    if notes is not None:
        work_order.notes = notes
    work_order.save()
    _order_in_progress(order, actor)
    return work_order
