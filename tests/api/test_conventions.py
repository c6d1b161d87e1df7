"""Conventions every endpoint shares (API.md, "Conventions"), exercised on /api/items."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from items.models import Item
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"] and body["type"]
    return body


def test_health_needs_no_auth(anon):
    response = anon.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_503_when_the_database_is_unreachable(anon, monkeypatch):
    def broken_cursor(*args, **kwargs):
        from django.db.utils import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = anon.get("/api/health")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_anonymous_gets_401_with_bearer_challenge(anon):
    response = anon.get("/api/items")

    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_bad_token_gets_401(anon):
    anon.credentials(HTTP_AUTHORIZATION="Bearer nope")

    assert_problem(anon.get("/api/items"), 401, "not_authenticated")


def test_token_keyword_works_too(api):
    token = api._credentials["HTTP_AUTHORIZATION"].split()[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get("/api/items").status_code == 200


def test_authenticated_without_permission_gets_403(api_as):
    client = api_as()

    assert_problem(client.get("/api/items"), 403, "not_privileged")


def test_view_permission_allows_reading_but_not_writing(api_as):
    client = api_as("items.view_item")

    assert client.get("/api/items").status_code == 200
    response = client.post("/api/items", {"number": "N", "name": "N", "uom": "EA"})
    assert_problem(response, 403, "not_privileged")


def test_session_authentication_needs_csrf_for_writes(admin_user):
    """A CSRF failure has its own code (it was `not_privileged`, which sent a user who has the
    permission looking for a role) and says what is missing."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)

    assert client.get("/api/items").status_code == 200
    response = client.post("/api/items", {"number": "S1", "name": "S", "uom": "EA"}, format="json")
    body = assert_problem(response, 403, "csrf_failed")
    assert body["detail"].startswith("CSRF check failed: CSRF cookie not set. ")
    assert "X-CSRFToken header" in body["detail"]
    assert not Item.objects.filter(number="S1").exists()


def test_a_session_write_passes_with_its_csrf_token_and_a_wrong_one_is_named(admin_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    token = "k" * 32  # a CSRF secret, as the csrftoken cookie holds it
    client.cookies["csrftoken"] = token

    response = client.post(
        "/api/items",
        {"number": "S2", "name": "S", "uom": "EA"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 201, response.content
    wrong = client.post(
        "/api/items",
        {"number": "S3", "name": "S", "uom": "EA"},
        format="json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    body = assert_problem(wrong, 403, "csrf_failed")
    assert "X-Csrftoken" in body["detail"] and "incorrect" in body["detail"]
    assert not Item.objects.filter(number="S3").exists()


def test_trailing_slash_is_optional_without_redirect(api):
    item = ItemFactory()

    assert api.get("/api/items").status_code == 200
    assert api.get("/api/items/").status_code == 200
    assert api.get(f"/api/items/{item.pk}").status_code == 200
    assert api.get(f"/api/items/{item.pk}/").status_code == 200


def test_malformed_uuid_is_404_not_500(api):
    assert_problem(api.get("/api/items/not-a-uuid"), 404, "not_found")
    assert_problem(api.get("/api/items/00000000-0000-7000-8000-000000000000"), 404, "not_found")


def test_unknown_api_path_is_problem_404(api):
    assert_problem(api.get("/api/does-not-exist"), 404, "not_found")


def test_method_not_allowed_is_problem_405(api):
    item = ItemFactory()

    response = api.put(f"/api/items/{item.pk}", {"name": "x"})

    assert_problem(response, 405, "method_not_allowed")


def test_unsupported_media_type_is_problem_415(api):
    response = api.post("/api/items", "number=1", content_type="text/plain")

    assert_problem(response, 415, "unsupported_media_type")


def test_malformed_json_is_problem_400(api):
    response = api.post("/api/items", "{not json", content_type="application/json")

    assert_problem(response, 400, "parse_error")


def test_pagination_envelope(api):
    ItemFactory.create_batch(5)

    body = api.get("/api/items?page=2&limit=2").json()

    assert len(body["data"]) == 2
    assert body["meta"] == {"total": 5, "page": 2, "limit": 2, "totalPages": 3}


def test_page_past_the_end_is_empty_with_meta(api):
    ItemFactory.create_batch(3)

    body = api.get("/api/items?page=9&limit=2").json()

    assert body == {"data": [], "meta": {"total": 3, "page": 9, "limit": 2, "totalPages": 2}}


@pytest.mark.parametrize("path", ["/api/items", "/api/uoms", "/api/manufacturing/boms"])
def test_a_page_beyond_any_database_integer_is_an_empty_page(api, path):
    ItemFactory.create_batch(2)

    response = api.get(f"{path}?page=99999999999999999999")

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["meta"]["page"] == 99999999999999999999


def test_limit_is_clamped_to_200(api):
    ItemFactory.create_batch(3)

    assert api.get("/api/items?limit=5000").json()["meta"]["limit"] == 200


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "page=abc", "limit=0", "limit=x", "page=1.5"]
)
def test_invalid_page_or_limit_is_400(api, query):
    body = assert_problem(api.get(f"/api/items?{query}"), 400, "validation_error")

    assert query.split("=")[0] in body["errors"]


def test_sort_ascending_descending_and_unknown(api):
    for number in ["B", "C", "A"]:
        ItemFactory(number=number)

    asc = [r["number"] for r in api.get("/api/items?sort=number").json()["data"]]
    desc = [r["number"] for r in api.get("/api/items?sort=-number").json()["data"]]

    assert asc == ["A", "B", "C"]
    assert desc == ["C", "B", "A"]
    body = assert_problem(api.get("/api/items?sort=price"), 400, "validation_error")
    assert "sort" in body["errors"]


def test_search_is_case_insensitive(api):
    ItemFactory(number="BOLT-1", name="Hex Bolt")
    ItemFactory(number="NUT-1", name="Nut", description="fits the BOLT")
    ItemFactory(number="PAINT", name="Paint")

    numbers = {r["number"] for r in api.get("/api/items?search=bolt").json()["data"]}

    assert numbers == {"BOLT-1", "NUT-1"}


def test_invalid_filter_value_is_400_naming_the_parameter(api):
    body = assert_problem(api.get("/api/items?type=gadget"), 400, "validation_error")
    assert "type" in body["errors"]

    body = assert_problem(api.get("/api/items?isActive=maybe"), 400, "validation_error")
    assert "isActive" in body["errors"]


def test_validation_errors_are_camel_case_paths(api):
    body = assert_problem(
        api.post("/api/items", {"number": "X", "name": "X", "uom": "EA", "standardCost": -1}),
        400,
        "validation_error",
    )

    assert "standardCost" in body["errors"]


def test_schema_and_docs_are_public_and_offline(anon):
    schema = anon.get("/api/schema")
    assert schema.status_code == 200
    assert b"/api/items" in schema.content

    for path in ("/api/docs", "/api/redoc"):
        page = anon.get(path)
        assert page.status_code == 200
        html = page.content.decode()
        assert "cdn" not in html.lower()
        assert "/static/drf_spectacular_sidecar/" in html


@pytest.mark.parametrize(
    "url", ["/api/items", "/api/items?page=1", "/api/health", "/api/schema", "/api/nowhere"]
)
def test_api_responses_are_never_stored_by_a_cache(api, url):
    """Lists of stock and costs carried no Cache-Control: a shared cache could keep them."""
    response = api.get(url)

    assert response["Cache-Control"] == "no-store"


def test_errors_and_replays_are_never_stored_either(api, anon):
    first = api.post(
        "/api/items", {"number": "NS-1", "name": "n", "uom": "EA"}, HTTP_IDEMPOTENCY_KEY="ns"
    )
    replay = api.post(
        "/api/items", {"number": "NS-1", "name": "n", "uom": "EA"}, HTTP_IDEMPOTENCY_KEY="ns"
    )

    assert replay["Idempotent-Replayed"] == "true"
    for response in (first, replay, anon.get("/api/items"), api.post("/api/items", {})):
        assert response["Cache-Control"] == "no-store"


def test_pages_outside_the_api_keep_their_own_caching(api):
    assert "Cache-Control" not in api.get("/")  # the redirect to the admin
    assert api.get("/admin/login/")["Cache-Control"] != "no-store"  # the admin's own never_cache


def test_the_schema_offers_the_session_cookie_beside_the_bearer_token(anon):
    """The project's SessionAuthentication (csrf_failed) needs its own schema extension, or
    drf-spectacular drops `cookieAuth` from every operation (and warns, failing the deploy
    checks)."""
    schema = anon.get("/api/schema?format=json").json()

    assert set(schema["components"]["securitySchemes"]) == {"cookieAuth", "tokenAuth"}
    assert schema["paths"]["/api/items"]["get"]["security"] == [
        {"tokenAuth": []},
        {"cookieAuth": []},
    ]
