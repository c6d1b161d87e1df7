"""Production orders, their requirements, work orders and their time logs. Reservations and
state changes live in `services`."""

from decimal import Decimal

from django.db import models
from django.db.models import DecimalField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from config.history import history_records
from config.models import SoftDeleteModel, TimeStampedModel, UUIDModel
from inventory.models import Reservation
from items.models import Item, UnitOfMeasure
from manufacturing.boms.models import BOM, MINUTES, QTY, Workcenter


def _history():
    return history_records()


# --- Production orders and work orders -------------------------------------------------------


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ORDER_STATUSES = (OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.IN_PROGRESS)
TERMINAL_ORDER_STATUSES = (OrderStatus.DONE, OrderStatus.CANCELLED)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.CRITICAL: 3}


class ProductionOrder(SoftDeleteModel):
    """A production run of `quantity` of `product` with `bom`. Drafts may be soft-deleted;
    confirming snapshots the requirements and the work orders, so later BOM edits never change a
    running order."""

    reference = models.CharField(max_length=32, editable=False)
    product = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="production_orders")
    bom = models.ForeignKey(
        BOM, on_delete=models.PROTECT, related_name="production_orders", verbose_name="BOM"
    )
    multi_level = models.BooleanField(default=False, verbose_name="multi-level")
    quantity = models.DecimalField(**QTY)
    produced_qty = models.DecimalField(
        **QTY, default=Decimal(0), editable=False, verbose_name="produced"
    )
    status = models.CharField(
        max_length=12, choices=OrderStatus.choices, default=OrderStatus.DRAFT, editable=False
    )
    scheduled_date = models.DateTimeField(null=True, blank=True, db_index=True)
    due_date = models.DateTimeField(null=True, blank=True, db_index=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    priority_rank = models.PositiveSmallIntegerField(default=1, editable=False, db_index=True)
    customer = models.CharField(max_length=200, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    source_warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+"
    )
    target_warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = _history()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("confirm_productionorder", "Can confirm a production order"),
            ("produce_productionorder", "Can record production"),
            ("close_productionorder", "Can close a production order"),
            ("cancel_productionorder", "Can cancel a production order"),
            ("rebase_productionorder", "Can rebase a production order onto another BOM"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="production_order_reference_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_quantity_positive"),
            models.CheckConstraint(
                condition=Q(produced_qty__gte=0) & Q(produced_qty__lte=models.F("quantity")),
                name="po_produced_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="po_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_date"], name="po_status_sched_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_ORDER_STATUSES

    def save(self, *args, **kwargs):
        self.priority_rank = PRIORITY_RANK.get(self.priority, 1)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "priority" in update_fields:
            kwargs["update_fields"] = {*update_fields, "priority_rank"}
        super().save(*args, **kwargs)


class ProductionOrderComponentQuerySet(models.QuerySet):
    def with_reserved(self):
        """Annotate `reserved`: what is still held for the requirement, read from the one
        record of it, the order's open `Reservation` of the item in its source warehouse (at
        most one row: unique per order, item and warehouse; none once consumed or released)."""
        held = Reservation.objects.filter(
            production_order_id=OuterRef("order_id"),
            item_id=OuterRef("item_id"),
            warehouse_id=OuterRef("order__source_warehouse_id"),
        ).values("quantity")[:1]
        return self.annotate(
            reserved=Coalesce(Subquery(held), Value(Decimal(0)), output_field=DecimalField(**QTY))
        )


class ProductionOrderComponentManager(
    models.Manager.from_queryset(ProductionOrderComponentQuerySet)
):
    """Every read of a requirement (`order.components`, prefetches, the admin inline) carries
    `reserved`, so no caller can forget it."""

    def get_queryset(self):
        return super().get_queryset().with_reserved()


class ProductionOrderComponent(UUIDModel):
    """A requirement of a confirmed order, snapshot at confirm (quantities in the item's stock
    unit): what is needed and what was consumed. What is still reserved for it is not stored:
    the default manager annotates `reserved` from the order's open reservation (docs/orders.md)."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    required = models.DecimalField(**QTY)
    consumed = models.DecimalField(**QTY, default=Decimal(0))
    uom = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+")

    objects = ProductionOrderComponentManager()

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "item"], name="po_component_once"),
            models.CheckConstraint(condition=Q(required__gt=0), name="po_component_required_pos"),
            models.CheckConstraint(
                condition=Q(consumed__gte=0), name="po_component_consumed_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return str(self.item)


class WorkOrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    PAUSED = "paused", "Paused"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_WORK_ORDER_STATUSES = (
    WorkOrderStatus.PENDING,
    WorkOrderStatus.IN_PROGRESS,
    WorkOrderStatus.PAUSED,
)


class WorkOrder(TimeStampedModel):
    """One operation of a confirmed order on the shop floor. Running time is the sum of its
    time logs, so paused time does not count."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.CASCADE, related_name="work_orders")
    reference = models.CharField(max_length=48)
    sequence = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    workcenter = models.ForeignKey(Workcenter, on_delete=models.PROTECT, related_name="work_orders")
    planned_minutes = models.DecimalField(**MINUTES, default=Decimal(0))
    status = models.CharField(
        max_length=12, choices=WorkOrderStatus.choices, default=WorkOrderStatus.PENDING
    )
    actual_minutes = models.DecimalField(**MINUTES, null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["order", "sequence"]
        permissions = [
            ("start_workorder", "Can start a work order"),
            ("pause_workorder", "Can pause a work order"),
            ("resume_workorder", "Can resume a work order"),
            ("finish_workorder", "Can finish a work order"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="work_order_sequence_once"),
            models.CheckConstraint(
                condition=Q(status__in=WorkOrderStatus.values), name="work_order_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["workcenter", "status"], name="wo_workcenter_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference} · {self.name}"


class WorkOrderTimeLog(UUIDModel):
    """A stretch of running time; pause closes it, resume opens the next."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="time_logs")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["work_order", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_order"],
                condition=Q(ended_at__isnull=True),
                name="one_open_time_log",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_order.reference} {self.started_at:%Y-%m-%d %H:%M}"
