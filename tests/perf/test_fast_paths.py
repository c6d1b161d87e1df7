"""One representation per resource (`config.api.representations`): each body is built by one
function (`*/representations.py`) that every path answers with, and the output serializers
delegate to it, keeping their declared fields as the OpenAPI schema only. Here the function is
held to that schema: its keys are the schema's properties (the drift test), and its bytes are
what DRF's own fields would make of the declared schema (`drf_fields`, which bypasses the
delegation)."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from config.api.renderers import JSONRenderer
from manufacturing.boms.explosion import bom_explode
from manufacturing.boms.representations import explosion_body
from manufacturing.boms.selectors import bom_list
from manufacturing.boms.serializers import ExplosionSerializer
from tests.items.factories import ItemFactory, unit
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, line, op

pytestmark = pytest.mark.django_db
D = Decimal


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def drf_fields(serializer_class, instance, *, many=False):
    """What DRF's fields make of `instance` from the serializer's declared fields: the body the
    schema describes, computed without the serializer's delegation to the representation."""
    serializer = serializer_class()
    if many:
        return [serializers.Serializer.to_representation(serializer, i) for i in instance]
    return serializers.Serializer.to_representation(serializer, instance)


@pytest.fixture
def plant():
    """TOP (2 at a time) = 2 FRAME + 2 KIT (phantom) + 3 MOTOR + 100 g WIRE, FRAME = STEEL +
    250 mL PAINT (+10 % scrap), KIT = 4 BOLT + 4 NUT; costs with awkward decimals."""
    line_wc = WorkcenterFactory(code="LINE", name="Line", hourly_cost=D("61.37"))
    paint_wc = WorkcenterFactory(code="PAINT", name="Paint", hourly_cost=D(48))
    i = {
        "TOP": ItemFactory(number="TOP", uom=unit("units"), standard_cost=0),
        "FRAME": ItemFactory(number="FRAME", name="Frame, painted", uom=unit("units")),
        "KIT": ItemFactory(number="KIT", uom=unit("units"), type="consumable"),
        "STEEL": ItemFactory(number="STEEL", standard_cost=D("42.5")),
        "PAINT": ItemFactory(number="PAINT", uom=unit("L"), standard_cost=D("12.3333")),
        "BOLT": ItemFactory(number="BOLT", standard_cost=D("0.1234")),
        "NUT": ItemFactory(number="NUT", name="Nüt \u2013 M10", standard_cost=D("0.05")),
        "MOTOR": ItemFactory(number="MOTOR", standard_cost=D(35)),
        "WIRE": ItemFactory(number="WIRE", uom=unit("kg"), standard_cost=D("9.8")),
    }
    BOMFactory(
        product=i["KIT"],
        type="phantom",
        lines=[line(i["BOLT"], 4), line(i["NUT"], "3.333333")],
        operations=[op(line_wc, "6.5", "Kitting")],
    )
    BOMFactory(
        product=i["FRAME"],
        lines=[line(i["STEEL"], 1), line(i["PAINT"], 250, "mL", scrap="10.5")],
        operations=[op(paint_wc, 15, "Paint")],
    )
    top = BOMFactory(
        product=i["TOP"],
        quantity=D(2),
        lines=[
            line(i["FRAME"], 2),
            line(i["KIT"], 2),
            line(i["MOTOR"], 3),
            line(i["WIRE"], 100, "g"),
        ],
        operations=[op(line_wc, 30, "Assembly"), op(paint_wc, "7.25", "Touch-up")],
    )
    return top, i


@pytest.mark.parametrize("levels", ["all", "1"])
@pytest.mark.parametrize("quantity", [None, D(7), D("0.333333")])
def test_explosion_body_is_the_serializers(plant, levels, quantity):
    top, _ = plant
    explosion = bom_explode(bom=top, quantity=quantity, levels=levels)

    assert rendered(explosion_body(explosion)) == rendered(
        drf_fields(ExplosionSerializer, explosion)
    )
    assert rendered(ExplosionSerializer(explosion).data) == rendered(explosion_body(explosion))


def test_the_explosion_endpoint_answers_the_serializers_body(plant, api):
    top, _ = plant
    explosion = bom_explode(bom=top, quantity=D(3), levels="all")

    response = api.get(f"/api/manufacturing/boms/{top.pk}/explosion?quantity=3")

    assert response.status_code == 200
    assert response.content == rendered(drf_fields(ExplosionSerializer, explosion))


def test_items_list_body_is_the_serializers(api):
    from items.models import Item
    from items.selectors import item_list
    from items.serializers import ItemSerializer

    ItemFactory(number="A-1", description="", standard_cost=D("0.1235"), uom=unit("kg"))
    ItemFactory(number="A-2", description='Ünïcode, \u2028 and "quotes"', type="service")
    archived = ItemFactory(number="A-3", standard_cost=D("123456.7891"))
    archived.delete()
    ItemFactory(number="A-4", tracking="lot", type="consumable", standard_cost=0)

    for query in ("", "?isActive=false", "?sort=-name&limit=2&page=2", "?search=A-"):
        response = api.get(f"/api/items{query}")
        assert response.status_code == 200
        body = response.json()
        ids = [row["id"] for row in body["data"]]
        items = {str(i.pk): i for i in item_list().filter(pk__in=ids)}
        expected = drf_fields(ItemSerializer, [items[pk] for pk in ids], many=True)
        assert response.content == rendered({"data": expected, "meta": body["meta"]})
        for pk in ids:
            detail = api.get(f"/api/items/{pk}")
            assert detail.content == rendered(drf_fields(ItemSerializer, items[pk]))
    assert Item.all_objects.count() == 4


def test_bom_detail_and_list_bodies_are_the_serializers(plant, api):
    from manufacturing.boms.models import BOM
    from manufacturing.boms.serializers import BOMSerializer

    top, _ = plant
    archived = BOMFactory(product=ItemFactory(), lines=[line(ItemFactory(), "0.000001")])
    archived.delete()

    for bom in [top, archived, *BOM.all_objects.exclude(pk__in=[top.pk, archived.pk])]:
        response = api.get(f"/api/manufacturing/boms/{bom.pk}")
        fresh = bom_list().get(pk=bom.pk)
        assert response.content == rendered(drf_fields(BOMSerializer, fresh))

    for query in ("", "?isActive=false", "?sort=-number&limit=2"):
        response = api.get(f"/api/manufacturing/boms{query}")
        body = response.json()
        ids = [row["id"] for row in body["data"]]
        boms = {str(b.pk): b for b in bom_list().filter(pk__in=ids)}
        expected = drf_fields(BOMSerializer, [boms[pk] for pk in ids], many=True)
        assert response.content == rendered({"data": expected, "meta": body["meta"]})

    response = api.get("/api/manufacturing/boms/archived")
    body = response.json()
    assert [row["id"] for row in body["data"]] == [str(archived.pk)]
    expected = drf_fields(BOMSerializer, [bom_list().get(pk=archived.pk)], many=True)
    assert response.content == rendered({"data": expected, "meta": body["meta"]})


@pytest.mark.parametrize("levels", ["1", "all"])
def test_where_used_body_is_the_serializers(plant, api, levels):
    from items.selectors import item_where_used
    from items.serializers import WhereUsedSerializer

    _, items = plant
    archived = BOMFactory(product=ItemFactory(), lines=[line(items["STEEL"], "0.5")])
    archived.delete()

    for item in items.values():
        response = api.get(f"/api/items/{item.pk}/where-used?levels={levels}")
        rows = item_where_used(item=item, levels=levels)
        expected = drf_fields(WhereUsedSerializer, rows, many=True)
        assert response.content == rendered({"data": expected, "meta": response.json()["meta"]})


def _numbers(data) -> list:
    """Every number of a JSON body, in order (a body parsed with `parse_float=Decimal`)."""
    if isinstance(data, dict):
        return [n for value in data.values() for n in _numbers(value)]
    if isinstance(data, list):
        return [n for value in data for n in _numbers(value)]
    return [data] if isinstance(data, (int, Decimal)) and not isinstance(data, bool) else []


def test_an_explosion_too_precise_for_floats_is_rendered_exactly_by_both_paths(plant):
    """Both paths went through float: quantities of 17 and 18 significant digits (a large
    order of a BOM) lost their last places. Both now write every digit of the Decimal."""
    import json

    top, _ = plant
    explosion = bom_explode(bom=top, quantity=D("98765432109.876543"), levels="all")
    expected = [row.quantity for row in explosion.requirements]
    assert any(D(repr(float(q))) != q for q in expected), "some value a float cannot hold"

    fast = rendered(explosion_body(explosion))

    assert fast == rendered(drf_fields(ExplosionSerializer, explosion))
    body = json.loads(fast, parse_float=D)
    assert [row["quantity"] for row in body["requirements"]] == expected
    assert [row["quantity"] for row in body["totals"]] == [t.quantity for t in explosion.totals]
    cost = explosion.cost
    assert _numbers(body["cost"]) == [cost.materials, cost.operations, cost.total, cost.per_unit]


# --- drift: the schema's properties are the keys of the one representation ------------------


def _ref(schema: dict, node: dict) -> dict:
    """A property's schema, its `$ref` (or `allOf: [$ref]`, drf-spectacular's wrapping) followed."""
    if "allOf" in node:
        node = node["allOf"][0]
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _drift(schema: dict, component: dict, body: dict, where: str) -> list[str]:
    """Where `body`'s keys differ from the properties `component` declares, nested objects too."""
    declared = list(component["properties"])
    if list(body) != declared:
        return [f"{where}: body keys {list(body)} != schema properties {declared}"]
    problems = []
    for key, value in body.items():
        node = _ref(schema, component["properties"][key])
        if isinstance(value, dict):
            problems += _drift(schema, node, value, f"{where}.{key}")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            problems += _drift(schema, _ref(schema, node["items"]), value[0], f"{where}.{key}[0]")
    return problems


def test_the_schema_declares_exactly_the_keys_each_representation_writes(plant, api):
    """Adding a key to a representation function without its schema field (or the reverse)
    fails here, for every resource whose body is a representation function."""
    from items.representations import item_bodies, where_used_rows
    from items.selectors import item_list, item_where_used
    from manufacturing.boms.representations import bom_bodies
    from manufacturing.boms.selectors import bom_headers

    top, items = plant
    schema = api.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    bodies = {
        "Item": item_bodies([item_list().get(pk=items["PAINT"].pk)])[0],
        "BOM": bom_bodies([bom_headers().get(pk=top.pk)])[0],
        "Explosion": explosion_body(bom_explode(bom=top, quantity=None, levels="all")),
        "WhereUsed": where_used_rows(item_where_used(item=items["BOLT"], levels="all"))[0],
    }
    problems = [
        p for name, body in bodies.items() for p in _drift(schema, components[name], body, name)
    ]

    assert problems == []


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/St_Johns"])
def test_the_one_datetime_formatter_writes_what_drfs_field_writes(zone):
    import datetime as dt

    from django.utils import timezone

    from config.api.representations import datetime_text

    values = [
        dt.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=dt.UTC),
        None,
    ]
    with timezone.override(zone):
        field = serializers.DateTimeField()
        assert [datetime_text(v) for v in values] == [field.to_representation(v) for v in values]
