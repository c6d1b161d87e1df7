from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from config.admin import HistoryAdmin, SoftDeleteAdmin
from items import services
from items.models import Item, UnitOfMeasure


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(SoftDeleteAdmin):
    list_display = ["symbol", "name", "category", "factor", "is_active"]
    list_filter = ["category"]
    search_fields = ["symbol", "name"]
    ordering = ["category", "symbol"]

    service_arg = "uom"
    service_fields = services.UOM_FIELDS
    create_service = staticmethod(services.uom_create)
    update_service = staticmethod(services.uom_update)
    archive_service = staticmethod(services.uom_archive)
    restore_service = staticmethod(services.uom_restore)


@admin.register(Item)
class ItemAdmin(SoftDeleteAdmin, HistoryAdmin):
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
    service_arg = "item"
    service_fields = services.ITEM_FIELDS
    create_service = staticmethod(services.item_create)
    update_service = staticmethod(services.item_update)
    archive_service = staticmethod(services.item_archive)
    restore_service = staticmethod(services.item_restore)

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
        structure = reverse("admin:manufacturing_bom_item_structure", args=[obj.pk])
        links.append(format_html('<a href="{}">Structure report</a>', structure))
        return format_html(" · ".join(["{}"] * len(links)), *links)
