import pytest
from django.core.cache import cache

from tests.api.test_conventions import assert_problem
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rate(settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"actions": "2/min"},
    }
    yield
    cache.clear()


def test_action_endpoints_are_throttled_past_the_rate(api, low_rate):
    item = ItemFactory()
    item.delete()

    assert api.post(f"/api/items/{item.pk}/restore").status_code == 200
    assert api.post(f"/api/items/{item.pk}/restore").status_code == 400
    response = api.post(f"/api/items/{item.pk}/restore")

    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_reads_and_plain_writes_are_not_throttled(api, low_rate):
    for _ in range(5):
        assert api.get("/api/items").status_code == 200
    for n in range(3):
        assert (
            api.post("/api/items", {"number": f"T{n}", "name": "t", "uom": "EA"}).status_code == 201
        )


def test_default_rate_is_600_per_minute():
    from config.settings import REST_FRAMEWORK

    assert REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["actions"] == "600/min"
