"""The soft-delete building block, exercised on a concrete model (Item)."""

import pytest
from django.db import IntegrityError, transaction

from items.models import Item
from tests.items.factories import ItemFactory

pytestmark = pytest.mark.django_db


def test_delete_hides_from_objects_but_not_all_objects():
    item = ItemFactory()

    item.delete()

    assert not Item.objects.filter(pk=item.pk).exists()
    archived = Item.all_objects.get(pk=item.pk)
    assert archived.deleted_at is not None
    assert archived.is_active is False


def test_restore_brings_the_row_back():
    item = ItemFactory()
    item.delete()

    item.restore()

    assert Item.objects.get(pk=item.pk).deleted_at is None


def test_hard_delete_removes_the_row():
    item = ItemFactory()

    item.hard_delete()

    assert not Item.all_objects.filter(pk=item.pk).exists()


def test_queryset_delete_is_soft_and_counts_live_rows_only():
    ItemFactory.create_batch(3)
    already = ItemFactory()
    already.delete()

    archived = Item.objects.all().delete()

    assert archived == 3
    assert Item.objects.count() == 0
    assert Item.all_objects.count() == 4
    assert Item.all_objects.dead().count() == 4


def test_queryset_restore_and_hard_delete():
    ItemFactory.create_batch(2)
    Item.objects.all().delete()

    assert Item.all_objects.all().restore() == 2
    assert Item.objects.count() == 2

    Item.all_objects.all().hard_delete()
    assert Item.all_objects.count() == 0


def test_unique_number_holds_among_live_rows_only():
    first = ItemFactory(number="DUP-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(number="DUP-1")

    first.delete()
    reused = ItemFactory(number="DUP-1")

    assert reused.pk != first.pk
    assert Item.all_objects.filter(number="DUP-1").count() == 2


def test_base_manager_still_reaches_archived_rows_through_relations():
    item = ItemFactory()
    uom = item.uom
    uom.delete()

    fresh = Item.objects.get(pk=item.pk)

    assert fresh.uom.pk == uom.pk
    assert fresh.uom.deleted_at is not None
