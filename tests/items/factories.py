from decimal import Decimal

import factory

from items.models import Item, UnitOfMeasure


def unit(symbol: str) -> UnitOfMeasure:
    """The default units come from the data migration."""
    return UnitOfMeasure.objects.get(symbol=symbol)


class UnitOfMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitOfMeasure

    symbol = factory.Sequence(lambda n: f"u{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    category = "count"
    factor = Decimal(1)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    number = factory.Sequence(lambda n: f"ITEM-{n:05d}")
    name = factory.Sequence(lambda n: f"Item {n}")
    type = "stockable"
    uom = factory.LazyFunction(lambda: unit("EA"))
    tracking = "none"
    standard_cost = Decimal("1.0000")
