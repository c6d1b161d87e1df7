"""The planners' admin: demands (with CSV import), item parameters, runs (Run MRP starts one in
the background and shows its job's progress page), the plan with a firm action, pegging trees
and each item's projection with its chart."""

import io

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from config.admin import (
    ModelAdmin,
    NumberFormField,
    ServiceAdminMixin,
    SoftDeleteAdmin,
    number_column,
)
from config.exceptions import DomainError
from manufacturing.planning import selectors, services
from manufacturing.planning.charts import projection_svg
from manufacturing.planning.imports import demands_import_csv
from manufacturing.planning.models import (
    Demand,
    ItemPlanning,
    PlanException,
    PlanItem,
    PlannedOrder,
    PlanningRun,
)


class DemandImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV: item_number, quantity, due_date[, kind, reference, notes]"
    )
    dry_run = forms.BooleanField(required=False, label="Check only (save nothing)")


@admin.register(Demand)
class DemandAdmin(SoftDeleteAdmin):
    list_display = ("due_date", "item", number_column("quantity"), "kind", "reference", "is_active")
    list_filter = ("kind",)
    search_fields = ("reference", "notes", "item__number", "item__name")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)
    date_hierarchy = "due_date"
    change_list_template = "admin/planning/demand/change_list.html"
    service_fields = ("item", "quantity", "due_date", "kind", "reference", "notes")
    service_arg = "demand"
    create_service = staticmethod(services.demand_create)
    update_service = staticmethod(services.demand_update)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quantity":
            return NumberFormField(sign="positive", label="Quantity")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="manufacturing_demand_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:manufacturing_demand_changelist")
        posted = request.method == "POST"
        form = DemandImportForm(request.POST if posted else None, request.FILES if posted else None)
        if request.method == "POST" and form.is_valid():
            text = io.TextIOWrapper(form.cleaned_data["file"].file, encoding="utf-8-sig")
            try:
                count = demands_import_csv(
                    file=text, actor=request.user, dry_run=form.cleaned_data["dry_run"]
                )
            except DomainError as exc:
                for line in getattr(exc, "row_errors", [exc.detail])[:50]:
                    form.add_error(None, line)
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text (save it as CSV UTF-8).")
            else:
                verb = "would import" if form.cleaned_data["dry_run"] else "imported"
                self.message_user(request, f"{count} demand(s) {verb}.", messages.SUCCESS)
                return redirect("admin:manufacturing_demand_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Import demands",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/planning/form.html", context)


class ItemPlanningForm(forms.ModelForm):
    safety_stock = NumberFormField(sign="non_negative")
    lot_minimum = NumberFormField(sign="non_negative")
    lot_multiple = NumberFormField(sign="non_negative")

    class Meta:
        model = ItemPlanning
        fields = (
            "item",
            "procurement",
            "planned",
            "lead_time_days",
            "safety_stock",
            "lot_minimum",
            "lot_multiple",
        )


@admin.register(ItemPlanning)
class ItemPlanningAdmin(ServiceAdminMixin, ModelAdmin):
    form = ItemPlanningForm
    list_display = (
        "item",
        "procurement",
        "planned",
        "lead_time_days",
        number_column("safety_stock"),
        number_column("lot_minimum"),
        number_column("lot_multiple"),
    )
    list_filter = ("procurement", "planned")
    search_fields = ("item__number", "item__name")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ItemPlanningForm.Meta.fields}
        saved = services.planning_parameters_set(**data, actor=request.user)
        obj.pk = saved.pk


class RunForm(forms.Form):
    horizon_days = forms.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        help_text="Days of demand to plan (default 180).",
    )


@admin.register(PlanningRun)
class PlanningRunAdmin(ModelAdmin):
    list_display = ("created_at", "status", "is_current", "created_by", "summary", "job_link")
    list_filter = ("status",)
    change_list_template = "admin/planning/planningrun/change_list.html"
    readonly_fields = (
        "status",
        "is_current",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "parameters",
        "counts",
        "error",
        "job_link",
    )
    exclude = ("job",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="summary")
    def summary(self, run):
        c = run.counts or {}
        if not c:
            return run.error[:80]
        return f"{c.get('make', 0)} make, {c.get('buy', 0)} buy, {c.get('exceptions', 0)} exc."

    @admin.display(description="progress")
    def job_link(self, run):
        if run.job_id is None:
            return "—"
        url = reverse("admin:config_job_change", args=[run.job_id])
        return format_html('<a href="{}">job progress</a>', url)

    def get_urls(self):
        return [
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name="manufacturing_planningrun_run",
            ),
            *super().get_urls(),
        ]

    def run_view(self, request):
        if not request.user.has_perm("manufacturing.run_planningrun"):
            return redirect("admin:manufacturing_planningrun_changelist")
        form = RunForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                run = services.mrp_run_start(
                    actor=request.user, horizon_days=form.cleaned_data["horizon_days"]
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                self.message_user(request, "MRP run started.", messages.SUCCESS)
                return redirect("admin:config_job_change", run.job_id)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Run MRP",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/planning/form.html", context)


class ExceptionFilter(admin.SimpleListFilter):
    title = "exception"
    parameter_name = "exception"

    def lookups(self, request, model_admin):
        return [("late", "late"), ("no_bom", "no BOM")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(exception_codes__contains=self.value())
        return queryset


@admin.register(PlannedOrder)
class PlannedOrderAdmin(ServiceAdminMixin, ModelAdmin):
    list_display = (
        "item",
        "kind",
        number_column("quantity"),
        "start_date",
        "due_date",
        "level",
        "exception_codes",
        "production_order",
    )
    list_filter = ("kind", ExceptionFilter, "level")
    search_fields = ("item__number", "item__name")
    list_select_related = ("item", "production_order")
    actions = ["firm_selected"]
    readonly_fields = (
        "item",
        "kind",
        "bom",
        "quantity",
        "start_date",
        "due_date",
        "level",
        "exception_codes",
        "production_order",
        "firmed_at",
        "pegging_tree",
    )
    exclude = ("run", "position")

    def get_queryset(self, request):
        return selectors.planned_order_list()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_firm_permission(self, request):
        return request.user.has_perm("manufacturing.firm_plannedorder")

    @admin.action(
        description="Firm selected make orders (draft production orders)", permissions=["firm"]
    )
    def firm_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.order_by("position"),
            lambda order: services.planned_order_firm(planned_order=order, actor=request.user),
            "Firmed {done} planned order(s).",
        )

    @admin.display(description="pegging")
    def pegging_tree(self, obj):
        return _tree_html(selectors.planned_order_pegging(planned_order=obj))


def _tree_html(nodes):
    def label(node):
        if node["demand"]:
            d = node["demand"]
            return f"demand {d['reference'] or d['kind']} due {d['due_date']}"
        if node["planned_order"]:
            p = node["planned_order"]
            return f"{p['kind']} {p['item']['number']} ({p['quantity'].normalize():f}) due {p['due_date']}"
        if node["production_order"]:
            return f"production order {node['production_order']['reference']}"
        return node["source"].replace("_", " ")

    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{} for {} on {}{}</li>",
            (
                (
                    f"{n['quantity'].normalize():f}",
                    label(n),
                    n["required_date"],
                    _tree_html(n["pegging"]) if n["pegging"] else "",
                )
                for n in nodes
            ),
        ),
    )


@admin.register(PlanItem)
class PlanItemAdmin(ModelAdmin):
    list_display = (
        "item",
        "level",
        "procurement",
        number_column("available"),
        number_column("safety_stock"),
    )
    list_filter = ("level", "procurement")
    search_fields = ("item__number", "item__name")
    list_select_related = ("item",)
    readonly_fields = (
        "item",
        "level",
        "procurement",
        "available",
        "safety_stock",
        "lead_time_days",
        "projection_table",
        "projection_chart",
    )
    exclude = ("run", "projection", "planned")
    verbose_name = "item projection"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(run__is_current=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="time-phased projection")
    def projection_table(self, obj):
        head = format_html_join(
            "",
            "<th>{}</th>",
            ((h,) for h in ("date", "gross", "receipts", "projected", "net", "planned")),
        )
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            head,
            format_html_join("", "<tr>" + "<td>{}</td>" * 6 + "</tr>", obj.projection),
        )

    @admin.display(description="projected stock")
    def projection_chart(self, obj):
        return projection_svg(obj.projection, obj.safety_stock)


@admin.register(PlanException)
class PlanExceptionAdmin(ModelAdmin):
    list_display = ("kind", "item", "date", number_column("quantity"), "message")
    list_filter = ("kind",)
    search_fields = ("item__number", "message")
    list_select_related = ("item",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(run__is_current=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
