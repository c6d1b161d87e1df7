"""Workcenters and bills of materials (header, component lines, operations). Rules that span
several rows (cycles, defaults, locking, content hash) live in `services`."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from config.history import history_records
from config.models import SoftDeleteModel, UUIDModel, live_unique
from items.models import Item, UnitOfMeasure

QTY = {"max_digits": 18, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 4}
PERCENT = {"max_digits": 9, "decimal_places": 4}
MINUTES = {"max_digits": 12, "decimal_places": 2}


def _history():
    """Who changed what and when (see config.history)."""
    return history_records()


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
        # The inline row's title; also shown for a half-filled admin row (no item yet).
        return str(self.item) if self.item_id else "New line"


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
        return f"Line {self.sequence} · {self.name}"
