import pytest

from inventory.models import Warehouse
from tests.api.test_conventions import assert_problem
from tests.inventory.factories import WarehouseFactory, main_warehouse, receive
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db
URL = "/api/inventory/warehouses"


def test_a_fresh_install_lists_the_main_warehouse(api):
    body = api.get(URL).json()

    assert body["data"] == [
        {"id": str(main_warehouse().pk), "code": "WH", "name": "Main warehouse", "isActive": True}
    ]
    assert body["meta"] == {"total": 1, "page": 1, "limit": 20, "totalPages": 1}


def test_create_warehouse(api):
    response = api.post(URL, {"code": "WH2", "name": "Line-side store", "isActive": False})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["name"], body["isActive"]) == ("WH2", "Line-side store", True)
    assert Warehouse.objects.get(pk=body["id"]).code == "WH2"


def test_create_needs_code_and_name(api):
    body = assert_problem(api.post(URL, {}), 400, "validation_error")

    assert set(body["errors"]) == {"code", "name"}


def test_duplicate_live_code_is_refused_but_an_archived_code_can_be_reused(api):
    assert_problem(api.post(URL, {"code": "WH", "name": "Again"}), 400, "validation_error")

    old = WarehouseFactory(code="OLD")
    old.delete()
    assert api.post(URL, {"code": "OLD", "name": "New"}).status_code == 201


def test_patch_and_put(api):
    warehouse = WarehouseFactory(code="A", name="Alpha")

    patched = api.patch(f"{URL}/{warehouse.pk}", {"name": "Alpha store"})
    assert patched.status_code == 200
    assert (patched.json()["code"], patched.json()["name"]) == ("A", "Alpha store")

    put = api.put(f"{URL}/{warehouse.pk}", {"code": "A1", "name": "Alpha 1"})
    assert put.status_code == 200
    warehouse.refresh_from_db()
    assert (warehouse.code, warehouse.name) == ("A1", "Alpha 1")

    assert_problem(api.put(f"{URL}/{warehouse.pk}", {"name": "x"}), 400, "validation_error")


def test_patch_to_a_taken_code_is_refused(api):
    warehouse = WarehouseFactory(code="MINE")

    assert_problem(api.patch(f"{URL}/{warehouse.pk}", {"code": "WH"}), 400, "validation_error")
    warehouse.refresh_from_db()
    assert warehouse.code == "MINE"


def test_delete_archives_and_the_warehouse_stays_readable(api):
    warehouse = WarehouseFactory()

    assert api.delete(f"{URL}/{warehouse.pk}").status_code == 204

    assert str(warehouse.pk) not in [r["id"] for r in api.get(URL).json()["data"]]
    assert api.get(f"{URL}/{warehouse.pk}").json()["isActive"] is False
    archived = api.get(f"{URL}?isActive=false").json()["data"]
    assert [r["id"] for r in archived] == [str(warehouse.pk)]
    assert_problem(api.delete(f"{URL}/{warehouse.pk}"), 404, "not_found")
    assert_problem(api.patch(f"{URL}/{warehouse.pk}", {"name": "x"}), 404, "not_found")


def test_delete_with_stock_on_hand_is_409(api):
    warehouse = WarehouseFactory()
    receive(ItemFactory(), 3, warehouse=warehouse)

    assert_problem(api.delete(f"{URL}/{warehouse.pk}"), 409, "invalid_state")
    assert Warehouse.objects.filter(pk=warehouse.pk).exists()


def test_restore(api):
    warehouse = WarehouseFactory()
    warehouse.delete()

    response = api.post(f"{URL}/{warehouse.pk}/restore")

    assert response.status_code == 200
    assert response.json()["isActive"] is True
    assert_problem(api.post(f"{URL}/{warehouse.pk}/restore"), 400, "validation_error")


def test_search_sort_and_filters(api):
    WarehouseFactory(code="B-SITE", name="North")
    WarehouseFactory(code="A-SITE", name="South")

    assert [r["code"] for r in api.get(f"{URL}?search=north").json()["data"]] == ["B-SITE"]
    assert [r["code"] for r in api.get(f"{URL}?sort=-code").json()["data"]] == [
        "WH",
        "B-SITE",
        "A-SITE",
    ]
    assert [r["code"] for r in api.get(f"{URL}?code=A-SITE").json()["data"]] == ["A-SITE"]
    assert_problem(api.get(f"{URL}?sort=size"), 400, "validation_error")
    assert_problem(api.get(f"{URL}?isActive=perhaps"), 400, "validation_error")


def test_permissions(api_as, anon):
    assert_problem(anon.get(URL), 401, "not_authenticated")
    reader = api_as("inventory.view_warehouse")
    assert reader.get(URL).status_code == 200
    assert_problem(reader.post(URL, {"code": "X", "name": "X"}), 403, "not_privileged")
    writer = api_as("inventory.view_warehouse", "inventory.add_warehouse")
    assert writer.post(URL, {"code": "X", "name": "X"}).status_code == 201


def test_unknown_or_malformed_id_is_404(api):
    assert_problem(api.get(f"{URL}/nope"), 404, "not_found")
    assert_problem(api.get(f"{URL}/00000000-0000-7000-8000-000000000000"), 404, "not_found")


def test_query_budget(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert api.get(URL).status_code == 200
    WarehouseFactory.create_batch(40)
    with django_assert_max_num_queries(3):
        assert len(api.get(f"{URL}?limit=50").json()["data"]) == 41
    url = f"{URL}/{main_warehouse().pk}"
    with django_assert_max_num_queries(2):
        assert api.get(url).status_code == 200
