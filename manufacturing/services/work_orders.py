"""Work orders on the shop floor: start, pause, resume, done. Running time is kept as time
logs, so paused time never counts."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from config.exceptions import InvalidState, NotFound, ValidationFailed
from manufacturing.models import (
    OrderStatus,
    ProductionOrder,
    WorkOrder,
    WorkOrderStatus,
    WorkOrderTimeLog,
)
from manufacturing.services.history import stamp
from manufacturing.services.orders import lock_order

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


def _refuse_unless(work_order: WorkOrder, allowed: tuple[str, ...], action: str) -> None:
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
    _refuse_unless(work_order, (WorkOrderStatus.PENDING, WorkOrderStatus.PAUSED), "start")
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
    _refuse_unless(work_order, (WorkOrderStatus.IN_PROGRESS,), "pause")
    _close_log(work_order, timezone.now())
    work_order.status = WorkOrderStatus.PAUSED
    work_order.save(update_fields=["status", "updated_at"])
    return work_order


@transaction.atomic
def work_order_resume(*, order: ProductionOrder, work_order_id, actor=None) -> WorkOrder:
    order, work_order = _lock(order, work_order_id)
    _refuse_unless(work_order, (WorkOrderStatus.PAUSED,), "resume")
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
    _refuse_unless(
        work_order,
        (WorkOrderStatus.PENDING, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED),
        "be finished",
    )
    if duration_minutes is not None and (
        not Decimal(duration_minutes).is_finite() or Decimal(duration_minutes) < 0
    ):
        message = "Must be zero or more."
        raise ValidationFailed(f"durationMinutes: {message}", errors={"durationMinutes": [message]})
    now = timezone.now()
    _close_log(work_order, now)
    work_order.status = WorkOrderStatus.DONE
    work_order.finished_at = now
    work_order.started_at = work_order.started_at or now
    work_order.actual_minutes = (
        Decimal(duration_minutes).quantize(MINUTE_STEP, rounding=ROUND_HALF_UP)
        if duration_minutes is not None
        else work_order_running_minutes(work_order, now)
    )
    if notes is not None:
        work_order.notes = notes
    work_order.save()
    _order_in_progress(order, actor)
    return work_order
