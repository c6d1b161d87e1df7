"""The filter backend builds each filterset's form class once (config.api.filters.form_class_of)
instead of once per request: one request's values, errors or defaults must never reach the
next one."""

import django_filters
import pytest

from config.api.filters import form_class_of
from items.filters import ItemFilter
from items.models import Item, UnitOfMeasure
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["number"] for row in response.json()["data"])


def test_requests_in_turn_each_get_their_own_values_and_errors(api):
    ItemFactory(number="C-1", type="consumable")
    ItemFactory(number="S-1", type="stockable")
    ItemFactory(number="OLD", type="consumable").delete()

    assert numbers(api.get("/api/items?type=consumable")) == ["C-1"]
    bad = api.get("/api/items?type=nonsense")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["type"]
    assert numbers(api.get("/api/items")) == ["C-1", "S-1"]  # isActive=true by default
    blank = api.get("/api/items?isActive=")
    assert blank.status_code == 400 and list(blank.json()["errors"]) == ["isActive"]
    assert numbers(api.get("/api/items?isActive=false")) == ["OLD"]
    assert numbers(api.get("/api/items?type=stockable&number=S-1")) == ["S-1"]
    assert numbers(api.get("/api/items")) == ["C-1", "S-1"]


def test_the_form_class_is_built_once_per_filterset_class():
    first = form_class_of(ItemFilter(data={}))
    again = form_class_of(ItemFilter(data={"type": "consumable"}))

    assert first is again
    assert set(first.base_fields) == set(ItemFilter.base_filters)


def test_a_request_dependent_filter_keeps_a_form_class_per_request():
    class ByRequest(django_filters.FilterSet):
        uom = django_filters.ModelChoiceFilter(queryset=lambda request: UnitOfMeasure.objects.all())

        class Meta:
            model = Item
            fields = []

    assert form_class_of(ByRequest(data={})) is None  # django-filter's own class, per request


def test_each_filterset_gets_its_own_filters_and_method_bindings():
    """Filters are copied shallowly per filterset (config.api.filters.FilterSet): each copy
    must name its own filterset, so a method filter runs the method of the filterset that
    holds it, never the first one's or the class's."""
    ItemFactory(number="LIVE")
    ItemFactory(number="GONE").delete()
    first = ItemFilter(data={"isActive": "true"}, queryset=Item.all_objects.all())
    second = ItemFilter(data={"isActive": "false"}, queryset=Item.all_objects.all())

    for name in ItemFilter.base_filters:
        a, b, base = first.filters[name], second.filters[name], ItemFilter.base_filters[name]
        assert a is not b and a is not base
        assert (a.parent, b.parent, a.model) == (first, second, Item)
    active = first.filters["isActive"]
    assert active.filter.f is active and active.filter.method == first.filter_is_active
    assert second.filters["isActive"].filter.method == second.filter_is_active
    assert [i.number for i in first.qs] == ["LIVE"]
    assert [i.number for i in second.qs] == ["GONE"]
    assert not hasattr(ItemFilter.base_filters["isActive"], "parent")


def test_every_api_filterset_copies_its_filters_shallowly():
    from django.urls import get_resolver

    from config.api.filters import FilterSet

    assert get_resolver().url_patterns  # every view, and so every filterset, imported

    def subclasses(kind):
        for sub in kind.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {
        kind
        for kind in subclasses(django_filters.FilterSet)
        if kind.__module__.split(".")[0] in {"config", "items", "inventory", "manufacturing"}
    }
    assert len(ours) >= 10
    assert [kind for kind in ours if not issubclass(kind, FilterSet)] == []


@pytest.mark.parametrize(
    "query",
    [
        "isActive=bogus&isActive=false",
        "isActive=false&isActive=bogus",
        "type=consumable&type=stockable",
    ],
)
def test_a_filter_given_twice_is_a_400_naming_it(api, query):
    ItemFactory(number="C-1", type="consumable")
    response = api.get(f"/api/items?{query}")

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {query.split("=")[0]: ["Give this parameter once."]}
