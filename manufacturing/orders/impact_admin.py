"""The BOM page's "Impact on open orders" page: `order_bom_impact` for that BOM, and a
"rebase the affected orders" button that moves the selected ones onto it through
`production_order_rebase`, each in its own transaction (a refusal names the order)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from manufacturing.boms.selectors import bom_headers
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from manufacturing.orders.selectors import order_bom_impact
from manufacturing.permissions import ORDER_ACTIONS


def bom_impact_view(model_admin, request, object_id):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    bom = model_admin.get_object(request, object_id)
    if bom is None:
        raise Http404("No such BOM.")
    bom = bom_headers().get(pk=bom.pk)
    may_rebase = request.user.has_perm(ORDER_ACTIONS["rebase"])
    if request.method == "POST":
        if not may_rebase:
            raise PermissionDenied
        chosen = set(request.POST.getlist("order"))
        affected = {str(impact.order.pk): impact.order for impact in order_bom_impact(bom=bom)}
        orders = [affected[pk] for pk in sorted(chosen & set(affected))]
        if not orders:
            model_admin.message_user(request, "Select the orders to rebase.", messages.WARNING)
        model_admin.apply_to_each(
            request,
            orders,
            lambda order: order_services.production_order_rebase(
                order=order, bom=bom, actor=request.user
            ),
            f"Rebased {{done}} order(s) onto {bom.number} (v{bom.version}).",
        )
        return redirect(request.path)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "order_opts": ProductionOrder._meta,
        "original": bom,
        "title": f"Impact of {bom.number} (v{bom.version}) on open orders",
        "impacts": order_bom_impact(bom=bom),
        "may_rebase": may_rebase,
    }
    return TemplateResponse(request, "admin/manufacturing/bom/impact.html", context)
