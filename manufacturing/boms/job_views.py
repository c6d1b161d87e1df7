"""BOM work that runs in the background: start it, get 202 with the job (`/api/jobs/{id}`)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser

from config.api.viewsets import ApiViewSet
from config.jobs.serializers import JobSerializer
from config.jobs.services import job_create
from config.jobs.uploads import (
    FileUploadSerializer,
    upload_refuse_oversized_body,
    upload_refuse_oversized_file,
)
from config.jobs.views import job_accepted
from manufacturing.boms.imports import bom_import_check
from manufacturing.boms.tasks import BOM_EXPORT, BOM_IMPORT


class BOMJobViewSet(ApiViewSet):
    """`POST /api/manufacturing/boms/imports` and `/exports`: one job each."""

    serializer_class = JobSerializer  # what both answer (and what OPTIONS describes)

    action_permissions = {
        "imports": [BOM_IMPORT.start_permission],
        "exports": [BOM_EXPORT.start_permission],
    }

    @property
    def extra_error_statuses(self):
        return (413,) if self.action == "imports" else ()

    def check_permissions(self, request):
        super().check_permissions(request)
        # Signed in and allowed: now refuse an oversized body before it is read (the
        # Idempotency-Key check reads it next).
        if self.action == "imports":
            upload_refuse_oversized_body(request.META)

    def get_queryset(self):  # permissions are per action; no model is listed here
        from manufacturing.boms.models import BOM

        return BOM.objects.none()

    @extend_schema(
        summary="Import BOMs from a CSV file, in the background",
        description=(
            "Multipart upload, form field `file`: the `import_boms` CSV layout (UTF-8, header "
            "row first). The file is checked for its columns at once (400); its rows are "
            "imported by a worker, all or nothing: 202 with the job, whose `status` ends "
            "`succeeded` (`result.created`) or `failed` with every `rowErrors` entry. Larger "
            "than JOBS_UPLOAD_MAX_BYTES: 413 `payload_too_large`."
        ),
        request={"multipart/form-data": FileUploadSerializer},
        responses={202: JobSerializer},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser])
    def imports(self, request):
        upload = FileUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        upload_refuse_oversized_file(file)
        rows = bom_import_check(file=file)
        job = job_create(
            kind=BOM_IMPORT,
            actor=request.user,
            parameters={"filename": file.name, "size": file.size, "rows": rows},
            input_file=file,
            input_name="boms.csv",
        )
        return job_accepted(job)

    @extend_schema(
        summary="Export the active BOMs as CSV, in the background",
        description="202 with the job; when it has succeeded, its `downloadUrl` serves the file.",
        request=None,
        responses={202: JobSerializer},
    )
    @action(detail=False, methods=["post"])
    def exports(self, request):
        return job_accepted(job_create(kind=BOM_EXPORT, actor=request.user))
