"""The BOM content hash covers what the lines mean — the category and factor of every unit —
not only what they reference (issue 10, item 1), and the data migration that recomputed the
stored hashes agrees with the services."""

import importlib
from decimal import Decimal
from uuid import UUID

import pytest
from django.apps import apps as django_apps

from items.models import UnitOfMeasure
from manufacturing.boms import services as services
from manufacturing.boms.models import BOM
from manufacturing.boms.services import bom_content_hash
from tests.items.factories import ItemFactory, UnitOfMeasureFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op

migration = importlib.import_module("manufacturing.migrations.0004_bom_content_hash_covers_units")

PRODUCT, PART = UUID(int=1), UUID(int=2)
EACH, GRAM, WORKCENTER = UUID(int=10), UUID(int=11), UUID(int=20)


def _hash(*, gram=("mass", Decimal("0.001")), each=("count", Decimal(1)), quantity="250"):
    return services.content_hash(
        product_id=PRODUCT,
        quantity=Decimal(1),
        uom_id=EACH,
        type="manufacture",
        components=[(PART, Decimal(quantity), GRAM, Decimal(0))],
        operations=[(10, "Mix", WORKCENTER, Decimal(5))],
        units={EACH: each, GRAM: gram},
    )


def test_the_canonical_form_is_pinned():
    # The contract since issue 10: ids plus each unit's category and factor (12 places), i.e.
    # sha256 of {"components":[["…02","250.000000","…0b","mass","0.001000000000","0.0000"]],
    # "operations":[[10,"Mix","…14","5.00"]],"product":"…01","quantity":"1.000000",
    # "type":"manufacture","uom":["…0a","count","1.000000000000"]} (compact, keys sorted).
    assert _hash() == "b8352a170df5d59f565af313761e9d04b2aced9cba6769e299ac6fa1650e178e"


def test_a_unit_meaning_change_changes_the_hash():
    assert _hash(gram=("mass", Decimal(1))) != _hash()
    assert _hash(gram=("volume", Decimal("0.001"))) != _hash()
    assert _hash(each=("count", Decimal(12))) != _hash()
    assert _hash(quantity="251") != _hash()


def test_the_factor_is_normalised():
    assert _hash(gram=("mass", Decimal("0.001000000000"))) == _hash()
    assert _hash(gram=("mass", Decimal("1E-3"))) == _hash()


@pytest.mark.django_db
def test_a_unit_changed_behind_the_services_back_no_longer_matches_the_stored_hash():
    half = UnitOfMeasureFactory(symbol="half", category="count", factor=Decimal("0.5"))
    bom = BOMFactory(lines=[line(ItemFactory(), 4, "half")])
    assert bom.content_hash == bom_content_hash(bom=bom)

    UnitOfMeasure.objects.filter(pk=half.pk).update(factor=Decimal(2))  # raw, no service

    assert bom_content_hash(bom=BOM.objects.get(pk=bom.pk)) != bom.content_hash


@pytest.mark.django_db
def test_the_migration_recomputes_every_stored_hash_as_the_services_do():
    workcenter = WorkcenterFactory()
    paint = ItemFactory(number="PAINT", uom=unit("mL"))
    boms = [
        BOMFactory(lines=[line(paint, "0.5", "L"), line(ItemFactory(), 2)]),
        BOMFactory(
            product=ItemFactory(uom=unit("kg")),
            quantity=Decimal(500),
            uom=unit("g"),
            lines=[line(ItemFactory(uom=unit("kg")), "125", "g", scrap="2.5")],
            operations=[op(workcenter, "7.5")],
        ),
        BOMFactory(lines=[line(ItemFactory(), 3)]),
    ]
    services.bom_submit(bom=boms[0])
    services.bom_archive(bom=boms[2])
    expected = {bom.pk: bom.content_hash for bom in boms}
    BOM.all_objects.update(content_hash="stale")

    assert migration.rehash(django_apps, with_units=False, batch_size=2) == 3
    ids_only = dict(BOM.all_objects.values_list("pk", "content_hash"))
    assert migration.rehash(django_apps, with_units=True, batch_size=2) == 3

    stored = dict(BOM.all_objects.values_list("pk", "content_hash"))
    assert stored == expected
    assert all(stored[pk] == bom_content_hash(bom=BOM.all_objects.get(pk=pk)) for pk in stored)
    assert all(ids_only[pk] not in (stored[pk], "stale") for pk in stored)
