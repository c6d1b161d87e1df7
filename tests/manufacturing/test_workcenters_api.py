from decimal import Decimal

import pytest

from manufacturing.boms.models import Workcenter
from tests.api.test_conventions import assert_problem
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, op

pytestmark = pytest.mark.django_db
URL = "/api/manufacturing/workcenters"


def test_create_workcenter(api):
    response = api.post(URL, {"code": "LINE-A", "name": "Line A", "hourlyCost": 62.5})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "code": "LINE-A",
        "name": "Line A",
        "hourlyCost": 62.5,
        "isActive": True,
    }
    assert Workcenter.objects.get(pk=body["id"]).hourly_cost == Decimal("62.5000")


def test_create_validation(api):
    body = assert_problem(api.post(URL, {"name": "x", "hourlyCost": -1}), 400, "validation_error")
    assert {"code", "hourlyCost"} <= set(body["errors"])

    WorkcenterFactory(code="QA", name="Quality")
    assert (
        "code"
        in assert_problem(api.post(URL, {"code": "QA", "name": "Other"}), 400, "validation_error")[
            "errors"
        ]
    )
    assert (
        "name"
        in assert_problem(
            api.post(URL, {"code": "Q2", "name": "Quality"}), 400, "validation_error"
        )["errors"]
    )


def test_list_search_sort_and_archived(api):
    WorkcenterFactory(code="B", name="Paint Shop", hourly_cost=40)
    WorkcenterFactory(code="A", name="Line A", hourly_cost=60)
    WorkcenterFactory(code="D", name="Assembly", hourly_cost=50)
    gone = WorkcenterFactory(code="C", name="Old line")
    gone.delete()

    assert [r["code"] for r in api.get(URL).json()["data"]] == ["A", "B", "D"]
    assert [r["code"] for r in api.get(f"{URL}?sort=-hourlyCost").json()["data"]] == ["A", "D", "B"]
    assert [r["code"] for r in api.get(f"{URL}?sort=name").json()["data"]] == ["D", "A", "B"]
    assert [r["code"] for r in api.get(f"{URL}?search=paint").json()["data"]] == ["B"]
    assert [r["code"] for r in api.get(f"{URL}?isActive=false").json()["data"]] == ["C"]
    assert_problem(api.get(f"{URL}?sort=color"), 400, "validation_error")


def test_get_patch_delete_restore(api):
    wc = WorkcenterFactory(code="A", name="Line A")

    assert api.get(f"{URL}/{wc.pk}").json()["code"] == "A"
    patched = api.patch(f"{URL}/{wc.pk}", {"hourlyCost": 75})
    assert patched.status_code == 200 and patched.json()["hourlyCost"] == 75
    assert api.delete(f"{URL}/{wc.pk}").status_code == 204
    assert api.get(f"{URL}/{wc.pk}").json()["isActive"] is False
    assert_problem(api.patch(f"{URL}/{wc.pk}", {"name": "x"}), 404, "not_found")
    restored = api.post(f"{URL}/{wc.pk}/restore")
    assert restored.status_code == 200 and restored.json()["isActive"] is True
    assert_problem(api.post(f"{URL}/{wc.pk}/restore"), 400, "validation_error")
    assert_problem(api.get(f"{URL}/nope"), 404, "not_found")


def test_archived_workcenter_keeps_its_operations(api):
    wc = WorkcenterFactory(name="Line A")
    bom = BOMFactory(operations=[op(wc, 30)])

    assert api.delete(f"{URL}/{wc.pk}").status_code == 204

    detail = api.get(f"/api/manufacturing/boms/{bom.pk}").json()
    assert detail["operations"][0]["workcenter"] == "Line A"


def test_permissions(api_as):
    wc = WorkcenterFactory()
    reader = api_as("manufacturing.view_workcenter")

    assert reader.get(URL).status_code == 200
    assert_problem(reader.post(URL, {"code": "X", "name": "X"}), 403, "not_privileged")
    assert_problem(reader.post(f"{URL}/{wc.pk}/restore"), 403, "not_privileged")


def test_list_query_budget(api, django_assert_max_num_queries):
    WorkcenterFactory()
    with django_assert_max_num_queries(3):
        api.get(URL)
    WorkcenterFactory.create_batch(30)
    with django_assert_max_num_queries(3):
        assert len(api.get(f"{URL}?limit=50").json()["data"]) == 31
