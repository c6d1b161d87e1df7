"""Every write to a job: create (and enqueue), start, finish, and the stale-job rule."""

import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.exceptions import DomainError, InvalidState, NotFound
from config.jobs.kinds import JobKind
from config.jobs.models import Job, JobStatus
from config.jobs.progress import Progress, side_progress, side_progress_discard, side_store

logger = logging.getLogger(__name__)

ROW_ERRORS_KEPT = 1000  # a failed import keeps this many row errors on the job (and the count)


class JobFailed(DomainError):
    """A job's work refused its input: `row_errors` lists each problem (an import's rows)."""

    code = "job_failed"
    status = 422
    title = "Job failed"

    def __init__(self, detail: str, row_errors: list[str] | None = None, **extra):
        super().__init__(detail, **extra)
        self.row_errors = list(row_errors or [])


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


def job_create(
    *,
    kind: JobKind,
    actor,
    parameters: dict | None = None,
    input_file: File | None = None,
    input_name: str = "input",
) -> Job:
    """A queued job; its task is enqueued once this transaction commits (so a worker never
    picks up a task whose job it cannot see yet, whatever the backend)."""
    with transaction.atomic():
        job = Job(kind=kind.name, created_by=_actor(actor), parameters=parameters or {})
        if input_file is not None:
            job.input_file.save(input_name, input_file, save=False)
        job.save(force_insert=True)
        transaction.on_commit(partial(_enqueue, job_id=job.pk, kind=kind))
    return job


def _enqueue(*, job_id, kind: JobKind) -> None:
    try:
        result = kind.get_task().enqueue(job_id=str(job_id))
    except Exception as exc:  # the queue refused it: say so on the job, never leave it queued
        logger.exception("job %s: could not enqueue %s", job_id, kind.task)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            error=f"The job could not be queued: {exc}",
            finished_at=timezone.now(),
        )
        return
    # An inline backend (ImmediateBackend) has run the task already, and recorded the id.
    Job.objects.filter(pk=job_id, task_result_id="").update(task_result_id=str(result.id))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


@transaction.atomic
def job_start(*, job_id, task_result_id: str = "") -> Job:
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"No job {job_id}.")
    if job.status == JobStatus.SUCCEEDED:
        raise InvalidState(f"Job {job_id} has already succeeded; it does not run twice.")
    now = timezone.now()
    job.status = JobStatus.RUNNING
    job.started_at = now
    job.heartbeat_at = now
    job.finished_at = None
    job.error = ""
    job.row_errors = []
    job.attempts += 1
    job.worker = _worker_name()
    if task_result_id:
        job.task_result_id = str(task_result_id)
    job.save()
    return job


def job_succeed(*, job: Job, result: dict, progress: Progress | None = None) -> Job:
    now = timezone.now()
    job.status = JobStatus.SUCCEEDED
    job.result = result
    job.finished_at = now
    job.heartbeat_at = now
    if progress is not None:
        job.progress_done, job.progress_total = progress.done, progress.total
    job.save()
    return job


def job_fail(*, job: Job, error: BaseException, progress: Progress | None = None) -> Job:
    now = timezone.now()
    if isinstance(error, DomainError):
        message = error.detail
    elif isinstance(error, (KeyboardInterrupt, SystemExit)):
        message = "The worker was stopped while running this job."
    else:
        message = f"{error.__class__.__name__}: {error}"
    row_errors = list(getattr(error, "row_errors", []))
    job.status = JobStatus.FAILED
    job.error = message
    job.row_errors = row_errors[:ROW_ERRORS_KEPT]
    if len(row_errors) > ROW_ERRORS_KEPT:
        job.result = {**job.result, "rowErrorCount": len(row_errors)}
    job.finished_at = now
    job.heartbeat_at = now
    if progress is not None:
        job.progress_done, job.progress_total = progress.done, progress.total
    job.save()
    return job


def job_run(*, job_id, task_result_id: str, work: Callable[[Job, Progress], dict]) -> dict:
    """Run `work(job, progress)` as the job: running, then succeeded with its result, or failed
    with the error it raised (which is raised again, so the framework's task result fails too).
    The work's own writes are its business (one transaction for an import); the job's are
    separate, so they are kept whatever happens to the work's."""
    job_reap_stale()  # any worker starting a task also retires the jobs of workers that died
    job = job_start(job_id=job_id, task_result_id=task_result_id)
    progress = Progress(job.pk, done=0, total=job.progress_total)
    try:
        result = work(job, progress)
    except BaseException as exc:
        try:
            job_fail(job=job, error=exc, progress=progress)
        finally:
            progress.close()  # after the final state: a reader never sees progress go back
        raise
    try:
        job_succeed(job=job, result=result, progress=progress)
    finally:
        progress.close()
    return result


def job_reap_stale(*, stale_after: timedelta | None = None) -> int:
    """The stale-job rule: a running job with no sign of life (progress or start) for
    `stale_after` (JOBS_STALE_SECONDS) lost its worker (killed, host gone): it is marked failed.
    So is a queued job that never reached the queue. Its work, if any, died with the worker's
    transaction. Returns how many jobs were marked."""
    if stale_after is None:
        stale_after = timedelta(seconds=settings.JOBS_STALE_SECONDS)
    now = timezone.now()
    cutoff = now - stale_after
    seconds = int(stale_after.total_seconds())
    lost = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    # On SQLite, a job inside its transaction shows its signs of life in the side store.
    side = side_progress(lost.values_list("pk", flat=True)) if side_store() else {}
    alive = [job_id for job_id, seen in side.items() if seen.at >= cutoff]
    if alive:
        lost = lost.exclude(pk__in=alive)
    marked = lost.update(
        status=JobStatus.FAILED,
        finished_at=now,
        error=(
            f"The worker running this job stopped giving signs of life for {seconds} s (killed "
            "or its host lost): the job was abandoned and nothing of its work was saved. "
            "Start it again."
        ),
    )
    side_progress_discard([job_id for job_id in side if job_id not in alive])
    never_queued = Job.objects.filter(
        status=JobStatus.QUEUED, task_result_id="", created_at__lt=cutoff
    )
    marked += never_queued.update(
        status=JobStatus.FAILED,
        finished_at=now,
        error="The job never reached the task queue. Start it again.",
    )
    if marked:
        logger.warning("marked %d stale job(s) failed", marked)
    return marked
