"""BOM work in the background, over HTTP: start it (202 with the job), a worker runs it, the
job says how it ended; an export is downloaded from its job."""

from io import StringIO

import pytest
from django.core.management import call_command

from config.jobs.models import Job, JobStatus
from tests.api.test_conventions import assert_problem
from tests.config.jobs_helpers import run_worker
from tests.manufacturing.factories import BOMFactory

pytestmark = pytest.mark.django_db
# Transactional: the worker reads what the request committed (and the task is enqueued on
# commit). serialized_rollback keeps the data migrations' rows (units, roles) for later tests.
WORKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_export_start_answers_202_with_the_queued_job(api_as):
    api = api_as("manufacturing.view_bom")

    response = api.post("/api/manufacturing/boms/exports")

    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get()
    assert response["Location"] == f"/api/jobs/{job.pk}"
    assert (body["id"], body["kind"], body["status"]) == (str(job.pk), "bom_export", "queued")
    assert body["progress"] == {"done": 0, "total": None}
    assert job.created_by == api.user


def test_export_needs_the_bom_view_permission(api_as):
    assert_problem(api_as().post("/api/manufacturing/boms/exports"), 403, "not_privileged")
    assert not Job.objects.exists()


def test_export_start_honours_the_idempotency_key(api_as):
    api = api_as("manufacturing.view_bom")

    first = api.post("/api/manufacturing/boms/exports", HTTP_IDEMPOTENCY_KEY="export-1")
    again = api.post("/api/manufacturing/boms/exports", HTTP_IDEMPOTENCY_KEY="export-1")

    assert (first.status_code, again.status_code) == (202, 202)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Job.objects.count() == 1


@WORKER
def test_export_job_produces_the_export_boms_file(api_as):
    BOMFactory(), BOMFactory()
    api = api_as("manufacturing.view_bom")
    expected = StringIO()
    call_command("export_boms", stdout=expected)

    job_id = api.post("/api/manufacturing/boms/exports").json()["id"]
    run_worker()
    body = api.get(f"/api/jobs/{job_id}").json()
    download = api.get(body["downloadUrl"])

    assert body["status"] == "succeeded"
    assert body["result"]["boms"] == 2
    assert body["progress"] == {"done": 2, "total": 2}
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == expected.getvalue()
    assert Job.objects.get(pk=job_id).status == JobStatus.SUCCEEDED
