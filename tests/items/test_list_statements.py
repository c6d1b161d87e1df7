"""The items list compiles its page statement once per set of query parameters
(`config.api.pagination.PAGE_STATEMENTS`) and runs it again on each request: what it answers
must still be read from the database every time — rows and the exact `meta.total` after
creates, archives, restores and deletes, filters, sorts, searches, pages past the end — and a
bad parameter must still be refused every time."""

import pytest

from config.api.pagination import PAGE_STATEMENTS, PageStatements
from items.models import Item
from items.views import ItemViewSet
from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """Each time the list built (filtered) its queryset."""
    calls = []
    original = ItemViewSet.filter_queryset

    def counting(self, queryset):
        if self.action == "list":
            calls.append(self.action)
        return original(self, queryset)

    monkeypatch.setattr(ItemViewSet, "filter_queryset", counting)
    PAGE_STATEMENTS.clear()
    return calls


def numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["data"]]


def test_a_list_seen_before_counts_creates_archives_restores_and_deletes_at_once(api, builds):
    ItemFactory.create_batch(3)
    path = "/api/items?limit=2"
    assert api.get(path).json()["meta"]["total"] == 3
    assert builds == ["list"]  # compiled once ...

    created = api.post("/api/items", {"number": "AAA", "name": "New", "uom": "EA"}).json()
    after_create = api.get(path).json()
    assert after_create["meta"] == {"total": 4, "page": 1, "limit": 2, "totalPages": 2}
    assert after_create["data"][0]["id"] == created["id"]

    assert api.delete(f"/api/items/{created['id']}").status_code == 204
    after_archive = api.get(path).json()
    assert after_archive["meta"]["total"] == 3
    assert created["id"] not in [row["id"] for row in after_archive["data"]]

    api.post(f"/api/items/{created['id']}/restore")
    assert api.get(path).json()["meta"]["total"] == 4

    Item.all_objects.filter(pk=created["id"]).get().hard_delete()
    Item.all_objects.exclude(number="AAA").first().hard_delete()
    assert api.get(path).json()["meta"]["total"] == 2
    assert builds == ["list"]  # ... and run again each time, from the database


def test_each_set_of_parameters_has_its_own_statement(api, builds):
    ItemFactory(number="A", type="stockable")
    ItemFactory(number="B", type="consumable")
    ItemFactory(number="C", type="service", uom=unit("h"))
    ItemFactory(number="D").delete()
    asked = {
        "/api/items": ["A", "B", "C"],
        "/api/items?type=consumable": ["B"],
        "/api/items?isActive=false": ["D"],
        "/api/items?search=c": ["C"],
        "/api/items?sort=-number": ["C", "B", "A"],
        "/api/items?sort=-number&type=stockable": ["A"],
        "/api/items?type=stockable&sort=-number": ["A"],  # the same parameters, in another order
        "/api/items?limit=1&page=2": ["B"],
    }

    for _ in range(2):
        assert {path: numbers(api.get(path)) for path in asked} == asked
    assert len(builds) == len(asked) - 1  # each set built once, whatever its order


def test_a_stored_statement_answers_the_bytes_a_fresh_one_answers(api, builds):
    ItemFactory.create_batch(5, standard_cost="12.3456")
    ItemFactory(description="", tracking="lot").delete()

    for path in ("/api/items?limit=3", "/api/items?isActive=false"):
        fresh = api.get(path).content
        assert api.get(path).content == fresh  # datetimes, decimals, ids through the converters
        PAGE_STATEMENTS.clear()
        assert api.get(path).content == fresh


def test_a_page_past_the_end_still_counts_every_time(api, builds):
    ItemFactory.create_batch(3)
    path = "/api/items?limit=2&page=3"
    assert api.get(path).json() == {
        "data": [],
        "meta": {"total": 3, "page": 3, "limit": 2, "totalPages": 2},
    }

    ItemFactory.create_batch(2)

    assert numbers(api.get(path)) == [Item.objects.order_by("number", "pk").last().number]
    assert api.get(path).json()["meta"]["total"] == 5
    ItemFactory.create_batch(2)
    assert api.get("/api/items?limit=2&page=9").json()["meta"]["total"] == 7


def test_a_bad_parameter_is_refused_every_time_and_stores_nothing(api, builds):
    ItemFactory()

    for path in ("/api/items?type=bogus", "/api/items?isActive=", "/api/items?page=0"):
        assert_problem(api.get(path), 400, "validation_error")
        assert_problem(api.get(path), 400, "validation_error")
    assert len(PAGE_STATEMENTS._statements) == 0


def test_a_stored_statement_still_costs_the_token_and_one_statement(
    api, builds, django_assert_num_queries
):
    ItemFactory.create_batch(3)
    api.get("/api/items")

    with django_assert_num_queries(2):  # counted like any other query
        assert api.get("/api/items").json()["meta"]["total"] == 3


def test_the_store_keeps_the_most_recent_statements_only():
    store = PageStatements(size=2)

    for n in range(3):
        store.put(("key", n), f"statement {n}")

    assert store.get(("key", 0)) is None
    assert [store.get(("key", n)) for n in (1, 2)] == ["statement 1", "statement 2"]


def test_odd_parameters_never_fail_the_store_and_it_stays_bounded(api, builds):
    """Parameters an outsider sends — unknown names, a lone surrogate, NUL, very long values,
    hundreds of distinct searches — answer 200 or 400, never 500, and the store holds at most
    its size."""
    ItemFactory(number="ODD-1")
    answers = {}
    for query in (
        "search=%ED%A0%80",  # a lone surrogate, UTF-8 encoded
        "search=%00",
        "search=" + "x" * 3000,
        "number=" + "%F0%9F%98%80" * 50,
        "unknown=1&other=2",
        "limit=999999999999999999999",
        "page=99999999999999999999999",
        "sort=number&sort=-number",
    ):
        first = api.get(f"/api/items?{query}")
        again = api.get(f"/api/items?{query}")
        assert first.status_code in (200, 400), (query, first.status_code)
        assert (again.status_code, again.content) == (first.status_code, first.content), query
        answers[query] = first.status_code
    for n in range(PAGE_STATEMENTS.size + 40):
        assert api.get(f"/api/items?search=s{n}").status_code == 200
    assert len(PAGE_STATEMENTS._statements) <= PAGE_STATEMENTS.size
    assert answers["unknown=1&other=2"] == 200
