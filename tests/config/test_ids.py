import pytest

from config.ids import uuid7
from tests.items.factories import ItemFactory


def test_uuid7_is_version_7_and_time_ordered():
    ids = [uuid7() for _ in range(200)]

    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)


@pytest.mark.django_db
def test_models_get_uuid7_primary_keys():
    first, second = ItemFactory(), ItemFactory()

    assert first.pk.version == 7
    assert first.pk < second.pk
