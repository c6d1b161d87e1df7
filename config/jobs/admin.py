"""The Jobs page: every job with a progress bar that follows a running one (static JS polling
`/api/jobs/{id}`, no inline script), a failed import's row errors, an export's download."""

from django.contrib import admin
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from config.exceptions import InvalidState, NotFound
from config.jobs import selectors
from config.jobs.kinds import kind_of
from config.jobs.models import Job, JobStatus


def progress_bar(job: Job) -> str:
    """A native <progress> (no inline style or script: CSP-clean); queued, or a running job
    with no total yet, is indeterminate. progress.js updates it while the job runs."""
    progress = selectors.job_progress(job)
    done, total = progress.done, progress.total
    if total:
        label = f"{done} / {total} ({100 * done // total}%)"
    elif done:
        label = f"{done}"
    else:
        label = ""
    attributes = format_html(
        'class="job-progress" data-job-id="{}" data-job-status="{}" data-job-url="{}"',
        job.pk,
        job.status,
        reverse("job-detail", kwargs={"pk": job.pk}),
    )
    if total:
        bar = format_html('<progress {} value="{}" max="{}"></progress>', attributes, done, total)
    elif job.status == JobStatus.SUCCEEDED:
        bar = format_html('<progress {} value="1" max="1"></progress>', attributes)
    else:
        bar = format_html("<progress {}></progress>", attributes)
    return format_html('{} <span class="job-progress-label">{}</span>', bar, label)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "label",
        "status_display",
        "progress",
        "created_by",
        "duration_display",
        "download",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by"]
    search_fields = ["kind", "created_by__username", "error"]
    date_hierarchy = "created_at"
    fields = [
        "label",
        "status_display",
        "progress",
        "created_by",
        "parameters",
        "input_name",
        "result",
        "download",
        "error",
        "row_error_list",
        "created_at",
        "started_at",
        "finished_at",
        "duration_display",
        "attempts",
        "worker",
        "task_result_id",
    ]
    readonly_fields = fields

    class Media:
        js = ["config/jobs/progress.js"]

    # Anyone on the staff reads the jobs (staff see every job, as over the API); nobody edits one.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.job_list(user=request.user)

    @admin.display(description="job", ordering="kind")
    def label(self, job: Job) -> str:
        kind = kind_of(job.kind)
        return kind.label if kind else job.kind

    @admin.display(description="status", ordering="status")
    def status_display(self, job: Job) -> str:
        # progress.js rewrites it as the job moves on.
        return format_html(
            '<span class="job-status" data-job-id="{}">{}</span>', job.pk, job.status
        )

    @admin.display(description="input file")
    def input_name(self, job: Job) -> str:
        # The name only: the jobs storage is not served (an upload is read by its job alone).
        return job.input_file.name.rsplit("/", 1)[-1] if job.input_file else ""

    @admin.display(description="progress")
    def progress(self, job: Job) -> str:
        return progress_bar(job)

    @admin.display(description="duration")
    def duration_display(self, job: Job) -> str:
        duration = job.duration
        return "" if duration is None else f"{duration.total_seconds():.1f} s"

    @admin.display(description="file")
    def download(self, job: Job) -> str:
        if job.status != JobStatus.SUCCEEDED or not job.output_file:
            return ""
        url = reverse("admin:config_job_download", args=[job.pk])
        return format_html('<a href="{}">{}</a>', url, job.output_file.name.rsplit("/", 1)[-1])

    @admin.display(description="row errors")
    def row_error_list(self, job: Job) -> str:
        if not job.row_errors:
            return ""
        more = job.result.get("rowErrorCount")
        items = format_html_join("", "<li>{}</li>", ((error,) for error in job.row_errors))
        tail = format_html("<p>… {} more</p>", more - len(job.row_errors)) if more else ""
        return format_html('<ol class="job-row-errors">{}</ol>{}', items, tail)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="config_job_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id):
        try:
            job = selectors.job_get(user=request.user, job_id=object_id)
            handle, name = selectors.job_output(user=request.user, job=job)
        except (NotFound, InvalidState) as exc:  # a malformed or unknown id, nothing to download
            raise Http404(exc.detail) from None
        return FileResponse(handle, as_attachment=True, filename=name, content_type="text/csv")
