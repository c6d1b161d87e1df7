import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from tests.inventory.factories import main_warehouse
from tests.manufacturing.orders_fixtures import make_order, make_plant, reserved

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_order_changelist_search_and_filters(admin_client):
    plant = make_plant()
    order = make_order(plant, customer="Globex")

    page = admin_client.get("/admin/manufacturing/productionorder/?q=globex").content.decode()
    assert order.reference in page
    assert (
        admin_client.get(
            "/admin/manufacturing/productionorder/?status__exact=draft&priority__exact=normal"
        ).status_code
        == 200
    )


def test_admin_add_order_goes_through_the_service(admin_client):
    plant = make_plant(stock=False)
    wh = main_warehouse()

    response = admin_client.post(
        "/admin/manufacturing/productionorder/add/",
        {
            "product": plant.product.pk,
            "bom": "",
            "quantity": "12",
            "priority": "high",
            "customer": "",
            "notes": "",
            "source_warehouse": wh.pk,
            "target_warehouse": wh.pk,
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
            "work_orders-TOTAL_FORMS": "0",
            "work_orders-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    order = ProductionOrder.objects.get()
    assert order.reference.startswith("MO/") and order.bom_id == plant.bom.pk


def test_admin_confirm_action_and_refusal_shown_as_message(admin_client):
    plant = make_plant(frames="5")
    small, large = make_order(plant, "5"), make_order(plant, "50")

    response = admin_client.post(
        "/admin/manufacturing/productionorder/",
        {"action": "confirm_selected", "_selected_action": [small.pk, large.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "Confirmed 1 order(s)." in page
    assert f"{large.reference}: Not enough available stock" in page
    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.status, large.status) == ("confirmed", "draft")
    assert reserved(plant.frame) == 5


def test_confirmed_order_page_shows_requirements_and_work_orders(admin_client):
    plant = make_plant()
    order = make_order(plant, "10")
    admin_client.post(
        "/admin/manufacturing/productionorder/",
        {"action": "confirm_selected", "_selected_action": [order.pk]},
    )

    page = admin_client.get(f"/admin/manufacturing/productionorder/{order.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "FRAME" in html and "Assembly" in html and "Line A" in html
    order_services.production_order_produce(
        order=ProductionOrder.objects.get(pk=order.pk), qty=Decimal("4")
    )
    html = admin_client.get(
        f"/admin/manufacturing/productionorder/{order.pk}/change/"
    ).content.decode()
    # Reserved is shown as required is (six places), not as SQLite hands an annotation back.
    cells = re.findall(r'<td class="field-(required|reserved)">\s*<p>([^<]*)</p>', html)
    shown = {
        kind: [text.strip() for k, text in cells if k == kind] for kind in ("required", "reserved")
    }
    assert shown["required"] == ["10.000000", "20.000000", "5000.000000"]
    assert shown["reserved"] == ["6.000000", "12.000000", "3000.000000"]


def test_work_order_list_for_the_shop_floor(admin_client):
    plant = make_plant()
    running, closed = make_order(plant, "10"), make_order(plant, "5")
    admin_client.post(
        "/admin/manufacturing/productionorder/",
        {"action": "confirm_selected", "_selected_action": [running.pk, closed.pk]},
    )
    admin_client.post(
        "/admin/manufacturing/productionorder/",
        {"action": "close_selected", "_selected_action": [closed.pk]},
    )
    base = f"/admin/manufacturing/workorder/?workcenter__id__exact={plant.line_a.pk}"

    pending = admin_client.get(f"{base}&status__exact=pending").content.decode()
    cancelled = admin_client.get(f"{base}&status__exact=cancelled").content.decode()

    assert f"{running.reference}-01" in pending and f"{closed.reference}-01" not in pending
    assert f"{closed.reference}-01" in cancelled and f"{running.reference}-01" not in cancelled


def test_demo_data_has_orders_in_every_status_and_no_drift(settings, assert_no_drift):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    statuses = set(ProductionOrder.objects.values_list("status", flat=True))
    assert statuses == {"draft", "confirmed", "in_progress", "done", "cancelled"}
    running = ProductionOrder.objects.get(status="in_progress")
    assert running.produced_qty > 0
    assert running.work_orders.filter(status="in_progress").exists()
    assert_no_drift()


def test_admin_edit_a_draft_and_confirmed_orders_are_read_only(admin_client):
    plant = make_plant()
    order = make_order(plant, "10")
    url = f"/admin/manufacturing/productionorder/{order.pk}/change/"
    wh = main_warehouse()
    data = {
        "product": plant.product.pk,
        "bom": plant.bom.pk,
        "quantity": "15",
        "priority": "critical",
        "customer": "Initech",
        "notes": "",
        "source_warehouse": wh.pk,
        "target_warehouse": wh.pk,
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
        "work_orders-TOTAL_FORMS": "0",
        "work_orders-INITIAL_FORMS": "0",
    }

    assert admin_client.post(url, data).status_code == 302
    order.refresh_from_db()
    assert (order.quantity, order.priority, order.customer) == (15, "critical", "Initech")

    admin_client.post(
        "/admin/manufacturing/productionorder/",
        {"action": "confirm_selected", "_selected_action": [order.pk]},
    )
    page = admin_client.get(url).content.decode()
    assert 'name="quantity"' not in page


def test_deleting_and_restoring_a_draft_in_the_admin_go_through_the_services(admin_client):
    plant = make_plant()
    order = make_order(plant, "10")
    changelist = "/admin/manufacturing/productionorder/"

    admin_client.post(
        changelist, {"action": "archive_selected", "_selected_action": [order.pk]}, follow=True
    )
    order.refresh_from_db()
    assert order.deleted_at is not None

    page = admin_client.post(
        f"{changelist}?archived=all",
        {"action": "restore_selected", "_selected_action": [order.pk]},
        follow=True,
    ).content.decode()

    order.refresh_from_db()
    assert order.deleted_at is None
    assert "Restored 1 record(s)." in page
    latest = order.history.order_by("-history_date").first()
    assert latest.history_user.username == "boss"  # the admin_client's user (tests/conftest.py)


def test_admin_add_order_with_a_malformed_product_id_is_a_form_error(admin_client):
    wh = main_warehouse()

    response = admin_client.post(
        "/admin/manufacturing/productionorder/add/",
        {
            "product": "not-a-uuid",
            "bom": "",
            "quantity": "12",
            "priority": "normal",
            "source_warehouse": wh.pk,
            "target_warehouse": wh.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["product"] == [
        "“not-a-uuid” is not a valid UUID."
    ]
    assert not ProductionOrder.objects.exists()
