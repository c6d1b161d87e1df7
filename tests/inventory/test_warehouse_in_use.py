"""Issue 10, item 15: a warehouse that open production orders take from or deliver to cannot be
archived (`warehouse_in_use`, 409) — manufacturing tells inventory through
`inventory.registry`, so inventory never imports manufacturing."""

from decimal import Decimal

import pytest
from django.test import Client

from config.exceptions import ValidationFailed
from inventory.exceptions import WarehouseInUse
from inventory.models import Warehouse
from inventory.services.moves import stock_move_post
from inventory.services.warehouses import warehouse_archive
from manufacturing.orders import services as order_services
from manufacturing.orders.models import ProductionOrder
from tests.api.test_conventions import assert_problem
from tests.inventory.factories import WarehouseFactory, receive
from tests.manufacturing.orders_fixtures import make_order, make_plant

pytestmark = pytest.mark.django_db
URL = "/api/inventory/warehouses"


@pytest.fixture
def plant():
    return make_plant()


def _is_live(warehouse) -> bool:
    return Warehouse.objects.filter(pk=warehouse.pk).exists()


def test_the_target_warehouse_of_a_draft_order_cannot_be_archived(api, plant):
    finished_goods = WarehouseFactory(code="FG")
    order = make_order(plant, "10", target_warehouse=finished_goods)

    body = assert_problem(api.delete(f"{URL}/{finished_goods.pk}"), 409, "warehouse_in_use")

    assert body["detail"] == (
        f"Warehouse FG is in use: used by open production orders {order.reference}."
    )
    assert _is_live(finished_goods)
    assert api.get(f"{URL}/{finished_goods.pk}").json()["isActive"] is True


def test_the_source_warehouse_of_a_confirmed_order_cannot_be_archived(api):
    line_side = WarehouseFactory(code="LS")
    plant = make_plant(stock=False)
    for item, quantity in ((plant.frame, 10), (plant.board, 20), (plant.paint, 5000)):
        receive(item, quantity, warehouse=line_side)
    order = make_order(plant, "10", source_warehouse=line_side)
    order_services.production_order_confirm(order=order)
    order_services.production_order_produce(order=order, qty=Decimal(10))
    # Everything consumed: no stock left in LS, only the open (in progress) order holds it.

    with pytest.raises(WarehouseInUse) as refused:
        warehouse_archive(warehouse=line_side)

    assert refused.value.detail == (
        f"Warehouse LS is in use: used by open production orders {order.reference}."
    )
    assert _is_live(line_side)


def test_produce_still_works_after_the_archive_was_refused(api, plant):
    finished_goods = WarehouseFactory(code="FG")
    order = make_order(plant, "10", target_warehouse=finished_goods)
    order_services.production_order_confirm(order=order)

    assert_problem(api.delete(f"{URL}/{finished_goods.pk}"), 409, "warehouse_in_use")
    response = api.post(f"/api/manufacturing/orders/{order.pk}/produce", {"qty": 10})

    assert response.status_code == 200, response.content
    assert response.json()["producedQty"] == 10


def test_many_orders_are_named_up_to_five(plant):
    target = WarehouseFactory(code="FG")
    references = [make_order(plant, "1", target_warehouse=target).reference for _ in range(7)]

    with pytest.raises(WarehouseInUse) as refused:
        warehouse_archive(warehouse=target)

    shown = ", ".join(sorted(references)[:5])
    assert refused.value.detail == (
        f"Warehouse FG is in use: used by open production orders {shown}, …."
    )


def test_closed_cancelled_and_deleted_orders_do_not_hold_a_warehouse(api, plant):
    target = WarehouseFactory(code="FG")
    done = make_order(plant, "1", target_warehouse=target)
    order_services.production_order_confirm(order=done)
    order_services.production_order_produce(order=done, qty=Decimal(1))
    order_services.production_order_close(order=done)
    order_services.production_order_cancel(order=make_order(plant, "1", target_warehouse=target))
    order_services.production_order_delete(order=make_order(plant, "1", target_warehouse=target))
    # The product received by `done` went to FG: move it out so only the orders matter.
    stock_move_post(
        kind="issue", item=plant.product, quantity=Decimal(1), from_warehouse=target, actor=None
    )

    assert api.delete(f"{URL}/{target.pk}").status_code == 204
    assert not _is_live(target)


def test_a_deleted_draft_cannot_be_restored_onto_an_archived_warehouse(plant):
    target = WarehouseFactory(code="FG")
    order = make_order(plant, "1", target_warehouse=target)
    order_services.production_order_delete(order=order)
    warehouse_archive(warehouse=target)

    with pytest.raises(ValidationFailed) as refused:
        order_services.production_order_restore(order=order)

    assert refused.value.errors == {"target_warehouse_id": ["Warehouse FG is archived."]}
    assert ProductionOrder.all_objects.get(pk=order.pk).deleted_at is not None


def test_admin_archive_action_shows_the_refusal(admin_user, plant):
    target = WarehouseFactory(code="FG")
    order = make_order(plant, "1", target_warehouse=target)
    client = Client()
    client.force_login(admin_user)

    page = client.post(
        "/admin/inventory/warehouse/",
        {"action": "archive_selected", "_selected_action": [str(target.pk)]},
        follow=True,
    ).content.decode()

    assert f"FG: Warehouse FG is in use: used by open production orders {order.reference}." in page
    assert _is_live(target)
