import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from inventory.models import StockMove, Warehouse
from inventory.services.reservations import stock_reserve
from tests.inventory.factories import WarehouseFactory, level_of, main_warehouse, receive
from tests.items.factories import ItemFactory, unit

pytestmark = pytest.mark.django_db
MOVES = "/admin/inventory/stockmove/"
RECORD = f"{MOVES}record/"


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def record_form(item, **overrides):
    data = {
        "kind": "receipt",
        "item": str(item.pk),
        "quantity": "5",
        "uom": "",
        "from_warehouse": "",
        "to_warehouse": "",
        "lot_number": "",
        "reference": "ADM-1",
        "note": "",
    }
    return {**data, **overrides}


def test_every_inventory_admin_page_renders(admin_client):
    item = ItemFactory(tracking="lot")
    receive(item, 3, lot="L1")
    stock_reserve(
        lines=[(item, main_warehouse(), Decimal(1))], production_order_id=uuid.uuid4(), actor=None
    )

    for model in ("warehouse", "lot", "stocklevel", "stockmove", "reservation"):
        listing = admin_client.get(f"/admin/inventory/{model}/?q=")
        assert listing.status_code == 200, model
    move = StockMove.objects.get()
    assert admin_client.get(f"{MOVES}{move.pk}/change/").status_code == 200
    assert "L1 (3" in admin_client.get("/admin/inventory/stocklevel/").content.decode()
    assert admin_client.get(RECORD).status_code == 200


def test_the_ledger_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    item = ItemFactory()
    [move] = receive(item, 5)

    assert admin_client.get(f"{MOVES}add/").status_code == 403
    response = admin_client.post(f"{MOVES}{move.pk}/change/", {"quantity": "50", "kind": "receipt"})
    assert response.status_code == 403
    assert admin_client.post(f"{MOVES}{move.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post(
        MOVES, {"action": "delete_selected", "_selected_action": [str(move.pk)], "post": "yes"}
    )
    assert StockMove.objects.get().quantity == Decimal(5)
    assert "delete_selected" not in admin_client.get(MOVES).content.decode()


def test_stock_levels_and_reservations_are_read_only(admin_client):
    item = ItemFactory()
    receive(item, 5)

    assert admin_client.get("/admin/inventory/stocklevel/add/").status_code == 403
    assert admin_client.get("/admin/inventory/reservation/add/").status_code == 403
    assert admin_client.get("/admin/inventory/lot/add/").status_code == 403


def test_record_a_move_goes_through_the_service(admin_client, admin_user, assert_no_drift):
    item = ItemFactory(uom=unit("g"))

    response = admin_client.post(RECORD, record_form(item, quantity="2", uom=str(unit("kg").pk)))

    assert response.status_code == 302
    move = StockMove.objects.get()
    assert (move.kind, move.quantity, move.reference, move.created_by) == (
        "receipt",
        Decimal(2000),
        "ADM-1",
        admin_user,
    )
    assert level_of(item) == (Decimal(2000), Decimal(0))
    assert "Record a stock move" in admin_client.get(MOVES).content.decode()
    assert_no_drift()


def test_record_refusals_are_form_errors_and_change_nothing(admin_client):
    item = ItemFactory(number="MOTOR", tracking="lot")
    receive(item, 2, lot="L1")

    short = admin_client.post(RECORD, record_form(item, kind="issue", quantity="5"))
    no_lot = admin_client.post(RECORD, record_form(item))
    bad_unit = admin_client.post(RECORD, record_form(item, uom=str(unit("kg").pk), lot_number="X"))

    for response in (short, no_lot, bad_unit):
        assert response.status_code == 200
        assert "errorlist" in response.content.decode() or "errornote" in response.content.decode()
    assert "insufficient_stock" in short.content.decode()
    assert "lot-tracked" in no_lot.content.decode()
    assert "uom_mismatch" in bad_unit.content.decode()
    assert StockMove.objects.count() == 1


def test_record_needs_the_post_permission(make_user):
    user = make_user("inventory.view_stockmove")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)

    assert client.get(MOVES).status_code == 200
    assert "Record a stock move" not in client.get(MOVES).content.decode()
    assert client.get(RECORD).status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="post_stockmove"))
    assert client.get(RECORD).status_code == 200


def test_warehouse_admin_uses_the_services(admin_client):
    response = admin_client.post("/admin/inventory/warehouse/add/", {"code": "WH", "name": "Dup"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()

    response = admin_client.post(
        "/admin/inventory/warehouse/add/", {"code": "WH3", "name": "Three"}
    )
    assert response.status_code == 302
    stocked = WarehouseFactory(code="FULL")
    receive(ItemFactory(), 1, warehouse=stocked)

    admin_client.post(
        "/admin/inventory/warehouse/",
        {
            "action": "archive_selected",
            "_selected_action": [str(stocked.pk), str(Warehouse.objects.get(code="WH3").pk)],
        },
    )

    assert Warehouse.objects.filter(code="FULL").exists()
    assert not Warehouse.objects.filter(code="WH3").exists()


def test_record_a_move_with_a_malformed_item_id_is_a_form_error(admin_client):
    response = admin_client.post(RECORD, {**record_form(ItemFactory()), "item": "not-a-uuid"})

    assert response.status_code == 200
    assert response.context["form"].errors["item"] == ["“not-a-uuid” is not a valid UUID."]
    assert not StockMove.objects.exists()
