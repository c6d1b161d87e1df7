"""Real `manage.py db_worker` processes against the test database: an upload imported by a
worker process (SQLite, the embedded default, and PostgreSQL); on PostgreSQL, two workers
sharing 50 imports run each exactly once (SKIP LOCKED), and a worker SIGKILLed in the middle
of an import leaves nothing half-written and its job is marked failed by the stale-job rule."""

import signal
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks import TaskResultStatus

from config.jobs.models import Job, JobStatus
from config.jobs.services import job_create, job_reap_stale
from manufacturing.boms.models import BOM, BOMComponent
from manufacturing.boms.tasks import BOM_IMPORT, bom_import
from tests.config.jobs_helpers import start_worker, wait_for
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.test_bom_jobs import GOOD, HEADER, upload

pytestmark = [
    # Transactional: the worker processes read what the test committed. serialized_rollback
    # keeps the data migrations' rows (units, roles) for the tests after these.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WORKER_TIMEOUT = 120


def _finish(worker, timeout: float = WORKER_TIMEOUT) -> str:
    output, _ = worker.communicate(timeout=timeout)
    assert worker.returncode == 0, output
    return output


def _parts(count: int) -> list:
    return [ItemFactory(number=f"C{n:04d}", uom=unit("units")) for n in range(count)]


def _import_file(number: str, product: str, components: list) -> SimpleUploadedFile:
    rows = [f"{number},{number},{product},1,,,,,,,{c.number},1,,,,,," for c in components]
    return SimpleUploadedFile("boms.csv", ("\n".join([HEADER, *rows]) + "\n").encode())


def test_a_worker_process_imports_an_upload(api_as):
    for number in ("TOP", "FRAME", "BOLT"):
        ItemFactory(number=number, uom=unit("units"))
    planner = api_as("manufacturing.add_bom", "manufacturing.view_bom")
    job_id = upload(
        planner, SimpleUploadedFile("b.csv", ("\n".join([HEADER, *GOOD]) + "\n").encode())
    ).json()["id"]

    _finish(start_worker("--batch"))

    body = planner.get(f"/api/jobs/{job_id}").json()
    assert body["error"] is None
    assert (body["status"], body["result"]) == ("succeeded", {"created": 2, "rows": 3})
    assert set(BOM.objects.values_list("number", flat=True)) == {"BOM-T1", "BOM-F1"}


def test_progress_of_a_10000_row_import_moves_while_it_runs(api_as):
    """The embedded default too (SQLite, where the import's transaction holds the only write
    lock): a reader polling the job over the API sees the progress move before the end."""
    components = _parts(10)
    rows = []
    for n in range(1000):  # 1,000 BOMs of 10 lines
        product = ItemFactory(number=f"P{n:04d}", uom=unit("units"))
        rows += [f"BOM-P{n:04d},P,{product.number},1,,,,,,,{c.number},1,,,,,," for c in components]
    planner = api_as("manufacturing.add_bom", "manufacturing.view_bom")
    file = SimpleUploadedFile("big.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    job_id = upload(planner, file).json()["id"]

    seen = []
    worker = start_worker("--batch", JOBS_PROGRESS_INTERVAL="0.05")
    try:
        while worker.poll() is None:
            body = planner.get(f"/api/jobs/{job_id}").json()
            seen.append((body["status"], body["progress"]["done"], body["progress"]["total"]))
            time.sleep(0.05)
    finally:
        output = _finish(worker)

    midway = [done for status, done, total in seen if status == "running" and 0 < done < total]
    assert midway, (seen, output)
    assert {total for status, _, total in seen if status == "running"} <= {10_000, None}
    body = planner.get(f"/api/jobs/{job_id}").json()
    assert (body["status"], body["progress"]) == ("succeeded", {"done": 10_000, "total": 10_000})
    assert BOM.objects.count() == 1000


@pytest.mark.postgres
def test_two_workers_share_50_imports_and_run_each_exactly_once():
    components = _parts(60)
    products = [ItemFactory(number=f"P{n:03d}", uom=unit("units")) for n in range(50)]
    jobs = [
        job_create(
            kind=BOM_IMPORT,
            actor=None,
            input_file=_import_file(f"BOM-{n:03d}", product.number, components),
            input_name="boms.csv",
        )
        for n, product in enumerate(products)
    ]

    workers = [start_worker("--batch"), start_worker("--batch")]
    for worker in workers:
        _finish(worker)

    finished = list(Job.objects.filter(pk__in=[j.pk for j in jobs]))
    assert {(j.status, j.attempts) for j in finished} == {(JobStatus.SUCCEEDED, 1)}
    assert BOM.objects.count() == 50
    assert BOMComponent.objects.count() == 50 * 60
    assert len({j.worker for j in finished}) == 2  # both workers took tasks
    for job in finished:
        result = bom_import.get_result(job.task_result_id)
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert len(result.worker_ids) == 1  # claimed once, by one worker


@pytest.mark.postgres
def test_a_worker_killed_mid_import_leaves_nothing_and_its_job_is_marked_failed():
    components = _parts(20)
    rows = []
    for n in range(400):  # 400 BOMs of 20 lines: long enough to be killed in the middle
        product = ItemFactory(number=f"K{n:04d}", uom=unit("units"))
        rows += [f"BOM-K{n:04d},K,{product.number},1,,,,,,,{c.number},1,,,,,," for c in components]
    file = SimpleUploadedFile("big.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    job = job_create(kind=BOM_IMPORT, actor=None, input_file=file, input_name="boms.csv")

    worker = start_worker(JOBS_PROGRESS_INTERVAL="0.05")
    try:
        # Progress is written from inside the import's open transaction (a side connection).
        midway = wait_for(
            lambda: (j := Job.objects.get(pk=job.pk)).progress_done > 0 and j,
            "the import to report progress",
        )
        assert midway.status == JobStatus.RUNNING
        assert midway.progress_done < midway.progress_total == 8000
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate()

    assert worker.returncode == -signal.SIGKILL
    assert not BOM.all_objects.exists()  # the import's one transaction died with the worker
    assert not BOMComponent.objects.exists()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # until the rule sees it
    assert job_reap_stale(stale_after=timedelta(minutes=10)) == 0  # not stale yet

    wait_for(
        lambda: job_reap_stale(stale_after=timedelta(seconds=1)) == 1,
        "the stale-job rule to mark the job",
        timeout=10,
        interval=0.5,
    )

    dead = Job.objects.get(pk=job.pk)
    assert dead.status == JobStatus.FAILED
    assert dead.error.startswith("The worker running this job stopped giving signs of life")
    assert dead.finished_at is not None
