"""BOM work in the background, over HTTP: start it (202 with the job), a worker runs it, the
job says how it ended; an export is downloaded from its job."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from config.jobs.models import Job, JobStatus
from manufacturing.boms.models import BOM, BOMComponent
from tests.api.test_conventions import assert_problem
from tests.config.jobs_helpers import run_worker
from tests.items.factories import ItemFactory, unit
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


# --- imports ----------------------------------------------------------------------------------

IMPORTS = "/api/manufacturing/boms/imports"
HEADER = (
    "bom_number,bom_name,product_number,bom_quantity,bom_uom,bom_type,bom_status,is_default,"
    "version,description,component_number,quantity,unit,scrap_percent,operation_sequence,"
    "operation_name,workcenter,duration_minutes"
)
GOOD = (
    "BOM-T1,Top,TOP,1,,,,,,,FRAME,1,,,,,,",
    "BOM-T1,,,,,,,,,,BOLT,8,,,,,,",
    "BOM-F1,Frame,FRAME,,,,,,,,BOLT,4,,,,,,",
)
BAD = (
    "BOM-OK,Fine,FRAME,1,,,,,,,BOLT,4,,,,,,",
    "BOM-T1,Top,TOP,1,,,,,,,NOPE,1,,,,,,",
    "BOM-T1,,,,,,,,,,BOLT,abc,,,,,,",
)


def csv_file(*rows: str, name: str = "boms.csv", header: str = HEADER, raw: bytes | None = None):
    content = raw if raw is not None else ("\n".join([header, *rows]) + "\n").encode()
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return upload


def upload(api, file=None, field: str = "file", **headers):
    data = {} if file is None else {field: file}
    return api.post(IMPORTS, data, format="multipart", **headers)


@pytest.fixture
def parts():
    return {n: ItemFactory(number=n, uom=unit("units")) for n in ("TOP", "FRAME", "BOLT")}


@pytest.fixture
def planner(api_as):
    return api_as("manufacturing.add_bom", "manufacturing.view_bom")


def test_upload_answers_202_with_the_queued_import_job(planner):
    response = upload(planner, csv_file(*GOOD, name="plant-boms.csv"))

    assert response.status_code == 202
    job = Job.objects.get()
    body = response.json()
    assert (body["id"], body["kind"], body["status"]) == (str(job.pk), "bom_import", "queued")
    assert body["parameters"] == {
        "filename": "plant-boms.csv",
        "size": job.input_file.size,
        "rows": 3,
    }
    assert job.input_file.read().decode().splitlines()[1:] == list(GOOD)
    assert not BOM.objects.exists()  # nothing is imported in the request


@WORKER
def test_upload_then_worker_creates_the_boms_and_the_job_reaches_its_total(planner, parts):
    job_id = upload(planner, csv_file(*GOOD)).json()["id"]

    run_worker()
    body = planner.get(f"/api/jobs/{job_id}").json()

    assert body["status"] == "succeeded"
    assert body["result"] == {"created": 2, "rows": 3}
    assert body["progress"] == {"done": 3, "total": 3}
    assert body["error"] is None and body["rowErrors"] == []
    top = BOM.objects.get(number="BOM-T1")
    assert sorted(top.components.values_list("item__number", "quantity")) == [
        ("BOLT", Decimal(8)),
        ("FRAME", Decimal(1)),
    ]
    assert BOM.objects.get(number="BOM-F1").product == parts["FRAME"]


@WORKER
def test_a_bad_file_fails_the_job_with_every_row_error_and_writes_nothing(planner, parts):
    job_id = upload(planner, csv_file(*BAD)).json()["id"]

    run_worker()
    body = planner.get(f"/api/jobs/{job_id}").json()

    assert body["status"] == "failed"
    assert body["error"] == "2 error(s), nothing imported."
    assert body["rowErrors"] == [
        "row 3: component_number 'NOPE' is not an active item.",
        "row 4: quantity: A number is required.",
    ]
    assert body["progress"] == {"done": 3, "total": 3}
    assert not BOM.all_objects.exists()
    assert not BOMComponent.objects.exists()


def test_importing_needs_the_bom_add_permission(api_as, anon):
    viewer = api_as("manufacturing.view_bom")

    assert_problem(upload(viewer, csv_file(*GOOD)), 403, "not_privileged")
    assert_problem(upload(anon, csv_file(*GOOD)), 401, "not_authenticated")
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("make_request", "status", "code", "errors"),
    [
        (lambda api: upload(api), 400, "validation_error", {"file": ["No file was submitted."]}),
        (
            lambda api: upload(api, csv_file(*GOOD), field="upload"),
            400,
            "validation_error",
            {"file": ["No file was submitted."]},
        ),
        (
            lambda api: upload(api, csv_file(raw=b"")),
            400,
            "validation_error",
            {"file": ["The submitted file is empty."]},
        ),
        (
            lambda api: upload(
                api, csv_file(raw=(HEADER + "\nBOM-1,Caf\xe9,TOP\n").encode("latin-1"))
            ),
            400,
            "validation_error",
            None,
        ),
        (
            lambda api: upload(api, csv_file(raw=b"bom_number,name\nx,y\n")),
            400,
            "validation_error",
            {"file": ["Missing columns: component_number, product_number, quantity."]},
        ),
        (
            lambda api: api.post(IMPORTS, {"file": "boms.csv"}, format="json"),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            lambda api: upload(api, csv_file(raw=b"x" * (20 * 1024 * 1024))),
            413,
            "payload_too_large",
            None,
        ),
    ],
    ids=["no-file", "wrong-field", "empty", "not-utf8", "no-columns", "json", "20MB"],
)
def test_bad_uploads_are_4xx_problems_and_queue_nothing(
    planner, make_request, status, code, errors
):
    body = assert_problem(make_request(planner), status, code)

    if errors is not None:
        assert body["errors"] == errors
    if code == "payload_too_large":
        assert body["detail"].startswith("The file is larger than the 10 MB")
    assert not Job.objects.exists()


def test_a_non_utf8_upload_names_the_problem(planner):
    raw = (HEADER + "\nBOM-1,Caf\xe9,TOP,1,,,,,,,FRAME,1,,,,,,\n").encode("latin-1")

    body = assert_problem(upload(planner, csv_file(raw=raw)), 400, "validation_error")

    assert body["errors"]["file"][0].startswith("The file is not a UTF-8 CSV file:")


def test_a_file_over_the_limit_inside_a_small_body_is_413_too(planner, settings):
    settings.JOBS_UPLOAD_MAX_BYTES = 1000
    rows = [f"BOM-{n},B,TOP,1,,,,,,,FRAME,1,,,,,," for n in range(40)]  # ~1.5 kB, < overhead

    assert_problem(upload(planner, csv_file(*rows)), 413, "payload_too_large")
    assert not Job.objects.exists()


def test_upload_honours_the_idempotency_key_by_file_content(planner):
    first = upload(planner, csv_file(*GOOD), HTTP_IDEMPOTENCY_KEY="import-1")
    again = upload(planner, csv_file(*GOOD), HTTP_IDEMPOTENCY_KEY="import-1")
    other = upload(planner, csv_file(*BAD), HTTP_IDEMPOTENCY_KEY="import-1")  # same name

    assert (first.status_code, again.status_code) == (202, 202)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert_problem(other, 422, "idempotency_key_reused")
    assert Job.objects.count() == 1


def test_an_upload_kept_on_disk_by_django_is_checked_and_stored_whole(planner, settings):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) Django keeps the upload in a temporary file:
    the same checks and the same stored bytes."""
    rows = [f"BOM-{n:06d},Big,TOP,1,,,,,,,FRAME,1,,,,,," for n in range(80_000)]  # ~3.4 MB
    file = csv_file(*rows)
    assert file.size > settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    response = upload(planner, file)

    assert response.status_code == 202, response.content
    job = Job.objects.get()
    assert job.parameters["rows"] == 80_000
    assert job.input_file.size == file.size
