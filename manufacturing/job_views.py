"""BOM work that runs in the background: start it, get 202 with the job (`/api/jobs/{id}`)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from config.api.viewsets import ApiViewSet
from config.jobs.serializers import JobSerializer
from config.jobs.services import job_create
from config.jobs.views import job_accepted
from manufacturing.tasks import BOM_EXPORT


class BOMJobViewSet(ApiViewSet):
    """`POST /api/manufacturing/boms/exports` (and `/imports`): one job each."""

    action_permissions = {"exports": [BOM_EXPORT.start_permission]}

    def get_queryset(self):  # permissions are per action; no model is listed here
        from manufacturing.models import BOM

        return BOM.objects.none()

    @extend_schema(
        summary="Export the active BOMs as CSV, in the background",
        description="202 with the job; when it has succeeded, its `downloadUrl` serves the file.",
        request=None,
        responses={202: JobSerializer},
    )
    @action(detail=False, methods=["post"])
    def exports(self, request):
        return job_accepted(job_create(kind=BOM_EXPORT, actor=request.user))
