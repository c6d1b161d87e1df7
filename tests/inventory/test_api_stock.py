"""Stock levels, lots and reservations: the read side of the API."""

import uuid
from decimal import Decimal

import pytest

from inventory.services.moves import stock_move_post
from inventory.services.reservations import stock_reserve
from tests.api.test_conventions import assert_problem
from tests.inventory.factories import WarehouseFactory, main_warehouse, receive
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_stock_rows_have_the_contract_shape(api):
    item = ItemFactory(number="PCB-001", name="Circuit Board", tracking="lot")
    receive(item, 5, lot="OLD")
    receive(item, 7, lot="NEW")
    stock_move_post(kind="issue", item=item, quantity=D(5), actor=None)
    stock_reserve(
        lines=[(item, main_warehouse(), D(3))], production_order_id=uuid.uuid4(), actor=None
    )
    wh = main_warehouse()

    body = api.get("/api/inventory/stock").json()

    assert body["data"] == [
        {
            "item": {"id": str(item.pk), "number": "PCB-001", "name": "Circuit Board"},
            "warehouse": {"id": str(wh.pk), "code": "WH"},
            "onHand": 7.0,
            "reserved": 3.0,
            "available": 4.0,
            "lots": [{"number": "NEW", "quantity": 7.0}],
        }
    ]
    assert body["meta"]["total"] == 1


def test_stock_filters_and_search(api):
    bolt = ItemFactory(number="HW-BOLT", name="Bolt M10")
    nut = ItemFactory(number="HW-NUT", name="Nut M10")
    wh2 = WarehouseFactory(code="WH2")
    receive(bolt, 1)
    receive(bolt, 2, warehouse=wh2)
    receive(nut, 3)

    def rows(query):
        data = api.get(f"/api/inventory/stock?{query}").json()["data"]
        return [(r["item"]["number"], r["warehouse"]["code"]) for r in data]

    assert rows("") == [("HW-BOLT", "WH"), ("HW-BOLT", "WH2"), ("HW-NUT", "WH")]
    assert rows(f"itemId={bolt.pk}") == [("HW-BOLT", "WH"), ("HW-BOLT", "WH2")]
    assert rows(f"warehouseId={wh2.pk}") == [("HW-BOLT", "WH2")]
    assert rows("search=nut") == [("HW-NUT", "WH")]
    assert rows("search=m10&sort=-onHand") == [
        ("HW-NUT", "WH"),
        ("HW-BOLT", "WH2"),
        ("HW-BOLT", "WH"),
    ]
    for query in ("itemId=x", "warehouseId=12", "sort=price"):
        body = assert_problem(api.get(f"/api/inventory/stock?{query}"), 400, "validation_error")
        assert query.split("=")[0] in body["errors"]


def test_stock_query_budget_does_not_grow_with_page_size(api, django_assert_max_num_queries):
    item = ItemFactory(tracking="lot")
    receive(item, 1, lot="A")
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/inventory/stock").json()["data"]) == 1

    for n in range(40):
        other = ItemFactory(tracking="lot")
        receive(other, 1, lot=f"A{n}")
        receive(other, 1, lot=f"B{n}")
    with django_assert_max_num_queries(4):
        data = api.get("/api/inventory/stock?limit=50").json()["data"]
    assert len(data) == 41
    assert sum(len(row["lots"]) for row in data) == 81


def test_stock_needs_view_permission(api_as):
    assert_problem(api_as().get("/api/inventory/stock"), 403, "not_privileged")
    assert api_as("inventory.view_stocklevel").get("/api/inventory/stock").status_code == 200
    assert_problem(
        api_as("inventory.view_stocklevel").post("/api/inventory/stock", {}),
        405,
        "method_not_allowed",
    )


def test_lots_list_get_and_filter(api):
    board, chip = ItemFactory(number="PCB", tracking="lot"), ItemFactory(tracking="lot")
    receive(board, 1, lot="B-1")
    receive(chip, 1, lot="C-1")

    data = api.get(f"/api/inventory/lots?itemId={board.pk}").json()["data"]

    assert len(data) == 1
    lot = data[0]
    assert (lot["number"], lot["item"]["number"]) == ("B-1", "PCB")
    assert lot["createdAt"].endswith("Z")
    detail = api.get(f"/api/inventory/lots/{lot['id']}")
    assert detail.status_code == 200
    assert detail.json() == lot
    assert api.get("/api/inventory/lots").json()["meta"]["total"] == 2
    assert [r["number"] for r in api.get("/api/inventory/lots?search=c-1").json()["data"]] == [
        "C-1"
    ]
    assert_problem(api.get("/api/inventory/lots?itemId=bad"), 400, "validation_error")
    assert_problem(api.get(f"/api/inventory/lots/{uuid.uuid4()}"), 404, "not_found")
    assert_problem(api.post("/api/inventory/lots", {}), 405, "method_not_allowed")


def test_lots_query_budget(api, django_assert_max_num_queries):
    for n in range(30):
        receive(ItemFactory(tracking="lot"), 1, lot=f"L{n}")
    with django_assert_max_num_queries(3):
        assert len(api.get("/api/inventory/lots?limit=50").json()["data"]) == 30
    lot_id = api.get("/api/inventory/lots").json()["data"][0]["id"]
    with django_assert_max_num_queries(2):
        assert api.get(f"/api/inventory/lots/{lot_id}").status_code == 200


def test_reservations_list_and_filters(api):
    wh, wh2 = main_warehouse(), WarehouseFactory(code="WH2")
    bolt, nut = ItemFactory(number="BOLT"), ItemFactory(number="NUT")
    receive(bolt, 10)
    receive(nut, 10, warehouse=wh2)
    order, other = uuid.uuid4(), uuid.uuid4()
    stock_reserve(
        lines=[(bolt, wh, D(2)), (nut, wh2, D(3))],
        production_order_id=order,
        reference="MO/2026/0001",
        actor=None,
    )
    stock_reserve(lines=[(bolt, wh, D(1))], production_order_id=other, actor=None)

    def rows(query=""):
        data = api.get(f"/api/inventory/reservations?{query}").json()["data"]
        return sorted((r["item"]["number"], r["warehouse"]["code"], r["quantity"]) for r in data)

    assert rows() == [("BOLT", "WH", 1), ("BOLT", "WH", 2), ("NUT", "WH2", 3)]
    assert rows(f"productionOrderId={order}") == [("BOLT", "WH", 2), ("NUT", "WH2", 3)]
    assert rows(f"itemId={bolt.pk}") == [("BOLT", "WH", 1), ("BOLT", "WH", 2)]
    assert rows(f"warehouseId={wh2.pk}") == [("NUT", "WH2", 3)]
    row = api.get(f"/api/inventory/reservations?productionOrderId={other}").json()["data"][0]
    assert set(row) == {
        "id",
        "item",
        "warehouse",
        "quantity",
        "uom",
        "productionOrderId",
        "reference",
        "createdAt",
        "updatedAt",
    }
    assert row["productionOrderId"] == str(other)
    for query in ("productionOrderId=1", "itemId=x", "warehouseId=y"):
        assert_problem(api.get(f"/api/inventory/reservations?{query}"), 400, "validation_error")


def test_reservations_query_budget(api, django_assert_max_num_queries):
    wh = main_warehouse()
    items = ItemFactory.create_batch(30)
    for item in items:
        receive(item, 5)
    stock_reserve(
        lines=[(item, wh, D(1)) for item in items], production_order_id=uuid.uuid4(), actor=None
    )

    with django_assert_max_num_queries(3):
        assert len(api.get("/api/inventory/reservations?limit=50").json()["data"]) == 30


def test_inventory_endpoints_are_in_the_schema(anon):
    schema = anon.get("/api/schema").content.decode()

    for path in ("warehouses", "lots", "stock", "moves", "reservations"):
        assert f"/api/inventory/{path}" in schema
