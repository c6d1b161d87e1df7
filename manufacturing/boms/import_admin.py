"""The BOM list's "Import BOMs" page: upload a CSV, which becomes an import job (the same
checks and service as `POST /api/manufacturing/boms/imports`); the job's page follows it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from config.exceptions import DomainError
from config.jobs.services import job_create
from config.jobs.uploads import upload_refuse_oversized_file
from manufacturing.boms.imports import bom_import_check
from manufacturing.boms.tasks import BOM_IMPORT


class BOMImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        allow_empty_file=False,
        help_text=(
            "The import_boms layout (UTF-8, header row first: bom_number, product_number, "
            "component_number, quantity, … ). Nothing is imported unless every row is valid."
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        try:
            upload_refuse_oversized_file(file)
            self.rows = bom_import_check(file=file)
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from None
        return file


def bom_import_view(model_admin, request):
    if not request.user.has_perm(BOM_IMPORT.start_permission):
        raise PermissionDenied
    form = BOMImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        job = job_create(
            kind=BOM_IMPORT,
            actor=request.user,
            parameters={"filename": file.name, "size": file.size, "rows": form.rows},
            input_file=file,
            input_name="boms.csv",
        )
        model_admin.message_user(
            request, f"Import of {file.name} ({form.rows} rows) queued.", messages.SUCCESS
        )
        return redirect(reverse("admin:config_job_change", args=[job.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Import BOMs",
        "form": form,
    }
    return TemplateResponse(request, "admin/manufacturing/bom/import.html", context)
