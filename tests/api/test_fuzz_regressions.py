"""Regressions for what the schema fuzzer (tests/api/test_schema_fuzz.py) found."""

import pytest
import yaml

from tests.api.test_conventions import assert_problem
from tests.conftest import client_for
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory

pytestmark = pytest.mark.django_db


def _schema(anon) -> dict:
    response = anon.get("/api/schema")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _query_params(schema: dict, path: str, method: str = "get") -> set[str]:
    operation = schema["paths"][path][method]
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def test_paginated_detail_actions_document_paging_but_no_list_filters(anon):
    """Filters, search and sort apply to list actions only; the schema offered them on
    `/orders/{id}/work-orders` and `/items/{id}/where-used`, which silently ignored them."""
    schema = _schema(anon)

    assert _query_params(schema, "/api/manufacturing/orders/{id}/work-orders") == {"page", "limit"}
    assert _query_params(schema, "/api/items/{id}/where-used") == {"levels", "page", "limit"}
    assert {"status", "search", "sort"} <= _query_params(schema, "/api/manufacturing/orders")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_no_endpoint_is_a_problem_404_not_an_html_csrf_page(admin_user, method):
    """`/api/items/0.5` matches no route (ids have no dots): the API's catch-all answered a
    write with Django's HTML CSRF page (403) instead of the problem+json 404."""
    client = client_for(admin_user)
    client.handler.enforce_csrf_checks = True

    response = getattr(client, method)("/api/items/0.5", {"name": "x"})

    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize(
    "url, param",
    [
        ("/api/inventory/lots?itemId=", "itemId"),
        ("/api/inventory/moves?warehouseId=", "warehouseId"),
        ("/api/inventory/moves?from=", "from"),
        ("/api/inventory/stock?warehouseId=", "warehouseId"),
        ("/api/manufacturing/boms?productId=", "productId"),
        ("/api/manufacturing/orders?status=", "status"),
        ("/api/manufacturing/work-orders?workcenterId=", "workcenterId"),
        ("/api/items?isActive=", "isActive"),
        ("/api/items?type=%20", "type"),
    ],
)
def test_a_typed_filter_given_no_value_is_a_400_naming_it(api, url, param):
    """django-filter skips an empty parameter, so `?itemId=` listed everything."""
    body = assert_problem(api.get(url), 400, "validation_error")

    assert list(body["errors"]) == [param]


def test_an_empty_text_filter_is_still_allowed(api):
    assert api.get("/api/items?number=").status_code == 200


@pytest.mark.parametrize(
    "url, body, field",
    [
        ("/api/uoms", {"symbol": "bx", "name": 0, "category": "count"}, "name"),
        ("/api/inventory/warehouses", {"code": "W2", "name": 7}, "name"),
        (
            "/api/manufacturing/workcenters",
            {"code": "C", "name": "Cut", "hourlyCost": "5"},
            "hourlyCost",
        ),
        (
            "/api/items",
            {"number": "N1", "name": "n", "uom": "EA", "standardCost": True},
            "standardCost",
        ),
        ("/api/items", {"number": 12, "name": "n", "uom": "EA"}, "number"),
        ("/api/manufacturing/boms", {"productId": 5, "components": []}, "productId"),
    ],
)
def test_a_json_value_of_the_wrong_type_is_a_400_and_writes_nothing(api, url, body, field):
    """DRF coerced like a form (`"name": 0` → "0", `"hourlyCost": "5"` → 5): the schema says
    string, number, boolean, and a JSON body must use those types."""
    before = api.get(url).json()["meta"]["total"]

    response = api.post(url, body)

    problem = assert_problem(response, 400, "validation_error")
    assert field in problem["errors"]
    assert api.get(url).json()["meta"]["total"] == before


def test_nested_lines_are_typed_too(api):
    response = api.post(
        "/api/manufacturing/boms",
        {"productNumber": "X", "components": [{"productNumber": "Y", "quantity": "2"}]},
    )

    problem = assert_problem(response, 400, "validation_error")
    assert "components[0].quantity" in problem["errors"]


@pytest.mark.parametrize("fmt", ["multipart", "form"])
def test_a_form_body_is_415_and_writes_nothing(api, fmt):
    """The API took form and multipart bodies too, where every value is a string and a part
    that does not parse is silently dropped: a garbled multipart PATCH was a 200 no-op. JSON
    only (API.md)."""
    wh = api.get("/api/inventory/warehouses?code=WH").json()["data"][0]
    url = f"/api/inventory/warehouses/{wh['id']}"
    if fmt == "form":
        response = api.generic(
            "PATCH", url, "name=Renamed", content_type="application/x-www-form-urlencoded"
        )
    else:
        response = api.patch(url, {"name": "Renamed"}, format="multipart")

    assert_problem(response, 415, "unsupported_media_type")
    assert api.get(url).json()["name"] == wh["name"]


def test_a_text_over_its_max_length_is_refused_even_with_whitespace_around_it(api):
    """DRF trimmed, then measured: " " + 200 characters passed `maxLength: 200`."""
    response = api.post("/api/inventory/warehouses", {"code": "W9", "name": "\f" + "n" * 200})

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == ["name"]
    assert api.get("/api/inventory/warehouses?code=W9").json()["meta"]["total"] == 0


def test_whitespace_around_a_text_within_its_max_length_is_still_trimmed(api):
    response = api.post("/api/inventory/warehouses", {"code": "W8", "name": "  Annex  "})

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Annex"


@pytest.mark.parametrize(
    "url, param",
    [
        ("/api/manufacturing/work-orders?priority=50%25", "priority"),
        ("/api/manufacturing/orders?status=%25s%25d", "status"),
        ("/api/inventory/moves?from=100%25", "from"),
    ],
)
def test_a_filter_value_with_a_percent_sign_is_a_400_not_a_500(api, url, param):
    """django-filter's translate_validation applied `%` formatting to a message quoting the
    value: `?priority=50%` raised TypeError (500)."""
    body = assert_problem(api.get(url), 400, "validation_error")

    assert list(body["errors"]) == [param]


@pytest.mark.parametrize(
    "url, param",
    [
        ("/api/items?search=a%00b", "search"),
        ("/api/items?number=%00", "number"),
        ("/api/inventory/warehouses?code=W%00&code=WH", "code"),
        ("/api/manufacturing/boms?productNumber=%00", "productNumber"),
    ],
)
def test_a_nul_in_a_query_value_is_a_400(api, url, param):
    """PostgreSQL text cannot hold NUL: a search or text filter with one was a DataError
    (500) there."""
    body = assert_problem(api.get(url), 400, "validation_error")

    assert list(body["errors"]) == [param]


def test_a_nul_in_a_unit_symbol_is_a_400_and_writes_nothing(api):
    """`uom` is a SlugRelatedField, which DRF does not check for NUL: the lookup reached
    PostgreSQL (DataError, 500)."""
    before = api.get("/api/items").json()["meta"]["total"]

    response = api.post("/api/items", {"number": "NUL-1", "name": "n", "uom": "E\x00A"})

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == ["uom"]
    assert api.get("/api/items").json()["meta"]["total"] == before


@pytest.mark.parametrize("query, param", [("levels=", "levels"), ("quantity=%20", "quantity")])
def test_an_empty_explosion_parameter_is_a_400_not_the_default(api, query, param):
    """DRF treats an empty optional query value as absent: `?levels=` meant `all`."""
    bom = BOMFactory()

    response = api.get(f"/api/manufacturing/boms/{bom.pk}/explosion?{query}")

    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == [param]


def test_the_kinds_a_client_may_post_are_a_documented_enum(anon):
    """`kind` of POST /moves was documented as a bare string ("One of: …" in prose), so
    clients and the fuzzer could only guess it; the ledger's own `KindEnum` is unchanged."""
    components = _schema(anon)["components"]["schemas"]

    posted = components["StockMoveInputRequest"]["properties"]["kind"]
    assert posted == {"$ref": "#/components/schemas/StockMovePostKindEnum"}
    assert components["StockMovePostKindEnum"]["enum"] == [
        "receipt",
        "issue",
        "adjustment",
        "transfer",
    ]
    assert "consumption" in components["KindEnum"]["enum"]


@pytest.mark.parametrize("extra", [{"uom": ""}, {"toWarehouseId": ""}, {"fromWarehouseId": ""}])
def test_an_empty_string_for_a_reference_is_a_400_not_null(api, extra):
    """DRF reads "" as null for a relation, so a receipt with `"toWarehouseId": ""` went to the
    default warehouse and `"uom": ""` to the stock unit (201): the schema says an id or a
    symbol."""
    item = ItemFactory()

    response = api.post(
        "/api/inventory/moves",
        {"kind": "receipt", "itemId": str(item.pk), "quantity": 1, **extra},
    )

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == list(extra)
    assert api.get(f"/api/inventory/moves?itemId={item.pk}").json()["meta"]["total"] == 0


def test_an_empty_bom_id_on_an_order_is_a_400(api):
    item = ItemFactory()

    response = api.post(
        "/api/manufacturing/orders", {"productId": str(item.pk), "quantity": 1, "bomId": ""}
    )

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == ["bomId"]
