from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from config.history import history_records
from config.models import SoftDeleteModel, live_unique

QTY = {"max_digits": 18, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 4}


class UnitCategory(models.TextChoices):
    COUNT = "count", "Count"
    MASS = "mass", "Mass"
    LENGTH = "length", "Length"
    VOLUME = "volume", "Volume"
    TIME = "time", "Time"
    AREA = "area", "Area"


class UnitOfMeasure(SoftDeleteModel):
    """A unit; `factor` is its size relative to its category's reference unit (kg = 1, g = 0.001).
    Units of one category convert into each other."""

    symbol = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=10, choices=UnitCategory.choices)
    factor = models.DecimalField(
        max_digits=24,
        decimal_places=12,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.000000000001"))],
    )

    class Meta:
        ordering = ["category", "symbol"]
        verbose_name = "unit of measure"
        verbose_name_plural = "units of measure"
        permissions = [("restore_unitofmeasure", "Can restore an archived unit of measure")]
        constraints = [
            live_unique("symbol", name="uom_symbol_unique_live"),
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="uom_factor_positive"),
        ]

    def __str__(self) -> str:
        return self.symbol


class ItemType(models.TextChoices):
    STOCKABLE = "stockable", "Stockable"
    CONSUMABLE = "consumable", "Consumable"
    SERVICE = "service", "Service"


class Tracking(models.TextChoices):
    NONE = "none", "None"
    LOT = "lot", "Lot"


class Item(SoftDeleteModel):
    number = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    type = models.CharField(max_length=12, choices=ItemType.choices, default=ItemType.STOCKABLE)
    uom = models.ForeignKey(
        UnitOfMeasure, on_delete=models.PROTECT, related_name="items", verbose_name="stock unit"
    )
    tracking = models.CharField(max_length=8, choices=Tracking.choices, default=Tracking.NONE)
    standard_cost = models.DecimalField(
        **MONEY, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )

    history = history_records()

    class Meta:
        ordering = ["number"]
        permissions = [("restore_item", "Can restore an archived item")]
        constraints = [
            live_unique("number", name="item_number_unique_live"),
            models.CheckConstraint(
                condition=models.Q(standard_cost__gte=0), name="item_standard_cost_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.name}"


class LiveItemCount(models.Model):
    """How many items are live (not archived): one row (id 1), kept exact by triggers on
    `items_item` in the transaction of every write, whatever makes it (`items.live_count`).
    The items list reads it for `meta.total` instead of counting every live item on every
    request. Where the row is missing (a database flushed meanwhile), the list counts."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    live = models.BigIntegerField()

    class Meta:
        verbose_name = "live item count"
        default_permissions = ()  # the database's own bookkeeping: no one reads or edits it

    def __str__(self) -> str:
        return f"{self.live} live items"
