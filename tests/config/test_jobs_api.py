"""`/api/jobs`: own jobs (staff: all), the status filter, the representation, the download of an
export, and their query budgets."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.jobs.models import Job, JobStatus
from tests.api.test_conventions import assert_problem
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def make_job(user, **fields) -> Job:
    fields.setdefault("kind", "bom_export")
    return Job.objects.create(created_by=user, **fields)


def export_job(user, content: bytes = b"bom_number\nBOM-1\n") -> Job:
    job = make_job(user, status=JobStatus.SUCCEEDED, progress_done=1, progress_total=1)
    job.output_file.save("boms-export.csv", ContentFile(content))
    return job


def test_a_user_lists_only_their_own_jobs(make_user):
    alice, bob = make_user(), make_user()
    mine = make_job(alice)
    make_job(bob)

    body = client_for(alice).get("/api/jobs").json()

    assert [row["id"] for row in body["data"]] == [str(mine.pk)]
    assert body["meta"] == {"total": 1, "page": 1, "limit": 20, "totalPages": 1}


def test_staff_list_everyones_jobs_newest_first(make_user):
    alice = make_user()
    staff = make_user()
    staff.is_staff = True
    staff.save()
    older = make_job(alice, created_at=timezone.now() - timedelta(minutes=5))
    newer = make_job(None)

    body = client_for(staff).get("/api/jobs").json()

    assert [row["id"] for row in body["data"]] == [str(newer.pk), str(older.pk)]


def test_status_filter_and_its_bad_values(make_user):
    user = make_user()
    failed = make_job(user, status=JobStatus.FAILED, error="boom")
    make_job(user, status=JobStatus.QUEUED)
    api = client_for(user)

    body = api.get("/api/jobs?status=failed").json()
    assert [row["id"] for row in body["data"]] == [str(failed.pk)]
    assert_problem(api.get("/api/jobs?status=done"), 400, "validation_error")
    assert_problem(api.get("/api/jobs?status="), 400, "validation_error")


def test_job_detail_representation(make_user):
    user = make_user(username="planner7")
    started = timezone.now() - timedelta(seconds=90)
    job = make_job(
        user,
        kind="bom_import",
        status=JobStatus.FAILED,
        parameters={"filename": "boms.csv", "size": 120},
        progress_done=3,
        progress_total=4,
        error="2 error(s), nothing imported.",
        row_errors=["row 2: quantity 'x' is not a number.", "row 4: unit 'zz' is not a unit."],
        started_at=started,
        finished_at=started + timedelta(seconds=1.5),
    )

    response = client_for(user).get(f"/api/jobs/{job.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(job.pk),
        "kind": "bom_import",
        "label": "BOM import",
        "status": "failed",
        "createdBy": "planner7",
        "parameters": {"filename": "boms.csv", "size": 120},
        "progress": {"done": 3, "total": 4},
        "result": {},
        "error": "2 error(s), nothing imported.",
        "rowErrors": [
            "row 2: quantity 'x' is not a number.",
            "row 4: unit 'zz' is not a unit.",
        ],
        "createdAt": job.created_at.isoformat().replace("+00:00", "Z"),
        "startedAt": started.isoformat().replace("+00:00", "Z"),
        "finishedAt": (started + timedelta(seconds=1.5)).isoformat().replace("+00:00", "Z"),
        "durationSeconds": 1.5,
        "downloadUrl": None,
    }


def test_another_users_job_and_a_malformed_id_are_404(make_user):
    theirs = make_job(make_user())
    api = client_for(make_user())

    assert_problem(api.get(f"/api/jobs/{theirs.pk}"), 404, "not_found")
    assert_problem(api.get("/api/jobs/not-a-uuid"), 404, "not_found")
    assert_problem(api.get(f"/api/jobs/{theirs.pk}/download"), 404, "not_found")


def test_anonymous_callers_get_401(anon):
    assert_problem(anon.get("/api/jobs"), 401, "not_authenticated")


def test_download_serves_the_export_file_to_its_owner(make_user):
    user = make_user("manufacturing.view_bom")
    job = export_job(user, b"bom_number,bom_name\nBOM-1,Frame\n")

    detail = client_for(user).get(f"/api/jobs/{job.pk}").json()
    response = client_for(user).get(detail["downloadUrl"], HTTP_ACCEPT="text/csv")

    assert detail["downloadUrl"] == f"/api/jobs/{job.pk}/download"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="boms-export.csv"'
    assert b"".join(response.streaming_content) == b"bom_number,bom_name\nBOM-1,Frame\n"


def test_download_needs_the_kinds_read_permission(make_user):
    user = make_user()  # owns the job, but may not read BOMs
    job = export_job(user)

    assert_problem(client_for(user).get(f"/api/jobs/{job.pk}/download"), 403, "not_privileged")


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED])
def test_a_job_without_a_finished_file_has_nothing_to_download(make_user, status):
    user = make_user("manufacturing.view_bom")
    job = make_job(user, status=status)

    assert_problem(client_for(user).get(f"/api/jobs/{job.pk}/download"), 409, "invalid_state")


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_job_list_costs_the_same_for_one_row_and_fifty(make_user):
    staff = make_user()
    staff.is_staff = True
    staff.save()
    users = [make_user() for _ in range(5)]
    api = client_for(staff)
    make_job(users[0])
    one = _queries(api, "/api/jobs?limit=50")
    for index in range(49):
        make_job(users[index % 5])

    fifty = _queries(api, "/api/jobs?limit=50")

    assert one == fifty <= 4  # token, count, page (with the users), and nothing per row


def test_job_detail_budget(make_user):
    user = make_user()
    job = make_job(user)

    assert _queries(client_for(user), f"/api/jobs/{job.pk}") <= 2  # token, the job and its user
