"""The lot admin's "Trace" page: a lot's genealogy both ways on one page, back to the lots it
was made of and forward to the lots it went into and where they are now (`inventory.genealogy`,
one query per direction). Server-rendered, static CSS only (the admin's CSP)."""

from urllib.parse import urlencode

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from inventory.genealogy import BACK, FORWARD, lot_trace, trace_tree

TREE_LIMIT = 2000


class LotTraceAdminMixin:
    """For the lot admin: the `trace/` page of a lot, a link to it on the lot's page and a
    column on the list."""

    change_form_template = "admin/inventory/lot/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.trace_view)
        return [
            path("<path:object_id>/trace/", view, name="inventory_lot_trace"),
            *super().get_urls(),
        ]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "trace_link"]

    @staticmethod
    def trace_url(lot_id) -> str:
        return reverse("admin:inventory_lot_trace", args=[lot_id])

    def trace_link(self, obj):
        return format_html('<a href="{}">Trace</a>', self.trace_url(obj.pk))

    trace_link.short_description = "genealogy"

    def trace_view(self, request, object_id):
        lot = self.get_object(request, unquote(object_id))  # None for a malformed id too
        if lot is None:
            raise Http404("No such lot.")
        if not self.has_view_permission(request, lot):
            raise PermissionDenied
        sections = [self._section(lot, direction) for direction in (BACK, FORWARD)]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Trace of lot {lot.number} ({lot.item.number})",
            "opts": self.model._meta,
            "original": lot,
            "sections": sections,
            "limit": TREE_LIMIT,
        }
        return TemplateResponse(request, "admin/inventory/lot/trace.html", context)

    def _section(self, lot, direction: str) -> dict:
        trace = lot_trace(lot=lot, direction=direction)
        rows, truncated = trace_tree(trace, limit=TREE_LIMIT)
        moves = reverse("admin:inventory_stockmove_changelist")
        return {
            "direction": direction,
            "title": "Made of" if direction == BACK else "Went into",
            "trace": trace,
            "truncated": truncated,
            "rows": [
                {
                    "row": row,
                    "indent": range(row.depth),
                    "url": self.trace_url(row.lot.id),
                    "quantity": (
                        None
                        if row.link is None
                        else row.link.consumed_quantity
                        if direction == BACK
                        else row.link.produced_quantity
                    ),
                    "order_url": None
                    if row.link is None
                    else f"{moves}?{urlencode({'production_order_id': row.link.production_order_id})}",
                }
                for row in rows
            ],
        }
