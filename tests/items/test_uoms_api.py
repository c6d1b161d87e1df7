import pytest

from items.models import UnitOfMeasure
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, unit

pytestmark = pytest.mark.django_db


def test_fresh_install_has_the_default_units(api):
    symbols = {r["symbol"] for r in api.get("/api/uoms?limit=200").json()["data"]}

    assert {"units", "EA", "kg", "g", "L", "mL", "m", "cm", "h", "min"} <= symbols


def test_unit_representation(api):
    g = unit("g")

    body = api.get(f"/api/uoms/{g.pk}").json()

    assert body == {
        "id": str(g.pk),
        "symbol": "g",
        "name": "Gram",
        "category": "mass",
        "factor": 0.001,
        "isActive": True,
    }


def test_create_patch_delete_restore_unit(api):
    created = api.post(
        "/api/uoms", {"symbol": "t", "name": "Tonne", "category": "mass", "factor": 1000}
    )
    assert created.status_code == 201, created.content
    uom_id = created.json()["id"]

    assert api.patch(f"/api/uoms/{uom_id}", {"name": "Metric ton"}).json()["name"] == "Metric ton"
    assert api.delete(f"/api/uoms/{uom_id}").status_code == 204
    assert api.get(f"/api/uoms/{uom_id}").json()["isActive"] is False
    assert api.post(f"/api/uoms/{uom_id}/restore").json()["isActive"] is True


def test_duplicate_symbol_refused_among_live_units(api):
    response = api.post("/api/uoms", {"symbol": "kg", "name": "Again", "category": "mass"})

    assert_problem(response, 400, "validation_error")
    assert UnitOfMeasure.objects.filter(symbol="kg").count() == 1


def test_factor_of_a_unit_in_use_cannot_change(api):
    ItemFactory(number="SUGAR", uom=unit("g"))

    body = assert_problem(api.patch(f"/api/uoms/{unit('g').pk}", {"factor": 1}), 409, "uom_in_use")
    assert body["detail"] == (
        "Unit g is in use, so its factor cannot change: used by 1 item (SUGAR). "
        "Create a new unit instead."
    )
    assert str(unit("g").factor).startswith("0.001")


def test_items_cannot_use_an_archived_unit(api):
    unit("cm").delete()

    assert_problem(
        api.post("/api/items", {"number": "W", "name": "W", "uom": "cm"}), 400, "validation_error"
    )


def test_uom_list_query_count(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert api.get("/api/uoms").status_code == 200
