from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from config.admin import SoftDeleteAdmin
from items import services
from items.models import Item, UnitOfMeasure


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(SoftDeleteAdmin):
    list_display = ["symbol", "name", "category", "factor", "is_active"]
    list_filter = ["category"]
    search_fields = ["symbol", "name"]
    ordering = ["category", "symbol"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.UOM_FIELDS if f in form.cleaned_data}
        if change:
            saved = services.uom_update(uom=obj, data=data, actor=request.user)
        else:
            saved = services.uom_create(**data, actor=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def perform_archive(self, obj, *, actor):
        services.uom_archive(uom=obj, actor=actor)

    def perform_restore(self, obj, *, actor):
        services.uom_restore(uom=obj, actor=actor)


@admin.register(Item)
class ItemAdmin(SoftDeleteAdmin, SimpleHistoryAdmin):
    list_display = ["number", "name", "type", "uom", "tracking", "standard_cost", "is_active"]
    list_filter = ["type", "tracking", "uom__category"]
    search_fields = ["number", "name", "description"]
    list_select_related = ["uom"]
    autocomplete_fields = ["uom"]
    ordering = ["number"]
    readonly_fields = ["created_at", "updated_at", "related_links"]
    fields = [
        "number",
        "name",
        "description",
        "type",
        "uom",
        "tracking",
        "standard_cost",
        "related_links",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="Related")
    def related_links(self, obj):
        if not obj or not obj.pk:
            return "-"
        links = []
        try:
            boms = reverse("admin:manufacturing_bom_changelist")
        except NoReverseMatch:  # the BOM admin arrives with the manufacturing app
            return "-"
        links.append(
            format_html('<a href="{}?product__id__exact={}">BOMs of this item</a>', boms, obj.pk)
        )
        links.append(
            format_html(
                '<a href="{}?components__item__id__exact={}">BOMs using it</a>', boms, obj.pk
            )
        )
        return format_html(" · ".join(["{}"] * len(links)), *links)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.ITEM_FIELDS if f in form.cleaned_data}
        if change:
            saved = services.item_update(item=obj, data=data, actor=request.user)
        else:
            saved = services.item_create(**data, actor=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def perform_archive(self, obj, *, actor):
        services.item_archive(item=obj, actor=actor)

    def perform_restore(self, obj, *, actor):
        services.item_restore(item=obj, actor=actor)
