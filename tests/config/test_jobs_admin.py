"""The Jobs admin page: progress bars (followed by static JS), row errors, the download."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile

from config.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db
JOBS = "/admin/config/job/"


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_bom"))
    client.force_login(user)
    client.user = user
    return client


def test_jobs_page_shows_a_progress_bar_and_the_script_that_follows_it(staff):
    running = Job.objects.create(
        kind="bom_import", status=JobStatus.RUNNING, progress_done=250, progress_total=1000
    )
    Job.objects.create(kind="bom_export", status=JobStatus.QUEUED)

    page = staff.get(JOBS)

    assert page.status_code == 200
    html = page.content.decode()
    assert (
        f'<progress class="job-progress" data-job-id="{running.pk}" data-job-status="running" '
        f'data-job-url="/api/jobs/{running.pk}" value="250" max="1000"></progress> '
        '<span class="job-progress-label">250 / 1000 (25%)</span>'
    ) in html
    assert 'data-job-status="queued" data-job-url' in html
    assert f'<span class="job-status" data-job-id="{running.pk}">running</span>' in html
    assert 'src="/static/config/jobs/progress.js"' in html
    assert not page.context["has_add_permission"]


def test_a_failed_import_shows_its_row_errors(staff):
    job = Job.objects.create(
        kind="bom_import",
        status=JobStatus.FAILED,
        error="2 error(s), nothing imported.",
        row_errors=["row 2: quantity 'x' is not a number.", "row 3: <b>unit</b> unknown."],
    )

    page = staff.get(f"{JOBS}{job.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    assert (
        '<ol class="job-row-errors"><li>row 2: quantity &#x27;x&#x27; is not a number.</li>'
        "<li>row 3: &lt;b&gt;unit&lt;/b&gt; unknown.</li></ol>"
    ) in html
    assert "2 error(s), nothing imported." in html
    assert "BOM import of " in html  # the job's title names its kind
    assert b'name="_save"' not in page.content


def test_an_export_links_its_file_and_the_link_downloads_it(staff):
    job = Job.objects.create(kind="bom_export", status=JobStatus.SUCCEEDED)
    job.output_file.save("boms-1.csv", ContentFile(b"bom_number\nBOM-1\n"))

    page = staff.get(JOBS)
    link = f"{JOBS}{job.pk}/download/"
    download = staff.get(link)

    assert f'<a href="{link}">boms-1.csv</a>' in page.content.decode()
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"bom_number\nBOM-1\n"


def test_the_download_needs_the_kinds_read_permission(client):
    user = get_user_model().objects.create_user("nobody", "n@example.com", "pw", is_staff=True)
    client.force_login(user)
    job = Job.objects.create(kind="bom_export", status=JobStatus.SUCCEEDED)
    job.output_file.save("boms-2.csv", ContentFile(b"x"))

    assert client.get(f"{JOBS}{job.pk}/download/").status_code == 403
