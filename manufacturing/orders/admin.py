"""Production orders and work orders in the admin: saved and moved through the services."""

from django.contrib import admin

from config.admin import (
    HistoryAdmin,
    ModelAdmin,
    SoftDeleteAdmin,
    TabularInline,
    plain_number,
    short_datetime,
    truncated,
)
from inventory.selectors import default_warehouse
from items.units import quantize_qty
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.orders import services as order_services
from manufacturing.orders.models import (
    OrderStatus,
    ProductionOrder,
    ProductionOrderComponent,
    WorkOrder,
)
from manufacturing.permissions import ORDER_ACTIONS

EDITABLE = list(order_services.EDITABLE_FIELDS)


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RequirementInline(ReadOnlyInline):
    model = ProductionOrderComponent
    verbose_name = "requirement"
    verbose_name_plural = "requirements (snapshot at confirm, in stock units)"
    fields = ["item", "required", "reserved", "consumed", "uom"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "uom")

    @admin.display(description="reserved")
    def reserved(self, obj):
        # Annotated by the component manager from the order's open reservation; SQLite hands
        # an annotation back as a float's 15 digits (`61.2000000000000`): shown as `required`.
        return quantize_qty(obj.reserved)


class WorkOrderInline(ReadOnlyInline):
    model = WorkOrder
    fields = [
        "sequence",
        "reference",
        "name",
        "workcenter",
        "status",
        "planned_minutes",
        "actual_minutes",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("workcenter")


@admin.register(ProductionOrder)
class ProductionOrderAdmin(SoftDeleteAdmin, HistoryAdmin):
    # Chosen to fit 1440 px: the product by number (its name the tooltip), short dates.
    list_display = [
        "reference",
        "product_shown",
        "quantity_shown",
        "produced_shown",
        "status",
        "priority",
        "scheduled_shown",
        "due_shown",
        "customer_shown",
    ]
    list_filter = ["status", "priority", "scheduled_date", "due_date"]
    search_fields = ["reference", "customer", "product__number", "product__name"]
    list_select_related = ["product"]
    autocomplete_fields = ["product", "bom", "source_warehouse", "target_warehouse"]
    ordering = ["-created_at"]
    date_hierarchy = "scheduled_date"
    inlines = [RequirementInline, WorkOrderInline]
    fields = [
        "reference",
        "status",
        *EDITABLE,
        "produced_qty",
        "confirmed_at",
        "closed_at",
        "created_at",
        "updated_at",
    ]
    actions = [
        "confirm_selected",
        "close_selected",
        "cancel_selected",
        "rebase_selected",
        "archive_selected",
        "restore_selected",
    ]

    def has_change_permission(self, request, obj=None):
        """A closed or cancelled order is read-only on screen (no inputs, no save): the services
        refuse its changes anyway."""
        if obj is not None and obj.is_terminal:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="product", ordering="product__number")
    def product_shown(self, obj):
        return truncated(obj.product.number, title=str(obj.product), size="narrow")

    @admin.display(description="quantity", ordering="quantity")
    def quantity_shown(self, obj):
        return plain_number(obj.quantity)

    @admin.display(description="produced", ordering="produced_qty")
    def produced_shown(self, obj):
        return plain_number(obj.produced_qty)

    @admin.display(description="scheduled", ordering="scheduled_date")
    def scheduled_shown(self, obj):
        return short_datetime(obj.scheduled_date)

    @admin.display(description="due", ordering="due_date")
    def due_shown(self, obj):
        return short_datetime(obj.due_date)

    @admin.display(description="customer", ordering="customer")
    def customer_shown(self, obj):
        return truncated(obj.customer, size="narrow")

    def get_readonly_fields(self, request, obj=None):
        fixed = ["reference", "status", "produced_qty", "confirmed_at", "closed_at"]
        fixed += ["created_at", "updated_at"]
        if obj is not None and obj.status != OrderStatus.DRAFT:
            return [*fixed, *EDITABLE]
        return fixed

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "bom" in form.base_fields:
            form.base_fields["bom"].required = False
            form.base_fields["bom"].help_text = "Leave empty for the product's default BOM."
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        default = default_warehouse()
        if default is not None:
            initial.setdefault("source_warehouse", default.pk)
            initial.setdefault("target_warehouse", default.pk)
        return initial

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_related(self, request, form, formsets, change):
        """Requirements and work orders are written by the services only: the read-only inlines
        save nothing."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    service_arg = "order"
    service_fields = EDITABLE
    create_service = staticmethod(order_services.production_order_create)
    update_service = staticmethod(order_services.production_order_update)
    archive_service = staticmethod(order_services.production_order_delete)
    restore_service = staticmethod(order_services.production_order_restore)

    def has_restore_permission(self, request):
        """Whoever may delete a draft may bring it back (orders have no restore endpoint)."""
        return request.user.has_perm("manufacturing.delete_productionorder")

    def has_confirm_permission(self, request):
        return request.user.has_perm(ORDER_ACTIONS["confirm"])

    def has_close_permission(self, request):
        return request.user.has_perm(ORDER_ACTIONS["close"])

    def has_cancel_permission(self, request):
        return request.user.has_perm(ORDER_ACTIONS["cancel"])

    def has_rebase_permission(self, request):
        return request.user.has_perm(ORDER_ACTIONS["rebase"])

    def _each(self, request, queryset, service, done_message: str) -> None:
        self.apply_to_each(
            request,
            queryset.order_by("reference"),
            lambda order: service(order=order, actor=request.user),
            done_message,
        )

    @admin.action(description="Confirm selected orders (reserve stock)", permissions=["confirm"])
    def confirm_selected(self, request, queryset):
        self._each(
            request, queryset, order_services.production_order_confirm, "Confirmed {done} order(s)."
        )

    @admin.action(description="Close selected orders", permissions=["close"])
    def close_selected(self, request, queryset):
        self._each(
            request, queryset, order_services.production_order_close, "Closed {done} order(s)."
        )

    @admin.action(description="Cancel selected orders", permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        self._each(
            request, queryset, order_services.production_order_cancel, "Cancelled {done} order(s)."
        )

    @admin.action(
        description="Rebase selected orders onto their product's latest submitted BOM version",
        permissions=["rebase"],
    )
    def rebase_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.order_by("reference"),
            lambda order: order_services.production_order_rebase(
                order=order, bom=_latest_version(order), actor=request.user
            ),
            "Rebased {done} order(s).",
        )


@admin.register(WorkOrder)
class WorkOrderAdmin(ModelAdmin):
    """The shop-floor view: work orders by workcenter and status (changes happen on the floor,
    through the API)."""

    # Chosen to fit 1440 px: the workcenter by code (its name the tooltip), short dates.
    list_display = [
        "reference",
        "name_shown",
        "workcenter_shown",
        "status",
        "planned_minutes",
        "actual_minutes",
        "started_shown",
        "finished_shown",
    ]
    list_filter = ["status", "workcenter", "order__priority"]
    search_fields = ["reference", "name", "order__reference", "workcenter__name"]
    list_select_related = ["order", "workcenter"]
    ordering = ["-order__priority_rank", "order__due_date", "sequence"]

    @admin.display(description="operation", ordering="name")
    def name_shown(self, obj):
        return truncated(obj.name)

    @admin.display(description="workcenter", ordering="workcenter__code")
    def workcenter_shown(self, obj):
        return truncated(obj.workcenter.code, title=str(obj.workcenter), size="narrow")

    @admin.display(description="started", ordering="started_at")
    def started_shown(self, obj):
        return short_datetime(obj.started_at)

    @admin.display(description="finished", ordering="finished_at")
    def finished_shown(self, obj):
        return short_datetime(obj.finished_at)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _latest_version(order: ProductionOrder) -> BOM:
    """The product's submitted, live BOM with the highest version (the order's own when it is
    the latest: the rebase then refuses, saying so)."""
    latest = (
        BOM.objects.filter(product_id=order.product_id, status=BOMStatus.SUBMITTED)
        .order_by("-version", "-created_at")
        .first()
    )
    return latest or order.bom
