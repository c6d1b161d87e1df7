"""The BOM list's "Import BOMs" upload: a job the planner follows on the Jobs page."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from config.jobs.models import Job, JobStatus
from manufacturing.boms.models import BOM
from tests.config.jobs_helpers import run_worker
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.test_bom_jobs import BAD, GOOD, HEADER

pytestmark = pytest.mark.django_db
BOMS = "/admin/manufacturing/bom/"
IMPORT = "/admin/manufacturing/bom/import/"


def staff_client(client, *codenames):
    user = get_user_model().objects.create_user("planner-a", "p@example.com", "pw", is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


def csv_upload(*rows, raw: bytes | None = None):
    content = raw if raw is not None else ("\n".join([HEADER, *rows]) + "\n").encode()
    return SimpleUploadedFile("boms.csv", content, content_type="text/csv")


def test_the_bom_list_offers_the_import_to_those_who_may_add_boms(client):
    planner = staff_client(client, "view_bom", "add_bom")
    page = planner.get(BOMS)

    assert f'<a href="{IMPORT}" class="addlink" id="import-boms">Import BOMs</a>' in (
        page.content.decode()
    )
    assert planner.get(IMPORT).status_code == 200


def test_a_viewer_gets_no_import(client):
    viewer = staff_client(client, "view_bom")

    assert b"Import BOMs" not in viewer.get(BOMS).content
    assert viewer.get(IMPORT).status_code == 403
    assert viewer.post(IMPORT, {"file": csv_upload(*GOOD)}).status_code == 403
    assert not Job.objects.exists()


def test_an_upload_queues_a_job_and_opens_its_page(client):
    planner = staff_client(client, "view_bom", "add_bom")

    response = planner.post(IMPORT, {"file": csv_upload(*GOOD)})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/config/job/{job.pk}/change/"
    assert (job.kind, job.status, job.parameters["rows"]) == ("bom_import", "queued", 3)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"bom_number,name\nx,y\n", "Missing columns: component_number, product_number"),
        ((HEADER + "\nBOM-1,Caf\xe9\n").encode("latin-1"), "The file is not a UTF-8 CSV file"),
    ],
)
def test_an_unreadable_file_is_a_form_error_and_queues_nothing(client, raw, message):
    planner = staff_client(client, "view_bom", "add_bom")

    response = planner.post(IMPORT, {"file": csv_upload(raw=raw)})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("rows", "status"), [(GOOD, "succeeded"), (BAD, "failed")])
def test_the_job_page_shows_the_outcome(client, rows, status):
    for number in ("TOP", "FRAME", "BOLT"):
        ItemFactory(number=number, uom=unit("units"))
    planner = staff_client(client, "view_bom", "add_bom")
    job_page = planner.post(IMPORT, {"file": csv_upload(*rows)})["Location"]

    run_worker()
    page = planner.get(job_page).content.decode()

    job = Job.objects.get()
    assert job.status == status
    if status == JobStatus.SUCCEEDED:
        assert BOM.objects.count() == 2
        assert 'value="3" max="3"' in page
    else:
        assert not BOM.all_objects.exists()
        assert "<li>row 3: component_number &#x27;NOPE&#x27; is not an active item.</li>" in page
