"""Reading jobs: who sees which, and who may read a job's output."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from config.exceptions import InvalidState, NotFound
from config.jobs.kinds import kind_of
from config.jobs.models import Job, JobStatus
from config.jobs.progress import side_progress


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int | None


def job_list(*, user) -> QuerySet[Job]:
    """A user's own jobs; staff see everyone's."""
    jobs = Job.objects.select_related("created_by")
    if not (user.is_staff or user.is_superuser):
        jobs = jobs.filter(created_by=user)
    return jobs


def job_get(*, user, job_id) -> Job:
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound("No such job.") from None
    job = job_list(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    return job


def job_progress(job: Job) -> JobProgress:
    """The progress to show: the job row's, or, while it runs on SQLite inside its transaction,
    the side store's when that is newer (config/jobs/progress.py). PostgreSQL: the row."""
    if job.status == JobStatus.RUNNING:
        side = side_progress([job.pk]).get(job.pk)
        if side is not None and (job.heartbeat_at is None or side.at > job.heartbeat_at):
            return JobProgress(side.done, side.total)
    return JobProgress(job.progress_done, job.progress_total)


def job_output(*, user, job: Job):
    """The file a finished job produced, opened for reading, with its download name. Needs the
    kind's read permission (an export of BOMs: `manufacturing.view_bom`)."""
    kind = kind_of(job.kind)
    if kind is None or not user.has_perm(kind.read_permission):
        raise PermissionDenied("You may not read what this kind of job produced.")
    if job.status != JobStatus.SUCCEEDED or not job.output_file:
        raise InvalidState("This job has no file to download (only a finished export has one).")
    try:
        handle = job.output_file.open("rb")
    except FileNotFoundError:
        raise NotFound("The job's file is gone from the jobs storage.") from None
    return handle, job.output_file.name.rsplit("/", 1)[-1]
