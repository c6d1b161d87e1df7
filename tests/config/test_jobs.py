"""The job framework: progress at a bounded rate, the job's life cycle around a task, the
stale-job rule, and enqueueing on commit through the Tasks framework."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks_db.models import DBTaskResult

from config.exceptions import InvalidState
from config.jobs import services
from config.jobs.kinds import JobKind, register
from config.jobs.models import Job, JobStatus
from config.jobs.progress import Progress, side_progress
from config.jobs.selectors import JobProgress, job_progress
from config.jobs.serializers import JobSerializer
from config.jobs.services import JobFailed, job_create, job_reap_stale, job_run, job_start
from tests.config.jobs_helpers import run_worker
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _job(**fields) -> Job:
    return Job.objects.create(kind="test_echo", **fields)


# --- tasks used by these tests (module-level: the worker imports them by path) --------------


def _echo_work(job, progress):
    rows = job.parameters.get("rows", 3)
    progress(0, rows)
    for done in range(1, rows + 1):
        progress(done)
    if job.parameters.get("fail") == "rows":
        raise JobFailed("2 error(s), nothing imported.", row_errors=["row 2: bad", "row 3: bad"])
    if job.parameters.get("fail") == "crash":
        raise ValueError("the work broke")
    return {"rows": rows}


@task(takes_context=True)
def echo(context, job_id: str) -> dict:
    return job_run(job_id=job_id, task_result_id=context.task_result.id, work=_echo_work)


ECHO = register(
    JobKind(
        name="test_echo",
        label="Echo (tests)",
        task="tests.config.test_jobs.echo",
        start_permission="manufacturing.view_bom",
        read_permission="manufacturing.view_bom",
    )
)


# --- progress ---------------------------------------------------------------------------------
# Transactional: outside a transaction progress is written on the task's own connection, as in
# a worker (inside one, on SQLite, it is skipped: see below).
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@TRANSACTIONAL
def test_progress_is_written_at_most_every_interval_not_per_row():
    job = _job(status=JobStatus.RUNNING)
    clock = Clock()
    progress = Progress(job.pk, interval=0.5, clock=clock)

    progress(0, 10_000)  # a new total is written at once
    for done in range(1, 10_001):
        clock.now = done / 1000  # 10,000 rows in 10 s
        progress(done)

    assert progress.writes == 1 + 20  # the total, then one write per 0.5 s
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (10_000, 10_000)
    assert job.heartbeat_at is not None


@TRANSACTIONAL
def test_progress_between_intervals_is_not_written():
    job = _job(status=JobStatus.RUNNING)
    clock = Clock()
    progress = Progress(job.pk, interval=0.5, clock=clock)
    progress(0, 100)

    clock.now += 0.4
    progress(40)

    job.refresh_from_db()
    assert (job.progress_done, progress.writes) == (0, 1)


@pytest.mark.postgres
@TRANSACTIONAL
def test_progress_inside_a_transaction_is_visible_to_others_at_once():
    """The work's transaction is still open (an import is one transaction): readers see the
    progress all the same, written through a side connection."""
    job = _job(status=JobStatus.RUNNING)
    progress = Progress(job.pk, interval=0)
    seen = {}

    def read_from_another_connection():
        seen["done"] = Job.objects.get(pk=job.pk).progress_done
        connection.close()

    with transaction.atomic():
        Job.objects.filter(kind="nothing").update(error="x")  # the work's own writes
        progress(0, 10)
        progress(7)
        reader = threading.Thread(target=read_from_another_connection)
        reader.start()
        reader.join(10)
    progress.close()

    assert seen == {"done": 7}


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite's single writer")
@TRANSACTIONAL
def test_sqlite_progress_inside_a_transaction_is_visible_to_others_at_once():
    """SQLite: the work's transaction holds the only write lock, so progress goes to the side
    store (no lock needed), which readers of the job see at once; the row is not touched."""
    job = _job(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    progress = Progress(job.pk, interval=0)
    seen = {}

    def read_from_another_connection():
        seen["api"] = JobSerializer(Job.objects.get(pk=job.pk)).data["progress"]
        connection.close()

    with transaction.atomic():
        Job.objects.filter(kind="nothing").update(error="x")  # the work's own writes
        progress(0, 10)
        progress(7)
        reader = threading.Thread(target=read_from_another_connection)
        reader.start()
        reader.join(10)
        assert progress.writes == 2
        assert progress._side is None  # no second connection was opened

    row = Job.objects.get(pk=job.pk)
    assert seen == {"api": {"done": 7, "total": 10}}
    assert (row.progress_done, row.progress_total) == (0, None)  # the row was left alone
    assert job_progress(row) == JobProgress(7, 10)

    row.status = JobStatus.SUCCEEDED
    assert job_progress(row) == JobProgress(0, None)  # a finished job: the row has the last word
    progress.close()
    assert side_progress([job.pk]) == {}  # cleared when the job ends


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite's single writer")
@TRANSACTIONAL
def test_sqlite_progress_written_on_the_row_again_after_the_transaction_wins():
    job = _job(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    progress = Progress(job.pk, interval=0)
    with transaction.atomic():
        progress(3, 10)
    progress(9)  # outside: the row, newer than the side store's entry

    assert job_progress(Job.objects.get(pk=job.pk)) == JobProgress(9, 10)
    progress.close()


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite's single writer")
@TRANSACTIONAL
def test_sqlite_stale_rule_sees_signs_of_life_in_the_side_store():
    """A job inside its transaction on SQLite writes its heartbeat to the side store only: the
    stale-job rule counts it, and still retires the job once that goes quiet too."""
    an_hour_ago = timezone.now() - timedelta(hours=1)
    job = _job(status=JobStatus.RUNNING, started_at=an_hour_ago, heartbeat_at=an_hour_ago)
    quiet = _job(status=JobStatus.RUNNING, started_at=an_hour_ago, heartbeat_at=an_hour_ago)
    progress = Progress(job.pk, interval=0)
    with transaction.atomic():
        progress(0, 10)  # the side store's heartbeat: now

    assert job_reap_stale(stale_after=timedelta(minutes=10)) == 1  # only the quiet one
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=quiet.pk).status == JobStatus.FAILED

    assert job_reap_stale(stale_after=timedelta(0)) == 1  # its side heartbeat is old now too
    dead = Job.objects.get(pk=job.pk)
    assert dead.status == JobStatus.FAILED
    assert dead.error.startswith("The worker running this job stopped giving signs of life")
    assert side_progress([job.pk]) == {}  # the dead job's entry is gone with it


# --- the life cycle ---------------------------------------------------------------------------


def test_job_run_records_start_result_and_final_progress():
    job = _job(parameters={"rows": 5})

    result = job_run(job_id=job.pk, task_result_id="task-1", work=_echo_work)

    job.refresh_from_db()
    assert result == {"rows": 5}
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"rows": 5}
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert (job.task_result_id, job.attempts, job.error, job.row_errors) == ("task-1", 1, "", [])
    assert job.started_at <= job.finished_at
    assert job.duration == job.finished_at - job.started_at


def test_a_task_that_raises_marks_the_job_failed_with_its_message():
    job = _job(parameters={"fail": "crash"})

    with pytest.raises(ValueError, match="the work broke"):
        job_run(job_id=job.pk, task_result_id="t", work=_echo_work)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "ValueError: the work broke"
    assert job.finished_at is not None


def test_a_refused_input_marks_the_job_failed_with_every_row_error():
    job = _job(parameters={"fail": "rows"})

    with pytest.raises(JobFailed):
        job_run(job_id=job.pk, task_result_id="t", work=_echo_work)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "2 error(s), nothing imported."
    assert job.row_errors == ["row 2: bad", "row 3: bad"]


def test_a_succeeded_job_never_runs_twice():
    job = _job(status=JobStatus.SUCCEEDED, result={"rows": 1})

    with pytest.raises(InvalidState):
        job_start(job_id=job.pk, task_result_id="again")

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 0, {"rows": 1})


# --- the stale-job rule -----------------------------------------------------------------------


def test_reap_fails_running_jobs_without_a_sign_of_life_and_only_those():
    now = timezone.now()
    lost = _job(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now - timedelta(hours=1))
    alive = _job(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    never_queued = _job(created_at=now - timedelta(hours=1))
    queued = _job(created_at=now - timedelta(hours=1), task_result_id="abc")
    done = _job(status=JobStatus.SUCCEEDED, heartbeat_at=now - timedelta(hours=1))

    assert job_reap_stale(stale_after=timedelta(minutes=10)) == 2

    states = {j.pk: Job.objects.get(pk=j.pk) for j in (lost, alive, never_queued, queued, done)}
    assert states[lost.pk].status == JobStatus.FAILED
    assert "stopped giving signs of life for 600 s" in states[lost.pk].error
    assert states[never_queued.pk].status == JobStatus.FAILED
    assert states[never_queued.pk].error == "The job never reached the task queue. Start it again."
    assert states[alive.pk].status == JobStatus.RUNNING
    assert states[queued.pk].status == JobStatus.QUEUED
    assert states[done.pk].status == JobStatus.SUCCEEDED


def test_jobs_reap_command_uses_the_stale_setting(settings):
    from django.core.management import call_command

    settings.JOBS_STALE_SECONDS = 60
    now = timezone.now()
    lost = _job(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now - timedelta(seconds=61))
    alive = _job(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now - timedelta(seconds=5))

    call_command("jobs_reap", verbosity=0)

    assert Job.objects.get(pk=lost.pk).status == JobStatus.FAILED
    assert Job.objects.get(pk=alive.pk).status == JobStatus.RUNNING


# --- enqueueing through the framework ---------------------------------------------------------


def test_the_task_is_enqueued_only_when_the_job_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_create(kind=ECHO, actor=None, parameters={"rows": 2})
        assert not DBTaskResult.objects.exists()  # not before the commit

    assert len(callbacks) == 1
    queued = DBTaskResult.objects.get()
    job.refresh_from_db()
    assert queued.task_path == "tests.config.test_jobs.echo"
    assert queued.args_kwargs == {"args": [], "kwargs": {"job_id": str(job.pk)}}
    assert job.task_result_id == str(queued.pk)
    assert job.status == JobStatus.QUEUED


def test_a_job_whose_task_cannot_be_queued_fails_instead_of_waiting(
    django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionError("queue is down")

    monkeypatch.setattr(type(task_backends["default"]), "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind=ECHO, actor=None)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "The job could not be queued: queue is down"


@TRANSACTIONAL
@pytest.mark.parametrize(
    ("fail", "job_status", "task_status"),
    [
        ("", JobStatus.SUCCEEDED, TaskResultStatus.SUCCESSFUL),
        ("crash", JobStatus.FAILED, TaskResultStatus.FAILED),
    ],
)
def test_the_worker_runs_the_task_and_the_framework_result_agrees(fail, job_status, task_status):
    job = job_create(kind=ECHO, actor=None, parameters={"rows": 4, "fail": fail})

    run_worker()

    job.refresh_from_db()
    result = echo.get_result(job.task_result_id)
    assert job.status == job_status
    assert result.status == task_status
    assert job.attempts == 1
    assert (job.progress_done, job.progress_total) == (4, 4)
    if task_status == TaskResultStatus.SUCCESSFUL:
        assert result.return_value == {"rows": 4}


def test_services_module_names_no_backend():
    """Code against the framework's API only: the backend is a setting (TASKS)."""
    import inspect

    source = inspect.getsource(services)
    assert "django_tasks_db" not in source
