"""The BOM structure report's admin pages: `<bom id>/structure/` (the tree for a typed
quantity, collapsible, printable, downloadable as CSV) and `structure/item/<item id>/` (the
item's default BOM's report). The quantity goes through the one number policy: a bad one is a
form error, never a 500."""

import io

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify

from config import csv
from config.admin import NumberFormField, _parses
from config.exceptions import DomainError
from config.quantities import QUANTITY
from inventory.models import Warehouse
from inventory.selectors import default_warehouse
from items.models import Item
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.boms.structure import Structure, bom_structure, structure_columns


class StructureForm(forms.Form):
    quantity = NumberFormField(kind=QUANTITY, sign="positive", label="Quantity")
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.order_by("code"), required=False, empty_label=None
    )


def _bom_or_404(object_id: str) -> BOM:
    object_id = unquote(object_id)
    if not _parses(BOM._meta.pk, object_id):
        raise Http404
    bom = BOM.all_objects.select_related("product", "uom").filter(pk=object_id).first()
    if bom is None:
        raise Http404
    return bom


def bom_structure_view(model_admin, request, object_id: str):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    bom = _bom_or_404(object_id)
    warehouse = default_warehouse()
    params = request.POST if request.method == "POST" else request.GET  # the form is a GET
    data = {"quantity": params.get("quantity") or str(bom.quantity.normalize())}
    if params.get("warehouse"):
        data["warehouse"] = params["warehouse"]
    elif warehouse is not None:
        data["warehouse"] = warehouse.pk
    form = StructureForm(data)
    structure, error = None, None
    if form.is_valid():
        warehouse = form.cleaned_data["warehouse"] or warehouse
        try:
            structure = bom_structure(
                bom=bom, quantity=form.cleaned_data["quantity"], warehouse=warehouse
            )
        except DomainError as exc:  # a circular structure saved before the checks existed
            error = exc.detail
    if structure is not None and params.get("format") == "csv":
        return _csv(structure)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Structure of {bom}",
        "opts": model_admin.model._meta,
        "original": bom,
        "form": form,
        "structure": structure,
        "error": error,
        "columns": structure.columns if structure is not None else structure_columns(),
        "csv_query": _csv_query(structure),
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/manufacturing/bom/structure.html", context)


def _csv_query(structure: Structure | None) -> str:
    if structure is None:
        return ""
    quantity = f"{structure.quantity.normalize():f}"
    return urlencode({"quantity": quantity, "warehouse": structure.warehouse.pk, "format": "csv"})


def _csv(structure: Structure) -> HttpResponse:
    """The page's tables, row for row: the tree, its cost totals, the items to pick or buy."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([heading for _, heading in structure.columns])
    for row in structure.rows:
        writer.writerow(row.cells())
    cost = structure.cost
    writer.writerow([])
    for label, value in (
        ("Materials", cost.materials),
        ("Operations", cost.operations),
        ("Total", cost.total),
        (f"Per {structure.bom.uom.symbol}", cost.per_unit),
    ):
        writer.writerow([label, *[""] * (structure.cost_label_span - 1), value])
    writer.writerow([])
    writer.writerow(
        ["To pick or buy", "Component", "Name", "Quantity", "Unit", "", "Available", "Shortage"]
    )
    for t in structure.totals:
        quantities = (t.quantity.normalize(), t.available.normalize(), t.shortage.normalize())
        writer.writerow(["", t.number, t.name, quantities[0], t.uom, "", *quantities[1:]])
    name = f"structure-{slugify(structure.bom.number)}-{structure.quantity.normalize():f}.csv"
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def item_structure_view(model_admin, request, item_id: str):
    """The item's default BOM's report (the item page links here: it cannot know the BOM)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if not _parses(Item._meta.pk, item_id):
        raise Http404
    item = Item.all_objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    bom = (
        BOM.objects.filter(product=item, is_default=True)
        .exclude(status=BOMStatus.CANCELLED)
        .first()
    )
    if bom is None:
        model_admin.message_user(request, f"{item} has no default BOM.", messages.WARNING)
        return redirect(reverse("admin:items_item_change", args=[item.pk]))
    url = reverse("admin:manufacturing_bom_structure", args=[bom.pk])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)
