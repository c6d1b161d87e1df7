"""`/api/jobs`: a caller's jobs (staff: everyone's), one job, and its file."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api.renderers import JSONRenderer
from config.api.viewsets import ApiViewSet
from config.jobs import selectors
from config.jobs.filters import JobFilter
from config.jobs.models import Job
from config.jobs.serializers import JobSerializer


class CSVRenderer(renderers.BaseRenderer):
    """Lets `Accept: text/csv` reach the download (a file response, not rendered); an error on
    that route is still problem+json."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)


@extend_schema_view(
    list=extend_schema(summary="Jobs: your own (staff: everyone's), newest first"),
    retrieve=extend_schema(summary="A job: status, progress, result, errors"),
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = JobSerializer
    filterset_class = JobFilter
    search_fields = ["kind", "error"]
    sort_fields = {"createdAt": "created_at", "status": "status", "kind": "kind"}
    default_sort = ("-createdAt",)
    # Every authenticated user has jobs of their own: no model permission to read them (and
    # reads are no actions: not throttled). Reading a job's output needs its kind's permission
    # (checked by the selector: 403).
    permission_classes = [IsAuthenticated]

    @property
    def extra_error_statuses(self):
        return (409,) if self.action == "download" else ()

    def get_queryset(self):
        request = getattr(self, "request", None)
        if request is None or getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return selectors.job_list(user=request.user)

    def get_object(self):
        return selectors.job_get(user=self.request.user, job_id=self.kwargs["pk"])

    @extend_schema(
        summary="Download the file a finished export produced",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The CSV file"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CSVRenderer])
    def download(self, request, pk=None):
        handle, name = selectors.job_output(user=request.user, job=self.get_object())
        return FileResponse(handle, as_attachment=True, filename=name, content_type="text/csv")


def job_accepted(job: Job) -> Response:
    """202 Accepted with the job and where to follow it."""
    response = Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
    response["Location"] = reverse("job-detail", kwargs={"pk": job.pk})
    return response
