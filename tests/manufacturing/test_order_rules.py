"""Issue 10, items 13 and 14: an order is due at or after its scheduled date, and is made and
confirmed only against a submitted BOM — through the API, the admin and the services alike."""

from decimal import Decimal

import pytest
from django.test import Client

from inventory.models import Reservation, StockMove
from manufacturing.boms import services as bom_services
from manufacturing.boms.models import BOM
from manufacturing.models import Sequence
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from tests.api.test_conventions import assert_problem
from tests.inventory.factories import main_warehouse
from tests.manufacturing.factories import BOMFactory, line
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db
ORDERS = "/api/manufacturing/orders"
ADMIN = "/admin/manufacturing/productionorder"


@pytest.fixture
def plant():
    return make_plant()


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _admin_form(plant, **fields) -> dict:
    wh = main_warehouse()
    return {
        "product": plant.product.pk,
        "bom": "",
        "quantity": "12",
        "priority": "normal",
        "customer": "",
        "notes": "",
        "source_warehouse": wh.pk,
        "target_warehouse": wh.pk,
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
        "work_orders-TOTAL_FORMS": "0",
        "work_orders-INITIAL_FORMS": "0",
        **fields,
    }


def _order_counter() -> list:
    return list(Sequence.objects.values_list("name", "next_value"))


# --- 13: the due date is not before the scheduled date ----------------------------------------


def test_create_with_a_due_date_before_the_scheduled_date_is_refused(api, plant):
    response = api.post(
        ORDERS,
        {
            "productId": str(plant.product.pk),
            "quantity": 10,
            "scheduledDate": "2026-04-10T06:00:00Z",
            "dueDate": "2026-04-09T18:00:00Z",
        },
    )

    body = assert_problem(response, 400, "validation_error")
    message = (
        "The due date (2026-04-09T18:00:00+00:00) is before the scheduled date "
        "(2026-04-10T06:00:00+00:00)."
    )
    assert body["detail"] == message
    assert body["errors"] == {"dueDate": [message]}
    assert not ProductionOrder.all_objects.exists()


def test_an_order_may_be_due_when_it_is_scheduled(api, plant):
    response = api.post(
        ORDERS,
        {
            "productId": str(plant.product.pk),
            "quantity": 10,
            "scheduledDate": "2026-04-10T06:00:00Z",
            "dueDate": "2026-04-10T06:00:00Z",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["dueDate"] == "2026-04-10T06:00:00Z"


def test_patch_checks_the_dates_against_the_stored_ones(api, plant):
    order = make_order(plant)
    ok = api.patch(
        f"{ORDERS}/{order.pk}",
        {"scheduledDate": "2026-04-10T06:00:00Z", "dueDate": "2026-04-12T06:00:00Z"},
    )
    assert ok.status_code == 200, ok.content

    early_due = api.patch(f"{ORDERS}/{order.pk}", {"dueDate": "2026-04-09T06:00:00Z"})
    late_start = api.patch(
        f"{ORDERS}/{order.pk}", {"scheduledDate": "2026-04-13T06:00:00Z", "notes": "late"}
    )

    assert list(assert_problem(early_due, 400, "validation_error")["errors"]) == ["dueDate"]
    assert list(assert_problem(late_start, 400, "validation_error")["errors"]) == ["dueDate"]
    fresh = ProductionOrder.objects.get(pk=order.pk)
    assert (fresh.scheduled_date.isoformat(), fresh.due_date.isoformat(), fresh.notes) == (
        "2026-04-10T06:00:00+00:00",
        "2026-04-12T06:00:00+00:00",
        "",
    )


def test_admin_shows_an_early_due_date_on_its_field(admin_client, plant):
    response = admin_client.post(
        f"{ADMIN}/add/",
        _admin_form(
            plant,
            scheduled_date_0="2026-04-10",
            scheduled_date_1="06:00:00",
            due_date_0="2026-04-01",
            due_date_1="06:00:00",
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["due_date"]
    assert errors["due_date"][0].startswith("The due date (2026-04-01T06:00:00")
    assert not ProductionOrder.all_objects.exists()


# --- 14: orders are made and confirmed against submitted BOMs only -----------------------------


def test_create_with_a_draft_bom_is_bom_unusable(api, plant):
    draft = BOMFactory(product=plant.product, lines=[line(plant.frame)])
    counter = _order_counter()

    response = api.post(
        ORDERS, {"productId": str(plant.product.pk), "bomId": str(draft.pk), "quantity": 1}
    )

    body = assert_problem(response, 422, "bom_unusable")
    message = f"BOM {draft.number} is a draft: submit it before ordering against it."
    assert body["detail"] == message
    assert body["errors"] == {"bomId": [message]}
    assert not ProductionOrder.all_objects.exists()
    assert _order_counter() == counter


def test_create_on_a_default_bom_that_is_a_draft_is_bom_unusable(api, plant):
    draft = BOMFactory(product=plant.product, lines=[line(plant.frame)], is_default=True)

    body = assert_problem(
        api.post(ORDERS, {"productId": str(plant.product.pk), "quantity": 1}), 422, "bom_unusable"
    )

    assert body["detail"] == (
        f"BOM {draft.number}, the default of WIDGET, is a draft: submit it before ordering "
        "against it."
    )
    assert not ProductionOrder.all_objects.exists()


def test_patch_to_a_draft_bom_is_bom_unusable_and_changes_nothing(api, plant):
    order = make_order(plant)
    draft = BOMFactory(product=plant.product, lines=[line(plant.frame)])

    response = api.patch(f"{ORDERS}/{order.pk}", {"bomId": str(draft.pk), "quantity": 3})

    assert_problem(response, 422, "bom_unusable")
    fresh = ProductionOrder.objects.get(pk=order.pk)
    assert (fresh.bom_id, fresh.quantity) == (plant.bom.pk, Decimal(100))


def test_confirm_rechecks_that_the_bom_is_submitted(api, plant):
    """An order saved on a draft BOM before this rule (legacy data) cannot be confirmed."""
    draft = BOMFactory(product=plant.product, lines=[line(plant.frame)])
    order = make_order(plant, "10")
    ProductionOrder.objects.filter(pk=order.pk).update(bom=draft)
    moves = StockMove.objects.count()

    body = assert_problem(api.post(f"{ORDERS}/{order.pk}/confirm"), 422, "bom_unusable")

    assert body["detail"] == f"BOM {draft.number} is a draft: submit it before ordering against it."
    fresh = ProductionOrder.objects.get(pk=order.pk)
    assert (fresh.status, fresh.bom_id) == ("draft", draft.pk)
    assert not fresh.components.exists() and not fresh.work_orders.exists()
    assert not Reservation.objects.exists()
    assert StockMove.objects.count() == moves
    assert BOM.objects.get(pk=draft.pk).status == "draft"


def test_confirm_refuses_a_bom_cancelled_since_the_order_was_made(api, plant):
    order = make_order(plant, "10")
    bom_services.bom_cancel(bom=plant.bom)

    assert_problem(api.post(f"{ORDERS}/{order.pk}/confirm"), 422, "bom_unusable")
    assert ProductionOrder.objects.get(pk=order.pk).status == "draft"
    assert not Reservation.objects.exists()


def test_admin_add_with_a_draft_bom_shows_the_refusal_on_the_bom_field(admin_client, plant):
    draft = BOMFactory(product=plant.product, lines=[line(plant.frame)])

    response = admin_client.post(f"{ADMIN}/add/", _admin_form(plant, bom=draft.pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "bom": [f"BOM {draft.number} is a draft: submit it before ordering against it."]
    }
    assert not ProductionOrder.all_objects.exists()


def test_admin_confirm_action_refuses_a_draft_bom_with_a_message(admin_client, plant):
    draft = BOMFactory(product=plant.product, lines=[line(plant.frame)])
    order = make_order(plant, "10")
    ProductionOrder.objects.filter(pk=order.pk).update(bom=draft)

    page = admin_client.post(
        f"{ADMIN}/",
        {"action": "confirm_selected", "_selected_action": [order.pk]},
        follow=True,
    ).content.decode()

    assert f"{order.reference}: BOM {draft.number} is a draft" in page
    assert ProductionOrder.objects.get(pk=order.pk).status == "draft"
    assert not Reservation.objects.exists()


def test_service_refuses_a_draft_bom_on_create():
    plant = make_plant(stock=False)
    draft = BOMFactory(product=plant.product, lines=[line(plant.board)])

    with pytest.raises(order_services.BomUnusable):
        order_services.production_order_create(
            product=plant.product, quantity=Decimal(1), bom=draft
        )

    assert not ProductionOrder.all_objects.exists()
