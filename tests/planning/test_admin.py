"""The planners' admin on the demo plant: every page renders, Run MRP starts a background run
and shows its job's progress, Firm selected makes one draft order (refusals are messages),
the demand import is all or nothing, and malformed ids never give a 500."""

import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from config.jobs.models import Job, JobStatus
from manufacturing.orders.models import ProductionOrder
from manufacturing.planning.models import (
    Demand,
    ItemPlanning,
    PlanException,
    PlanItem,
    PlannedOrder,
    PlanningRun,
    RunStatus,
)

pytestmark = pytest.mark.django_db
ADMIN = "/admin/manufacturing"
MODELS = {
    "demand": Demand,
    "itemplanning": ItemPlanning,
    "planningrun": PlanningRun,
    "plannedorder": PlannedOrder,
    "planitem": PlanItem,
    "planexception": PlanException,
}


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _staff(*codenames: str) -> Client:
    user = get_user_model().objects.create_user("viewer", "v@example.com", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def _current_orders(kind: str):
    return PlannedOrder.objects.filter(run__is_current=True, kind=kind).order_by("position")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_planning_list_and_change_page_renders_on_the_demo(demo, admin_client, name):
    model = MODELS[name]
    listing = admin_client.get(f"{ADMIN}/{name}/")
    assert listing.status_code == 200
    objects = model._base_manager.all()
    if name in ("plannedorder", "planitem", "planexception"):
        objects = objects.filter(run__is_current=True)
    obj = objects.order_by("pk").first()
    assert obj is not None, f"the demo has no {name}"
    assert str(obj.pk) in listing.content.decode()
    change = admin_client.get(f"{ADMIN}/{name}/{obj.pk}/change/")
    assert change.status_code == 200


def test_plan_lists_show_quantities_without_trailing_zeros_and_sort_by_them(demo, admin_client):
    order = _current_orders("make").first()
    listing = admin_client.get(f"{ADMIN}/plannedorder/?o=3")  # the quantity column, sorted
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f">{order.quantity.normalize():f}<" in text
    demands = admin_client.get(f"{ADMIN}/demand/").content.decode()
    assert ".000000<" not in demands and ".000000<" not in text


def test_the_plan_list_filters_render(demo, admin_client):
    for query in ("kind__exact=make", "exception=late", "exception=no_bom", "level__exact=1"):
        assert admin_client.get(f"{ADMIN}/plannedorder/?{query}").status_code == 200


def test_run_mrp_starts_a_background_run_and_opens_its_job_progress(demo, admin_client):
    page = admin_client.get(f"{ADMIN}/planningrun/run/")
    assert page.status_code == 200
    assert 'name="horizon_days"' in page.content.decode()

    response = admin_client.post(f"{ADMIN}/planningrun/run/", {"horizon_days": "90"})

    run = PlanningRun.objects.get(in_flight=True)
    assert run.status == RunStatus.QUEUED and run.parameters["horizonDays"] == 90
    assert run.job.kind == "mrp_run" and run.job.parameters == {"runId": str(run.pk)}
    assert response.status_code == 302
    assert response["Location"] == f"/admin/config/job/{run.job_id}/change/"
    # What the planner then sees: the job page with a progress bar that progress.js follows.
    job_page = admin_client.get(response["Location"])
    html = job_page.content.decode()
    assert job_page.status_code == 200
    assert "MRP run" in html
    assert (
        f'<progress class="job-progress" data-job-id="{run.job_id}" data-job-status="queued"'
        in (html)
    )
    assert 'src="/static/config/jobs/progress.js"' in html


def test_the_job_page_of_a_running_planning_run_shows_its_progress(demo, admin_client):
    admin_client.post(f"{ADMIN}/planningrun/run/", {"horizon_days": ""})
    run = PlanningRun.objects.get(in_flight=True)
    Job.objects.filter(pk=run.job_id).update(
        status=JobStatus.RUNNING, progress_done=500, progress_total=2000
    )

    html = admin_client.get(f"/admin/config/job/{run.job_id}/change/").content.decode()

    assert f'data-job-id="{run.job_id}" data-job-status="running"' in html
    assert 'value="500" max="2000"></progress>' in html
    assert "500 / 2000 (25%)" in html
    listing = admin_client.get(f"{ADMIN}/planningrun/").content.decode()
    assert f'href="/admin/config/job/{run.job_id}/change/">job progress</a>' in listing


def test_a_second_run_while_one_is_queued_is_a_form_error(demo, admin_client):
    admin_client.post(f"{ADMIN}/planningrun/run/", {"horizon_days": ""})
    response = admin_client.post(f"{ADMIN}/planningrun/run/", {"horizon_days": ""})
    assert response.status_code == 200
    assert "already queued or running" in response.content.decode()
    assert PlanningRun.objects.filter(in_flight=True).count() == 1


def test_run_mrp_is_refused_without_the_permission(demo):
    client = _staff("view_planningrun")
    before = PlanningRun.objects.count()

    response = client.post(f"{ADMIN}/planningrun/run/", {"horizon_days": "30"})

    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}/planningrun/"
    assert PlanningRun.objects.count() == before
    assert not Job.objects.exists()


def test_run_mrp_with_a_bad_horizon_is_a_form_error(demo, admin_client):
    response = admin_client.post(f"{ADMIN}/planningrun/run/", {"horizon_days": "-4"})
    assert response.status_code == 200
    assert not PlanningRun.objects.filter(in_flight=True).exists()


def _firm(client, orders):
    return client.post(
        f"{ADMIN}/plannedorder/",
        {"action": "firm_selected", "_selected_action": [str(o.pk) for o in orders]},
        follow=True,
    )


def test_firm_selected_makes_exactly_one_draft_order(demo, admin_client):
    order = _current_orders("make").first()
    before = ProductionOrder.objects.count()

    page = _firm(admin_client, [order]).content.decode()

    assert "Firmed 1 planned order(s)." in page
    assert ProductionOrder.objects.count() == before + 1
    order.refresh_from_db()
    made = order.production_order
    assert made.status == "draft" and made.product_id == order.item_id
    assert made.quantity == order.quantity
    # Firming it again is a message, not a second order.
    again = _firm(admin_client, [order])
    assert again.status_code == 200
    assert "already firmed" in again.content.decode()
    assert ProductionOrder.objects.count() == before + 1


def test_firming_a_buy_order_is_a_message(demo, admin_client):
    buy = _current_orders("buy").first()
    before = ProductionOrder.objects.count()

    response = _firm(admin_client, [buy])

    assert response.status_code == 200
    assert "is bought, not made" in response.content.decode()
    assert ProductionOrder.objects.count() == before


def test_firming_a_stale_plan_is_a_message(demo, admin_client):
    make = _current_orders("make").first()
    demand = Demand.objects.order_by("due_date").first()
    demand.notes = "changed after the run"
    demand.save()
    Demand.objects.filter(pk=demand.pk).update(updated_at=timezone.now() + timedelta(seconds=1))
    before = ProductionOrder.objects.count()

    response = _firm(admin_client, [make])

    assert response.status_code == 200
    assert "changed since this plan was made" in response.content.decode()
    assert ProductionOrder.objects.count() == before


def test_firm_is_not_offered_without_the_permission(demo):
    client = _staff("view_plannedorder")
    make = _current_orders("make").first()
    before = ProductionOrder.objects.count()

    page = client.get(f"{ADMIN}/plannedorder/").content.decode()
    response = _firm(client, [make])

    assert "firm_selected" not in page
    assert response.status_code == 200
    assert ProductionOrder.objects.count() == before


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("demands.csv", text.encode(), content_type="text/csv")


def test_demand_import_of_a_good_file_saves_every_row(demo, admin_client):
    assert admin_client.get(f"{ADMIN}/demand/import/").status_code == 200
    before = Demand.objects.count()
    text = (
        "item_number,quantity,due_date,kind,reference\n"
        "WIDGET-PRO,12,2030-05-01,sales,SO-ADM-1\n"
        "SA-FRAME,3.5,2030-05-02,forecast,FC-ADM-2\n"
    )

    response = admin_client.post(f"{ADMIN}/demand/import/", {"file": _upload(text)}, follow=True)

    assert "2 demand(s) imported." in response.content.decode()
    assert Demand.objects.count() == before + 2
    assert Demand.objects.get(reference="SO-ADM-1").quantity == 12


def test_demand_import_of_a_bad_file_shows_row_errors_and_saves_nothing(demo, admin_client):
    before = Demand.objects.count()
    text = (
        "item_number,quantity,due_date\n"
        "WIDGET-PRO,12,2030-05-01\n"
        "NO-SUCH-ITEM,1,2030-05-01\n"
        "WIDGET-PRO,-3,2030-05-01\n"
        "WIDGET-PRO,2,not-a-date\n"
    )

    response = admin_client.post(f"{ADMIN}/demand/import/", {"file": _upload(text)})

    html = response.content.decode()
    assert response.status_code == 200
    assert "row 3" in html and "row 4" in html and "row 5" in html
    assert Demand.objects.count() == before


def test_demand_import_of_a_file_without_the_columns_is_a_form_error(demo, admin_client):
    before = Demand.objects.count()
    response = admin_client.post(f"{ADMIN}/demand/import/", {"file": _upload("a,b\n1,2\n")})
    assert response.status_code == 200
    assert "Missing column(s)" in response.content.decode()
    assert Demand.objects.count() == before


def test_demand_import_of_a_binary_file_is_a_form_error(demo, admin_client):
    before = Demand.objects.count()
    upload = SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x81garbage", content_type="text/csv")
    response = admin_client.post(f"{ADMIN}/demand/import/", {"file": upload})
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert Demand.objects.count() == before


def test_the_pegging_tree_renders_up_to_a_demand(demo, admin_client):
    # The deepest planned order of the demo (steel): its tree climbs to a widget demand.
    deepest = PlannedOrder.objects.filter(run__is_current=True).order_by("-level", "position")
    order = deepest.first()
    assert order.level >= 2

    html = admin_client.get(f"{ADMIN}/plannedorder/{order.pk}/change/").content.decode()

    assert "<ul><li>" in html
    assert "demand SO-DEMO" in html or "demand FC-DEMO" in html
    assert "make WIDGET-PRO" in html


def test_the_item_projection_page_shows_its_table_and_svg_chart(demo, admin_client):
    item = PlanItem.objects.filter(run__is_current=True, item__number="RM-STEEL-001").first()
    assert item is not None

    html = admin_client.get(f"{ADMIN}/planitem/{item.pk}/change/").content.decode()

    assert "<th>projected</th>" in html
    assert "<svg" in html and "</svg>" in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("suffix", ["change/", "history/", "delete/"])
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"])
def test_malformed_ids_in_planning_admin_urls_never_give_a_500(admin_client, name, suffix, bad_id):
    response = admin_client.get(f"{ADMIN}/{name}/{bad_id}/{suffix}")
    assert response.status_code in (302, 403, 404), response.status_code


@pytest.mark.parametrize("name", sorted(MODELS))
def test_malformed_list_filters_never_give_a_500(admin_client, name):
    for query in ("o=not-a-number", "level__exact=x", "due_date__gte=2026-13-45", "p=zz"):
        response = admin_client.get(f"{ADMIN}/{name}/?{query}")
        assert response.status_code in (200, 302), (query, response.status_code)
