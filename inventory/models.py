"""Warehouses, lots, the stock ledger (`StockMove`) and its projections (`StockLevel`,
`LotBalance`), and reservations.

The ledger is append-only: rows are inserted by `inventory.services` and never updated or deleted
(refused here, by the QuerySet, by the admin, and by database triggers). Levels and lot balances
are projections kept in the same transaction as each move; `check_stock` recomputes them.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.models import SoftDeleteModel, UUIDModel, live_unique
from inventory.exceptions import LedgerImmutable
from items.models import QTY, Item

DEFAULT_WAREHOUSE_CODE = "WH"


def _plain(value) -> str:
    """A quantity as a person writes it: `12`, not `12.000000`."""
    return f"{value.normalize():f}" if value is not None else "?"


class Warehouse(SoftDeleteModel):
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        permissions = [("restore_warehouse", "Can restore an archived warehouse")]
        constraints = [live_unique("code", name="warehouse_code_unique_live")]

    def __str__(self) -> str:
        return self.code


class Lot(UUIDModel):
    """A lot number of one item; created by the first receipt or production that names it."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    number = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="lot_item_number")]

    def __str__(self) -> str:
        return self.number


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    ISSUE = "issue", "Issue"
    ADJUSTMENT = "adjustment", "Adjustment"
    TRANSFER = "transfer", "Transfer"
    CONSUMPTION = "consumption", "Consumption"
    PRODUCTION = "production", "Production"


INBOUND_KINDS = (MoveKind.RECEIPT, MoveKind.PRODUCTION, MoveKind.ADJUSTMENT)
OUTBOUND_KINDS = (MoveKind.ISSUE, MoveKind.CONSUMPTION)


class StockMoveQuerySet(models.QuerySet):
    """Bulk writes go around `save()`, so they are refused here too. Only `bulk_create` is
    allowed: appending is what a ledger does."""

    def update(self, **kwargs):
        raise LedgerImmutable("Stock moves cannot be updated; record a correcting move instead.")

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        raise LedgerImmutable("Stock moves cannot be updated; record a correcting move instead.")

    bulk_update.alters_data = True

    def delete(self):
        raise LedgerImmutable("Stock moves cannot be deleted; record a correcting move instead.")

    delete.alters_data = True
    delete.queryset_only = True


class StockMove(UUIDModel):
    """One line of the ledger. `quantity` is in the item's stock unit; positive, except for
    adjustments (signed, acting on `to_warehouse`). A move adds `quantity` to `to_warehouse` and
    takes it from `from_warehouse`, which is all `check_stock` needs to recompute the levels.

    `production_order_id` is a plain UUID, not a foreign key: apps depend one way
    (items ← inventory ← manufacturing)."""

    kind = models.CharField(max_length=12, choices=MoveKind.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stock_moves")
    quantity = models.DecimalField(**QTY)
    from_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="moves_out"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="moves_in"
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    reference = models.CharField(max_length=100, blank=True, default="", db_index=True)
    note = models.TextField(blank=True, default="")
    production_order_id = models.UUIDField(null=True, blank=True, db_index=True)
    # PROTECT, not SET_NULL: nulling it would be an UPDATE of the ledger (refused by the trigger).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = StockMoveQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ("view",)
        permissions = [("post_stockmove", "Can record stock moves")]
        indexes = [models.Index(fields=["item", "created_at"], name="stockmove_item_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MoveKind.values), name="stockmove_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(quantity=0), name="stockmove_quantity_nonzero"),
            models.CheckConstraint(
                condition=Q(kind=MoveKind.ADJUSTMENT) | Q(quantity__gt=0),
                name="stockmove_quantity_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=INBOUND_KINDS,
                        to_warehouse__isnull=False,
                        from_warehouse__isnull=True,
                    )
                    | Q(
                        kind__in=OUTBOUND_KINDS,
                        from_warehouse__isnull=False,
                        to_warehouse__isnull=True,
                    )
                    | (
                        Q(
                            kind=MoveKind.TRANSFER,
                            from_warehouse__isnull=False,
                            to_warehouse__isnull=False,
                        )
                        & ~Q(from_warehouse=F("to_warehouse"))
                    )
                ),
                name="stockmove_warehouses_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {_plain(self.quantity)} {self.item.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutable(
                "Stock moves cannot be updated; record a correcting move instead."
            )
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, using=None, keep_parents=False):
        raise LedgerImmutable("Stock moves cannot be deleted; record a correcting move instead.")

    delete.alters_data = True


class StockLevel(UUIDModel):
    """On hand and reserved of one item in one warehouse, in the item's stock unit. Written only by
    the services, under a row lock (`select_for_update(no_key=True)`, in pk order)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.DecimalField(**QTY, default=Decimal(0))
    reserved = models.DecimalField(**QTY, default=Decimal(0))

    class Meta:
        ordering = ["id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["item", "warehouse"], name="stocklevel_item_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stocklevel_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stocklevel_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stocklevel_reserved_lte_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.number} @ {self.warehouse.code}"

    @property
    def available(self) -> Decimal:
        return max(self.on_hand - self.reserved, Decimal(0))


class LotBalance(UUIDModel):
    """The quantity of one lot in one warehouse. `level` is the item x warehouse row it belongs to
    (same item, same warehouse), so levels prefetch their lots and lock them together."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="lot_balances")
    level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="lot_balances")
    quantity = models.DecimalField(**QTY, default=Decimal(0))

    class Meta:
        ordering = ["id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["lot", "warehouse"], name="lotbalance_lot_warehouse"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="lotbalance_quantity_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.lot.number} @ {self.warehouse.code}: {_plain(self.quantity)}"


class Reservation(UUIDModel):
    """Stock held for an owner: a production order (`production_order_id`) or, without one, a
    free-text `reference`. One row per owner, item and warehouse; reserving again merges into it,
    and a row reaching zero (released or consumed) is removed."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.DecimalField(**QTY)
    production_order_id = models.UUIDField(null=True, blank=True, db_index=True)
    reference = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["production_order_id", "item", "warehouse"],
                name="reservation_order_item_warehouse",
            ),
            models.UniqueConstraint(
                fields=["reference", "item", "warehouse"],
                condition=Q(production_order_id__isnull=True),
                name="reservation_reference_item_warehouse",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.reference or 'Held'}: {_plain(self.quantity)} {self.item.number}"
            f" @ {self.warehouse.code}"
        )
