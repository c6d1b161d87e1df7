"""Manufacturing data: reference counters, workcenters, bills of materials, production orders
and work orders. Rules that span several rows (cycles, defaults, locking, content hash,
reservations) live in `services`, not in these models."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from config.history import history_records
from config.models import SoftDeleteModel, TimeStampedModel, UUIDModel, live_unique
from items.models import Item, UnitOfMeasure

QTY = {"max_digits": 18, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 4}
PERCENT = {"max_digits": 9, "decimal_places": 4}
MINUTES = {"max_digits": 12, "decimal_places": 2}


def _history():
    """Who changed what and when (see config.history)."""
    return history_records()


class Sequence(UUIDModel):
    """A named counter (`bom`, `mo/2026`…), taken under a row lock so numbers never repeat,
    whatever the number of app servers. See `manufacturing.services.sequences`."""

    name = models.CharField(max_length=64, unique=True)
    next_value = models.PositiveBigIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.next_value}"


class Workcenter(SoftDeleteModel):
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    hourly_cost = models.DecimalField(**MONEY, default=Decimal(0))

    history = _history()

    class Meta:
        ordering = ["code"]
        permissions = [("restore_workcenter", "Can restore an archived workcenter")]
        constraints = [
            live_unique("code", name="workcenter_code_unique_live"),
            # Operations name their workcenter (`"workcenter": "Line A"`), so names are unique too.
            live_unique("name", name="workcenter_name_unique_live"),
            models.CheckConstraint(
                condition=Q(hourly_cost__gte=0),
                name="workcenter_hourly_cost_non_negative",
                violation_error_message="The hourly cost cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class BOMType(models.TextChoices):
    MANUFACTURE = "manufacture", "Manufacture"
    PHANTOM = "phantom", "Phantom (kit)"
    SUBCONTRACT = "subcontract", "Subcontract"


class BOMStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CANCELLED = "cancelled", "Cancelled"


class BOM(SoftDeleteModel):
    """A bill of materials: what `quantity` `uom` of `product` is made of. Archiving is the soft
    delete. `content_hash` is kept by the services (see `bom_content_hash`)."""

    number = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    product = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="boms")
    quantity = models.DecimalField(**QTY, default=Decimal(1))
    uom = models.ForeignKey(
        UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name="unit"
    )
    type = models.CharField(max_length=12, choices=BOMType.choices, default=BOMType.MANUFACTURE)
    status = models.CharField(max_length=10, choices=BOMStatus.choices, default=BOMStatus.DRAFT)
    is_default = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    content_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    history = _history()

    class Meta:
        ordering = ["number"]
        verbose_name = "bill of materials"
        verbose_name_plural = "bills of materials"
        permissions = [
            ("submit_bom", "Can submit a bill of materials"),
            ("cancel_bom", "Can cancel a bill of materials"),
            ("copy_bom", "Can copy a bill of materials to a new version"),
            ("archive_bom", "Can archive a bill of materials"),
            ("unarchive_bom", "Can unarchive a bill of materials"),
        ]
        constraints = [
            live_unique("number", name="bom_number_unique_live"),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(is_default=True, deleted_at__isnull=True) & ~Q(status="cancelled"),
                name="bom_one_default_per_product",
                violation_error_message="The product already has a default BOM.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="bom_quantity_positive",
                violation_error_message="The quantity must be greater than zero.",
            ),
            models.CheckConstraint(condition=Q(type__in=BOMType.values), name="bom_type_valid"),
            models.CheckConstraint(
                condition=Q(status__in=BOMStatus.values), name="bom_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["product", "is_default"], name="bom_product_default_idx")]

    def __str__(self) -> str:
        return f"{self.number} · {self.name}" if self.name else self.number

    @property
    def is_locked(self) -> bool:
        return self.status != BOMStatus.DRAFT

    def validate_constraints(self, exclude=None):
        # The one-default rule is kept by the services, which clear the previous default in the
        # same transaction; model validation (admin forms) must not refuse the new one first.
        exclude = set(exclude or ()) | {"is_default"}
        super().validate_constraints(exclude=exclude)


class BOMComponent(UUIDModel):
    """One line: `quantity` `uom` of `item` per `bom.quantity` of the product, plus scrap."""

    bom = models.ForeignKey(BOM, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="bom_lines", verbose_name="component"
    )
    quantity = models.DecimalField(**QTY)
    uom = models.ForeignKey(
        UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name="unit"
    )
    scrap_percent = models.DecimalField(**PERCENT, default=Decimal(0))
    position = models.PositiveIntegerField(default=0, help_text="Order in which lines were given.")

    history = _history()

    class Meta:
        ordering = ["bom", "position"]
        verbose_name = "BOM component"
        constraints = [
            models.UniqueConstraint(
                fields=["bom", "item"],
                name="bom_component_once",
                violation_error_message="Each component may appear only once in a BOM.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="bom_component_quantity_positive",
                violation_error_message="Must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(scrap_percent__gte=0),
                name="bom_component_scrap_non_negative",
                violation_error_message="Scrap cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        # Also shown for half-filled admin rows (no unit or item yet).
        quantity = f"{self.quantity.normalize():f}" if self.quantity is not None else "?"
        unit = self.uom.symbol if self.uom_id else ""
        item = self.item.number if self.item_id else "?"
        return " ".join(part for part in (quantity, unit, item) if part)


class BOMOperation(UUIDModel):
    bom = models.ForeignKey(BOM, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    workcenter = models.ForeignKey(Workcenter, on_delete=models.PROTECT, related_name="operations")
    duration_minutes = models.DecimalField(**MINUTES, default=Decimal(0))

    history = _history()

    class Meta:
        ordering = ["bom", "sequence"]
        verbose_name = "BOM operation"
        constraints = [
            models.UniqueConstraint(
                fields=["bom", "sequence"],
                name="bom_operation_sequence_unique",
                violation_error_message="Each operation needs its own sequence number.",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=0),
                name="bom_operation_duration_non_negative",
                violation_error_message="The duration cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.name}"


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
    bom = models.ForeignKey(BOM, on_delete=models.PROTECT, related_name="production_orders")
    multi_level = models.BooleanField(default=False)
    quantity = models.DecimalField(**QTY)
    produced_qty = models.DecimalField(**QTY, default=Decimal(0), editable=False)
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


class ProductionOrderComponent(UUIDModel):
    """A requirement of a confirmed order, snapshot at confirm (quantities in the item's stock
    unit): what is needed, what is still reserved for it, what was consumed."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.CASCADE, related_name="components")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    required = models.DecimalField(**QTY)
    reserved = models.DecimalField(**QTY, default=Decimal(0))
    consumed = models.DecimalField(**QTY, default=Decimal(0))
    uom = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "item"], name="po_component_once"),
            models.CheckConstraint(condition=Q(required__gt=0), name="po_component_required_pos"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(consumed__gte=0),
                name="po_component_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.item_id}"


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
        return self.reference


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
        return f"{self.work_order_id} {self.started_at:%Y-%m-%d %H:%M}"
