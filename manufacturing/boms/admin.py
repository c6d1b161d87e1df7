"""The planners' admin for workcenters and BOMs. Every save goes through the services, so the
admin refuses exactly what the API refuses, as a form error (ServiceAdminMixin)."""

import functools
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db.models import Count

from config.admin import HistoryAdmin, SoftDeleteAdmin, TabularInline, short_datetime, truncated
from config.exceptions import DomainError
from manufacturing.boms.admin_buttons import bom_buttons
from manufacturing.boms.explosion import bom_explode
from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, Workcenter
from manufacturing.boms.selectors import bom_history
from manufacturing.boms.services import (
    WORKCENTER_FIELDS,
    bom_archive,
    bom_cancel,
    bom_copy,
    bom_create,
    bom_submit,
    bom_unarchive,
    bom_update,
    workcenter_archive,
    workcenter_create,
    workcenter_restore,
    workcenter_update,
)
from manufacturing.boms.specs import HEADER_FIELDS, BOMSpec, ComponentSpec, OperationSpec
from manufacturing.exceptions import BomLocked
from manufacturing.permissions import BOM_ACTIONS

BOM_HEADER_FIELDS = HEADER_FIELDS
# What a submitted or cancelled BOM still lets change (`bom_update` refuses the rest).
LOCKED_EDITABLE = ("number", "name", "description", "is_default")
LOCKED_READONLY = ("product", "quantity", "uom", "type")


@admin.register(Workcenter)
class WorkcenterAdmin(SoftDeleteAdmin, HistoryAdmin):
    list_display = ["code", "name", "hourly_cost", "is_active"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    fields = ["code", "name", "hourly_cost"]

    service_arg = "workcenter"
    service_fields = WORKCENTER_FIELDS
    create_service = staticmethod(workcenter_create)
    update_service = staticmethod(workcenter_update)
    archive_service = staticmethod(workcenter_archive)
    restore_service = staticmethod(workcenter_restore)


class BOMComponentForm(forms.ModelForm):
    class Meta:
        model = BOMComponent
        fields = ["item", "quantity", "uom", "scrap_percent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["uom"].required = False
        self.fields["uom"].help_text = "Empty: the component's stock unit."
        self.fields["scrap_percent"].required = False


class BOMComponentInline(TabularInline):
    model = BOMComponent
    form = BOMComponentForm
    autocomplete_fields = ["item", "uom"]
    extra = 1
    ordering = ["position"]
    verbose_name = "component"
    verbose_name_plural = "components"


class BOMOperationForm(forms.ModelForm):
    class Meta:
        model = BOMOperation
        fields = ["sequence", "name", "workcenter", "duration_minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sequence"].required = False
        self.fields["sequence"].help_text = "Empty: 10 after the previous one."


class BOMOperationInline(TabularInline):
    model = BOMOperation
    form = BOMOperationForm
    autocomplete_fields = ["workcenter"]
    extra = 1
    ordering = ["sequence"]
    verbose_name = "operation"
    verbose_name_plural = "operations"


class BOMForm(forms.ModelForm):
    class Meta:
        model = BOM
        fields = list(BOM_HEADER_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A user who may only view BOMs gets a form without fields (all read-only).
        if "number" in self.fields:
            self.fields["number"].help_text = "Empty: the next BOM-000001."
        if "uom" in self.fields:
            self.fields["uom"].required = False
            self.fields["uom"].help_text = "Empty: the product's stock unit."


@admin.register(BOM)
class BOMAdmin(SoftDeleteAdmin, HistoryAdmin):
    form = BOMForm
    inlines = [BOMComponentInline, BOMOperationInline]
    # Chosen to fit 1440 px: long names cut with their whole text as a tooltip.
    list_display = [
        "number",
        "name_shown",
        "product_shown",
        "type",
        "status",
        "default_shown",
        "version",
        "line_count",
        "is_active",
        "updated_shown",
    ]
    list_filter = ["type", "status", "is_default"]
    search_fields = ["number", "name", "description", "product__number", "product__name"]
    list_select_related = ["product", "uom"]
    autocomplete_fields = ["product", "uom"]
    ordering = ["number"]
    readonly_fields = ["status", "version", "content_hash", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["number", "name", "description", "product"]}),
        ("Content", {"fields": ["quantity", "uom", "type"]}),
        (
            "Lifecycle",
            {
                "fields": [
                    "status",
                    "is_default",
                    "version",
                    "content_hash",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    actions = [
        "submit_selected",
        "cancel_selected",
        "copy_selected",
        "archive_selected",
        "restore_selected",
    ]
    # The item admin links here with these (its "BOMs of this item" and "BOMs using it").
    item_lookups = ("product__id__exact", "components__item__id__exact")
    # "Import BOMs" (manufacturing/bom_import_admin.py): an upload that becomes a background job.
    change_list_template = "admin/manufacturing/bom/change_list.html"

    def get_urls(self):
        from django.urls import path

        from manufacturing.boms.admin_buttons import bom_button_view
        from manufacturing.boms.compare_admin import bom_compare_view
        from manufacturing.boms.import_admin import bom_import_view
        from manufacturing.boms.structure_admin import bom_structure_view, item_structure_view
        from manufacturing.orders.impact_admin import bom_impact_view

        def view(function):
            return self.admin_site.admin_view(functools.partial(function, self))

        return [
            path("import/", view(bom_import_view), name="manufacturing_bom_import"),
            path(
                "structure/item/<str:item_id>/",
                view(item_structure_view),
                name="manufacturing_bom_item_structure",
            ),
            path(
                "<path:object_id>/do/<slug:verb>/",
                view(bom_button_view),
                name="manufacturing_bom_button",
            ),
            path(
                "<path:object_id>/structure/",
                view(bom_structure_view),
                name="manufacturing_bom_structure",
            ),
            # "Compare with…" and the impact on open orders, linked from the BOM page (the
            # impact page is the orders area's: the BOM area imports it only here)
            path(
                "<path:object_id>/compare/",
                view(bom_compare_view),
                name="manufacturing_bom_compare",
            ),
            path(
                "<path:object_id>/impact/", view(bom_impact_view), name="manufacturing_bom_impact"
            ),
            *super().get_urls(),
        ]

    # --- a submitted or cancelled BOM is read-only on screen -------------------------------

    def get_inlines(self, request, obj):
        """A locked BOM has no line or operation forms: its page shows them as tables."""
        if obj is not None and obj.is_locked:
            return []
        return super().get_inlines(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_locked:
            fields += [f for f in LOCKED_READONLY if f not in fields]
        return fields

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": request.user.has_perm("manufacturing.add_bom"),
        }
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_line_count=Count("components"))

    def lookup_allowed(self, lookup, value, request=None):
        if lookup in self.item_lookups:
            return True
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="name", ordering="name")
    def name_shown(self, obj):
        return truncated(obj.name)

    @admin.display(description="product", ordering="product__number")
    def product_shown(self, obj):
        return truncated(obj.product.number, title=str(obj.product), size="narrow")

    @admin.display(description="default", boolean=True, ordering="is_default")
    def default_shown(self, obj):
        return obj.is_default

    @admin.display(description="updated", ordering="updated_at")
    def updated_shown(self, obj):
        return short_datetime(obj.updated_at)

    @admin.display(description="lines", ordering="_line_count")
    def line_count(self, obj):
        return getattr(obj, "_line_count", None)

    # --- saving through the services ------------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Nothing yet: the header and its lines are written together, by one service call, in
        `save_related` (the admin's transaction wraps both)."""

    def save_related(self, request, form, formsets, change):
        if change and form.instance.is_locked:
            # A locked page posts no lines: lines in the POST come from a page loaded while the
            # BOM was a draft (submitted since), and are refused rather than dropped unseen.
            if any(f"{p}-TOTAL_FORMS" in request.POST for p in ("components", "operations")):
                raise BomLocked(
                    f"BOM {form.instance.number} was {form.instance.status} meanwhile: its "
                    "components and operations cannot change. Copy it to a new version instead."
                )
            # Only the fields a locked BOM may change; its lines and operations stay as they are.
            header = {f: form.cleaned_data[f] for f in LOCKED_EDITABLE if f in form.cleaned_data}
            bom_update(bom=form.instance, spec=BOMSpec.partial(**header), actor=request.user)
            form.instance.refresh_from_db()
            return
        header = {f: form.cleaned_data.get(f) for f in BOM_HEADER_FIELDS}
        components, operations = [], []
        rows = {"components": [], "operations": []}
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for line in formset.forms:
                data = getattr(line, "cleaned_data", None)
                if not data or data.get("DELETE"):
                    continue
                if formset.model is BOMComponent:
                    rows["components"].append(line)
                    components.append(
                        ComponentSpec(
                            item=data["item"],
                            quantity=data["quantity"],
                            uom=data.get("uom"),
                            scrap_percent=data.get("scrap_percent") or Decimal(0),
                        )
                    )
                else:
                    rows["operations"].append(line)
                    operations.append(
                        OperationSpec(
                            name=data["name"],
                            workcenter=data["workcenter"],
                            duration_minutes=data["duration_minutes"],
                            sequence=data.get("sequence"),
                        )
                    )
        for collection, lines in rows.items():
            self.remember_service_rows(request, collection, lines)
        obj = form.instance
        if change:
            spec = BOMSpec(**header, components=components, operations=operations)
            saved = bom_update(bom=obj, spec=spec, actor=request.user)
        else:
            header["number"] = header["number"] or None
            # An unticked box on a new BOM means "not asked": the product's first BOM becomes
            # its default, as through the API.
            header["is_default"] = True if header["is_default"] else None
            spec = BOMSpec(**header, components=components, operations=operations)
            saved = bom_create(spec=spec, actor=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()

    service_arg = "bom"
    # A BOM line's item is `product_id` / `product_number` to the services (the API's names).
    service_error_fields = {"product_id": "item", "product_number": "item"}
    archive_service = staticmethod(bom_archive)
    restore_service = staticmethod(bom_unarchive)

    # --- actions --------------------------------------------------------------------------

    def has_submit_permission(self, request):
        return request.user.has_perm(BOM_ACTIONS["submit"])

    def has_cancel_permission(self, request):
        return request.user.has_perm(BOM_ACTIONS["cancel"])

    def has_copy_permission(self, request):
        return request.user.has_perm(BOM_ACTIONS["copy"])

    def has_delete_permission(self, request, obj=None):
        """Deleting a BOM archives it: the same `archive_bom` permission as `DELETE /boms/{id}`."""
        return request.user.has_perm(BOM_ACTIONS["archive"])

    def has_restore_permission(self, request):
        return request.user.has_perm(BOM_ACTIONS["unarchive"])

    def _each(self, request, queryset, service, done_message: str) -> None:
        self.apply_to_each(
            request,
            queryset.order_by("number"),
            lambda bom: service(bom=bom, actor=request.user),
            done_message,
        )

    @admin.action(description="Submit selected draft BOMs", permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._each(request, queryset, bom_submit, "Submitted {done} BOM(s).")

    @admin.action(description="Cancel selected submitted BOMs", permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        self._each(request, queryset, bom_cancel, "Cancelled {done} BOM(s).")

    @admin.action(description="Copy selected BOMs as a new version", permissions=["copy"])
    def copy_selected(self, request, queryset):
        self._each(request, queryset, bom_copy, "Copied {done} BOM(s) as new drafts.")

    # --- the exploded tree and the change log on the BOM page -----------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        # None for an unknown or malformed id (Django's change view then says so).
        bom = self.get_object(request, object_id)
        if bom is not None:
            # Computed when the page renders (callables in the context, each run once): a save
            # that redirects never pays for the tree or the change log.
            @functools.cache
            def tree():
                try:
                    return bom_explode(bom=bom, levels="all"), None
                except DomainError as exc:
                    return None, exc.detail

            extra_context["explosion"] = lambda: tree()[0]
            extra_context["explosion_error"] = lambda: tree()[1]
            extra_context["changes"] = functools.cache(lambda: bom_change_log(bom))
            extra_context["bom_locked"] = bom.is_locked
            if bom.is_locked:
                extra_context["locked_lines"] = functools.cache(lambda: bom_lines_shown(bom))
            extra_context["bom_buttons"] = bom_buttons(bom=bom, user=request.user)
        return super().change_view(request, object_id, form_url, extra_context)


def bom_lines_shown(bom: BOM) -> dict:
    """A locked BOM's lines and operations as its page shows them (two queries)."""
    return {
        "components": list(bom.components.select_related("item", "uom").order_by("position")),
        "operations": list(bom.operations.select_related("workcenter").order_by("sequence")),
    }


ENTITY_LABELS = {"bom": "BOM"}


def bom_change_log(bom: BOM, limit: int = 30) -> list[dict]:
    """The latest changes to the BOM, its lines and its operations: when, who, what (the same
    entries as `GET /api/manufacturing/boms/{id}/history`)."""
    rows = []
    for entry in bom_history(bom=bom)[:limit]:
        changed = ", ".join(
            f"{name}: {_shown(old)} → {_shown(new)}"
            for name, (old, new) in entry.fields.items()
            if name not in ("bom_id", "content_hash")
        )
        rows.append(
            {
                "date": entry.at,
                "user": entry.user,
                "kind": entry.change,
                "what": f"{ENTITY_LABELS.get(entry.entity, entry.entity.title())} {entry.label}",
                "summary": changed if entry.change == "changed" else "",
            }
        )
    return rows


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return str(value)
