import pytest

from items.models import Item
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, unit

pytestmark = pytest.mark.django_db


def test_create_item_with_uom_symbol(api):
    response = api.post(
        "/api/items",
        {
            "number": "RM-STEEL-001",
            "name": "Steel Frame",
            "description": "Welded",
            "type": "stockable",
            "uom": "EA",
            "tracking": "lot",
            "standardCost": 42.5,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "RM-STEEL-001"
    assert body["uom"] == "EA"
    assert body["tracking"] == "lot"
    assert body["standardCost"] == 42.5
    assert body["isActive"] is True
    assert body["createdAt"].endswith("Z")
    item = Item.objects.get(pk=body["id"])
    assert item.uom.symbol == "EA"
    assert str(item.standard_cost) == "42.5000"


def test_create_item_with_uom_id(api):
    kg = unit("kg")

    response = api.post("/api/items", {"number": "CU", "name": "Copper", "uomId": str(kg.pk)})

    assert response.status_code == 201
    assert response.json()["uom"] == "kg"


def test_create_item_needs_a_unit(api):
    body = assert_problem(
        api.post("/api/items", {"number": "N", "name": "N"}), 400, "validation_error"
    )

    assert "uom" in body["errors"]
    assert not Item.objects.exists()


def test_create_item_ignores_unknown_and_read_only_keys(api):
    response = api.post(
        "/api/items",
        {"number": "N1", "name": "N", "uom": "EA", "isActive": False, "id": "x", "color": "red"},
    )

    assert response.status_code == 201
    assert response.json()["isActive"] is True


def test_duplicate_live_number_is_refused(api):
    ItemFactory(number="DUP")

    body = assert_problem(
        api.post("/api/items", {"number": "DUP", "name": "Again", "uom": "EA"}),
        400,
        "validation_error",
    )

    assert "number" in body["errors"]
    assert Item.objects.filter(number="DUP").count() == 1


def test_archived_number_can_be_reused(api):
    old = ItemFactory(number="REUSE")
    old.delete()

    response = api.post("/api/items", {"number": "REUSE", "name": "New", "uom": "EA"})

    assert response.status_code == 201
    assert response.json()["id"] != str(old.pk)


def test_service_cannot_be_lot_tracked(api):
    response = api.post(
        "/api/items", {"number": "S", "name": "S", "uom": "h", "type": "service", "tracking": "lot"}
    )

    assert_problem(response, 400, "validation_error")


def test_patch_changes_only_given_fields(api):
    item = ItemFactory(name="Old", description="keep")

    response = api.patch(f"/api/items/{item.pk}", {"name": "New"})

    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.name, item.description) == ("New", "keep")


def test_patch_to_a_taken_number_is_refused(api):
    ItemFactory(number="TAKEN")
    item = ItemFactory(number="MINE")

    assert_problem(api.patch(f"/api/items/{item.pk}", {"number": "TAKEN"}), 400, "validation_error")
    item.refresh_from_db()
    assert item.number == "MINE"


def test_delete_archives_and_item_stays_readable(api):
    item = ItemFactory()

    assert api.delete(f"/api/items/{item.pk}").status_code == 204

    listed = [r["id"] for r in api.get("/api/items").json()["data"]]
    assert str(item.pk) not in listed
    detail = api.get(f"/api/items/{item.pk}")
    assert detail.status_code == 200
    assert detail.json()["isActive"] is False
    archived = [r["id"] for r in api.get("/api/items?isActive=false").json()["data"]]
    assert archived == [str(item.pk)]


def test_delete_twice_is_404(api):
    item = ItemFactory()
    api.delete(f"/api/items/{item.pk}")

    assert_problem(api.delete(f"/api/items/{item.pk}"), 404, "not_found")


def test_archived_item_cannot_be_patched(api):
    item = ItemFactory()
    item.delete()

    assert_problem(api.patch(f"/api/items/{item.pk}", {"name": "x"}), 404, "not_found")


def test_restore_brings_an_item_back(api):
    item = ItemFactory()
    item.delete()

    response = api.post(f"/api/items/{item.pk}/restore")

    assert response.status_code == 200
    assert response.json()["isActive"] is True
    assert Item.objects.filter(pk=item.pk).exists()


def test_restore_refused_when_the_number_was_reused(api):
    old = ItemFactory(number="X")
    old.delete()
    ItemFactory(number="X")

    assert_problem(api.post(f"/api/items/{old.pk}/restore"), 400, "validation_error")
    assert Item.all_objects.get(pk=old.pk).deleted_at is not None


def test_restore_of_a_live_item_is_400(api):
    item = ItemFactory()

    assert_problem(api.post(f"/api/items/{item.pk}/restore"), 400, "validation_error")


def test_filters_type_number_and_is_active(api):
    ItemFactory(number="A", type="stockable")
    ItemFactory(number="B", type="consumable")
    ItemFactory(number="C", type="service", uom=unit("h"))

    assert [r["number"] for r in api.get("/api/items?type=consumable").json()["data"]] == ["B"]
    assert [r["number"] for r in api.get("/api/items?number=C").json()["data"]] == ["C"]
    assert api.get("/api/items?isActive=true").json()["meta"]["total"] == 3


def test_sort_by_created_at(api):
    first = ItemFactory(number="Z")
    second = ItemFactory(number="A")

    ids = [r["id"] for r in api.get("/api/items?sort=-createdAt").json()["data"]]

    assert ids == [str(second.pk), str(first.pk)]


def test_where_used_is_an_empty_list_without_boms(api):
    item = ItemFactory()

    response = api.get(f"/api/items/{item.pk}/where-used?levels=all")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_where_used_rejects_bad_levels(api):
    item = ItemFactory()

    assert_problem(api.get(f"/api/items/{item.pk}/where-used?levels=3"), 400, "validation_error")


def test_list_query_count_does_not_grow_with_page_size(api, django_assert_max_num_queries):
    ItemFactory.create_batch(3)
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/items").json()["data"]) == 3

    ItemFactory.create_batch(60)
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/items?limit=50").json()["data"]) == 50


def test_detail_query_count(api, django_assert_max_num_queries):
    item = ItemFactory()

    with django_assert_max_num_queries(3):
        assert api.get(f"/api/items/{item.pk}").status_code == 200


def test_the_page_and_its_total_come_in_one_statement_and_stay_right_at_the_edges(
    api, django_assert_num_queries
):
    ItemFactory.create_batch(45)
    ItemFactory().delete()  # archived: counted nowhere

    with django_assert_num_queries(2):  # the token, then the page with its total
        first = api.get("/api/items?limit=20").json()
    last = api.get("/api/items?limit=20&page=3").json()
    past = api.get("/api/items?limit=20&page=4").json()
    nothing = api.get("/api/items?search=no-such-item").json()

    assert first["meta"] == {"total": 45, "page": 1, "limit": 20, "totalPages": 3}
    assert len(first["data"]) == 20
    assert len(last["data"]) == 5 and last["meta"]["total"] == 45
    assert past == {"data": [], "meta": {"total": 45, "page": 4, "limit": 20, "totalPages": 3}}
    assert nothing == {"data": [], "meta": {"total": 0, "page": 1, "limit": 20, "totalPages": 0}}
