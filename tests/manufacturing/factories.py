"""Factories for the manufacturing models. BOMs are built through the services, so the content
hash, the default flag and the history are what the application would have made."""

from decimal import Decimal

import factory

from manufacturing.boms.models import BOM, BOMComponent, BOMOperation, Workcenter
from manufacturing.boms.services import bom_create
from manufacturing.boms.specs import BOMSpec, ComponentSpec, OperationSpec
from tests.items.factories import ItemFactory, unit


class WorkcenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workcenter

    code = factory.Sequence(lambda n: f"WC-{n:03d}")
    name = factory.Sequence(lambda n: f"Workcenter {n}")
    hourly_cost = Decimal("60.0000")


def line(item, quantity="1", uom: str | None = None, scrap="0") -> ComponentSpec:
    return ComponentSpec(
        item=item,
        quantity=Decimal(str(quantity)),
        uom=unit(uom) if uom else None,
        scrap_percent=Decimal(str(scrap)),
    )


def op(workcenter, minutes="10", name="Assembly", sequence=None) -> OperationSpec:
    return OperationSpec(
        name=name,
        workcenter=workcenter,
        duration_minutes=Decimal(str(minutes)),
        sequence=sequence,
    )


class BOMFactory(factory.django.DjangoModelFactory):
    """`BOMFactory(product=p, lines=[line(a, 2), line(b, "0.5", "kg")], operations=[op(wc, 30)])`;
    without lines, one component of a new item."""

    class Meta:
        model = BOM

    product = factory.SubFactory(ItemFactory)
    quantity = Decimal(1)

    @classmethod
    def _create(cls, model_class, *args, lines=None, operations=(), actor=None, **kwargs):
        if lines is None:
            lines = [line(ItemFactory())]
        version, status = kwargs.pop("version", 1), kwargs.pop("status", "draft")
        spec = BOMSpec(components=lines, operations=list(operations), **kwargs)
        return bom_create(spec=spec, version=version, status=status, actor=actor)


class BOMComponentFactory(factory.django.DjangoModelFactory):
    """Raw rows (bypassing the services): for constraint tests only."""

    class Meta:
        model = BOMComponent

    bom = factory.SubFactory(BOMFactory)
    item = factory.SubFactory(ItemFactory)
    quantity = Decimal(1)
    uom = factory.LazyAttribute(lambda o: o.item.uom)


class BOMOperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BOMOperation

    bom = factory.SubFactory(BOMFactory)
    sequence = factory.Sequence(lambda n: (n + 1) * 10)
    name = "Assembly"
    workcenter = factory.SubFactory(WorkcenterFactory)
    duration_minutes = Decimal(10)


def chain(depth: int, *, fan_out: int = 1, type: str = "manufacture") -> tuple[list, list]:
    """A product structure `depth` levels deep: items[0] is the top product, each level's items
    have a BOM using the next level. Returns (items by level, boms)."""
    levels = [[ItemFactory()]]
    boms = []
    for _ in range(depth):
        below = [ItemFactory() for _ in range(fan_out)]
        for parent in levels[-1]:
            boms.append(BOMFactory(product=parent, lines=[line(i, 2) for i in below], type=type))
        levels.append(below)
    return levels, boms
