"""Material requirements planning: item planning parameters, demands, runs and the plan they
produce (planned orders, their pegging, exceptions, and each item's time-phased projection).
The run itself lives in `services` / `engine`."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.models import SoftDeleteModel, TimeStampedModel, UUIDModel
from items.models import Item
from manufacturing.boms.models import BOM, QTY
from manufacturing.orders.models import ProductionOrder


class Procurement(models.TextChoices):
    MAKE = "make", "Make"
    BUY = "buy", "Buy"


class ItemPlanning(TimeStampedModel):
    """How MRP plans one item. An item without a row plans with the defaults of
    `planning.selectors.DEFAULTS` (make when it has a default BOM, else buy)."""

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="planning")
    procurement = models.CharField(max_length=4, choices=Procurement.choices)
    planned = models.BooleanField(default=True, help_text="Whether MRP plans this item at all.")
    lead_time_days = models.PositiveIntegerField(
        default=0, help_text="Buy: the purchase lead time. Make: fixed days before the work."
    )
    safety_stock = models.DecimalField(**QTY, default=Decimal(0))
    lot_minimum = models.DecimalField(
        **QTY, default=Decimal(0), help_text="Order at least this much (0: lot-for-lot)."
    )
    lot_multiple = models.DecimalField(
        **QTY, default=Decimal(0), help_text="Order in multiples of this (0: any quantity)."
    )

    class Meta:
        ordering = ["item__number"]
        verbose_name = "item planning parameters"
        verbose_name_plural = "item planning parameters"
        constraints = [
            models.CheckConstraint(
                condition=Q(procurement__in=Procurement.values), name="planning_procurement_valid"
            ),
            models.CheckConstraint(
                condition=Q(safety_stock__gte=0, lot_minimum__gte=0, lot_multiple__gte=0),
                name="planning_quantities_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.number} · {self.procurement}"


class DemandKind(models.TextChoices):
    SALES = "sales", "Sales order"
    FORECAST = "forecast", "Forecast"
    MANUAL = "manual", "Manual"


class Demand(SoftDeleteModel):
    """An independent requirement: `quantity` of `item` (stock unit) due on `due_date`."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="demands")
    quantity = models.DecimalField(**QTY)
    due_date = models.DateField(db_index=True)
    kind = models.CharField(max_length=10, choices=DemandKind.choices, default=DemandKind.MANUAL)
    reference = models.CharField(max_length=100, blank=True, default="")
    notes = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="demand_quantity_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=DemandKind.values), name="demand_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.kind} {self.due_date}"


class FirmOrder(UUIDModel):
    """A draft production order MRP counts as supply (confirmed ones always count): made by
    firming a planned order."""

    production_order = models.OneToOneField(
        ProductionOrder, on_delete=models.CASCADE, related_name="firm"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"Firm {self.production_order.reference}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    FAILED = "failed", "failed"


class PlanningRun(UUIDModel):
    """One MRP run. `in_flight` is True while it is queued or running and NULL after: unique, so
    the database itself refuses a second run at a time. The current plan is the newest
    succeeded run's; older plans are deleted when a new one is saved."""

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    in_flight = models.BooleanField(null=True, default=True, unique=True, editable=False)
    job = models.ForeignKey(
        "config.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    is_current = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("run_planningrun", "Can run MRP")]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="planning_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"MRP run {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 3)


class PlanItem(UUIDModel):
    """One item of a plan: its low-level code, parameters as planned, and the time-phased
    projection (`[[date, gross, receipts, projected, net, planned], …]`, quantities as text)."""

    # The plan's own links are DO_NOTHING: a plan is deleted table by table, children first,
    # each one DELETE (`services.plan_delete`), never row by row through Django's collector.
    run = models.ForeignKey(PlanningRun, on_delete=models.DO_NOTHING, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveIntegerField()
    procurement = models.CharField(max_length=4, choices=Procurement.choices)
    planned = models.BooleanField()
    available = models.DecimalField(**QTY)
    safety_stock = models.DecimalField(**QTY)
    lead_time_days = models.PositiveIntegerField()
    projection = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "level", "item"]
        constraints = [models.UniqueConstraint(fields=["run", "item"], name="plan_item_once")]

    def __str__(self) -> str:
        return f"{self.item.number} · level {self.level}"


class PlannedOrder(UUIDModel):
    """What to make (`make`: product, BOM, start, due) or buy (`buy`: item, order-by date as
    `start_date`, need date as `due_date`), in the item's stock unit."""

    run = models.ForeignKey(PlanningRun, on_delete=models.DO_NOTHING, related_name="planned_orders")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=4, choices=Procurement.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    bom = models.ForeignKey(BOM, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveIntegerField()
    quantity = models.DecimalField(**QTY)
    start_date = models.DateField(db_index=True)
    due_date = models.DateField(db_index=True)
    exception_codes = models.CharField(max_length=200, blank=True, default="")
    production_order = models.ForeignKey(
        ProductionOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    firmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        permissions = [("firm_plannedorder", "Can firm a planned order into a production order")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="planned_order_qty_positive")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity.normalize():f} {self.item.number} by {self.due_date}"


class PegSource(models.TextChoices):
    DEMAND = "demand", "Demand"
    PLANNED_ORDER = "planned_order", "Parent planned order"
    PRODUCTION_ORDER = "production_order", "Production order component"
    SAFETY_STOCK = "safety_stock", "Safety stock"
    SURPLUS = "surplus", "Lot-size surplus"


class Pegging(UUIDModel):
    """How much of a planned order serves which requirement. A planned order's pegging rows
    sum to its quantity."""

    planned_order = models.ForeignKey(
        PlannedOrder, on_delete=models.DO_NOTHING, related_name="pegging"
    )
    position = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=PegSource.choices)
    demand = models.ForeignKey(
        Demand, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        PlannedOrder, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="children"
    )
    production_order = models.ForeignKey(
        ProductionOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity = models.DecimalField(**QTY)
    required_date = models.DateField()

    class Meta:
        ordering = ["planned_order", "position"]

    def __str__(self) -> str:
        return f"{self.planned_order} ← {self.source} {self.quantity.normalize():f}"


class ExceptionKind(models.TextChoices):
    LATE = "late", "Start date in the past"
    UNMET_DEMAND = "unmet_demand", "Demand cannot be met in time"
    NO_BOM = "no_bom", "Make item without a BOM"
    NEGATIVE_STOCK = "negative_stock", "Negative projected stock"
    SAFETY_STOCK = "safety_stock", "Safety stock breached"


class PlanException(UUIDModel):
    run = models.ForeignKey(PlanningRun, on_delete=models.DO_NOTHING, related_name="exceptions")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=ExceptionKind.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    planned_order = models.ForeignKey(
        PlannedOrder, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="exceptions"
    )
    demand = models.ForeignKey(
        Demand, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField()
    quantity = models.DecimalField(**QTY, default=Decimal(0))
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["run", "position"]
        verbose_name = "plan exception"

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
