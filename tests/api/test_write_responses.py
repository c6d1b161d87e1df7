"""A write answers with the resource's one representation (`config.api.representations`): the
body of a create, patch, submit or copy is, byte for byte, what the next GET of the same
resource answers (and, for a BOM, what the list and the archived list show of it)."""

from decimal import Decimal

import pytest

from config.api.renderers import JSONRenderer
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import WorkcenterFactory

pytestmark = pytest.mark.django_db
D = Decimal

BOMS = "/api/manufacturing/boms"


def assert_is_the_get(response, path, api, status=200):
    assert response.status_code == status, response.content
    fetched = api.get(path)
    assert fetched.status_code == 200, fetched.content
    assert response.content == fetched.content


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def in_list(api, path, pk) -> bytes:
    """The row `pk` of a list response, rendered again (the values here are all floats' own)."""
    rows = api.get(path).json()["data"]
    (row,) = [row for row in rows if row["id"] == pk]
    return rendered(row)


def test_bom_create_patch_submit_copy_answer_what_a_get_answers(api):
    product = ItemFactory(number="WR-TOP", uom=unit("units"))
    steel = ItemFactory(number="WR-STEEL", standard_cost=D("42.5"))
    paint = ItemFactory(number="WR-PAINT", uom=unit("L"), standard_cost=D("12.3333"))
    press = WorkcenterFactory(code="WR-P", name="Press", hourly_cost=D("61.37"))
    body = {
        "productId": str(product.pk),
        "name": "Top, painted",
        "quantity": 2,
        "components": [
            {"productId": str(steel.pk), "quantity": 0.333333},
            {"productNumber": "WR-PAINT", "quantity": 250, "uom": "mL", "scrapPercent": 10.5},
        ],
        "operations": [{"name": "Press", "workcenterId": str(press.pk), "durationMinutes": 7.25}],
    }

    created = api.post(BOMS, body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert_is_the_get(created, f"{BOMS}/{pk}", api, status=201)

    patched = api.patch(
        f"{BOMS}/{pk}",
        {
            "description": "Ünïcode \u2013 ok",
            "components": [{"productId": str(paint.pk), "quantity": 1}],
        },
        format="json",
    )
    assert_is_the_get(patched, f"{BOMS}/{pk}", api)

    submitted = api.post(f"{BOMS}/{pk}/submit")
    assert_is_the_get(submitted, f"{BOMS}/{pk}", api)
    assert submitted.json()["status"] == "submitted"
    assert rendered(submitted.json()) == in_list(api, BOMS, pk)

    copied = api.post(f"{BOMS}/{pk}/copy")
    copy_pk = copied.json()["id"]
    assert copy_pk != pk
    assert_is_the_get(copied, f"{BOMS}/{copy_pk}", api, status=201)

    assert api.delete(f"{BOMS}/{copy_pk}").status_code == 204
    archived = api.get(f"{BOMS}/{copy_pk}").content
    assert archived == in_list(api, f"{BOMS}/archived", copy_pk)


def test_item_create_and_patch_answer_what_a_get_answers(api):
    created = api.post(
        "/api/items",
        {"number": "WR-1", "name": "Wire", "uom": "kg", "standardCost": 9.8, "tracking": "lot"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert_is_the_get(created, f"/api/items/{pk}", api, status=201)
    assert rendered(created.json()) == in_list(api, "/api/items", pk)

    patched = api.patch(
        f"/api/items/{pk}",
        {"description": 'Ünïcode, \u2028 and "quotes"', "standardCost": 123456.7891},
        format="json",
    )
    assert_is_the_get(patched, f"/api/items/{pk}", api)
    assert rendered(patched.json()) == in_list(api, "/api/items", pk)
