"""Stock in the admin: warehouses are edited through the services; levels, lots, reservations and
the ledger are read-only. The only way to write the ledger here is "Record a stock move", a form
that calls `stock_move_post` (refusals shown on the form)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join

from config.admin import (
    AutocompleteSelect,
    ModelAdmin,
    NumberFormField,
    SoftDeleteAdmin,
    add_service_error,
    plain_number,
    short_datetime,
    truncated,
)
from config.exceptions import DomainError
from config.quantities import QUANTITY
from inventory import selectors
from inventory.lot_trace_admin import LotTraceAdminMixin
from inventory.models import Lot, MoveKind, Reservation, StockLevel, StockMove, Warehouse
from inventory.permissions import RECORD_MOVE
from inventory.services.ledger import MANUAL_KINDS, WAREHOUSE_FIELDS
from inventory.services.moves import stock_move_post
from inventory.services.warehouses import (
    warehouse_archive,
    warehouse_create,
    warehouse_restore,
    warehouse_update,
)
from items.models import Item, UnitOfMeasure


@admin.register(Warehouse)
class WarehouseAdmin(SoftDeleteAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    fields = ["code", "name"]

    service_arg = "warehouse"
    service_fields = WAREHOUSE_FIELDS
    create_service = staticmethod(warehouse_create)
    update_service = staticmethod(warehouse_update)
    archive_service = staticmethod(warehouse_archive)
    restore_service = staticmethod(warehouse_restore)


class ReadOnlyAdmin(ModelAdmin):
    """Projections and history: viewable, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def owner_link(obj) -> str:
    """A reservation's or move's production order, by its reference (the row keeps the order's
    id only: inventory does not import manufacturing), linked to the order's page when the
    manufacturing admin is there."""
    if obj.production_order_id is None:
        return obj.reference or "-"
    try:
        url = reverse("admin:manufacturing_productionorder_change", args=[obj.production_order_id])
    except NoReverseMatch:
        return obj.reference or "production order"
    return format_html('<a href="{}">{}</a>', url, obj.reference or "production order")


@admin.register(Lot)
class LotAdmin(LotTraceAdminMixin, ReadOnlyAdmin):
    list_display = ["number", "item", "created_at", "on_hand"]
    search_fields = ["number", "item__number", "item__name"]
    list_select_related = ["item"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total=Sum("balances__quantity"))

    @admin.display(description="on hand", ordering="total")
    def on_hand(self, obj):
        return obj.total or 0


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["item", "warehouse", "on_hand", "reserved", "available", "lots"]
    list_filter = ["warehouse", "item__type"]
    search_fields = ["item__number", "item__name", "warehouse__code"]
    list_select_related = ["item", "warehouse"]
    ordering = ["item__number", "warehouse__code"]
    fields = ["item", "warehouse", "on_hand", "reserved", "available", "lots"]

    def get_queryset(self, request):
        return selectors.stock_level_list()

    @admin.display(description="available")
    def available(self, obj):
        return obj.available

    @admin.display(description="lots (oldest first)")
    def lots(self, obj):
        return (
            format_html_join(", ", "{} ({})", ((b.lot.number, b.quantity) for b in obj.open_lots))
            or "-"
        )


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["item", "warehouse", "quantity", "owner", "created_at"]
    list_filter = ["warehouse"]
    search_fields = ["item__number", "item__name", "reference"]
    list_select_related = ["item", "warehouse"]
    ordering = ["-created_at"]
    fields = ["item", "warehouse", "quantity", "owner", "created_at", "updated_at"]
    readonly_fields = ["owner"]

    @admin.display(description="held for", ordering="reference")
    def owner(self, obj):
        return owner_link(obj)


class RecordMoveForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, MoveKind(k).label) for k in MANUAL_KINDS])
    item = forms.ModelChoiceField(
        queryset=Item.objects.select_related("uom"),
        widget=AutocompleteSelect(StockMove._meta.get_field("item"), admin.site),
    )
    quantity = NumberFormField(
        kind=QUANTITY, help_text="Signed for adjustments: positive adds, negative removes."
    )
    uom = forms.ModelChoiceField(
        queryset=UnitOfMeasure.objects.all(),
        required=False,
        label="unit",
        help_text="Default: the item's stock unit.",
    )
    from_warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.all(),
        required=False,
        help_text="Issues and transfers (issues default to WH).",
    )
    to_warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.all(),
        required=False,
        help_text="Receipts, adjustments and transfers (receipts and adjustments default to WH).",
    )
    lot_number = forms.CharField(max_length=64, required=False)
    reference = forms.CharField(max_length=100, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def add_service_error(self, error: DomainError) -> None:
        if not add_service_error(self, error):
            self.add_error(None, f"{error.detail} ({error.code})")


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    # Chosen to fit 1440 px: the item by number (its name the tooltip), a short date.
    list_display = [
        "created_shown",
        "kind",
        "item_shown",
        "quantity_shown",
        "uom",
        "from_shown",
        "to_shown",
        "lot",
        "owner",
        "created_by",
    ]
    list_filter = ["kind", "from_warehouse", "to_warehouse"]
    search_fields = ["item__number", "item__name", "reference", "lot__number", "note"]
    list_select_related = ["item__uom", "from_warehouse", "to_warehouse", "lot", "created_by"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    change_list_template = "admin/inventory/stockmove/change_list.html"

    exclude = ["production_order_id"]
    readonly_fields = ["owner"]

    def get_queryset(self, request):
        return selectors.stock_move_list()

    @admin.display(description="reference", ordering="reference")
    def owner(self, obj):
        return owner_link(obj)

    @admin.display(description="unit")
    def uom(self, obj):
        return obj.item.uom.symbol

    @admin.display(description="when", ordering="created_at")
    def created_shown(self, obj):
        return short_datetime(obj.created_at)

    @admin.display(description="item", ordering="item__number")
    def item_shown(self, obj):
        return truncated(obj.item.number, title=str(obj.item), size="narrow")

    @admin.display(description="quantity", ordering="quantity")
    def quantity_shown(self, obj):
        return plain_number(obj.quantity)

    @admin.display(description="from", ordering="from_warehouse__code")
    def from_shown(self, obj):
        return obj.from_warehouse.code if obj.from_warehouse else "-"

    @admin.display(description="to", ordering="to_warehouse__code")
    def to_shown(self, obj):
        return obj.to_warehouse.code if obj.to_warehouse else "-"

    def get_urls(self):
        record = path(
            "record/",
            self.admin_site.admin_view(self.record_view),
            name="inventory_stockmove_record",
        )
        return [record, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_record": request.user.has_perm(RECORD_MOVE),
        }
        return super().changelist_view(request, extra_context)

    def record_view(self, request):
        """Record a move through `stock_move_post`; a refusal stays on the form."""
        if not request.user.has_perm(RECORD_MOVE):
            raise PermissionDenied
        form = RecordMoveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                moves = stock_move_post(**form.cleaned_data, actor=request.user)
            except DomainError as exc:
                form.add_service_error(exc)
            else:
                total = sum(move.quantity for move in moves)
                self.message_user(
                    request,
                    f"Recorded {len(moves)} move(s): {moves[0].kind} {total} "
                    f"{form.cleaned_data['item'].uom.symbol} of {form.cleaned_data['item'].number}.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:inventory_stockmove_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a stock move",
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/inventory/stockmove/record.html", context)
