"""The one resolver (manufacturing/boms/references.py), the BOM spec's PUT defaults and the one
levels parser."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.exceptions import ValidationFailed
from config.levels import levels_parse
from items.exceptions import ItemNotFound
from manufacturing.boms.models import BOMType
from manufacturing.boms.references import References, bom_by_number, bom_input_resolve
from manufacturing.boms.services import bom_archive
from manufacturing.boms.specs import HEADER_FIELDS, BOMSpec
from tests.items.factories import ItemFactory
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory

pytestmark = pytest.mark.django_db


def _resolve_queries(size: int) -> int:
    items = ItemFactory.create_batch(size)
    workcenters = WorkcenterFactory.create_batch(size)
    data = {
        "product_number": ItemFactory().number,
        "uom": "EA",
        "components": [
            {"product_number": i.number, "quantity": Decimal(1), "uom": "EA"} for i in items
        ],
        "operations": [
            {"name": "Op", "workcenter": wc.code, "duration_minutes": Decimal(1)}
            for wc in workcenters
        ],
    }
    with CaptureQueriesContext(connection) as queries:
        spec = bom_input_resolve(data)
    assert [c.item for c in spec.components] == items
    assert [o.workcenter for o in spec.operations] == workcenters
    return len(queries)


def test_a_whole_bom_is_resolved_in_a_fixed_number_of_queries():
    assert _resolve_queries(1) == _resolve_queries(40) == 3  # items, units, workcenters


def test_a_workcenter_name_wins_over_another_workcenters_code():
    by_code = WorkcenterFactory(code="PAINT", name="Paint shop")
    by_name = WorkcenterFactory(code="WC-X", name="PAINT")
    refs = References()
    refs.want_workcenter(name="PAINT")
    refs.want_workcenter(name="Paint shop")
    refs.load()

    assert refs.workcenter(name="PAINT") == by_name
    assert refs.workcenter(name="Paint shop") == by_code


def test_misses_are_reported_with_the_api_and_the_row_messages():
    refs = References()
    refs.want_item(number="NOPE")
    refs.want_unit("ZZ")
    refs.load()

    assert refs.item(number="NOPE", path="components[0].product_number") is None
    assert refs.unit("ZZ", path="components[0].uom") is None
    assert [m.message for m in refs.misses] == [
        "No active item with number 'NOPE'.",
        "Unknown unit 'ZZ'.",
    ]
    assert refs.misses[0].row_message(3, "component_number") == (
        "row 3: component_number 'NOPE' is not an active item."
    )
    with pytest.raises(ValidationFailed) as unit_first:
        refs.raise_misses()
    assert unit_first.value.errors == {"components[0].uom": ["Unknown unit 'ZZ'."]}


def test_every_missing_item_is_reported_at_once():
    data = {
        "product_number": "NOPE-1",
        "components": [{"product_number": "NOPE-2", "quantity": Decimal(1)}],
    }
    with pytest.raises(ItemNotFound) as exc:
        bom_input_resolve(data)
    assert exc.value.extra["errors"] == {
        "product_number": ["No active item with number 'NOPE-1'."],
        "components[0].product_number": ["No active item with number 'NOPE-2'."],
    }


def test_archived_boms_are_not_found_by_number():
    bom = BOMFactory(number="BOM-R1")
    assert bom_by_number("BOM-R1") == bom

    bom_archive(bom=bom)

    assert bom_by_number("BOM-R1") is None


def test_put_defaults_live_in_the_spec():
    product = ItemFactory()
    spec = BOMSpec.for_put(product=product, components=[])

    assert spec.header() == {
        "name": "",
        "description": "",
        "product": product,
        "quantity": Decimal(1),
        "uom": None,
        "type": BOMType.MANUFACTURE,
    }
    assert spec.operations == []  # a PUT without operations removes them


def test_a_partial_spec_gives_only_what_was_given():
    spec = BOMSpec.partial(name="New")
    assert spec.header() == {"name": "New"}
    assert spec.components is None and spec.operations is None
    assert set(BOMSpec().header()) == set(HEADER_FIELDS)


@pytest.mark.parametrize(
    "value, default, expected",
    [(None, "all", "all"), (None, "1", "1"), (" ALL ", "1", "all"), (1, "all", "1")],
)
def test_levels_parse(value, default, expected):
    assert levels_parse(value, default=default) == expected


@pytest.mark.parametrize("value", ["", "2", "every"])
def test_levels_parse_refuses(value):
    with pytest.raises(ValidationFailed) as exc:
        levels_parse(value)
    assert exc.value.errors == {"levels": ["Must be 1 or all."]}
    assert exc.value.detail == "levels: Must be 1 or all."
