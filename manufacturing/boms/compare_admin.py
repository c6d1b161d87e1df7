"""The BOM page's "Compare with…" page: the diff of `bom_compare` against another version of
the same product (default: the previous one), added, removed and changed rows marked."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse

from config.exceptions import DomainError
from config.levels import LEVELS
from manufacturing.boms.compare import bom_compare
from manufacturing.boms.selectors import bom_headers, bom_previous_version


class BOMCompareForm(forms.Form):
    other = forms.ModelChoiceField(queryset=bom_headers().none(), label="Compare with")
    levels = forms.ChoiceField(
        choices=[("1", "this level"), ("all", "every level (exploded)")],
        initial="1",
        required=False,
    )

    def __init__(self, *args, bom, **kwargs):
        super().__init__(*args, **kwargs)
        versions = bom_headers().filter(product_id=bom.product_id).exclude(pk=bom.pk)
        self.fields["other"].queryset = versions.order_by("-version", "-created_at")
        self.fields["other"].label_from_instance = lambda b: (
            f"{b.number} · v{b.version} · {b.get_status_display()}"
            + ("" if b.deleted_at is None else " · archived")
        )


def bom_compare_view(model_admin, request, object_id):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    bom = model_admin.get_object(request, object_id)
    if bom is None:
        raise Http404("No such BOM.")
    bom = bom_headers().get(pk=bom.pk)
    previous = bom_previous_version(bom=bom)
    # The page's form is a GET (a comparison is a read, so it can be linked); a POST of the
    # same fields (a script, a stale form) is read the same way.
    if request.method == "POST":
        data = request.POST
    else:
        data = request.GET if "other" in request.GET else None
    initial = {"other": previous.pk if previous else None, "levels": "1"}
    form = BOMCompareForm(data, bom=bom, initial=initial)
    comparison = error = None
    if data is not None and form.is_valid():
        other, levels = form.cleaned_data["other"], form.cleaned_data["levels"] or "1"
    elif data is None and previous is not None:
        other, levels = previous, "1"
    else:
        other = None
    if other is not None and levels in LEVELS:
        try:
            comparison = bom_compare(base=bom, other=other, levels=levels)
        except DomainError as exc:
            error = exc.detail
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": bom,
        "title": f"Compare {bom.number} (v{bom.version}) with another version",
        "form": form,
        "comparison": comparison,
        "error": error,
    }
    return TemplateResponse(request, "admin/manufacturing/bom/compare.html", context)
