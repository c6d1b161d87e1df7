"""The job's one representation (list rows, detail and the 202 of a start alike)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.jobs.kinds import kind_of
from config.jobs.models import Job, JobStatus
from config.jobs.selectors import job_progress


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(min_value=0)
    total = serializers.IntegerField(min_value=0, allow_null=True)


class JobSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=JobStatus.choices)
    label = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    parameters = serializers.DictField()
    progress = serializers.SerializerMethodField()
    result = serializers.DictField()
    error = serializers.SerializerMethodField()
    row_errors = serializers.ListField(child=serializers.CharField())
    duration_seconds = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "created_by",
            "parameters",
            "progress",
            "result",
            "error",
            "row_errors",
            "created_at",
            "started_at",
            "finished_at",
            "duration_seconds",
            "download_url",
        ]
        read_only_fields = fields  # an output: every field always there (null when empty)

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, job: Job) -> str:
        kind = kind_of(job.kind)
        return kind.label if kind else job.kind

    @extend_schema_field({"type": "string", "nullable": True})
    def get_created_by(self, job: Job) -> str | None:
        return job.created_by.get_username() if job.created_by_id else None

    @extend_schema_field(JobProgressSerializer)
    def get_progress(self, job: Job) -> dict:
        progress = job_progress(job)
        return {"done": progress.done, "total": progress.total}

    @extend_schema_field({"type": "string", "nullable": True})
    def get_error(self, job: Job) -> str | None:
        return job.error or None

    @extend_schema_field({"type": "number", "nullable": True})
    def get_duration_seconds(self, job: Job) -> float | None:
        duration = job.duration
        return None if duration is None else round(duration.total_seconds(), 3)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_download_url(self, job: Job) -> str | None:
        if job.status != JobStatus.SUCCEEDED or not job.output_file:
            return None
        return reverse("job-download", kwargs={"pk": job.pk})
